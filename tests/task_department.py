"""The department and offices the task-report tests (workbook and Word document) build their warehouses on."""

from __future__ import annotations

import duckdb

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
