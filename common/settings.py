"""Every path and setting of the pipeline, read from the environment with defaults inside the project.

| variable              | default                         | what it is                                   |
|-----------------------|---------------------------------|----------------------------------------------|
| CCHC_INBOX            | data/inbox                      | folder the source systems drop files into    |
| CCHC_WAREHOUSE_DIR    | data/warehouse                  | DuckDB build file and published snapshot     |
| CCHC_REPORTS          | data/reports                    | Excel workbooks for officials                |
| DAGSTER_HOME          | data/dagster_home               | Dagster run history (set by the Makefile)    |
| CCHC_PROVINCE         | Thái Nguyên                     | province whose units the pipeline serves     |
| CCHC_START_DATE       | 2026-01-01                      | first daily partition                        |
| CCHC_PII_SALT         | (demo value)                    | salt for the one-way hash of applicant IDs   |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TIMEZONE = "Asia/Ho_Chi_Minh"
DEMO_PII_SALT = "demo-salt-change-me"


def now_local() -> datetime:
    """Wall-clock time in Vietnam, naive to the second: the form the warehouse's local TIMESTAMPs use."""
    return datetime.now(ZoneInfo(TIMEZONE)).replace(tzinfo=None, microsecond=0)


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
    pii_salt: str

    @property
    def build_db(self) -> Path:
        """The file only the pipeline opens (read-write)."""
        return self.warehouse_dir / "warehouse_build.duckdb"

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
        pii_salt=os.environ.get("CCHC_PII_SALT", DEMO_PII_SALT),
    )
