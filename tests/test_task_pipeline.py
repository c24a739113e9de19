"""Real Dagster runs of the task-progress assets on a generated inbox: the plan registers (with a revision and a
bad register), the units' progress reports with their bad rows, the status per day, the completion rates, the
report to Sở Nội vụ for a quarter and for a past period from config, the "6 rõ" check and the sensor."""

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from assets import tasks, tthc
from assets.resources import Warehouse
from checks import task_checks
from sources.rule_labels import rule_label
from workbooks.excel import frame_records

# End-to-end runs: the full tier (`make test-slow`, run by CI), not the fast default `make test`.
pytestmark = pytest.mark.slow

REGISTER = [tthc.units, tasks.offices, tasks.plan_register, task_checks.six_clear]
QUARTERLY = [tasks.task_reports, tasks.task_status, tasks.task_progress_workbook]


def _run(assets: list, warehouse: Warehouse, tags: dict[str, str] | None = None, **kwargs) -> dg.ExecuteInProcessResult:
    result = dg.materialize(assets, resources={"warehouse": warehouse}, tags=tags, raise_on_error=False, **kwargs)
    assert result.success, [e.message for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    return result


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[Warehouse, dict, dg.ExecuteInProcessResult, dg.ExecuteInProcessResult]:
    from demo.generate import generate_inbox

    root = tmp_path_factory.mktemp("tasks")
    warehouse = Warehouse(
        build_db=str(root / "w" / "build.duckdb"),
        snapshot_db=str(root / "w" / "snap.duckdb"),
        inbox=str(root / "inbox"),
        reports=str(root / "reports"),
        province="Thái Nguyên",
    )
    summary = generate_inbox(root / "inbox", end=date(2026, 11, 26), scale=0.001)
    register = _run(REGISTER, warehouse)
    quarterly = _run(
        QUARTERLY,
        warehouse,
        {"dagster/asset_partition_range_start": "2026-01-01", "dagster/asset_partition_range_end": "2026-10-01"},
    )
    return warehouse, summary, register, quarterly


def test_register_revision_supersedes_and_keeps_the_change(loaded):
    warehouse, *_ = loaded
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        current = {
            r[0]: r[1:]
            for r in con.execute("""
            SELECT task_no, revision, deadline_text, due_date, previous_deadline_text, changed_in_revision, lead_codes
            FROM fct_plan_task WHERE plan_year = 2026""").fetchall()
        }
        assert len(current) == 20  # 13 seed tasks, task 14 of the revision, IV.1-IV.6
        assert current["9"][:5] == (2, "Quý III/2026", date(2026, 9, 30), "Quý II/2026", 2)
        assert current["14"][4] == 2 and current["1"][4] == 1
        assert current["6"][5] == ["19.SKHCN.CDS"]  # "Phòng Chuyên đổi số" as the seed spells it
        assert len(current["4"][5]) == 4  # "Các phòng chuyên môn": the four professional offices
        versions = con.execute("SELECT count(DISTINCT revision) FROM plan_task_history WHERE plan_year = 2026").fetchall()
        assert versions == [(2,)]
        provisional = con.execute("""SELECT task_no, deadline_condition FROM fct_plan_task
                                     WHERE plan_year = 2026 AND provisional ORDER BY task_no""").fetchall()
        assert [t for t, _ in provisional] == ["1", "2", "3", "5"]


def test_bad_register_and_bad_reports_are_reported_and_the_rest_loads(loaded):
    warehouse, summary, *_ = loaded
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        rejected = {
            (r[0], r[1])
            for r in con.execute(
                "SELECT rule, row_number FROM quarantine WHERE source IN ('plan_register', 'task_report')"
            ).fetchall()
        }
        assert {
            ("duplicate_task", 22),
            ("missing_content", 23),
            ("missing_task_no", 24),
            ("bad_percent", 10),
            ("unknown_task", 18),
            ("date_after_report:completed_on", 10),
        } <= rejected
        # Every rule has a short Vietnamese name for the quality workbook's summaries, columns by their headers.
        assert all(rule_label(rule) for rule, _ in rejected)
        assert rule_label("date_after_report:completed_on") == "Ngày sau ngày báo cáo: Ngày hoàn thành"
        notes = {
            r[0] for r in con.execute("SELECT rule FROM file_issues WHERE source IN ('plan_register', 'task_report')").fetchall()
        }
        assert {
            "merged_cells",
            "blank_row",
            "unknown_unit",
            "superseded_report",
            "percent_as_text",
            "percent_status_mismatch",
        } <= notes
        # The duplicated task of the bad register keeps its first row; its other tasks load into the history, but the
        # register is a trial entry ("bản nhập thử"): none of its tasks is a current task of the real plan.
        assert con.execute("SELECT count(*) FROM plan_task_history WHERE plan_year = 2025 AND trial").fetchall()[0][0] > 0
        assert con.execute("SELECT DISTINCT plan_number FROM fct_plan_task").fetchall() == [("123/KH-SKHCN",)]
        assert con.execute("SELECT count(*) FROM mart_task_status WHERE plan_year = 2025").fetchall() == [(0,)]
        assert "trial_register" in notes
        # Two reports from the same office for the same quarter: the later one is used, both are kept.
        superseded = con.execute("""SELECT unit_code, period_label, count(DISTINCT source_file), count(DISTINCT source_file)
                                    FILTER (NOT superseded) FROM stg_task_report GROUP BY 1, 2
                                    HAVING count(DISTINCT source_file) > 1""").fetchall()
        assert superseded == [("19.SKHCN.CDS", "2026-Q2", 2, 1)]
        assert con.execute("SELECT count(*) FROM stg_task_report WHERE percent > 100 OR percent < 0").fetchall() == [(0,)]
        # Every documented bad register or report file of the demo is named in the quality tables.
        named = {
            r[0] for r in con.execute("""SELECT file_name FROM quarantine UNION SELECT file_name FROM file_issues""").fetchall()
        }
        documented = {Path(b["file"]).name for b in summary["bad_files"] if b["file"].startswith(("ke_hoach/", "tien_do/"))}
        assert documented and documented <= named
        # The loaders wrote the period, year and unit of a report whose header gave them (issue 13), the plan year of
        # a register, on every row and note: no report has to read them back from the file name.
        for table in ("quarantine", "file_issues"):
            unlabelled = con.execute(f"""SELECT count(*) FROM {table} q JOIN (SELECT DISTINCT source_file, unit_code,
                                             period_label FROM stg_task_report) r ON r.source_file = q.file_name
                                         WHERE q.source = 'task_report' AND (q.period_label IS DISTINCT FROM r.period_label
                                               OR q.unit_code IS DISTINCT FROM r.unit_code OR q.year IS NULL
                                               OR q.index_code IS DISTINCT FROM 'tasks')""").fetchone()[0]
            assert unlabelled == 0, table
            registers = con.execute(f"""SELECT count(*), count(year), count(index_code) FROM {table}
                                         WHERE source = 'plan_register' AND file_name IN
                                               (SELECT source_file FROM plan_task_history)""").fetchone()
            assert registers[0] == registers[1] == registers[2], table


def test_status_per_day_and_completion_rates(loaded):
    warehouse, _, _, quarterly = loaded
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        days = con.execute("SELECT count(DISTINCT as_of), min(as_of) FROM mart_task_status WHERE plan_year = 2026").fetchall()
        assert days[0][1] == date(2026, 1, 1) and days[0][0] >= 330
        statuses = {r[0] for r in con.execute("SELECT DISTINCT status FROM mart_task_status").fetchall()}
        assert {"on_track", "due_soon", "overdue", "completed_on_time"} <= statuses
        # The register's order, not the text order of task numbers (1, 10, 2): the same as fct_plan_task's rows.
        ordered = con.execute("""SELECT task_no FROM mart_task_status WHERE plan_year = 2026 AND as_of = DATE '2026-06-30'
                                 ORDER BY task_order""").fetchall()
        register = con.execute("SELECT task_no FROM fct_plan_task WHERE plan_year = 2026 ORDER BY source_row").fetchall()
        assert ordered == register and len(ordered) > 10
        rate = con.execute("""SELECT due, completed_on_time, on_time_rate FROM mart_task_completion
                              WHERE unit_code = '19.SKHCN' AND period_label = '2026-H1'""").fetchall()[0]
        assert rate[2] == round(100 * rate[1] / rate[0], 1)
        labels = {r[0] for r in con.execute("SELECT DISTINCT period_label FROM mart_task_completion").fetchall()}
        assert {"2026-Q1", "2026-Q2", "2026-Q3", "2026-H1", "2026-Y"} <= labels
    metadata = [
        m.event_specific_data.materialization.metadata
        for m in quarterly.get_asset_materialization_events()
        if m.asset_key.to_user_string() == "task_status"
    ]
    assert "overdue_and_due_soon" in metadata[-1] and metadata[-1]["overdue"].value >= 1


def _status(con, task: str, day: str) -> tuple:
    rows = con.execute(
        """SELECT status, effective_due_date, completed_on FROM mart_task_status
                          WHERE plan_year = 2026 AND task_no = ? AND as_of = ?""",
        [task, day],
    ).fetchall()
    return rows[0] if rows else None


def test_statuses_of_named_tasks(loaded):
    warehouse, *_ = loaded
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        # Task 2 was completed on 20/01; the Q1 report saying so arrived in April, and the Q1 status uses it.
        assert _status(con, "2", "2026-03-31")[0] == "completed_on_time"
        # Task 9 was due at the end of quý II until revision 2 (15/06) moved it to quý III.
        assert _status(con, "9", "2026-06-14")[1] == date(2026, 6, 30)
        assert _status(con, "9", "2026-06-15")[1] == date(2026, 9, 30)
        # Task 14 exists from its revision on, not before.
        assert _status(con, "14", "2026-06-14") is None and _status(con, "14", "2026-06-15") is not None
        # "Trước 01/6/2026": due 31/05 (a Sunday) and not extended past it.
        assert _status(con, "4", "2026-05-01")[1] == date(2026, 5, 31)
        assert _status(con, "4", "2026-06-01")[0] == "overdue"  # Monday 01/06 is already past the boundary
        # Task 4 has four lead offices: complete only when all four reported it complete.
        leads = con.execute("SELECT lead_codes FROM fct_plan_task WHERE plan_year = 2026 AND task_no = '4'").fetchall()[0][0]
        reported = {
            u
            for (u,) in con.execute("""SELECT DISTINCT unit_code FROM stg_task_report WHERE task_no = '4'
                                                 AND status = 'completed' AND NOT superseded""").fetchall()
        }
        final = _status(con, "4", "2026-11-26")[0]
        assert (final in ("completed_on_time", "completed_late")) == (set(leads) <= reported)
        q1 = con.execute("""SELECT on_time_rate FROM mart_task_completion WHERE unit_code = '19.SKHCN'
                            AND period_label = '2026-Q1'""").fetchall()[0][0]
        assert q1 is not None and q1 > 0


def test_rerunning_a_quarter_gives_the_same_tables(loaded):
    warehouse, *_ = loaded
    tables = ["stg_task_report", "mart_task_status", "mart_task_completion", "quarantine", "file_issues"]

    def snapshot() -> dict:
        with duckdb.connect(warehouse.build_db, read_only=True) as con:
            return {
                t: con.execute(
                    f"SELECT * EXCLUDE (loaded_at) FROM {t} ORDER BY ALL"
                    if t == "stg_task_report"
                    else f"SELECT * FROM {t} ORDER BY ALL"
                ).fetchall()
                for t in tables
            }

    before = snapshot()
    _run(QUARTERLY[:2], warehouse, {"dagster/partition": "2026-04-01"})
    assert snapshot() == before


def test_six_clear_check_lists_missing_elements(loaded):
    _, _, register, _ = loaded
    check = next(e.event_specific_data for e in register.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION")
    assert check.check_name == "six_clear" and not check.passed
    assert check.metadata["findings"].value > 0 and "Rõ thời gian" in check.metadata["list"].value


def test_report_workbooks_for_the_quarters_and_a_past_period(loaded):
    warehouse, *_ = loaded
    reports = Path(warehouse.reports)
    assert {p.name for p in reports.glob("bao_cao_tien_do_cchc_*.xlsx")} >= {
        f"bao_cao_tien_do_cchc_2026-Q{q}.xlsx" for q in (1, 2, 3)
    }
    # The six months closed by the partition's quarter (Q2); a period not closed by it is refused.
    _run(
        [tasks.task_progress_workbook],
        warehouse,
        partition_key="2026-04-01",
        run_config={"ops": {"task_progress_workbook": {"config": {"period": "2026-H1"}}}},
    )
    wrong = dg.materialize(
        [tasks.task_progress_workbook],
        resources={"warehouse": warehouse},
        raise_on_error=False,
        partition_key="2026-07-01",
        run_config={"ops": {"task_progress_workbook": {"config": {"period": "2026-H1"}}}},
    )
    assert not wrong.success
    book = openpyxl.load_workbook(reports / "bao_cao_tien_do_cchc_2026-H1.xlsx", read_only=True)
    assert book.sheetnames[:2] == ["Tổng hợp", "Nhiệm vụ"]
    text = " ".join(str(v) for row in book["Tổng hợp"].iter_rows(values_only=True) for v in row if v)
    assert "6 tháng đầu năm 2026" in text and "Sở Nội vụ" in text


def test_sensor_requests_the_quarter_named_inside_a_new_report(loaded):
    from pipelines.sensors import inbox_sensor

    warehouse, *_ = loaded
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse})
        requested = [r for r in inbox_sensor(context) if r.job_name == "task_progress"]
    # One run over the quarters (single-run backfill): the registers, every quarter so far; reports, theirs.
    assert len(requested) == 1
    assert requested[0].tags["dagster/asset_partition_range_start"] == "2026-01-01"
    assert requested[0].tags["dagster/asset_partition_range_end"] >= "2026-07-01"


