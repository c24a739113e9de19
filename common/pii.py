"""The secret behind the applicant pseudonyms, and the keyed hashes built from it (pure, no Dagster).

An ID number (CCCD: 12 digits, a province's share of them a few hundred million values) cannot be protected by a plain
or salted hash: anyone who knows the salt enumerates the space in minutes. It is therefore pseudonymised with
HMAC-SHA256 under a secret that lives outside the repository and the data folders:

* ``CCHC_PII_SECRET``: the secret itself (at least 32 characters), e.g. from a service manager's credential store;
* ``CCHC_PII_SECRET_FILE``: a file holding it;
* otherwise ``$XDG_CONFIG_HOME/cchc-thainguyen/pii_secret`` (``~/.config/...``), generated on first use with 32
  random bytes, mode 0600.

From the secret a key per year of receipt is derived, so the secret itself is never used on data and a person cannot
be linked across years:

    year_key(Y)   = HMAC-SHA256(secret, "cchc-thainguyen/applicant-year/v1:" + Y)
    applicant_key = hex(HMAC-SHA256(year_key(Y), ID number))      Y = year the dossier was received

``applicant_key`` is the only trace of the ID number that is stored: it counts distinct applicants within a year.
It is computed in SQL from the received file (``hmac_sql``), or in Python while a normalised copy of an odd export is
written (``PiiKeys.applicant_key``), so the copy never holds the ID number.

The demo secret ``demo`` is public: it is accepted only for an inbox written by the demo generator (its marker file).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

SECRET_ENV = "CCHC_PII_SECRET"
SECRET_FILE_ENV = "CCHC_PII_SECRET_FILE"
REMOVED_SALT_ENV = "CCHC_PII_SALT"
DEMO_SECRET = "demo"  # public, for the demo inbox only (refused elsewhere, see ``check_secret_for_inbox``)
DEMO_MARKER = ".cchc_demo_inbox"  # written by demo/generate.py into the inbox it generates
MIN_SECRET_CHARS = 32
_YEAR_LABEL = "cchc-thainguyen/applicant-year/v1"
_BLOCK = 64  # SHA-256 block size


class PiiSecretError(RuntimeError):
    """The secret is missing, too weak, or the demo secret on real data: the pipeline must not start."""


@dataclass(frozen=True)
class PiiKeys:
    secret: bytes = field(repr=False)
    is_demo: bool
    source: str  # where the secret came from (a path or an environment variable), for messages; never the secret
    fingerprint: str  # 16 hex of an HMAC of a fixed label: tells two secrets apart without revealing either

    def year_key(self, year: int) -> bytes:
        return hmac.new(self.secret, f"{_YEAR_LABEL}:{year}".encode(), hashlib.sha256).digest()

    def applicant_key(self, year: int, id_number: str) -> str | None:
        """The stored key of an ID number received in ``year`` (what the SQL computes); None for an empty ID."""
        value = id_number.strip()
        return hmac.new(self.year_key(year), value.encode(), hashlib.sha256).hexdigest() if value else None

    def year_pads(self, years: range) -> list[tuple[int, bytes, bytes]]:
        """(year, K⊕ipad, K⊕opad) of every year's key: the rows of the lookup table ``hmac_sql`` joins."""
        return [(y, *hmac_pads(self.year_key(y))) for y in years]


def keys_from_secret(secret: str, source: str = "") -> PiiKeys:
    material = secret.strip().encode()
    return PiiKeys(secret=material, is_demo=secret.strip() == DEMO_SECRET, source=source,
                   fingerprint=hmac.new(material, b"cchc-thainguyen/fingerprint", hashlib.sha256).hexdigest()[:16])


def default_secret_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return (Path(base).expanduser() if base else Path.home() / ".config") / "cchc-thainguyen" / "pii_secret"


