"""The static web publication, built from a small hand-made warehouse: every page type, links that resolve, headings
and tables a screen reader can follow, Vietnamese numbers, rank movement, a public build without internal data; and
in headless Chromium (where installed): no console error, the table script runs, a screenshot per page type."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import duckdb
import pytest

from common.periods import parse_period
from scoring.criteria_table import qd766_rows
from scoring.qd766 import methodology_for
from warehouse.criteria_dim import write_dim_criterion
from warehouse.schema import ensure_schema
from web.format import number
from web.site import build_site, unit_page

GROUPS = ("ckmb", "tdgq", "dvctt", "tttt", "mdhl", "shhs")
UNITS = [  # code, name, ranking group
    ("19.SKHCN", "Sở Khoa học và Công nghệ", "agency"),
    ("19.SNV", "Sở Nội vụ", "agency"),
    ("19.STC", "Sở Tài chính", "agency"),
    ("12345", "Xã Ân Thịnh", "commune"),
]
# (period, unit, scores by group, rank, tied): SKHCN goes from 3rd in January to 1st in February; no March row for it.
QD766 = [
    ("2026-M01", "19.SKHCN", (15, 15, 10, 5, 15, 10), 3, False),
    ("2026-M01", "19.SNV", (17, 18, 12, 8, 17, 20), 1, False),
    ("2026-M01", "19.STC", (16, 17, 11, 7, 16, 18), 2, False),
    ("2026-M02", "19.SKHCN", (17.5, 19, 12, 9, 17, 21), 1, False),
    ("2026-M02", "19.SNV", (17, 18, 12, 8, 17, 20), 2, True),
    ("2026-M02", "19.STC", (17, 18, 12, 8, 17, 20), 2, True),
    ("2026-M03", "19.SNV", (17, 18, 12, 8, 17, 20), 1, False),
    ("2026-Y", "19.SKHCN", (17.2, 17.53, 12, 5.8, 17.79, 14.95), 2, False),
    ("2026-Y", "19.SNV", (17, 18, 12, 8, 17, 20), 1, False),
    ("2026-Y", "12345", (16, 16, 10, 6, 16, 15), 1, False),
]
REJECTED_FILE = "ho_so_20260105.csv"
# Last year: PAR (index %, band, rank, has form) in the warehouse; DTI only as published (total, rank, level).
# Every unit is 1st in 2026, so SKHCN moved up 2 places in PAR and 3 in DTI; STC has no PAR row last year. The DTI
# groups have 3 units both years (a rank among another number of units is not compared: mart_dti_trend).
PAR_2025 = {
    "19.SKHCN": (60.0, "Trung bình", 3, True),
    "19.SNV": (72.5, "Khá", 1, True),
    "12345": (40.0, "Yếu", None, False),
}
DTI_PREVIOUS = {"19.SKHCN": (70.18, 4, "Khá"), "19.SNV": (80.0, 1, "Tốt"), "19.STC": (75.0, 2, "Khá")}


def _insert_qd766(
    con: duckdb.DuckDBPyConnection, label: str, code: str, scores: tuple, rank: int, tied: bool, as_of: datetime
) -> None:
    p = parse_period(label)
    name, group = next((n, g) for c, n, g in UNITS if c == code)
    row = {
        "period_label": label,
        "period_kind": p.kind,
        "period_start": p.start,
        "period_end": p.end,
        "as_of": as_of,
        "unit_code": code,
        "unit_name": name,
        "ranking_group": group,
        **{f"score_{g}": float(s) for g, s in zip(GROUPS, scores, strict=True)},
        "dvctt_source": "portal",
        "total": float(sum(scores)),
        "evaluated_max": 100.0,
        "complete": True,
        "rank": rank,
        "is_tied": tied,
        "units_in_group": 3,
        "dossiers": 10,
    }
    con.execute(f"INSERT INTO mart_qd766_unit BY NAME SELECT {', '.join(f'${k} AS {k}' for k in row)}", row)


def _warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    ensure_schema(con)
    con.executemany(
        """INSERT INTO dim_unit BY NAME SELECT ? AS unit_code, ? AS unit_name, ? AS ranking_group, ? AS unit_group,
           'x' AS group_label, 'Thái Nguyên' AS province, [] AS aliases, ? AS sort_order""",
        [(c, n, g, g, i) for i, (c, n, g) in enumerate(UNITS)],
    )
    m = methodology_for(date(2026, 1, 1))
    write_dim_criterion(con, qd766_rows(m, 2026), datetime(2026, 10, 1), year=2026, index_code="qd766", tree=m.path.name)
    for label, code, scores, rank, tied in QD766:
        _insert_qd766(con, label, code, scores, rank, tied, datetime(2026, 11, 30, 23, 0))
    for code, name, group in UNITS:
        con.execute(
            """INSERT INTO mart_par_unit BY NAME SELECT 2026 AS year, ? AS unit_code, ? AS unit_name,
                       ? AS ranking_group, 'par.yaml' AS tree, 69.48 AS total, 100 AS max_applicable, 69.48 AS index_pct,
                       'Trung bình' AS band, false AS provisional, true AS has_form, 1 AS rank, false AS is_tied,
                       1 AS units_in_group""",
            [code, name, group],
        )
        previous = DTI_PREVIOUS.get(code)
        con.execute(
            """INSERT INTO mart_dti_unit BY NAME SELECT 2026 AS year, ? AS unit_code, ? AS unit_name,
                       ? AS ranking_group, 'dti.yaml' AS tree, 85.6 AS total, 85.6 AS index_value, 'Tốt' AS band,
                       true AS provisional, true AS has_form, 0 AS missing_components, 1 AS rank, false AS is_tied,
                       3 AS units_in_group, ? AS previous_total, ? AS change, [?] AS previous_names""",
            [code, name, group, *((previous[0], round(85.6 - previous[0], 2)) if previous else (None, None)), name],
        )
    for code, (index_pct, band, rank, has_form) in PAR_2025.items():
        name, group = next((n, g) for c, n, g in UNITS if c == code)
        con.execute(
            """INSERT INTO mart_par_unit BY NAME SELECT 2025 AS year, ? AS unit_code, ? AS unit_name,
                       ? AS ranking_group, 'par.yaml' AS tree, ? AS total, 100 AS max_applicable, ? AS index_pct,
                       ? AS band, false AS provisional, ? AS has_form, ? AS rank, false AS is_tied, 3 AS units_in_group""",
            [code, name, group, index_pct, index_pct, band, has_form, rank],
        )
    for n, (code, (total, rank, level)) in enumerate(DTI_PREVIOUS.items()):
        name = next(n for c, n, _ in UNITS if c == code)
        con.execute(
            "INSERT INTO stg_dti_previous VALUES ('dti_2025.xlsx', ?, 2025, ?, ?, ?, ?, ?)",
            [n + 2, name, code, total, rank, level],
        )
    con.execute(
        """INSERT INTO quarantine BY NAME SELECT 'tthc_dossier' AS source, ? AS file_name, 2 AS row_number,
                   'unknown_unit' AS rule, 'Đơn vị không có trong danh mục' AS reason, now() AS loaded_at""",
        [REJECTED_FILE],
    )
    return con


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("web")
    con = _warehouse(root / "w.duckdb")
    out = {}
    for name, internal in (("cong-khai", False), ("noi-bo", True)):
        build_site(con, root / name, province="Thái Nguyên", generated_at=datetime(2026, 12, 1, 7, 30), internal=internal)
        out[name] = root / name
    con.close()
    return out


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.h1 = 0
        self.tables = 0
        self.captions = 0
        self.head_cells_without_scope = 0
        self.lang = ""
        self._in_thead = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key] or "")
        self.h1 += tag == "h1"
        self.tables += tag == "table"
        self.captions += tag == "caption"
        self._in_thead = self._in_thead or tag == "thead"
        if tag == "th" and self._in_thead and "scope" not in a:
            self.head_cells_without_scope += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_thead = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_every_page_type_is_written(sites):
    pages = {p.relative_to(sites["cong-khai"]).as_posix() for p in sites["cong-khai"].rglob("*.html")}
    assert {
        "index.html",
        "phuong-phap.html",
        "qd766/2026-M01.html",
        "qd766/2026-M02.html",
        "qd766/2026-Y.html",
        "par/2026.html",
        "dti/2026.html",
    } <= pages
    assert {f"don-vi/{unit_page(c)}" for c, _, _ in UNITS} <= pages
    assert not any(p.startswith("noi-bo/") for p in pages)


@pytest.mark.parametrize("build", ["cong-khai", "noi-bo"])
def test_links_resolve_and_pages_are_accessible(sites, build):
    for path in sites[build].rglob("*.html"):
        page = _parse(path)
        assert page.lang == "vi" and page.h1 == 1, path
        assert page.tables == page.captions and page.head_cells_without_scope == 0, path
        for link in page.links:
            if link.startswith(("data:", "#")):
                continue
            assert not urlparse(link).scheme, f"{path}: {link} leaves the site (no CDN)"
            target = (path.parent / unquote(link.split("#")[0])).resolve()
            assert target.exists(), f"{path}: {link}"
    # Controls that need the script are hidden until it runs: without JavaScript a filter that filters nothing
    # and sort buttons that sort nothing used to show.
    for path in sites[build].rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        if 'class="group-filter"' in html:
            assert '<p class="needs-js" hidden><label for="loc">' in html, path
    script = next(sites[build].rglob("site.js")).read_text(encoding="utf-8")
    assert 'querySelectorAll(".needs-js")' in script and "element.hidden = false" in script


def test_numbers_rank_movement_and_order(sites):
    unit = _parse(sites["cong-khai"] / "don-vi" / unit_page("19.SKHCN"))
    text = " ".join(unit.text)
    assert "85,27" in text  # 17.2 + 17.53 + 12 + 5.8 + 17.79 + 14.95, Vietnamese decimal comma
    assert "+2" in text  # 3rd in January, 1st in February
    assert "7,05" in text  # points lost in "Số hóa hồ sơ": 22 - 14.95
    ranking = (sites["cong-khai"] / "qd766" / "2026-M02.html").read_text(encoding="utf-8")
    order = [ranking.index(name) for name in ("Sở Khoa học và Công nghệ", "Sở Nội vụ", "Sở Tài chính")]
    assert order == sorted(order) and ranking.count("đồng hạng</td>") == 2
    index = (sites["cong-khai"] / "index.html").read_text(encoding="utf-8")
    assert index.index("Xã Ân Thịnh") > 0 and "2026-M03" in index


class _Rows(HTMLParser):
    """Body rows of every table on a page (or part of one): each cell's shown text and its screen-reader words."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str]]] = []
        self._cell: list[str] | None = None
        self._words: list[str] = []
        self._hidden = 0
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.rows.append([])
        elif tag in ("td", "th") and self._in_body:
            self._cell, self._words = [], []
        elif tag == "span" and a.get("class") == "sr-only":
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(("".join(self._cell).strip(), "".join(self._words).strip()))
            self._cell = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            (self._words if self._hidden else self._cell).append(data)


