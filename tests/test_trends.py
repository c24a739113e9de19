"""The trend views (issue 14, part 3): mart_qd766_trend (unit × month and quarter, change from the adjacent period),
mart_par_trend and mart_dti_trend (year over year). A small warehouse with mart rows written by hand; every expected
value below is worked out by hand from those rows."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from warehouse.schema import ensure_schema

AS_OF = datetime(2026, 5, 2, 6, 0)


def _insert(con, table: str, rows: list[dict]) -> None:
    for row in rows:
        con.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def _rows(con, query: str, params: list | None = None) -> list[dict]:
    """Rows of a query as dicts (column name: value)."""
    cur = con.execute(query, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


@pytest.fixture
def con():
    con = duckdb.connect()
    ensure_schema(con)
    yield con
    con.close()


# --- QĐ 766 -----------------------------------------------------------------------------------------------------
def _qd(label: str, kind: str, start: date, end: date, unit: str, total: float, rank: int | None, **kw) -> dict:
    return {
        "period_label": label,
        "period_kind": kind,
        "period_start": start,
        "period_end": end,
        "as_of": AS_OF,
        "unit_code": unit,
        "unit_name": f"Xã {unit}",
        "ranking_group": "local",
        "score_tdgq": total / 5,
        "dvctt_source": "portal",
        "total": total,
        "evaluated_max": kw.pop("evaluated_max", 100.0),
        "complete": True,
        "rank": rank,
        "is_tied": kw.pop("is_tied", False),
        "units_in_group": 3,
        "dossiers": 10,
        "sort_key": f"0000{unit}",
        **kw,
    }


M01 = ("2026-M01", "month", date(2026, 1, 1), date(2026, 1, 31))
M02 = ("2026-M02", "month", date(2026, 2, 1), date(2026, 2, 28))
M04 = ("2026-M04", "month", date(2026, 4, 1), date(2026, 4, 30))  # March has no data
Q1 = ("2026-Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31))
Q2 = ("2026-Q2", "quarter", date(2026, 4, 1), date(2026, 6, 30))
Y = ("2026-Y", "year", date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def qd766(con):
    _insert(
        con,
        "mart_qd766_unit",
        [
            # January: B 80 (1), C 75 (2), A 70 (3)
            _qd(*M01, "A", 70.0, 3),
            _qd(*M01, "B", 80.0, 1),
            _qd(*M01, "C", 75.0, 2),
            # February: A 90 (1), B and C tied at 80 (2, 2)
            _qd(*M02, "A", 90.0, 1),
            _qd(*M02, "B", 80.0, 2, is_tied=True),
            _qd(*M02, "C", 80.0, 2, is_tied=True),
            # April only for A (March absent)
            _qd(*M04, "A", 60.0, 1),
            # quarters: A 2nd then 1st, but Q2's total is out of 88 (a group not scored)
            _qd(*Q1, "A", 80.0, 2),
            _qd(*Q2, "A", 85.0, 1, evaluated_max=88.0),
            # the year to date is not part of the series
            _qd(*Y, "A", 82.0, 1),
        ],
    )
    return con


def test_qd766_rank_movement_and_total_change(qd766):
    rows = {
        r["unit_code"]: r
        for r in _rows(qd766, "SELECT * FROM mart_qd766_trend WHERE period_label = '2026-M02' ORDER BY unit_code")
    }
    a, b, c = rows["A"], rows["B"], rows["C"]
    # A: 3rd in January → 1st in February: +2; 70 → 90: +20
    assert (a["previous_period_label"], a["previous_rank"], a["rank"], a["rank_change"]) == ("2026-M01", 3, 1, 2)
    assert (a["previous_total"], a["total_change"]) == (70.0, 20.0)
    # B: 1st → 2nd (tied): −1, same total
    assert (b["rank_change"], b["total_change"], b["is_tied"], b["previous_is_tied"]) == (-1, 0.0, True, False)
    # C: 2nd → 2nd (tied): 0; 75 → 80: +5
    assert (c["rank_change"], c["total_change"]) == (0, 5.0)
    assert a["score_tdgq"] == 18.0 and a["period_kind"] == "month" and a["unit_name"] == "Xã A"


def test_qd766_months_scored_by_two_methodology_files_are_not_compared(qd766):
    """A decision valid from 1 February: January scored by the old file, February by the new. The rank and total of
    two rule sets were compared (A "+2"); they are not, and the view says which file scored each month."""
    for (label, kind, start, end), methodology in ((M01, "cu.yaml"), (M02, "moi.yaml")):
        indicator = {"period_label": label, "period_kind": kind, "period_start": start, "period_end": end, "as_of": AS_OF}
        indicator |= {"methodology": methodology, "group_code": "TDGQ", "indicator_code": "2.1", "indicator_name": "x"}
        indicator |= {"max_score": 20.0, "rule": "proportional", "source": "local"}
        _insert(qd766, "mart_qd766_indicator", [indicator | {"unit_code": unit} for unit in "ABC"])
    rows = {r["unit_code"]: r for r in _rows(qd766, "SELECT * FROM mart_qd766_trend WHERE period_label = '2026-M02'")}
    assert all(r["rank_change"] is None and r["total_change"] is None for r in rows.values())
    assert (rows["A"]["methodology"], rows["A"]["previous_methodology"]) == ("moi.yaml", "cu.yaml")
    qd766.execute("UPDATE mart_qd766_indicator SET methodology = 'moi.yaml'")  # one file for both: compared again
    a = _rows(qd766, "SELECT * FROM mart_qd766_trend WHERE period_label = '2026-M02' AND unit_code = 'A'")[0]
    assert (a["rank_change"], a["total_change"]) == (2, 20.0)


def test_qd766_first_month_has_no_change(qd766):
    rows = _rows(qd766, "SELECT * FROM mart_qd766_trend WHERE period_label = '2026-M01'")
    assert len(rows) == 3
    assert all(r["previous_period_label"] is None and r["rank_change"] is None and r["total_change"] is None for r in rows)


def test_qd766_missing_month_is_absent_and_not_bridged(qd766):
    labels = [
        r[0]
        for r in qd766.execute(
            "SELECT period_label FROM mart_qd766_trend WHERE unit_code = 'A' AND period_kind = 'month' ORDER BY period_start"
        ).fetchall()
    ]
    assert labels == ["2026-M01", "2026-M02", "2026-M04"]  # no March row, and no zero for it
    (april,) = _rows(qd766, "SELECT * FROM mart_qd766_trend WHERE period_label = '2026-M04'")
    # April is compared with March (absent), not with February
    assert (april["previous_period_label"], april["previous_rank"], april["rank_change"], april["total_change"]) == (
        None,
        None,
        None,
        None,
    )


def test_qd766_quarter_series_and_different_maxima(qd766):
    rows = {r["period_label"]: r for r in _rows(qd766, "SELECT * FROM mart_qd766_trend WHERE period_kind = 'quarter'")}
    assert set(rows) == {"2026-Q1", "2026-Q2"}
    q2 = rows["2026-Q2"]
    assert (q2["previous_period_label"], q2["rank_change"]) == ("2026-Q1", 1)
    assert q2["total_change"] is None  # 85 out of 88 is not compared with 80 out of 100
    kinds = {r[0] for r in qd766.execute("SELECT DISTINCT period_kind FROM mart_qd766_trend").fetchall()}
    assert kinds == {"month", "quarter"}  # the year to date is left out


# --- PAR index --------------------------------------------------------------------------------------------------
def _par(year: int, unit: str, total: float, rank: int | None, band: str | None, *, has_form: bool = True) -> dict:
    return {
        "year": year,
        "unit_code": unit,
        "unit_name": f"Xã {unit}",
        "ranking_group": "local",
        "tree": "par_xa.yaml",
        "total": total,
        "max_applicable": 100.0,
        "index_pct": total,
        "band": band,
        "provisional": False,
        "has_form": has_form,
        "rank": rank,
        "is_tied": False,
        "units_in_group": 3,
        "sort_key": f"0000{unit}",
    }


@pytest.fixture
def par(con):
    _insert(
        con,
        "mart_par_unit",
        [
            _par(2025, "A", 80.0, 3, "Tốt"),
            _par(2025, "B", 90.0, 1, "Xuất sắc"),
            _par(2025, "C", 85.0, 2, "Tốt"),
            _par(2026, "A", 95.0, 1, "Xuất sắc"),
            _par(2026, "B", 90.0, 2, "Xuất sắc"),
            _par(2026, "C", 40.0, None, None, has_form=False),  # no usable form this year: not ranked
            _par(2026, "N", 70.0, 3, "Khá"),  # new this year
        ],
    )
    return con


def test_par_year_over_year(par):
    rows = {r["unit_code"]: r for r in _rows(par, "SELECT * FROM mart_par_trend WHERE year = 2026")}
    a, b, c, n = rows["A"], rows["B"], rows["C"], rows["N"]
    assert (a["previous_rank"], a["rank_change"], a["previous_total"], a["total_change"], a["index_change"]) == (
        3,
        2,
        80.0,
        15.0,
        15.0,
    )
    assert (a["previous_band"], a["band_changed"]) == ("Tốt", True)
    assert (b["rank_change"], b["total_change"], b["band_changed"]) == (-1, 0.0, False)
    # no form this year: no score change, no rank, no band
    assert (c["previous_total"], c["total_change"], c["rank_change"], c["band_changed"]) == (85.0, None, None, None)
    # new this year: nothing to compare with
    assert all(n[k] is None for k in ("previous_total", "previous_rank", "total_change", "rank_change", "band_changed"))
    # the first year has no previous values
    assert all(r[0] is None for r in par.execute("SELECT rank_change FROM mart_par_trend WHERE year = 2025").fetchall())


# --- DTI --------------------------------------------------------------------------------------------------------
def _dti(year: int, unit: str, total: float, rank: int | None, band: str | None, previous: float | None, **kw) -> dict:
    return {
        "year": year,
        "unit_code": unit,
        "unit_name": f"Xã {unit}",
        "ranking_group": "local",
        "tree": "dti_xa.yaml",
        "total": total,
        "index_value": total / 100,
        "band": band,
        "provisional": False,
        "has_form": True,
        "missing_components": 0,
        "rank": rank,
        "is_tied": False,
        "units_in_group": 4,
        "previous_total": previous,
        "change": None if previous is None else round(total - previous, 2),
        "previous_merged": kw.pop("merged", None if previous is None else False),
        "sort_key": f"0000{unit}",
        **kw,
    }


def _communes(con, codes: str) -> None:
    """dim_unit rows of the communes ``codes`` (one letter each): the published results map to them."""
    _insert(
        con,
        "dim_unit",
        [
            {
                "unit_code": c,
                "unit_name": f"Xã {c}",
                "unit_group": "commune",
                "group_label": "Xã",
                "ranking_group": "local",
                "province": "Thái Nguyên",
                "sort_order": i,
            }
            for i, c in enumerate(codes)
        ],
    )


def _published(name: str, unit: str, total: float, rank: int, level: str) -> dict:
    return {
        "source_file": "dti/ket_qua_2025.xlsx",
        "source_row": rank + 1,
        "year": 2025,
        "published_name": name,
        "unit_code": unit,
        "total": total,
        "rank": rank,
        "level": level,
    }


@pytest.fixture
def dti(con):
    _communes(con, "ABMN")
    _insert(
        con,
        "stg_dti_previous",
        [
            _published("Xã A", "A", 60.0, 3, "Trung bình"),
            _published("Xã X1", "M", 70.0, 1, "Khá"),  # X1 and X2 merged into M in 2025
            _published("Xã X2", "M", 50.0, 4, "Trung bình"),
            _published("Xã B cũ", "B", 65.0, 2, "Khá"),  # renamed
        ],
    )
    _insert(
        con,
        "mart_dti_unit",
        [
            # the warehouse's own 2025 row of A (rank 5) is not used for 2026: the published results are
            _dti(2025, "A", 58.0, 5, "Trung bình", None),
            _dti(2026, "A", 75.0, 1, "Khá", 60.0),
            _dti(2026, "M", 70.0, 2, "Khá", 60.0, merged=True, previous_names="Xã X1; Xã X2"),
            _dti(2026, "B", 68.0, 3, "khá", 65.0, previous_renamed=True, previous_names="Xã B cũ"),
            _dti(2026, "N", 50.0, 4, "Trung bình", None),
            # 2027: no published 2026 results in the warehouse, so last year's rows of the mart
            _dti(2027, "A", 80.0, 2, "Tốt", 75.0),
        ],
    )
    return con


def test_dti_year_over_year_from_published_results(dti):
    rows = {r["unit_code"]: r for r in _rows(dti, "SELECT * FROM mart_dti_trend WHERE year = 2026")}
    a, m, b, n = rows["A"], rows["M"], rows["B"], rows["N"]
    # A: published 3rd in 2025 → 1st: +2; total change is the mart's change (75 − 60)
    assert (a["previous_rank"], a["rank_change"], a["previous_total"], a["total_change"]) == (3, 2, 60.0, 15.0)
    # 3rd of 4 (100 × 1/3 = 33.3) → 1st of 4 (100)
    assert (a["previous_units_in_group"], a["position_change"]) == (4, 66.7)
    assert (a["previous_band"], a["band_changed"]) == ("Trung bình", True)
    # merged unit: compared with the mean of its old units (previous_total), but no single previous rank
    assert (m["previous_total"], m["total_change"], m["previous_rank"], m["rank_change"]) == (60.0, 10.0, None, None)
    assert m["previous_merged"] is True and m["previous_names"] == "Xã X1; Xã X2"
    # renamed unit keeps its published rank; band compared without case
    assert (b["previous_rank"], b["rank_change"], b["band_changed"], b["previous_renamed"]) == (2, -1, False, True)
    # new unit: nothing to compare with
    assert all(n[k] is None for k in ("previous_total", "previous_rank", "total_change", "rank_change", "band_changed"))


def test_a_rank_among_fewer_units_is_compared_by_position_not_rank(con):
    """Last year 21 agencies were published, this year 14 are ranked: 18th of 21 → 14th of 15 read as +4 (moved
    up) while the unit fell to the bottom. rank_change is given only where the group kept its size; position_change
    (first = 100, last = 0) compares every unit. Values by hand: 5th of 6 = 100 × 1/5 = 20, 2nd of 3 = 50."""
    _communes(con, "ABCDEF")  # D, E, F: in last year's results, ranked in no group this year (merged, say)
    _insert(con, "stg_dti_previous", [_published(f"Xã {u}", u, 90.0 - r, r, "Khá") for r, u in enumerate("BDEFAC", 1)])
    _insert(
        con,
        "mart_dti_unit",
        [_dti(2026, u, 80.0 - r, r, "Khá", 60.0, units_in_group=3) for r, u in enumerate("BAC", 1)],
    )
    rows = {r["unit_code"]: r for r in _rows(con, "SELECT * FROM mart_dti_trend WHERE year = 2026")}
    a, b, c = rows["A"], rows["B"], rows["C"]
    assert (a["previous_rank"], a["previous_units_in_group"], a["rank"], a["units_in_group"]) == (5, 6, 2, 3)
    assert (a["rank_change"], a["position_change"]) == (None, 30.0)  # 20 → 50 (the old rank_change said +3)
    assert (b["rank_change"], b["position_change"]) == (None, 0.0)  # first of 6, first of 3
    assert (c["rank_change"], c["position_change"]) == (None, 0.0)  # last of 6, last of 3


def test_units_tied_last_year_count_every_unit_of_the_group(con):
    """Published 1, 2, 2 (two units tied last, often those without a form at 0): the group had 3 units, not 2."""
    _communes(con, "ABC")
    _insert(con, "stg_dti_previous", [_published(f"Xã {u}", u, 90.0 - r, r, "Khá") for u, r in (("A", 1), ("B", 2), ("C", 2))])
    _insert(con, "mart_dti_unit", [_dti(2026, u, 80.0 - r, r, "Khá", 60.0, units_in_group=3) for r, u in enumerate("ABC", 1)])
    rows = {r["unit_code"]: r for r in _rows(con, "SELECT * FROM mart_dti_trend WHERE year = 2026")}
    assert {u: (r["previous_units_in_group"], r["rank_change"], r["position_change"]) for u, r in rows.items()} == {
        "A": (3, 0, 0.0),
        "B": (3, 0, 0.0),  # 2nd of 3 both years: 50 → 50
        "C": (3, -1, -50.0),  # tied 2nd (50) → 3rd (0)
    }


def test_dti_year_over_year_from_the_mart(dti):
    (a,) = _rows(dti, "SELECT * FROM mart_dti_trend WHERE year = 2027")
    assert (a["previous_rank"], a["rank_change"], a["previous_band"], a["band_changed"], a["total_change"]) == (
        1,
        -1,
        "Khá",
        True,
        5.0,
    )


def test_every_trend_column_has_a_comment(con):
    missing = con.execute(
        """SELECT table_name, column_name FROM duckdb_columns()
           WHERE table_name IN ('mart_qd766_trend', 'mart_par_trend', 'mart_dti_trend') AND coalesce(comment, '') = ''"""
    ).fetchall()
    assert missing == []
    comments = dict(
        con.execute(
            "SELECT view_name, comment FROM duckdb_views() WHERE view_name IN ('mart_qd766_trend', 'mart_par_trend', 'mart_dti_trend')"
        ).fetchall()
    )
    assert len(comments) == 3 and all(comments.values())
