"""The national path on the deliveries a review found mishandled: the blocking check on CSV.gz, a units file
delivered twice and codes with spaces; CSV versions that tie; blank codes; an empty gzip; an unknown province
folder; the documentation of national.duckdb."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import dagster as dg
import duckdb

from assets.national import NationalStore, national_marts, national_qd766
from demo.national import generate_national
from tests.test_national import VERSION_HEADER, VERSIONS_BY_DAY, YEAR, _gz, _rows, hand_made  # noqa: F401 (fixture)
from warehouse.national import MARTS, national_views, province_qd766

TINY = 100_000  # national density of 100,000 versions a year: a province in well under a second


def _with_check(inbox: Path, out: Path, key: str) -> dg.ExecuteInProcessResult:
    """The province's asset and its blocking check, as a run of the national job executes them."""
    from checks.national_checks import national_scores_valid

    store = NationalStore(inbox=str(inbox), out=str(out))
    return dg.materialize(
        [national_qd766, national_scores_valid], resources={"national": store}, partition_key=key, raise_on_error=False
    )


def _check_passed(result: dg.ExecuteInProcessResult, units: int) -> None:
    assert result.success, [str(e.event_specific_data)[:500] for e in result.all_events if e.is_step_failure]
    (check,) = result.get_asset_check_evaluations()
    assert check.passed, check.metadata["failed"]
    assert check.metadata["rows"].value % units == 0


def test_the_blocking_check_reads_a_csv_gz_delivery(tmp_path: Path) -> None:
    inbox = tmp_path / "csv"
    generate_national(inbox, "hue", target=TINY, seed=3, fmt="csv.gz", progress=False)
    _check_passed(_with_check(inbox, tmp_path / "out", "46|2026"), 55)


def test_the_blocking_check_sets_aside_a_units_file_delivered_twice(tmp_path: Path) -> None:
    inbox = tmp_path / "parquet"
    generate_national(inbox, "lai_chau", target=TINY, seed=3, progress=False)
    units = inbox / "units" / "province=12"
    shutil.copy(units / "part-0.parquet", units / "part-1.parquet")  # byte for byte: set aside by the asset
    _check_passed(_with_check(inbox, tmp_path / "out", "12|2026"), 53)


def test_the_blocking_check_compares_unit_codes_trimmed(hand_made: Path, tmp_path: Path) -> None:  # noqa: F811
    _gz(
        hand_made / "units/province=12/part-0.csv.gz",
        ["unit_code,unit_name,unit_group", "12.SNV ,Sở Nội vụ,agency", " 03388,Xã Mường Tè,commune"],
    )
    _check_passed(_with_check(hand_made, tmp_path / "out", "12|2026"), 2)


# --- two versions of a dossier with the same update time in one CSV day -------------------------------------------

HS3 = VERSIONS_BY_DAY["2026-02-10"][0]


def _year_counts(out: Path) -> dict[str, int]:
    con = duckdb.connect()
    national_views(con, out)
    rows = con.execute("SELECT unit_code, dossiers FROM mart_qd766_unit_national WHERE period_label = '2026-Y'").fetchall()
    return dict(rows)


def _current_state(inbox: Path, tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Each dossier's current (resolving unit, status), as the province run builds it."""
    from warehouse import national
    from warehouse.schema import ensure_schema

    con = duckdb.connect(str(tmp_path / "state.duckdb"))
    national._configure(con, tmp_path / "spill", "1GB", None)
    ensure_schema(con)
    national._load_master_data(con, inbox, "12")
    national._stage_versions(con, inbox, "12", YEAR)
    national._current_state(con)
    state = {
        r[0]: (r[1], r[2]) for r in con.execute("SELECT dossier_code, resolving_unit_code, status FROM fct_dossier").fetchall()
    }
    con.close()
    (tmp_path / "state.duckdb").unlink()
    return state


def test_of_two_csv_versions_with_the_same_update_time_the_later_line_wins_every_run(hand_made: Path, tmp_path: Path) -> None:  # noqa: F811
    """A correction sent with the same update time as the line it corrects (here the resolving unit, then the status):
    the later line of the day wins, as with Parquet, and reruns give the same marts."""
    day = hand_made / "versions/province=12/year=2026/day=2026-02-10"
    moved = HS3.replace("HS3,12.SNV,", "HS3,03388,")
    _gz(day / "part-0.csv.gz", [VERSION_HEADER, HS3, moved])
    runs = []
    for i in range(3):
        province_qd766(hand_made, "12", tmp_path / f"out{i}", tmp_path / "work", year=YEAR)
        runs.append({m: _rows(tmp_path / f"out{i}", m) for m in MARTS})
    assert runs[0] == runs[1] == runs[2]
    assert _current_state(hand_made, tmp_path)["HS3"] == ("03388", "returned")
    _gz(day / "part-0.csv.gz", [VERSION_HEADER, moved, HS3])
    assert _current_state(hand_made, tmp_path)["HS3"] == ("12.SNV", "returned")
    # The corrected status sorts before the first one ('completed' < 'returned'): still the later line wins.
    _gz(day / "part-0.csv.gz", [VERSION_HEADER, HS3, HS3.replace(",returned,", ",completed,")])
    assert _current_state(hand_made, tmp_path)["HS3"] == ("12.SNV", "completed")
    # A part of the day delivered later: its line wins over part 0's, as with Parquet.
    _gz(day / "part-0.csv.gz", [VERSION_HEADER, moved])
    _gz(day / "part-1.csv.gz", [VERSION_HEADER, HS3])
    assert _current_state(hand_made, tmp_path)["HS3"] == ("12.SNV", "returned")


# --- blank codes, an empty gzip --------------------------------------------------------------------------------


def test_blank_codes_are_said_like_missing_ones_not_counted_as_one_dossier(hand_made: Path, tmp_path: Path) -> None:  # noqa: F811
    day = hand_made / "versions/province=12/year=2026/day=2026-02-10"
    blank = HS3.replace("HS3,", "   ,")  # spaces only: no code, not the code ''
    _gz(day / "part-0.csv.gz", [VERSION_HEADER, HS3, blank, blank.replace("2026-02-02 08:00:00", "2026-02-03 08:00:00")])
    run = province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)
    assert run.dossiers == 3
    assert run.not_counted == ("2 phiên bản thiếu mã hồ sơ hoặc ngày cập nhật: không tính",)
    assert _year_counts(tmp_path / "out")["12.SNV"] == 1
    # A blank unit or procedure code: that version is counted and said, the rest of the province is scored (it used
    # to stop the whole province on fct_dossier's NOT NULL).
    for column in (1, 2):
        fields = HS3.split(",")
        fields[column] = " "
        _gz(day / "part-0.csv.gz", [VERSION_HEADER, ",".join(fields)])
        run = province_qd766(hand_made, "12", tmp_path / f"blank{column}", tmp_path / "work", year=YEAR)
        assert run.dossiers == 2
        [note] = run.not_counted
        assert note.startswith("1 phiên bản thiếu mã đơn vị, mã thủ tục, ngày tiếp nhận, hạn hoặc trạng thái: không tính")


