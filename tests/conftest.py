"""Fixtures: hand-written export files and a warehouse in a temporary folder."""

import atexit
import csv
import io
import os
import pickle
import shutil
import tempfile
import unicodedata
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from assets.resources import Warehouse
from common.pii import keys_from_secret
from sources.tthc_format import CATALOGUE_COLUMNS, CATALOGUE_FILE_NAME, DOSSIER_COLUMNS, dossier_file_name
from warehouse.schema import ensure_schema

warnings.filterwarnings("ignore", message=".*is currently in (beta|preview).*")
# Tests write a file and load it the next moment: watching each for a copy in progress would only add waits. The test
# of a real copy in progress turns it back on (tests/test_intake.py).
os.environ["CCHC_SETTLE_SECONDS"] = "0"
# The business date of every run in the tests (common.settings.business_today): results must not depend on the day the
# suite runs. Late in the demo year, so every quarter of 2026 has started and Q4's reports are not due yet.
os.environ["CCHC_TODAY"] = "2026-12-03"
# The pseudonym secret of the tests is generated on first use, as on a new server, in a folder of their own: never the
# machine's real one (~/.config/cchc-thainguyen/pii_secret), never one given by the environment.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="cchc-test-config-")
# Removed when the session (or an xdist worker) ends: test secrets must not pile up in /tmp, one folder per run.
atexit.register(shutil.rmtree, os.environ["XDG_CONFIG_HOME"], ignore_errors=True)
for _variable in ("CCHC_PII_SECRET", "CCHC_PII_SECRET_FILE", "CCHC_PII_SALT"):
    os.environ.pop(_variable, None)
TEST_KEYS = keys_from_secret("test-secret-" + "0" * 32, "tests")

DEFAULT_ROW = {
    "dossier_code": "HS-0001",
    "procedure_code": "2.000001",
    "receiving_centre": "Trung tâm Phục vụ hành chính công Phường Phan Đình Phùng",
    "resolving_unit": "Phường Phan Đình Phùng",
    "channel": "Trực tuyến",
    "received_at": "05/01/2026 08:00:00",
    "due_at": "08/01/2026 17:00:00",
    "completed_at": "",
    "status": "Đang xử lý",
    "supplement_requests": "0",
    "digitised": "Có",
    "electronic_result": "Không",
    "fee_due": "0",
    "paid_online": "Không",
    "reused_data": "Có",
    "citizen_data_used": "Có",
    "synced_to_portal": "Có",
    "satisfaction": "",
    "updated_at": "05/01/2026 08:00:00",
    "applicant_name": "Nguyễn Thị Hoa",
    "applicant_id": "019188001234",
    "applicant_phone": "0912345678",
    "applicant_address": "Tổ 5, Phường Phan Đình Phùng, tỉnh Thái Nguyên",
}
PERSONAL_VALUES = ["Nguyễn Thị Hoa", "019188001234", "0912345678", "Tổ 5, Phường"]


def dossier_row(**overrides: str) -> dict[str, str]:
    return {**DEFAULT_ROW, **overrides}


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Vietnamese offices write it: base letters precomposed, tone marks combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in tones))
        out.append(base + "".join(c for c in decomposed if c in tones))
    return "".join(out).encode("cp1258")


def write_rows(
    path: Path, columns, rows: list[dict], *, headers: list[str] | None = None, encoding: str = "utf-8-sig", tail: str = ""
) -> Path:
    """A CSV of ``rows`` (dicts by canonical column name) under the format's headers, or the given ``headers``
    (any header or alias of the format; an unknown header takes the row's value of that name)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = headers or [c.header for c in columns]
    reverse = {c.header: c.name for c in columns}
    for column in columns:
        reverse.update({alias: column.name for alias in column.aliases})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(written)
    for row in rows:
        writer.writerow([row.get(reverse.get(h, h), "") for h in written])
    text = buffer.getvalue() + tail
    path.write_bytes(cp1258_bytes(text) if encoding == "cp1258" else text.encode(encoding))
    return path


def write_export(
    folder: Path, day: date, rows: list[dict], *, headers: list[str] | None = None, encoding: str = "utf-8-sig", tail: str = ""
) -> Path:
    """A daily export; ``headers`` maps canonical names to the headers to write (default: the standard ones)."""
    return write_rows(folder / dossier_file_name(day), DOSSIER_COLUMNS, rows, headers=headers, encoding=encoding, tail=tail)


def write_catalogue(
    folder: Path, rows: list[list[str]] | None = None, *, headers: list[str] | None = None, encoding: str = "utf-8-sig"
) -> Path:
    """The catalogue; rows shorter than the header are padded with empty optional cells."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = rows or [
        ["2.000001", "Chứng thực bản sao từ bản chính", "Chứng thực", "Cấp xã", "Toàn trình", "Có", "UBND cấp xã", "Có"],
        [
            "1.000100",
            "Cấp giấy chứng nhận hoạt động khoa học và công nghệ",
            "Khoa học và công nghệ",
            "Cấp tỉnh",
            "Một phần",
            "Có",
            "Sở Khoa học và Công nghệ",
            "Không",
        ],
    ]
    headers = headers or [c.header for c in CATALOGUE_COLUMNS]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(row + [""] * (len(headers) - len(row)) for row in rows)
    path = folder / CATALOGUE_FILE_NAME
    text = buffer.getvalue()
    path.write_bytes(cp1258_bytes(text) if encoding == "cp1258" else text.encode(encoding))
    return path


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    path = tmp_path / "inbox"
    write_catalogue(path / "tthc")
    return path


