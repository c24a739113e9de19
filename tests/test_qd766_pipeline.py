"""Real Dagster runs of the QĐ 766 assets on a small generated inbox: the daily run loads the portal snapshots,
petitions and publication register; the month, quarter and year partitions score every unit; the year run writes
the workbook and the snapshot; the sensor asks for the right partitions after a daily run."""

from datetime import date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from assets import publish, qd766, tthc
from assets.resources import Warehouse
from checks import qd766_checks, tthc_checks
from pipelines.jobs import PERIOD_JOBS
from pipelines.sensors import period_run_requests

# End-to-end runs: the full tier (`make test-slow`, run by CI), not the fast default `make test`.
pytestmark = pytest.mark.slow

DAILY = [
    *dg.load_assets_from_modules([tthc, publish]),
    qd766.qd766_portal_snapshots,
    qd766.petitions,
    qd766.procedure_publication,
    *dg.load_asset_checks_from_modules([tthc_checks]),
    qd766_checks.qd766_portal_consistency,
]
MONTH = [qd766.qd766_month, qd766_checks.qd766_month_scores_valid]


def _range(start: str, end: str) -> dict[str, str]:
    return {"dagster/asset_partition_range_start": start, "dagster/asset_partition_range_end": end}


def _run(assets: list, warehouse: Warehouse, tags: dict[str, str]) -> dg.ExecuteInProcessResult:
    result = dg.materialize(assets, resources={"warehouse": warehouse}, tags=tags, raise_on_error=False)
    failures = [e.message for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert result.success, failures
    return result


def test_index_partitions_reconciliation_and_workbook(warehouse):
    from demo.generate import generate_inbox

    summary = generate_inbox(Path(warehouse.inbox), end=date(2026, 2, 10), scale=0.003)
    daily = _run(DAILY, warehouse, _range("2026-01-01", "2026-02-10"))
    consistency = [
        e.event_specific_data
        for e in daily.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and e.event_specific_data.check_name == "qd766_portal_consistency"
    ]
    assert consistency and not consistency[0].passed  # the demo's deliberately bad snapshots are reported

    _run(MONTH, warehouse, _range("2026-01", "2026-02"))
    _run([qd766.qd766_quarter, qd766_checks.qd766_quarter_scores_valid], warehouse, _range("2026-01-01", "2026-01-01"))
    year = _run(
        [qd766.qd766_year, qd766.qd766_workbook, publish.analyst_snapshot, qd766_checks.qd766_year_scores_valid],
        warehouse,
        {"dagster/partition": "2026"},
    )
    checks = {
        e.event_specific_data.check_name: e.event_specific_data.passed
        for e in year.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    assert checks == {"qd766_scores_valid": True}

    with duckdb.connect(warehouse.snapshot_db, read_only=True) as con:
        units = con.execute("SELECT count(*) FROM dim_unit").fetchall()[0][0]
        per_period = dict(con.execute("SELECT period_label, count(*) FROM mart_qd766_unit GROUP BY 1").fetchall())
        assert per_period == {"2026-M01": units, "2026-M02": units, "2026-Q1": units, "2026-Y": units}
        # The method as it was used (issue 13): six groups and their indicators, the file and its hash, each rule in
        # words, the same indicators as the mart's.
        criteria = con.execute("""SELECT year, count(*) FILTER (kind = 'group'), count(DISTINCT tree), count(tree_sha256),
                                         count(rule_text), count(*) FROM dim_criterion WHERE index_code = 'qd766'
                                  GROUP BY year""").fetchall()
        assert [(y, g, t) for y, g, t, *_ in criteria] == [(2026, 6, 1)] and len(set(criteria[0][3:])) == 1
        loose = con.execute("""SELECT count(*) FROM (SELECT DISTINCT indicator_code, methodology FROM mart_qd766_indicator)
                               ANTI JOIN dim_criterion ON index_code = 'qd766' AND code = indicator_code
                                 AND tree = methodology""").fetchone()[0]
        assert loose == 0
        ranks = con.execute("""SELECT ranking_group, min(rank), max(units_in_group) FROM mart_qd766_unit
                               WHERE period_label = '2026-Y' GROUP BY 1 ORDER BY 1""").fetchall()
        # every unit that received a dossier in the year is ranked; one that received none is not (its points are
        # those of the petition indicators alone)
        with_dossiers = con.execute(
            "SELECT count(*) FROM mart_qd766_unit WHERE period_label = '2026-Y' AND dossiers > 0"
        ).fetchone()[0]
        assert [(g, r) for g, r, _ in ranks] == [("agency", 1), ("local", 1)] and sum(n for *_, n in ranks) == with_dossiers
        unranked = con.execute("SELECT count(*) FROM mart_qd766_unit WHERE dossiers = 0 AND rank IS NOT NULL").fetchone()[0]
        assert unranked == 0 and 0 < with_dossiers <= units
        sources = dict(con.execute("SELECT dvctt_source, count(*) FROM mart_qd766_unit GROUP BY 1").fetchall())
        assert sources.get("portal", 0) > 0  # DVCTT comes from the latest snapshot of the same period
        # Local group scores beside the portal's. February was captured at the data's own cut-off and holds no
        # deliberately bad export, so payment and timeliness, counted from the same dossiers, agree exactly (SHHS may
        # not: the warehouse infers e-certified copies from dossiers, the demo portal from a commune trait).
        compared = dict(
            con.execute("""SELECT group_code, max(abs(difference)) FROM mart_qd766_local_vs_portal
                                       WHERE portal_score IS NOT NULL AND period_label = '2026-M02' GROUP BY 1""").fetchall()
        )
        assert set(compared) == {"CKMB", "TDGQ", "DVCTT", "TTTT", "MDHL", "SHHS"}
        assert compared["TTTT"] == 0 and compared["TDGQ"] == 0
        assert con.execute("SELECT count(*) FROM fct_petition").fetchall()[0][0] > 0
        assert con.execute("SELECT count(*) FROM fct_procedure_publication").fetchall()[0][0] > 0

        # Each deliberately bad snapshot of the demo is reported, and the rest of the file is used.
        issues = {r[0] for r in con.execute("SELECT rule FROM portal_qd766_issue").fetchall()}
        assert {"missing_field", "null_value", "changed_max_score", "unknown_department"} <= issues
        bad = {b["kind"]: b["file"].removeprefix("portal/") for b in summary["bad_files"] if b["file"].startswith("portal/")}
        mismatched = con.execute(
            """SELECT DISTINCT indicator_code FROM mart_qd766_reconciliation
                                    WHERE file_name = ? AND status = 'mismatch'""",
            [bad["portal_score_mismatch"]],
        ).fetchall()
        assert set(mismatched) == {("4.2",), (None,)}  # the metric and its group total
        unmatched = con.execute(
            """SELECT department_code, unit_code FROM mart_qd766_reconciliation
                                   WHERE file_name = ? AND NOT matched""",
            [bad["portal_unknown_department"]],
        ).fetchall()
        assert unmatched and {u for _, u in unmatched} == {None}
        clean = con.execute(
            """SELECT count(*) FILTER (status = 'mismatch'), count(*) FROM mart_qd766_reconciliation
                               WHERE file_name NOT IN (SELECT unnest(?))""",
            [list(bad.values())],
        ).fetchall()[0]
        assert clean[0] == 0 and clean[1] > 0  # every other portal score agrees with its own counts

    book = openpyxl.load_workbook(Path(warehouse.reports) / "chi_so_766_2026-Y.xlsx", read_only=True)
    assert book.sheetnames[0] == "Xếp hạng" and "Đối chiếu Cổng" in book.sheetnames

    # Rematerialising a month gives the same rows.
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        before = con.execute("SELECT * FROM mart_qd766_unit WHERE period_label = '2026-M01' ORDER BY unit_code").fetchall()
    _run(MONTH, warehouse, {"dagster/partition": "2026-01"})
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        assert (
            con.execute("SELECT * FROM mart_qd766_unit WHERE period_label = '2026-M01' ORDER BY unit_code").fetchall() == before
        )

    # A month without any export yet, run by hand: alone or in a range, nothing to score, nothing held back (it used
    # to fail the check alone, pass it in a range, and refuse every later publication).
    empty = _run(MONTH, warehouse, {"dagster/partition": "2026-03"})
    [check] = [e.event_specific_data for e in empty.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert check.passed
    _run(MONTH, warehouse, _range("2026-02", "2026-03"))
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quality_gate WHERE NOT passed").fetchall() == [(0,)]
    _run([publish.analyst_snapshot], warehouse, {})

    # A month's check killed mid-way leaves its period unfinished: the next run of another month judges it too, and
    # clears it (every publication waited for someone to rerun exactly that month); a bad score there still fails.
    from warehouse.quality_gate import UNFINISHED, gate_failures, record_gate

    with duckdb.connect(warehouse.build_db) as con:
        record_gate(con, "qd766_month_scores_valid", ["2026-M01"], False, UNFINISHED, datetime(2026, 2, 11))
    later = _run(MONTH, warehouse, {"dagster/partition": "2026-02"})
    [check] = [e.event_specific_data for e in later.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert check.passed and check.metadata["earlier_periods_checked"].value == ["2026-M01"]
    with duckdb.connect(warehouse.build_db) as con:
        assert gate_failures(con) == []
        record_gate(con, "qd766_month_scores_valid", ["2026-M01"], False, UNFINISHED, datetime(2026, 2, 11))
        con.execute("UPDATE mart_qd766_unit SET total = 150 WHERE period_label = '2026-M01'")
    again = dg.materialize(MONTH, resources={"warehouse": warehouse}, partition_key="2026-03", raise_on_error=False)
    [check] = [e.event_specific_data for e in again.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert not check.passed and "2026-M01" in check.metadata["failed"].value
    with duckdb.connect(warehouse.build_db, read_only=True) as con:
        assert [(c, s) for c, s, _ in gate_failures(con)] == [("qd766_month_scores_valid", "2026-M01")]


def _january_workbook(warehouse: Warehouse) -> dg.ExecuteInProcessResult:
    """A run of the QĐ 766 workbook of January 2026 (config period), failures returned."""
    return dg.materialize(
        [qd766.qd766_workbook],
        resources={"warehouse": warehouse},
        partition_key="2026",
        run_config={"ops": {"qd766_workbook": {"config": {"period": "2026-M01"}}}},
        raise_on_error=False,
    )


def test_workbook_for_a_past_period_from_config(warehouse):
    from demo.generate import generate_inbox

    generate_inbox(Path(warehouse.inbox), end=date(2026, 1, 20), scale=0.002, bad_files=False)
    _run(DAILY, warehouse, _range("2026-01-01", "2026-01-20"))
    _run(MONTH, warehouse, {"dagster/partition": "2026-01"})
    assert _january_workbook(warehouse).success
    book = Path(warehouse.reports) / "chi_so_766_2026-M01.xlsx"
    assert book.exists()
    # A blocking check of another run that failed holds the officials' workbook back too, not only the snapshot: it
    # reads the build file, where the refused data stays.
    from warehouse.quality_gate import record_gate

    with duckdb.connect(warehouse.build_db) as con:
        record_gate(con, "tthc_versions_suite", ["2026-01-20"], False, "kênh nộp không hợp lệ", datetime(2026, 1, 21))
    before = book.stat().st_mtime_ns
    held = _january_workbook(warehouse)
    assert not held.success and book.stat().st_mtime_ns == before
    [failure] = [e.step_failure_data.user_failure_data for e in held.all_events if e.event_type_value == "STEP_FAILURE"]
    assert "Chưa công bố bảng xếp hạng Chỉ số 766" in failure.description
    assert "tthc_versions_suite (2026-01-20): kênh nộp không hợp lệ" in failure.description
    with duckdb.connect(warehouse.build_db) as con:
        record_gate(con, "tthc_versions_suite", ["2026-01-20"], True, None, datetime(2026, 1, 21))
        # A failure over data the workbook does not read (the DTI's) holds the snapshot, not this workbook.
        record_gate(con, "dti_values_valid", ["2026"], False, "tổng điểm ngoài 0–100", datetime(2026, 1, 21))
    again = _january_workbook(warehouse)
    assert again.success and book.stat().st_mtime_ns > before
    with duckdb.connect(warehouse.build_db) as con:
        record_gate(con, "dti_values_valid", ["2026"], True, None, datetime(2026, 1, 21))
    for period in ("tháng 13", "2025-M12"):  # unreadable, or not in the partition's year
        wrong = dg.materialize(
            [qd766.qd766_workbook],
            resources={"warehouse": warehouse},
            raise_on_error=False,
            partition_key="2026",
            run_config={"ops": {"qd766_workbook": {"config": {"period": period}}}},
        )
        assert not wrong.success


def test_after_daily_requests_month_quarter_and_year():
    assert period_run_requests(date(2026, 3, 30), date(2026, 4, 2)) == [
        ("qd766_monthly", _range("2026-03", "2026-04")),
        ("qd766_quarterly", _range("2026-01-01", "2026-04-01")),
        ("task_progress", _range("2026-01-01", "2026-04-01")),
        ("yearly_indices", _range("2026", "2026")),  # last: it publishes the snapshot
    ]
    from pipelines.definitions import defs

    assert defs.resolve_sensor_def("after_daily")
    # A reload in January rescores last year, from 1 January: before the first partition (CCHC_START_DATE) Dagster
    # refuses the range and the run never starts, so the requests begin at the first partition.
    from assets.partitions import FIRST_DAY

    requests = period_run_requests(date(FIRST_DAY.year - 1, 1, 1), FIRST_DAY + timedelta(days=9))
    starts = {name: tags["dagster/asset_partition_range_start"] for name, tags in requests}
    for name in PERIOD_JOBS:
        partitions = defs.resolve_job_def(name).partitions_def
        assert partitions is not None and starts[name] == partitions.get_first_partition_key(), name
    assert period_run_requests(date(FIRST_DAY.year - 1, 1, 1), FIRST_DAY - timedelta(days=1)) == []
    for name in ("qd766_monthly", "qd766_quarterly", "yearly_indices", "task_progress"):
        assert defs.resolve_job_def(name).partitions_def is not None


def test_inbox_sensor_reloads_the_other_sources_once_per_change(warehouse):
    from pipelines.sensors import inbox_sensor

    inbox = Path(warehouse.inbox)
    (inbox / "portal").mkdir(parents=True)
    (inbox / "pakn").mkdir()
    (inbox / "portal" / "transparency_2026-M01_20260203T0815.json").write_text("{}", encoding="utf-8")
    (inbox / "pakn" / "pakn_202601.csv").write_text("x", encoding="utf-8")
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance, resources={"warehouse": warehouse})
        first = [r for r in inbox_sensor(context) if r.job_name == "qd766_sources"]  # (the fixture's catalogue aside)
        assert len(first) == 1
        assert first[0].tags["cchc/changed_files"] == "pakn/pakn_202601.csv, portal/transparency_2026-M01_20260203T0815.json"
        again = dg.build_sensor_context(instance=instance, cursor=context.cursor, resources={"warehouse": warehouse})
        assert list(inbox_sensor(again)) == []
        (inbox / "tthc").mkdir(exist_ok=True)
        (inbox / "tthc" / "cong_bo_tthc.csv").write_text("y", encoding="utf-8")
        changed = dg.build_sensor_context(instance=instance, cursor=context.cursor, resources={"warehouse": warehouse})
        assert [(r.job_name, r.tags["cchc/changed_files"]) for r in inbox_sensor(changed)] == [
            ("qd766_sources", "tthc/cong_bo_tthc.csv")
        ]


def test_scores_suite_fails_on_a_score_above_its_maximum():
    import pandas as pd

    from checks.qd766_checks import unit_mart_expectations, with_consistency
    from checks.tthc_expectations import run_suite
    from scoring.qd766 import methodology_for

    row = {
        "period_label": "2026-Y",
        "unit_code": "05443",
        "ranking_group": "local",
        "total": 80.0,
        "evaluated_max": 100.0,
        "rank": 1,
        "score_ckmb": 17.0,
        "score_tdgq": 18.0,
        "score_dvctt": 10.0,
        "score_tttt": 8.0,
        "score_mdhl": 15.0,
        "score_shhs": 12.0,
    }
    m = methodology_for(date(2026, 1, 1))
    expectations = unit_mart_expectations(m, ["05443", "05665"], 1)
    good = pd.DataFrame([row, row | {"unit_code": "05665", "rank": None}])  # an unranked unit is fine
    assert all(o.success for o in run_suite(with_consistency(good, m), expectations, "good"))
    bad = pd.DataFrame([row | {"score_ckmb": 19.0, "total": 82.0}, row])  # above 18, and the same unit twice
    failed = {o.check for o in run_suite(with_consistency(bad, m), expectations, "bad") if not o.success}
    assert failed == {"ckmb_within_max", "one_row_per_unit_and_period", "rank_follows_total"}


def test_scores_suite_fails_on_a_total_maximum_or_rank_its_groups_do_not_give():
    """Each group within its maximum and one row per unit is not enough: a total that is not its groups' sum (a group
    left out of the addition), a scale that is not the scored groups' maxima, a rank the totals do not give."""
    import pandas as pd

    from checks.qd766_checks import unit_mart_result

    scores = {"score_ckmb": 17.0, "score_tdgq": 18.0, "score_dvctt": 10.0, "score_tttt": 8.0, "score_mdhl": 15.0}
    first = {"period_label": "2026-Y", "period_start": date(2026, 1, 1), "unit_code": "05443", "ranking_group": "local"}
    first |= scores | {"score_shhs": 12.0, "total": 80.0, "evaluated_max": 100.0, "rank": 1}
    # Totals of groups rounded one by one may be 0.01 off the rounded total; SHHS not scored: out of 78, unranked.
    second = first | {"unit_code": "05665", "score_ckmb": 16.995, "total": 79.99, "rank": 2}
    third = first | {"unit_code": "05666", "score_shhs": None, "total": 68.0, "evaluated_max": 78.0, "rank": None}
    codes = ["05443", "05665", "05666"]

    def failed(*rows: dict) -> str:
        result = unit_mart_result(pd.DataFrame(rows), codes, "t")
        return "" if result.passed else str(result.metadata["failed"].value)

    assert failed(first, second, third) == ""
    not_summed = failed(first | {"total": 68.0, "rank": 2}, second | {"rank": 1}, third)
    # said in Vietnamese to the official who reruns (the gate's detail, the alert), the check's name kept for support
    assert "tổng điểm khác tổng điểm các nhóm (1 dòng; ví dụ: [-12.0]) [total_is_sum_of_groups]" in not_summed
    assert "evaluated_max_is_sum_of_scored_groups" in failed(first, second, third | {"evaluated_max": 100.0})
    assert "rank_follows_total" in failed(first | {"rank": 2}, second | {"rank": 1}, third)
    assert "rank_follows_total" in failed(first, second | {"rank": 3}, third)


def test_each_period_is_judged_by_the_methodology_it_was_scored_with(tmp_path, monkeypatch):
    """A decision valid from 1 July raising TDGQ to 22 points: one backfill of Q2 and Q3 judged both by Q2's file, so
    Q3's valid 22.00 failed the blocking check (and a Q3 score over the new maximum of another group would pass)."""
    import shutil

    import pandas as pd

    import scoring.qd766 as qd766
    from checks.qd766_checks import unit_mart_result

    real = qd766.methodology_for
    [current] = [p for p in qd766.METHODOLOGY_DIR.glob("*.yaml")]
    shutil.copy(current, tmp_path / current.name)
    text = current.read_text(encoding="utf-8")
    changed = real(date(2026, 1, 1))
    tdgq = next(g for g in changed.groups if g.code == "TDGQ")
    shhs = next(g for g in changed.groups if g.code == "SHHS")
    assert tdgq.max_points == 20 and shhs.max_points == 22  # the file this test changes
    (tmp_path / "qd766_2026_sua_doi.yaml").write_text(_raised_tdgq(text), encoding="utf-8")
    monkeypatch.setattr(qd766, "methodology_for", lambda day, folder=tmp_path: real(day, folder))
    row = {"unit_code": "05443", "total": 80.0, "rank": 1, "score_ckmb": 17.0, "score_tdgq": 18.0, "score_dvctt": 10.0}
    row |= {"score_tttt": 8.0, "score_mdhl": 15.0, "score_shhs": 12.0, "ranking_group": "local", "evaluated_max": 100.0}
    q2 = {"period_label": "2026-Q2", "period_start": date(2026, 4, 1)}
    q3 = {"period_label": "2026-Q3", "period_start": date(2026, 7, 1)}
    good = pd.DataFrame([row | q2, row | q3 | {"score_tdgq": 22.0, "score_shhs": 10.0, "total": 82.0}])
    assert unit_mart_result(good, ["05443"], "t").passed
    over = pd.DataFrame([row | q2, row | q3 | {"score_shhs": 21.0, "total": 89.0}])  # 21 > the new SHHS maximum of 20
    assert not unit_mart_result(over, ["05443"], "t").passed


def _raised_tdgq(text: str) -> str:
    """The QĐ 766 file as a decision valid from 1 July 2026 would change it: TDGQ 20 → 22 (indicator 2.1), SHHS 22 → 20
    (indicator 4.2 4 → 2), the total still 100."""
    for old, new in (
        ("valid_from: 2022-06-23", "valid_from: 2026-07-01"),
        (
            "  - code: TDGQ\n    name: Tiến độ giải quyết\n    max: 20",
            "  - code: TDGQ\n    name: Tiến độ giải quyết\n    max: 22",
        ),
        ('"Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn"\n        max: 20', '"Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn"\n        max: 22'),
        ("  - code: SHHS\n    name: Số hóa hồ sơ\n    max: 22", "  - code: SHHS\n    name: Số hóa hồ sơ\n    max: 20"),
        ("metric: SO_HOA_GIAY_TO_GIAI_QUYET\n        max: 4", "metric: SO_HOA_GIAY_TO_GIAI_QUYET\n        max: 2"),
    ):
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_two_methodology_files_valid_from_one_day_are_refused(tmp_path):
    """A draft and the real decision both valid from 1 July: the one whose name sorted last scored, in silence."""
    from scoring.qd766 import METHODOLOGY_DIR, MethodologyError, methodology_for

    text = _raised_tdgq((METHODOLOGY_DIR / "qd766_2022_dvcqg.yaml").read_text(encoding="utf-8"))
    (tmp_path / "qd766_2026_du_thao.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "qd766_2026_sua_doi.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(MethodologyError, match=r"qd766_2026_du_thao.yaml và qd766_2026_sua_doi.yaml cùng có hiệu lực"):
        methodology_for(date(2026, 8, 1), tmp_path)