def test_a_gzip_file_with_nothing_inside_is_set_aside_as_empty(hand_made: Path, tmp_path: Path) -> None:  # noqa: F811
    day = hand_made / "versions/province=12/year=2026/day=2026-01-07"
    (day / "part-1.csv.gz").write_bytes(gzip.compress(b"", mtime=0))
    (day / "part-2.csv.gz").write_bytes(gzip.compress(b"\n \n", mtime=0))
    (hand_made / "units/province=12/part-1.csv.gz").write_bytes(gzip.compress(b"", mtime=0))
    run = province_qd766(hand_made, "12", tmp_path / "out", tmp_path / "work", year=YEAR)
    assert (run.versions, run.dossiers, run.units) == (5, 3, 2)
    empty = "tệp nén không có dòng nào (kể cả dòng tiêu đề): giao lại rỗng"
    assert {Path(f).name: why for f, why in run.refused} == {"part-1.csv.gz": empty, "part-2.csv.gz": empty}
    assert len(run.refused) == 3


# --- an unknown province folder; what national.duckdb says about itself ----------------------------------------


def test_the_national_views_name_a_province_folder_no_partition_reads(hand_made: Path, tmp_path: Path) -> None:  # noqa: F811
    store = NationalStore(inbox=str(hand_made), out=str(tmp_path / "out"))
    assert dg.materialize([national_qd766], resources={"national": store}, partition_key="12|2026").success
    shutil.copytree(hand_made / "versions/province=12", hand_made / "versions/province=99")
    (hand_made / "units/province=9").mkdir()
    result = dg.materialize([national_marts], resources={"national": store})
    (materialization,) = result.asset_materializations_for_node("national_marts")
    said = materialization.metadata["unknown_province_folders"].value
    assert said == "- units/province=9\n- versions/province=99"


def test_national_duckdb_documents_its_views_and_the_roll_up(hand_made: Path, tmp_path: Path) -> None:  # noqa: F811
    import pandas as pd
    import pyarrow as pa
    import pyarrow.dataset as ds

    out = tmp_path / "out"
    province_qd766(hand_made, "12", out, tmp_path / "work", year=YEAR)
    con = duckdb.connect()
    national_views(con, out)
    views = dict(con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall())
    assert set(views) == {"mart_qd766_unit_national", "mart_qd766_indicator_national", "mart_qd766_province"}
    assert all(views.values())
    uncommented = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE table_name IN ? AND comment IS NULL", [list(views)]
    ).fetchall()
    assert uncommented == []
    sort_key = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'mart_qd766_unit_national' AND column_name = 'sort_key'"
    ).fetchone()
    assert sort_key and "TRONG TỈNH" in sort_key[0]
    roll_up = con.execute(
        """SELECT typeof(dossiers), dossiers, evaluated_max, complete, units_complete, as_of_min, as_of_max
           FROM mart_qd766_province WHERE period_label = '2026-Y'"""
    ).fetchone()
    assert roll_up is not None and roll_up[:2] == ("BIGINT", 3)
    assert 0 < roll_up[2] <= 100 and roll_up[3] == (roll_up[4] == 2)
    assert str(roll_up[5]) == str(roll_up[6]) == "2026-02-10 23:59:59"
    # pandas as the README says: the province read as the code it is ('12'), not the category 12
    partitioning = ds.partitioning(pa.schema([("province", pa.string()), ("year", pa.int32())]), flavor="hive")
    df = pd.read_parquet(out / "mart_qd766_unit", partitioning=partitioning)
    assert set(df["province"]) == {"12"} and set(df["year"]) == {YEAR}
