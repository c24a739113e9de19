"""Every path and setting of the pipeline, read from the environment with defaults inside the project.

| variable              | default                         | what it is                                   |
|-----------------------|---------------------------------|----------------------------------------------|
| CCHC_INBOX            | data/inbox                      | folder the source systems drop files into    |
| CCHC_WAREHOUSE_DIR    | data/warehouse                  | DuckDB build file and published snapshot     |
| CCHC_REPORTS          | data/reports                    | Excel workbooks for officials                |
| DAGSTER_HOME          | data/dagster_home               | Dagster run history (set by the Makefile)    |
| CCHC_PROVINCE         | Thái Nguyên                     | province whose units the pipeline serves     |
| CCHC_DEPARTMENT_CODE  | (province's Sở KH&CN)           | unit code of the department whose plan is tracked, e.g. 19.SKHCN |
| CCHC_START_DATE       | 2026-01-01                      | first daily partition                        |
| CCHC_PII_SECRET_FILE  | ~/.config/cchc-thainguyen/...   | secret of the applicant pseudonyms (common/pii.py); generated on first use |
| CCHC_PII_SECRET       | (none)                          | the secret itself, instead of the file       |
| CCHC_PORTAL_URL       | https://dichvucong.gov.vn       | portal called by qd766_portal_capture        |
| CCHC_PORTAL_ROOT_ID   | (province's, portal_provinces)  | rootDepartmentId sent to the portal          |
| CCHC_PORTAL_TIMEOUT   | 60                              | seconds to wait for one answer of the portal |
| CCHC_PORTAL_RETRIES   | 3                               | retries after a timeout, lost link or 5xx    |
| CCHC_PORTAL_DELAY     | 2                               | seconds between two calls to the portal      |
| CCHC_BUILD_DIR        | <CCHC_WAREHOUSE_DIR>/build      | the pipeline's own build file (not analysts')|
| CCHC_SNAPSHOT_KEEP    | 7                               | previous published snapshots kept            |
| CCHC_LOCK_WAIT        | 60                              | seconds to retry a locked build file         |
| CCHC_TODAY            | (today in Vietnam)              | the business date the run acts on (YYYY-MM-DD): which periods have started, task status as of, freshness |
| CCHC_NATIONAL_INBOX   | data/national/inbox             | every province's dossier versions (layout of demo/national.py) for the national QĐ 766 job |
| CCHC_NATIONAL_DIR     | <CCHC_WAREHOUSE_DIR>/national   | the national marts: Parquet partitions per province and year, and national.duckdb (views) |
| CCHC_NATIONAL_MEMORY  | 2GB                             | DuckDB memory_limit of one province's run (spills to disk beyond it) |
| CCHC_CELERY_CONFIG    | (none: steps run in the run's process) | the Celery executor's YAML (the file `dagster-celery worker start -y` takes): the national job's steps go to Celery workers |
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TIMEZONE = "Asia/Ho_Chi_Minh"


def now_local() -> datetime:
    """Wall-clock time in Vietnam, naive to the second: the form the warehouse's local TIMESTAMPs use."""
    return datetime.now(ZoneInfo(TIMEZONE)).replace(tzinfo=None, microsecond=0)


def local_time_of(timestamp: float) -> datetime:
    """A POSIX time (a file's modification time) as Vietnam time, naive to the second, as ``now_local``: a server kept
    on UTC would otherwise date a file saved at 08:15 at 01:15."""
    return datetime.fromtimestamp(timestamp, ZoneInfo(TIMEZONE)).replace(tzinfo=None, microsecond=0)


def business_today() -> date:
    """The business date a run acts on: `CCHC_TODAY` (YYYY-MM-DD) where set, else today's date in Vietnam.

    Decisions that depend on the date (which periods have started, a task's status as of today, the freshness of the
    exports, the periods the portal collector asks for) read this, so a test or a rerun "as of" a past day gives the
    same tables whatever the wall clock says; timestamps of loads and files keep the wall clock (now_local)."""
    value = os.environ.get("CCHC_TODAY", "").strip()
    if not value:
        return now_local().date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"Biến môi trường CCHC_TODAY='{value}' không phải ngày dạng YYYY-MM-DD (ví dụ 2026-12-31).") from None


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def daily_partition_problem(text: str, first: date, today: date) -> str | None:
    """Why ``text`` is not a daily partition to rerun (one Vietnamese line saying what to type), or None.

    The daily partitions run from ``first`` (CCHC_START_DATE) to the day before ``today`` (the business date): a day
    is loaded once it is over, as the inbox sensor does; a later day would load a 'missing' export and date the
    quality workbook in the future."""
    example = f"make rerun DAY={max(first, today - timedelta(days=1)).isoformat()}"
    if not _ISO_DAY.fullmatch(text.strip()):
        return f"DAY={text} không phải ngày dạng YYYY-MM-DD; ví dụ: {example}"
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return f"DAY={text} không phải ngày có thật; ví dụ: {example}"
    last = today - timedelta(days=1)
    span = f"chọn một ngày từ {first.isoformat()} đến {last.isoformat()}"
    if day < first:
        return f"Ngày {day.isoformat()} trước ngày bắt đầu CCHC_START_DATE={first.isoformat()}, không có dữ liệu ngày đó: {span}."
    if day > last:
        return f"Ngày {day.isoformat()} chưa kết thúc (hôm nay là {today.isoformat()}): {span}."
    return None