def _rows(html: str) -> list[list[tuple[str, str]]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'<section aria-labelledby="{heading_id}">')
    return html[start : html.index("</section>", start)]


def _view(sites, query: str) -> list[dict]:
    with duckdb.connect(str(sites["cong-khai"].parent / "w.duckdb"), read_only=True) as con:
        cursor = con.execute(query)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


def _movement(change) -> tuple[str, str]:
    """The cell a rank change should show (arrow and number; words for screen readers), from the view's value."""
    if change is None:
        return "–", "không so sánh được với năm trước"
    if change > 0:
        return f"▲ +{change}", f"tăng {change} bậc so với năm trước"
    if change < 0:
        return f"▼ −{-change}", f"giảm {-change} bậc so với năm trước"
    return "= 0", "giữ nguyên hạng so với năm trước"


@pytest.mark.parametrize("code", ["par", "dti"])
def test_unit_pages_show_year_over_year_from_the_trend_views(sites, code):
    """Each unit's PAR and DTI block: one row per year of mart_par_trend / mart_dti_trend, and before the first the
    view's previous_* values when the warehouse has no row of that year; a line chart from two years on."""
    view = _view(sites, f"SELECT * FROM mart_{code}_trend ORDER BY unit_code, year")
    value_key, change_key = ("index_pct", "index_change") if code == "par" else ("index_value", "total_change")
    for unit_code, name, _ in UNITS:
        mine = [r for r in view if r["unit_code"] == unit_code]
        html = (sites["cong-khai"] / "don-vi" / unit_page(unit_code)).read_text(encoding="utf-8")
        section = _section(html, f"h-{code}")
        expected = []
        first = mine[0]
        if first["previous_total"] is not None:  # last year only as the view gives it beside this year
            value = first["previous_index_pct"] if code == "par" else None
            last_year = [str(first["year"] - 1), number(first["previous_total"]), number(value), first["previous_band"] or "–"]
            expected.append([*last_year, str(first["previous_rank"] or "–"), "", _movement(None)[0]])
        for r in mine:
            change = r[change_key]
            shown_change = "" if change is None else ("+" if change > 0 else "") + number(change)
            unscored = r["has_form"] is False and r["rank"] is None  # no form, no rank: the data's partial total is no result
            digits = 2 if code == "par" else 4  # the DTI index is 0-1
            shown = ["–", "–"] if unscored else [number(r["total"]), number(r[value_key], digits)]
            year = [str(r["year"]), *shown, r["band"] or "–", str(r["rank"] or "–")]
            expected.append([*year, shown_change, _movement(r["rank_change"])[0]])
        got = _rows(section)
        assert [[c[0] for c in row[:7]] for row in got] == expected, (code, unit_code)
        assert [row[6][1] for row in got][-1] == _movement(mine[-1]["rank_change"])[1]
        chart = re.search(r"<desc>(.*?)</desc>", section)
        assert (chart is not None) == (len(expected) > 1), (code, unit_code)
        if chart:
            assert f"qua các năm – {name}" in section
    skhcn = _section((sites["cong-khai"] / "don-vi" / unit_page("19.SKHCN")).read_text(encoding="utf-8"), f"h-{code}")
    rows = _rows(skhcn)
    assert [r[0][0] for r in rows] == ["2025", "2026"]
    assert rows[-1][6] == ((f"▲ +{2 if code == 'par' else 3}"), f"tăng {2 if code == 'par' else 3} bậc so với năm trước")
    if code == "par":
        assert rows[-1][5][0] == "+9,48" and "<desc>Chỉ số (%): 2025 60,00, 2026 69,48</desc>" in skhcn
    else:  # last year as published: total 70.18, 4th, "Khá"
        assert rows[0][1:5] == [("70,18", ""), ("–", ""), ("Khá", ""), ("4", "")] and rows[-1][5][0] == "+15,42"
        assert "<desc>Tổng điểm: 2025 70,18, 2026 85,60</desc>" in skhcn