@pytest.fixture
def warehouse(tmp_path: Path, inbox: Path) -> Warehouse:
    return Warehouse(
        build_db=str(tmp_path / "wh" / "warehouse_build.duckdb"),
        snapshot_db=str(tmp_path / "wh" / "warehouse.duckdb"),
        inbox=str(inbox),
        reports=str(tmp_path / "reports"),
        province="Thái Nguyên",
    )


def warehouse_in(root: Path) -> Warehouse:
    """A warehouse resource whose files, inbox and reports are all under ``root``."""
    return Warehouse(
        build_db=str(root / "w" / "build.duckdb"),
        snapshot_db=str(root / "w" / "snap.duckdb"),
        inbox=str(root / "inbox"),
        reports=str(root / "reports"),
        province="Thái Nguyên",
    )


@pytest.fixture(scope="session")
def small_inbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The demo inbox for 1–10 January 2026 at 0.1 % scale (every yearly input: plan, PAR and DTI forms, other
    systems' values, last year's results), written once per test session however many pytest-xdist workers ask for
    it: copy it before changing it."""
    from demo.generate import generate_inbox

    return shared_once(
        tmp_path_factory, "small_inbox", lambda root: generate_inbox(root / "inbox", end=date(2026, 1, 10), scale=0.001), "inbox"
    )


def shared_once(tmp_path_factory: pytest.TempPathFactory, name: str, make, subfolder: str = "") -> tuple[Path, Any]:
    """``make(folder)`` once per test session: the first xdist worker to ask writes ``folder`` under the session's
    shared temporary folder while the others wait on a lock, then they all read its result (pickled beside it)."""
    from filelock import FileLock  # Dagster's own dependency

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker's basetemp is a subfolder of the session's
        base = base.parent
    folder, result_file = base / f"shared_{name}", base / f"shared_{name}.pickle"
    with FileLock(str(base / f"shared_{name}.lock")):
        if not result_file.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a half-written folder of an interrupted worker
            folder.mkdir()
            result_file.write_bytes(pickle.dumps(make(folder)))
        return (folder / subfolder if subfolder else folder), pickle.loads(result_file.read_bytes())


def materialized_once(tmp_path_factory: pytest.TempPathFactory, small_inbox: tuple[Path, dict], assets: list, name: str):
    """(folder, run result): a copy of the small demo inbox and the yearly ``assets`` materialised on it
    (``warehouse_in``), for a module's tests that start from the same run. They read it, or change their own copy
    (``copy_of``)."""
    root = tmp_path_factory.mktemp(name)
    shutil.copytree(small_inbox[0], root / "inbox")
    result = materialize_year(assets, warehouse_in(root))
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return root, result


def copy_of(root: Path, tmp_path: Path) -> Warehouse:
    """A test's own copy of a materialised folder (inbox, warehouse files, reports): change it freely."""
    shutil.copytree(root, tmp_path, dirs_exist_ok=True)
    return warehouse_in(tmp_path)


def materialize_year(assets: list, warehouse: Warehouse, year: str = "2026", **kwargs):
    """A real Dagster run of ``assets`` for one yearly partition, failures returned rather than raised."""
    import dagster as dg

    return dg.materialize(assets, resources={"warehouse": warehouse}, partition_key=year, raise_on_error=False, **kwargs)


@pytest.fixture()
def con(tmp_path: Path):
    """An empty warehouse with the schema, in a real DuckDB file."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    yield con
    con.close()


def rows_of(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()
