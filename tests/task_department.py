"""The department and offices the task-report tests (workbook and Word document) build their warehouses on."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from common.units import load_offices, load_units
from warehouse.tasks import (
    known_tasks,
    load_plan_registers,
    load_task_reports,
    read_reports,
    refresh_completion,
    refresh_task_status,
)

DEPT = "19.SKHCN"
VP, CDS, QLCN = "19.SKHCN.VP", "19.SKHCN.CDS", "19.SKHCN.QLCN"


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Rows given as dicts, by column name."""
    for row in rows:
        con.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def add_department(con: duckdb.DuckDBPyConnection) -> None:
    """The Sở KH&CN in dim_unit and its three offices in dim_office."""
    insert_rows(
        con,
        "dim_unit",
        [
            {
                "unit_code": DEPT,
                "unit_name": "Sở Khoa học và Công nghệ",
                "unit_group": "agency",
                "group_label": "Cơ quan cấp tỉnh",
                "ranking_group": "agency",
                "province": "Thái Nguyên",
                "sort_order": 1,
            }
        ],
    )
    offices = [
        (VP, "Văn phòng Sở", "van_phong"),
        (CDS, "Phòng Chuyển đổi số", "phong"),
        (QLCN, "Phòng Quản lý Chuyên ngành", "phong"),
    ]
    insert_rows(
        con,
        "dim_office",
        [
            {"office_code": c, "office_name": n, "kind": k, "parent_unit_code": DEPT, "sort_order": i}
            for i, (c, n, k) in enumerate(offices)
        ],
    )


def load_task_inbox(
    con: duckdb.DuckDBPyConnection, inbox: Path, periods: dict[str, date], now: datetime, days: list[date] | None = None
) -> None:
    """A hand-made inbox's registers (``ke_hoach/``) and progress reports (``tien_do/``) through the loaders a run
    uses, then the statuses on ``days`` (default: each period's last day) and the rates of each period (label -> last
    day), for the department and offices of ``add_department``."""
    units, offices = load_units("Thái Nguyên"), load_offices("Thái Nguyên")
    load_plan_registers(con, inbox, units=units, offices=offices, now=now)
    reports = read_reports(inbox, units=units, offices=offices, known=known_tasks(con), today=now.date())
    load_task_reports(con, reports, list(periods), now)
    refresh_task_status(con, 2026, days or list(periods.values()))
    refresh_completion(con, 2026, list(periods.items()), DEPT)