@pytest.mark.parametrize("code", ["par", "dti"])
def test_ranking_pages_show_the_rank_change_against_last_year(sites, code):
    view = {r["unit_code"]: r for r in _view(sites, f"SELECT * FROM mart_{code}_trend WHERE year = 2026")}
    html = (sites["cong-khai"] / code / "2026.html").read_text(encoding="utf-8")
    assert '<button type="button" data-kind="number">So với năm trước</button>' in html
    names = {n: c for c, n, _ in UNITS}
    rows = {next(n for n in names if r[2][0].startswith(n)): r for r in _rows(html)}  # the name, then its mark
    assert set(rows) == set(names)
    for name, row in rows.items():
        assert row[-1] == _movement(view[names[name]]["rank_change"]), (code, name)
    moved = {"par": {"19.SKHCN": 2, "19.SNV": 0}, "dti": {"19.SKHCN": 3, "19.SNV": 0, "19.STC": 1}}[code]
    assert {c: r["rank_change"] for c, r in view.items() if r["rank_change"] is not None} == moved
    if code == "par":  # sorted by the number, shown with its arrow
        assert 'data-value="2"><span aria-hidden="true">▲ +2</span>' in html


def test_unit_pages_mark_the_periods_not_ended(tmp_path: Path) -> None:
    """The ranking page of a period not ended says 'Kỳ chưa kết thúc'; the unit page showed the same year and a month
    of 4 days of data (17,77, rank 80, −21) as if final. Now the year's heading, total and table say 'tạm tính' with
    the day of the data, and so do the month's row and its point on the chart; a month that has ended has no mark."""
    con = _warehouse(tmp_path / "w.duckdb")  # the year 2026: data to 30/11/2026
    _insert_qd766(con, "2026-M11", "19.SKHCN", (3, 3, 3, 3, 3, 2.77), 3, False, datetime(2026, 11, 4, 23, 59))
    build_site(con, tmp_path / "site", province="Thái Nguyên", generated_at=datetime(2026, 11, 5, 7, 0), internal=False)
    con.close()
    html = (tmp_path / "site" / "don-vi" / unit_page("19.SKHCN")).read_text(encoding="utf-8")
    section = _section(html, "h-766")
    assert '<h2 id="h-766">Chỉ số 766: Năm 2026 (tạm tính)</h2>' in section
    assert "Kỳ chưa kết thúc: số liệu tạm tính đến 30/11/2026." in section
    assert "Tổng điểm tạm tính 85,27 / 100" in section
    months = {r[0][0]: r for r in _rows(section) if len(r) == 5}
    assert [c for c, _ in months["Tháng 11/2026"]] == ["Tháng 11/2026", "17,77", "3", "–", "tạm tính đến 04/11/2026"]
    assert months["Tháng 01/2026"][4][0] == "" and months["Tháng 02/2026"][4][0] == ""
    assert ">11/2026*</text>" in section and ">02/2026</text>" in section
    assert "11/2026*: Tháng 11/2026 chưa kết thúc, tạm tính đến 04/11/2026." in section
    ended = (tmp_path / "site" / "don-vi" / unit_page("19.SNV")).read_text(encoding="utf-8")
    assert "*" not in _section(ended, "h-766").split("<figure>")[1].split("</figure>")[0]  # no month of SNV is open