@pytest.mark.parametrize("label", ["2026-Q3", "2026-H1"])
def test_report_values_unchanged_now_that_the_report_rules_are_views(loaded, label, tmp_path):
    """The values the workbook showed when it computed the latest reports and the missing ones itself (saved from
    that code), now read from mart_task_report_latest and mart_task_report_by_unit."""
    from common.periods import parse_period
    from tests.workbook_values import GENERATED_AT, REPORT_DATE, expected_values, workbook_values
    from workbooks.tasks import read_task_report_data, write_task_report

    warehouse, *_ = loaded
    period = parse_period(label)
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        data = read_task_report_data(con, period, period.end, "19.SKHCN")
    path = write_task_report(tmp_path / "report.xlsx", data, made_on=REPORT_DATE, generated_at=GENERATED_AT)
    assert workbook_values(path) == expected_values(f"tasks_{label}")


def test_an_annex_quotes_the_plan_and_the_deadlines_as_they_stood_in_its_period(loaded, tmp_path):
    """The demo plan of 30/12/2025 is revised on 15/06/2026 (task 9 moved from quý II to quý III). The Q1 annex
    quoted the plan as 'ngày 15/06/2026 … lần ban hành/sửa đổi thứ 2' and said of task 9 'Hạn 30/09/2026 là ngày
    nghỉ' (a Wednesday) and 'Sửa đổi lần 1': neither existed on 31/03. The Q3 annex cites both as the report does."""
    from common.periods import parse_period
    from workbooks.tasks import plan_text, read_task_report_data, task_rows

    warehouse, *_ = loaded
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        q1 = read_task_report_data(con, parse_period("2026-Q1"), date(2026, 3, 31), "19.SKHCN")
        q3 = read_task_report_data(con, parse_period("2026-Q3"), date(2026, 9, 30), "19.SKHCN")
    assert "Kế hoạch số 123/KH-SKHCN ngày 30/12/2025" in plan_text(q1)
    assert "15/06/2026" not in plan_text(q1) and "thứ 2" not in plan_text(q1)
    assert "(sửa đổi, bổ sung lần 1 ngày 15/06/2026)" in plan_text(q3)
    [q1_task9] = [r for r in task_rows(frame_records(q1.tasks)) if r["task_no"] == "9"]
    assert "ngày nghỉ" not in q1_task9["note"] and "Sửa đổi" not in q1_task9["note"]
    assert q1_task9["deadline"].endswith("Hạn: 30/06/2026")
    [q3_task9] = [r for r in task_rows(frame_records(q3.tasks)) if r["task_no"] == "9"]
    assert "Sửa đổi lần 1 (thời hạn trước: Quý II/2026)" in q3_task9["note"] and "ngày nghỉ" not in q3_task9["note"]


def test_the_annex_says_which_missing_reports_are_not_due_yet(loaded, tmp_path):
    """On 03/12/2026 no unit has sent its Q4 report, due 15/01/2027: the annex listed them all as not having reported,
    the report itself says 'chưa đến hạn'."""
    from openpyxl import load_workbook

    from common.periods import parse_period
    from workbooks.tasks import read_task_report_data, write_task_report

    warehouse, *_ = loaded
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        data = read_task_report_data(con, parse_period("2026-Q4"), date(2026, 12, 3), "19.SKHCN")
    path = write_task_report(tmp_path / "q4.xlsx", data)
    ws = load_workbook(path)["Tổng hợp"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[:2] == ("STT", "Đơn vị chủ trì") and "Tình trạng" in r)
    listed = [r for r in rows[header + 1 :] if isinstance(r[0], int)]
    assert listed and all(r[5].date() == date(2027, 1, 15) and r[6] == "Chưa đến hạn gửi" for r in listed)
    assert any(f"0 đơn vị quá hạn gửi, {len(listed)} đơn vị chưa đến hạn gửi" in str(r[0]) for r in rows[:header])