def create_secret_file(path: Path) -> None:
    """32 random bytes as hex, in a file only its owner can read (created exclusively: never overwrites one)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")


def _checked(secret: str, source: str) -> str:
    value = secret.strip()
    if value != DEMO_SECRET and len(value) < MIN_SECRET_CHARS:
        raise PiiSecretError(f"Khóa bí mật mã hóa số giấy tờ ({source}) quá ngắn: cần ít nhất {MIN_SECRET_CHARS} ký tự "
                             f"ngẫu nhiên (ví dụ: python3 -c 'import secrets; print(secrets.token_hex(32))').")
    return value


def load_pii_keys(project_root: Path | None = None, data_dirs: tuple[Path, ...] = (), secret_file: str = "") -> PiiKeys:
    """The keys from ``secret_file`` (the resource's setting), else the environment, the file it names, or the default
    file (generated on first use).

    A secret file inside the project or a data folder is refused: it would travel with a copy of the repository or be
    backed up beside the warehouse it protects."""
    if os.environ.get(REMOVED_SALT_ENV, "").strip():
        raise PiiSecretError(f"Biến {REMOVED_SALT_ENV} đã bỏ (muối SHA-256 có thể dò ngược số giấy tờ): bỏ biến này và "
                             f"đặt {SECRET_FILE_ENV} (tệp chứa khóa bí mật) hoặc {SECRET_ENV}; không đặt gì thì khóa được "
                             f"tạo tự động tại {default_secret_file()}. Đổi khóa thì phải nạp lại hồ sơ (xem README, "
                             "'Data safety').")
    value = os.environ.get(SECRET_ENV, "")
    if value.strip() and not secret_file:
        return keys_from_secret(_checked(value, SECRET_ENV), SECRET_ENV)
    named = secret_file or os.environ.get(SECRET_FILE_ENV, "").strip()
    path = Path(named).expanduser().resolve() if named else default_secret_file()
    for folder in (p for p in (project_root, *data_dirs) if p is not None):
        if path.is_relative_to(folder.resolve()):
            raise PiiSecretError(f"Tệp khóa bí mật {path} nằm trong thư mục {folder}: đặt {SECRET_FILE_ENV} tới một tệp "
                                 "ngoài thư mục dự án và dữ liệu (mặc định ~/.config/cchc-thainguyen/pii_secret).")
    if not path.exists():
        if named:
            raise PiiSecretError(f"Không có tệp khóa bí mật {path} ({SECRET_FILE_ENV}): tạo tệp hoặc bỏ biến để tự tạo "
                                 f"tại {default_secret_file()}.")
        try:
            create_secret_file(path)
        except FileExistsError:  # another process created it meanwhile: use theirs
            pass
    if path.stat().st_mode & 0o077:
        raise PiiSecretError(f"Tệp khóa bí mật {path} đọc được bởi người khác: chmod 600 '{path}'.")
    return keys_from_secret(_checked(path.read_text(encoding="utf-8"), str(path)), str(path))


def is_demo_inbox(inbox: Path) -> bool:
    return (inbox / DEMO_MARKER).is_file()


def check_secret_for_inbox(keys: PiiKeys, inbox: Path) -> None:
    """The public demo secret is refused on any inbox the demo generator did not write."""
    if keys.is_demo and not is_demo_inbox(inbox):
        raise PiiSecretError(
            f"Đang dùng khóa bí mật mẫu ('{DEMO_SECRET}', từ {keys.source}) cho hộp thư {inbox} không phải dữ liệu mẫu: "
            "số giấy tờ của người dân sẽ dò ngược được. Dừng chạy. Bỏ biến "
            f"{SECRET_ENV}='{DEMO_SECRET}' (khóa thật được tạo tự động tại {default_secret_file()}) hoặc đặt "
            f"{SECRET_FILE_ENV} tới tệp khóa bí mật riêng của Sở.")


# --- HMAC-SHA256 in DuckDB SQL (DuckDB has sha256() but no hmac()) ---------------------------------------------

def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """(K ⊕ ipad, K ⊕ opad) of RFC 2104 for SHA-256: the key hashed if longer than a block, zero-padded to 64 bytes."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_sql(pads: str, message_sql: str) -> str:
    """SQL for hex(HMAC-SHA256(K, message)) = sha256(K⊕opad ‖ sha256(K⊕ipad ‖ message)) on bytes, the pads being the
    BLOB columns ``<pads>.inner_pad`` and ``<pads>.outer_pad`` (rows of ``PiiKeys.year_pads``, passed as parameters:
    no key is ever written into SQL text): ``encode`` gives the UTF-8 bytes of the VARCHAR, ``unhex`` the 32 raw
    bytes of the inner hash."""
    return f"sha256({pads}.outer_pad || unhex(sha256({pads}.inner_pad || encode({message_sql}))))"