def test_a_unit_with_months_but_no_year_yet_shows_its_latest_quarter(tmp_path: Path) -> None:
    """Before the year's run, a unit has month and quarter rows only: its page showed no QĐ 766 section at all."""
    con = _warehouse(tmp_path / "w.duckdb")
    con.execute("DELETE FROM mart_qd766_unit WHERE unit_code = '19.SKHCN' AND period_kind = 'year'")
    _insert_qd766(con, "2026-Q3", "19.SKHCN", (3, 3, 3, 3, 3, 3), 1, False, datetime(2026, 11, 30, 23, 0))
    build_site(con, tmp_path / "site", province="Thái Nguyên", generated_at=datetime(2026, 12, 1, 7, 0), internal=False)
    con.close()
    html = (tmp_path / "site" / "don-vi" / unit_page("19.SKHCN")).read_text(encoding="utf-8")
    assert '<h2 id="h-766">Chỉ số 766: Quý III/2026</h2>' in _section(html, "h-766")


@pytest.mark.parametrize("code", ["par", "dti"])
def test_the_method_page_gives_each_tree_its_own_legal_basis(tmp_path: Path, code: str) -> None:
    """The commune tree of PAR and DTI has its own decision ('… UBND các xã, phường' / '… UBND xã, phường'): the
    method page showed the agencies' basis above both tables. Each tree's basis now stands above its own table."""
    from scoring.criteria import tree_for
    from scoring.criteria_table import tree_rows

    con = _warehouse(tmp_path / "w.duckdb")
    trees = [tree_for(code, 2026, g) for g in ("agency", "local")]
    assert trees[0].decision != trees[1].decision
    rows = [r for t in trees for r in tree_rows(t)]
    write_dim_criterion(con, rows, datetime(2026, 10, 1), year=2026, index_code=code)
    build_site(con, tmp_path / "site", province="Thái Nguyên", generated_at=datetime(2026, 12, 1, 7, 30), internal=False)
    con.close()
    section = _section((tmp_path / "site" / "phuong-phap.html").read_text(encoding="utf-8"), f"h-{code}")
    tables = section.split("<table>")
    for tree, before, table in zip(trees, tables, tables[1:], strict=False):
        basis = before.rsplit("<p>", 1)[1].split("</p>")[0]
        assert basis == f"Căn cứ: {tree.decision}." and (tree.group == "local") == ("Xã, phường" in table.split("</caption>")[0])
    assert len(tables) == 3 and section.count("Căn cứ:") == 2