def _number(var: str, default: float) -> float:
    value = os.environ.get(var, "").strip()
    try:
        number = float(value) if value else default
    except ValueError:
        raise ValueError(f"Biến môi trường {var}='{value}' không phải số (ví dụ {default:g}).") from None
    if number < 0:
        raise ValueError(f"Biến môi trường {var}='{value}' không được âm.")
    return number


def _path(var: str, default: str) -> Path:
    value = os.environ.get(var)
    return Path(value).expanduser().resolve() if value else PROJECT_ROOT / default


@dataclass(frozen=True)
class Settings:
    inbox: Path
    warehouse_dir: Path
    reports: Path
    dagster_home: Path
    province: str
    start_date: str
    # Empty: the province's Sở Khoa học và Công nghệ found in the master data (19.SKHCN in Thái Nguyên), resolved
    # where the units are loaded (assets/resources.py), since settings read no master data.
    department_code: str = ""
    portal_url: str = "https://dichvucong.gov.vn"
    portal_root_id: str = ""  # empty: the province's own, from masterdata/portal_provinces.csv
    portal_timeout: float = 60.0
    portal_retries: int = 3
    portal_delay: float = 2.0
    # --- analysts' warehouse: build file apart, snapshot retention, lock waits ---
    build_dir: Path | None = None  # None: <warehouse_dir>/build
    snapshot_keep: int = 7
    lock_wait: float = 60.0
    # --- the national QĐ 766 job (warehouse/national.py) ---
    national_inbox: Path = PROJECT_ROOT / "data" / "national" / "inbox"
    national_dir: Path | None = None  # None: <warehouse_dir>/national
    national_memory: str = "2GB"
    # The Celery executor's config (the file a worker is started with): the national job's steps go to its workers.
    celery_config: Path | None = None

    @property
    def national_out(self) -> Path:
        return self.national_dir or self.warehouse_dir / "national"

    @property
    def build_db(self) -> Path:
        """The file only the pipeline opens (read-write), in a folder of its own so analysts are never handed it."""
        return (self.build_dir or self.warehouse_dir / "build") / "warehouse_build.duckdb"

    @property
    def snapshot_db(self) -> Path:
        """The read-only snapshot analysts open."""
        return self.warehouse_dir / "warehouse.duckdb"


def get_settings() -> Settings:
    return Settings(
        inbox=_path("CCHC_INBOX", "data/inbox"),
        warehouse_dir=_path("CCHC_WAREHOUSE_DIR", "data/warehouse"),
        reports=_path("CCHC_REPORTS", "data/reports"),
        dagster_home=_path("DAGSTER_HOME", "data/dagster_home"),
        province=os.environ.get("CCHC_PROVINCE", "Thái Nguyên"),
        start_date=os.environ.get("CCHC_START_DATE", "2026-01-01"),
        department_code=os.environ.get("CCHC_DEPARTMENT_CODE", "").strip(),
        portal_url=os.environ.get("CCHC_PORTAL_URL", "").strip() or "https://dichvucong.gov.vn",
        portal_root_id=os.environ.get("CCHC_PORTAL_ROOT_ID", "").strip(),
        portal_timeout=_number("CCHC_PORTAL_TIMEOUT", 60.0),
        portal_retries=int(_number("CCHC_PORTAL_RETRIES", 3)),
        portal_delay=_number("CCHC_PORTAL_DELAY", 2.0),
        national_inbox=_path("CCHC_NATIONAL_INBOX", "data/national/inbox"),
        national_dir=_path("CCHC_NATIONAL_DIR", "") if os.environ.get("CCHC_NATIONAL_DIR", "").strip() else None,
        national_memory=os.environ.get("CCHC_NATIONAL_MEMORY", "").strip() or "2GB",
        celery_config=_path("CCHC_CELERY_CONFIG", "") if os.environ.get("CCHC_CELERY_CONFIG", "").strip() else None,
        **warehouse_settings(),
    )


def warehouse_settings() -> dict:
    """Build folder, snapshot retention and lock wait (read apart so the connection module can use them alone)."""
    build_dir = os.environ.get("CCHC_BUILD_DIR", "").strip()
    return {
        "build_dir": Path(build_dir).expanduser().resolve() if build_dir else None,
        "snapshot_keep": int(_number("CCHC_SNAPSHOT_KEEP", 7)),
        "lock_wait": _number("CCHC_LOCK_WAIT", 60.0),
    }
