"""Alerts of failed runs: a line in data/logs/alerts.log always; an e-mail and a webhook post when configured.

| variable            | example                      | what                                                    |
|---------------------|------------------------------|---------------------------------------------------------|
| CCHC_ALERT_SMTP     | mail.thainguyen.gov.vn:587   | SMTP server (host[:port]; port 25, or 587 with a login, 465 with CCHC_ALERT_SMTP_TLS=ssl) |
| CCHC_ALERT_SMTP_USER | canhbao@sokhcn...           | login on the SMTP server (none: an internal relay without login) |
| CCHC_ALERT_SMTP_PASSWORD_FILE | /etc/cchc/smtp_password | file holding the password (mode 0600); or CCHC_ALERT_SMTP_PASSWORD |
| CCHC_ALERT_SMTP_TLS | starttls                     | starttls (default with a login), ssl (port 465), none (default without a login) |
| CCHC_ALERT_SMTP_CAFILE | /etc/cchc/ca.pem          | CA certificates that sign the server's (an internal CA); default the system's |
| CCHC_ALERT_EMAIL    | cntt@sokhcn.thainguyen.gov.vn | recipients, comma-separated                            |
| CCHC_ALERT_FROM     | cchc-pipeline@localhost      | sender (default cchc-pipeline@<host name>)              |
| CCHC_ALERT_WEBHOOK  | https://chat.example/hook    | URL that receives {"text": …} as JSON (Mattermost, Slack-like) |

A delivery that fails is written to the alert log too: the log line is never lost. A password is only ever sent over
TLS (the server's certificate verified): with a login and CCHC_ALERT_SMTP_TLS=none, nothing is sent and the alert log
says why."""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

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
        except (OSError, smtplib.SMTPException, ValueError) as error:
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
    host, _, port = server.rpartition(":") if ":" in server else (server, "", "")
    user = _env("CCHC_ALERT_SMTP_USER")
    tls = (_env("CCHC_ALERT_SMTP_TLS") or ("ssl" if port == "465" else "starttls" if user else "none")).lower()
    if tls not in {"starttls", "ssl", "none"}:
        raise ValueError(f"CCHC_ALERT_SMTP_TLS='{tls}' phải là starttls, ssl hoặc none.")
    if user and tls == "none":
        raise ValueError(
            "Có CCHC_ALERT_SMTP_USER nhưng CCHC_ALERT_SMTP_TLS=none: không gửi mật khẩu không mã hóa; "
            "đặt CCHC_ALERT_SMTP_TLS=starttls (cổng 587) hoặc ssl (cổng 465)."
        )
    mail = EmailMessage()
    mail["Subject"] = "[CCHC] " + message.split(":", 1)[0][:150]
    mail["From"] = _env("CCHC_ALERT_FROM") or f"cchc-pipeline@{socket.gethostname()}"
    mail["To"] = ", ".join(recipients)
    mail.set_content(message)
    context = ssl.create_default_context(cafile=_env("CCHC_ALERT_SMTP_CAFILE") or None)
    default_port = {"ssl": 465, "starttls": 587 if user else 25, "none": 25}[tls]
    if tls == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(host, int(port or default_port), timeout=TIMEOUT_SECONDS, context=context)
    else:
        client = smtplib.SMTP(host, int(port or default_port), timeout=TIMEOUT_SECONDS)
    with client:
        if tls == "starttls":
            client.starttls(context=context)  # SMTPNotSupportedError where the server offers no STARTTLS
        if user:
            client.login(user, _smtp_password())
        client.send_message(mail)


def _smtp_password() -> str:
    path = _env("CCHC_ALERT_SMTP_PASSWORD_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ValueError(f"Không đọc được tệp mật khẩu SMTP {path} (CCHC_ALERT_SMTP_PASSWORD_FILE): {error}") from None
    if "CCHC_ALERT_SMTP_PASSWORD" in os.environ:
        return os.environ["CCHC_ALERT_SMTP_PASSWORD"]
    raise ValueError(
        "Có CCHC_ALERT_SMTP_USER nhưng không có mật khẩu: đặt CCHC_ALERT_SMTP_PASSWORD_FILE "
        "(tệp chỉ chủ sở hữu đọc được) hoặc CCHC_ALERT_SMTP_PASSWORD."
    )


def post_webhook(url: str, message: str) -> None:
    import requests

    response = requests.post(url, json={"text": message}, timeout=TIMEOUT_SECONDS)
    response.raise_for_status()