def test_a_site_without_results_says_so(sites, tmp_path: Path) -> None:
    """On the first day of a year the marts are empty: the index had a QĐ 766 heading with nothing under it, a unit's
    page only 'Xã, phường.', the method page nothing and the footer 'Số liệu đến –'. Each now says there is no result
    yet; PAR and DTI said 'Chưa có kết quả.' already."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    con.executemany(
        """INSERT INTO dim_unit BY NAME SELECT ? AS unit_code, ? AS unit_name, ? AS ranking_group, ? AS unit_group,
           'x' AS group_label, 'Thái Nguyên' AS province, [] AS aliases, ? AS sort_order""",
        [(c, n, g, g, i) for i, (c, n, g) in enumerate(UNITS)],
    )
    build_site(con, tmp_path / "site", province="Thái Nguyên", generated_at=datetime(2027, 1, 1, 7, 0), internal=False)
    con.close()
    site = tmp_path / "site"
    index = (site / "index.html").read_text(encoding="utf-8")
    for heading in ("h-766", "h-par", "h-dti"):
        assert "<p>Chưa có kết quả.</p>" in _section(index, heading), heading
    unit = (site / "don-vi" / unit_page("12345")).read_text(encoding="utf-8")
    assert "<p>Chưa có kết quả đánh giá nào của đơn vị.</p>" in unit
    method = _parse(site / "phuong-phap.html")
    assert "Chưa có bộ tiêu chí của chỉ số nào" in " ".join(method.text)
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "Chưa có số liệu; trang lập lúc 07:00 01/01/2027." in text and "Số liệu đến –" not in text, path
    with_data = (sites["cong-khai"] / "index.html").read_text(encoding="utf-8")
    assert "Số liệu đến 30/11/2026; trang lập lúc 07:30 01/12/2026." in with_data and "Chưa có kết quả" not in with_data


def test_a_city_s_pages_name_it_once_and_never_call_it_a_province(tmp_path: Path) -> None:
    """Served to Hà Nội (a city), the footer said "kho dữ liệu của tỉnh" and the title "… thành phố Hà Nội – Hà Nội"."""
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    build_site(con, tmp_path / "site", province="Hà Nội", generated_at=datetime(2027, 1, 1, 7, 0), internal=False)
    con.close()
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    title = index.split("<title>")[1].split("</title>")[0]
    assert title == "Kết quả đánh giá các đơn vị thành phố Hà Nội"
    assert "kho dữ liệu của thành phố Hà Nội" in index and "của tỉnh" not in index


def test_the_public_build_holds_no_internal_data(sites):
    public = " ".join(p.read_text(encoding="utf-8") for p in sites["cong-khai"].rglob("*.html"))
    internal = (sites["noi-bo"] / "noi-bo" / "du-lieu-bi-loai.html").read_text(encoding="utf-8")
    assert REJECTED_FILE in internal and REJECTED_FILE not in public
    assert "Bản nội bộ" not in public and "du-lieu-bi-loai" not in public


def _chromium() -> str | None:
    return next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)


@pytest.mark.slow
@pytest.mark.parametrize("page", ["index.html", "qd766/2026-Y.html", f"don-vi/{unit_page('19.SKHCN')}"])
def test_pages_render_in_headless_chromium_without_console_errors(sites, page, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium): the browser test is skipped")
    url = (sites["cong-khai"] / page).resolve().as_uri()
    flags = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    dom = subprocess.run([*flags, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False)
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert dom.returncode == 0 and not console, console or dom.stderr[-2000:]
    if "sortable" in dom.stdout:
        assert 'data-ready="yes"' in dom.stdout  # the table script ran
    shot = tmp_path / "page.png"
    subprocess.run(
        [*flags, "--window-size=1280,1600", f"--screenshot={shot}", url], capture_output=True, timeout=120, check=False
    )
    assert shot.exists() and shot.stat().st_size > 10_000
    assert re.search(r"<h1>[^<]+</h1>", dom.stdout)


def test_a_run_killed_between_the_two_renames_gets_its_last_site_back(tmp_path: Path) -> None:
    """Killed after moving the published site aside and before moving the new one in: the next run starts by putting
    the last site back, so a failure of that run never leaves the folder missing."""
    con = _warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "cong-khai"
    build_site(con, out, province="Thái Nguyên", generated_at=datetime(2026, 12, 1, 7, 30), internal=False)
    out.rename(tmp_path / ".cong-khai.old")  # the state the kill left
    con.close()
    broken = duckdb.connect(str(tmp_path / "empty.duckdb"))  # the next run's build then fails (no marts)
    with pytest.raises(duckdb.Error):
        build_site(broken, out, province="Thái Nguyên", generated_at=datetime(2026, 12, 2, 7, 30), internal=False)
    assert (out / "index.html").exists() and not (tmp_path / ".cong-khai.old").exists()


def test_make_restore_rebuilds_the_web_site_from_the_restored_snapshot(tmp_path: Path) -> None:
    """A wrong publication (here, data dated a day later and a bad file's rejected rows) is undone with `make restore`:
    the snapshot and Parquet went back, but the web site kept showing the wrong publication. Now the command rebuilds
    both builds from the restored snapshot, as web_publication does (the real command, real files)."""
    import os
    import subprocess
    import sys

    from common.settings import PROJECT_ROOT
    from warehouse.connection import publish_snapshot
    from web.site import publish_sites

    build, wh, reports = tmp_path / "build" / "warehouse_build.duckdb", tmp_path / "wh", tmp_path / "reports"
    build.parent.mkdir()
    _warehouse(build).close()
    snapshot = wh / "warehouse.duckdb"

    def publish() -> None:  # what a daily run ends with: analyst_snapshot, then web_publication
        publish_snapshot(build, snapshot, parquet=False)
        publish_sites(snapshot, reports / "web", province="Thái Nguyên", generated_at=datetime(2026, 12, 1, 7, 30))

    publish()
    os.utime(snapshot, (snapshot.stat().st_atime, snapshot.stat().st_mtime - 60))  # kept under its own time stamp
    with duckdb.connect(str(build)) as con:
        con.execute("UPDATE mart_qd766_unit SET as_of = as_of + INTERVAL 1 DAY")
        con.execute("UPDATE quarantine SET file_name = 'tep_sai_20261201.csv'")
    publish()
    public, internal = reports / "web" / "cong-khai" / "index.html", reports / "web" / "noi-bo"
    assert "Số liệu đến 01/12/2026" in public.read_text(encoding="utf-8")

    env = {**os.environ, "CCHC_WAREHOUSE_DIR": str(wh), "CCHC_REPORTS": str(reports), "PYTHONPATH": str(PROJECT_ROOT)}
    out = subprocess.run(
        [sys.executable, "-m", "pipelines.restore"], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "Đã dựng lại trang web từ bản khôi phục" in out.stdout
    assert "Số liệu đến 30/11/2026" in public.read_text(encoding="utf-8")
    pages = " ".join(p.read_text(encoding="utf-8") for p in internal.rglob("*.html"))
    assert REJECTED_FILE in pages and "tep_sai_20261201.csv" not in pages


def test_what_a_ranking_and_a_unit_page_say_beside_a_score():
    """Every DTI row is provisional, so "chưa gửi phiếu" never showed and the band was never shown; a unit without a
    form showed its partial total as a result; missing components counted as 0 without a word; a merged unit's
    year-before mean was labelled as a published result."""
    from web.site import _previous_note, index_mark

    assert index_mark({"has_form": True, "provisional": True, "band": "Tốt", "missing_components": 0}) == "Tốt; tạm tính"
    assert index_mark({"has_form": False, "rank": None, "provisional": True, "band": None}) == "chưa gửi phiếu, chưa đánh giá"
    lacking = index_mark({"has_form": True, "provisional": False, "band": "Khá", "missing_components": 2})
    assert lacking == "Khá; thiếu 2 thành phần (chưa có số liệu, tính 0 điểm)"
    merged = {"previous_names": "Sở Khoa học và Công nghệ; Sở Thông tin và Truyền thông", "previous_merged": True}
    assert _previous_note(merged) == (
        "bình quân kết quả đã công bố của các đơn vị hợp nhất: Sở Khoa học và Công nghệ; Sở Thông tin và Truyền thông"
    )
    assert (
        _previous_note({"previous_names": "Ban Dân tộc", "previous_renamed": True})
        == "kết quả đã công bố của Ban Dân tộc (tên cũ)"
    )
    assert _previous_note({"previous_names": "Sở Tư pháp"}) == "kết quả đã công bố"


def test_each_qd766_period_shows_the_maxima_of_the_file_that_scored_it(tmp_path: Path) -> None:
    """A decision valid from 1 July raising TDGQ to 22: every page used the first file's maxima, "Tiến độ giải
    quyết (20)" over July's scores out of 22."""
    from scoring.criteria_table import qd766_rows
    from scoring.qd766 import METHODOLOGY_DIR, load_methodology
    from tests.test_qd766_pipeline import _raised_tdgq
    from warehouse.criteria_dim import write_dim_criterion
    from web.data import read_site_data

    new = tmp_path / "qd766_2026_sua_doi.yaml"
    new.write_text(_raised_tdgq((METHODOLOGY_DIR / "qd766_2022_dvcqg.yaml").read_text(encoding="utf-8")), encoding="utf-8")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    for methodology in (load_methodology(METHODOLOGY_DIR / "qd766_2022_dvcqg.yaml"), load_methodology(new)):
        rows = qd766_rows(methodology, 2026)
        write_dim_criterion(con, rows, datetime(2026, 8, 1), year=2026, index_code="qd766", tree=methodology.path.name)
    for label, start, end, tree in (
        ("2026-M06", date(2026, 6, 1), date(2026, 6, 30), "qd766_2022_dvcqg.yaml"),
        ("2026-M07", date(2026, 7, 1), date(2026, 7, 31), "qd766_2026_sua_doi.yaml"),
    ):
        con.execute(
            """INSERT INTO mart_qd766_indicator (period_label, period_kind, period_start, period_end, as_of, methodology,
               unit_code, group_code, indicator_code, indicator_name, max_score, rule, source)
               VALUES (?, 'month', ?, ?, ?, ?, '05443', 'TDGQ', '2.1', 'x', 20, 'proportional', 'local')""",
            [label, start, end, datetime(2026, 8, 1), tree],
        )
    data = read_site_data(con, province="Thái Nguyên", generated_at=datetime(2026, 8, 1, 7, 0), internal=False)
    con.close()
    tdgq = {label: next(g for g in data.qd766_groups_of(label) if g["code"] == "TDGQ") for label in ("2026-M06", "2026-M07")}
    assert (tdgq["2026-M06"]["max_points"], tdgq["2026-M07"]["max_points"]) == (20, 22)


def test_a_unit_without_data_in_a_period_is_listed_as_such(sites):
    """March has a row for Sở Nội vụ only: Sở Khoa học và Công nghệ, scored in January and February, was missing from
    March's ranking without a word. It is listed, without a score or rank, said to have no data in the period."""
    html = (sites["cong-khai"] / "qd766" / "2026-M03.html").read_text(encoding="utf-8")
    row = html.split(">Sở Khoa học và Công nghệ</a>")[1].split("</tr>")[0]
    assert "chưa có số liệu trong kỳ" in row and "17,5" not in row
    assert "chưa có số liệu trong kỳ" not in html.split(">Sở Nội vụ</a>")[1].split("</tr>")[0]
