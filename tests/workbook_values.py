"""The cell values of the DTI, PAR and task-progress workbooks written from one small demo materialisation: what the
renderers show for given data, compared before and after a change of the reporting model (issue 13).

``python -m tests.workbook_values`` rewrites the expected values in tests/fixtures/workbook_values/ (run it only with
code whose workbooks are known good)."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import openpyxl

EXPECTED_DIR = Path(__file__).parent / "fixtures" / "workbook_values"
GENERATED_AT = datetime(2026, 1, 11, 8, 0)  # the time written on the sheets, fixed so that values compare
REPORT_DATE = GENERATED_AT.date()  # the date of the task report ("ngày 11 tháng 01 năm 2026"), fixed too
AS_OF = date(2026, 1, 10)  # last day of the small demo inbox
# Any remaining time of writing ("dd/mm/yyyy hh:mm", "Lập lúc hh:mm ngày dd/mm/yyyy"): the wall clock.
_TIME = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}|\d{2}:\d{2} ngày \d{2}/\d{2}/\d{4}")


def build_warehouse(inbox: Path, root: Path):
    """The small demo year materialised into ``root``: PAR and DTI scorecards, plan register, the first quarter's
    reports and task status. Returns the warehouse resource."""
    import dagster as dg

    from assets import dti, par, tasks, tthc
    from tests.conftest import materialize_year, warehouse_in

    shutil.copytree(inbox, root / "inbox")
    warehouse = warehouse_in(root)
    result = materialize_year([tthc.units, par.par_inputs, par.par_scorecards, dti.dti_inputs, dti.dti_scorecards], warehouse)
    assert result.success, "PAR/DTI materialisation failed"
    result = dg.materialize(
        [tthc.units, tasks.offices, tasks.plan_register], resources={"warehouse": warehouse}, raise_on_error=False
    )
    assert result.success, "plan register materialisation failed"
    result = dg.materialize(
        [tasks.task_reports, tasks.task_status],
        resources={"warehouse": warehouse},
        partition_key="2026-01-01",
        raise_on_error=False,
    )
    assert result.success, "task reports materialisation failed"
    return warehouse


def write_workbooks(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, Path]:
    """The three workbooks of the small demo year, written from ``con`` with a fixed time of writing."""
    import workbooks.dti as dti_book
    from common.periods import parse_period
    from workbooks.par import read_par_data, write_par_workbook
    from workbooks.tasks import read_task_report_data, write_task_report

    out.mkdir(parents=True, exist_ok=True)
    data = dti_book.read_dti_data(con, 2026, "Ghi chú phương pháp cố định.")
    data.generated_at = GENERATED_AT
    paths = {"dti": dti_book.write_dti_workbook(out / "dti.xlsx", data)}
    paths["par"] = write_par_workbook(out / "par.xlsx", read_par_data(con, 2026))
    task_data = read_task_report_data(con, parse_period("2026-Q1"), AS_OF, "19.SKHCN")
    paths["tasks"] = write_task_report(out / "tasks.xlsx", task_data, made_on=REPORT_DATE, generated_at=GENERATED_AT)
    return paths


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, str):
        return _TIME.sub("<time>", value)
    return value


def workbook_values(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values, row by row (trailing empty cells dropped), times of writing masked."""
    book = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for ws in book.worksheets:
        rows = []
        for row in ws.iter_rows(values_only=True):
            values = [_cell(v) for v in row]
            while values and values[-1] is None:
                values.pop()
            rows.append(values)
        while rows and not rows[-1]:
            rows.pop()
        out[ws.title] = rows
    book.close()
    return out


def expected_values(name: str) -> dict[str, list[list[Any]]]:
    """The values saved from the code before the change, times of writing masked as ``workbook_values`` does."""
    with gzip.open(EXPECTED_DIR / f"{name}.json.gz", "rt", encoding="utf-8") as f:
        saved = json.load(f)
    return {sheet: [[_cell(v) for v in row] for row in rows] for sheet, rows in saved.items()}


def main() -> None:  # pragma: no cover - rewrites the fixture by hand
    import tempfile

    from demo.generate import generate_inbox

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate_inbox(root / "src" / "inbox", end=AS_OF, scale=0.001)
        warehouse = build_warehouse(root / "src" / "inbox", root / "run")
        with duckdb.connect(warehouse.build_db, read_only=True) as con:
            paths = write_workbooks(con, root / "books")
        EXPECTED_DIR.mkdir(parents=True, exist_ok=True)
        for name, path in paths.items():
            with gzip.open(EXPECTED_DIR / f"{name}.json.gz", "wt", encoding="utf-8") as f:
                json.dump(workbook_values(path), f, ensure_ascii=False, sort_keys=True)


if __name__ == "__main__":
    main()
