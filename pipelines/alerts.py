"""Alerts of failed runs: a line in data/logs/alerts.log always; an e-mail and a webhook post when configured.

| variable            | example                      | what                                                    |
|---------------------|------------------------------|---------------------------------------------------------|
| CCHC_ALERT_SMTP     | mail.thainguyen.gov.vn:25    | SMTP relay (host[:port], port 25 by default, no login)  |
| CCHC_ALERT_EMAIL    | cntt@sokhcn.thainguyen.gov.vn | recipients, comma-separated                            |
| CCHC_ALERT_FROM     | cchc-pipeline@localhost      | sender (default cchc-pipeline@<host name>)              |
| CCHC_ALERT_WEBHOOK  | https://chat.example/hook    | URL that receives {"text": …} as JSON (Mattermost, Slack-like) |

A delivery that fails is written to the alert log too: the log line is never lost."""

from __future__ import annotations

import os
import smtplib
import socket
from datetime import datetime
from email.message import EmailMessage

from pipelines.instance import log_dir

TIMEOUT_SECONDS = 10


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def send_alert(message: str) -> list[str]:
    """Write ``message`` to alerts.log and send it where configured; return the deliveries that failed."""
    path = log_dir() / "alerts.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    smtp, recipients, webhook = _env("CCHC_ALERT_SMTP"), _env("CCHC_ALERT_EMAIL"), _env("CCHC_ALERT_WEBHOOK")
    if smtp and recipients:
        try:
            send_email(smtp, [r.strip() for r in recipients.split(",") if r.strip()], message)
        except (OSError, smtplib.SMTPException) as error:
            problems.append(f"Không gửi được e-mail cảnh báo qua {smtp}: {error}")
    if webhook:
        try:
            post_webhook(webhook, message)
        except Exception as error:  # requests' errors and HTTP status: reported, never raised from the sensor
            problems.append(f"Không gửi được cảnh báo tới webhook {webhook}: {error}")
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    with path.open("a", encoding="utf-8") as log:
        for line in [message, *problems]:
            log.write(f"{stamp} {line}\n")
    return problems


def send_email(server: str, recipients: list[str], message: str) -> None:
    host, _, port = server.rpartition(":") if ":" in server else (server, "", "25")
    mail = EmailMessage()
    mail["Subject"] = "[CCHC] " + message.split(":", 1)[0][:150]
    mail["From"] = _env("CCHC_ALERT_FROM") or f"cchc-pipeline@{socket.gethostname()}"
    mail["To"] = ", ".join(recipients)
    mail.set_content(message)
    with smtplib.SMTP(host, int(port), timeout=TIMEOUT_SECONDS) as client:
        client.send_message(mail)


def post_webhook(url: str, message: str) -> None:
    import requests

    response = requests.post(url, json={"text": message}, timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
