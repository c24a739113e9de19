"""Alert e-mail through an SMTP server that wants a login: STARTTLS with the server's certificate checked against the
configured CA, the password read from its file; never a password in clear, and every refusal written to the alert log.
A real TLS server on 127.0.0.1 with a certificate made here."""

import base64
import datetime as dt
import ipaddress
import socketserver
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pipelines.alerts import send_alert


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA): (certificate, key) as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cchc test smtp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


class _Smtp(socketserver.StreamRequestHandler):
    """Enough of SMTP with STARTTLS (RFC 3207) and AUTH PLAIN (RFC 4954) for smtplib."""

    tls: ClassVar[ssl.SSLContext]
    logins: ClassVar[list[tuple[str, bool]]] = []  # (credentials, over TLS)
    messages: ClassVar[list[str]] = []

    def _reply(self, text: bytes) -> None:
        self.wfile.write(text)
        self.wfile.flush()

    def handle(self) -> None:
        secure = False
        self._reply(b"220 localhost test SMTP\r\n")
        while line := self.rfile.readline():
            verb = line.decode("ascii", "replace").strip()
            upper = verb.upper()
            if upper.startswith(("EHLO", "HELO")):
                self._reply(b"250-localhost\r\n250-AUTH PLAIN\r\n" + (b"" if secure else b"250-STARTTLS\r\n") + b"250 OK\r\n")
            elif upper == "STARTTLS":
                self._reply(b"220 ready\r\n")
                try:
                    self.connection = self.tls.wrap_socket(self.connection, server_side=True)
                except (ssl.SSLError, OSError):  # the client refused our certificate
                    return
                self.rfile, self.wfile = self.connection.makefile("rb"), self.connection.makefile("wb")
                secure = True
            elif upper.startswith("AUTH PLAIN"):
                _Smtp.logins.append((base64.b64decode(verb.split()[2]).decode(), secure))
                self._reply(b"235 authenticated\r\n")
            elif upper.startswith("DATA"):
                self._reply(b"354 go ahead\r\n")
                data = []
                while (part := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(part)
                _Smtp.messages.append(b"".join(data).decode("utf-8", "replace"))
                self._reply(b"250 queued\r\n")
            elif upper.startswith("QUIT"):
                self._reply(b"221 bye\r\n")
                return
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                self._reply(b"250 ok\r\n")


@pytest.fixture
def smtp_server(tmp_path: Path, monkeypatch) -> Iterator[tuple[int, Path]]:
    cert, key = _certificate(tmp_path)
    _Smtp.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    _Smtp.tls.load_cert_chain(cert, key)
    _Smtp.logins.clear()
    _Smtp.messages.clear()
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Smtp)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (tmp_path / "smtp_password").write_text("mat-khau 123\n", encoding="utf-8")
    for name, value in {
        "CCHC_LOG_DIR": str(tmp_path / "logs"),
        "CCHC_ALERT_SMTP": f"127.0.0.1:{server.server_address[1]}",
        "CCHC_ALERT_EMAIL": "cntt@example.vn",
        "CCHC_ALERT_SMTP_USER": "canhbao",
        "CCHC_ALERT_SMTP_PASSWORD_FILE": str(tmp_path / "smtp_password"),
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("CCHC_ALERT_WEBHOOK", "CCHC_ALERT_SMTP_TLS", "CCHC_ALERT_SMTP_CAFILE", "CCHC_ALERT_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    try:
        yield server.server_address[1], cert
    finally:
        server.shutdown()
        server.server_close()


def _log(tmp_path: Path) -> list[str]:
    return (tmp_path / "logs" / "alerts.log").read_text(encoding="utf-8").splitlines()


def test_login_goes_over_starttls_with_the_certificate_checked(smtp_server, tmp_path, monkeypatch):
    _, cert = smtp_server
    monkeypatch.setenv("CCHC_ALERT_SMTP_CAFILE", str(cert))
    assert send_alert("daily_tthc THẤT BẠI: run 1234") == []
    assert _Smtp.logins == [("\0canhbao\0mat-khau 123", True)]  # AUTH PLAIN only after STARTTLS
    assert len(_Smtp.messages) == 1 and "Subject: [CCHC] daily_tthc" in _Smtp.messages[0]
    assert "daily_tthc THẤT BẠI: run 1234" in _Smtp.messages[0]
    assert len(_log(tmp_path)) == 1


def test_an_untrusted_certificate_sends_nothing_and_the_log_says_so(smtp_server, tmp_path):
    problems = send_alert("daily_tthc THẤT BẠI: run 1234")  # no CCHC_ALERT_SMTP_CAFILE: the system's CAs refuse it
    assert len(problems) == 1 and "CERTIFICATE_VERIFY_FAILED" in problems[0]
    assert _Smtp.logins == [] and _Smtp.messages == []
    assert _log(tmp_path)[1].endswith(problems[0])


def test_a_password_is_never_sent_in_clear(smtp_server, tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_ALERT_SMTP_TLS", "none")
    problems = send_alert("daily_tthc THẤT BẠI: run 1234")
    assert len(problems) == 1 and "không gửi mật khẩu không mã hóa" in problems[0]
    assert _Smtp.logins == [] and _Smtp.messages == []
    assert "daily_tthc THẤT BẠI" in _log(tmp_path)[0]


def test_a_login_without_a_password_file_is_explained(smtp_server, tmp_path, monkeypatch):
    _, cert = smtp_server
    monkeypatch.setenv("CCHC_ALERT_SMTP_CAFILE", str(cert))
    monkeypatch.setenv("CCHC_ALERT_SMTP_PASSWORD_FILE", str(tmp_path / "missing"))
    problems = send_alert("daily_tthc THẤT BẠI: run 1234")
    assert len(problems) == 1 and "CCHC_ALERT_SMTP_PASSWORD_FILE" in problems[0] and _Smtp.messages == []
