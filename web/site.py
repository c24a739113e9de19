"""Writes the static web publication from the warehouse: index, rankings (QĐ 766 per month, quarter and year; PAR
and DTI per year), a page per unit (scorecard, points lost, trends), the method in words; the internal build adds
the rejected rows. Every page is plain HTML with the stylesheet, a classic script and inline SVG, written aside and
swapped into place, so a reader never sees half a site."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from common.periods import parse_period
from common.units import province_name
from common.vntext import match_key
from web.charts import Series, line_chart
from web.data import SiteData, group_label, read_site_data
from web.format import day, missing, number, rank_movement

HERE = Path(__file__).resolve().parent
# Under the reports folder: the public build and the internal build (with the rejected rows).
SITE_FOLDER, PUBLIC, INTERNAL = "web", "cong-khai", "noi-bo"
INDEX_TITLES = {
    "qd766": "Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766)",
    "par": "Chỉ số cải cách hành chính (PAR INDEX)",
    "dti": "Chỉ số chuyển đổi số (DTI)",
}


def unit_page(code: str) -> str:
    """The file name of a unit's page: its code, made safe for any file system and URL."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", match_key(code) if not code.isascii() else code) + ".html"


def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def period_name(label: str) -> str:
    return parse_period(label).vietnamese


def _data_as_of(data: SiteData) -> str:
    """The footer's date of the data: 'Số liệu đến 04/10/2026', or plainly that there is none yet (the marts of a
    new year are empty)."""
    if data.data_as_of is not None:
        return f"Số liệu đến {day(data.data_as_of)}"
    if data.par or data.dti:
        return "Chưa có số liệu Chỉ số 766"
    return "Chưa có số liệu"


def _basis(decision: str) -> str:
    """'Căn cứ: QĐ 766/QĐ-TTg ngày 23/6/2022 ….' for a criteria tree's decision, ended by one full stop; '' without."""
    decision = decision.strip()
    if not decision:
        return ""
    return f"Căn cứ: {decision}" + ("" if decision.endswith((".", "…")) else ".")


def _qd766_mark(r: dict[str, Any]) -> str:
    """What a QĐ 766 ranking says beside a unit: no data in the period, or groups missing."""
    if r.get("no_data"):
        return "chưa có số liệu trong kỳ"
    return "" if r.get("complete") else "chưa đủ chỉ tiêu"


def _unscored(r: dict[str, Any]) -> bool:
    """A unit without a form and without a rank: its total is only what the data gave, not a result to show."""
    return r.get("has_form") is False and r.get("rank") is None


def index_mark(r: dict[str, Any]) -> str:
    """What the PAR or DTI ranking says beside a unit's score: its band, "tạm tính" while not appraised, "chưa gửi
    phiếu" (and no score: it is only what the data gave) without a form, and the DTI components it lacks."""
    if _unscored(r):
        return "chưa gửi phiếu, chưa đánh giá"
    parts = [
        r.get("band") or "",
        "chưa gửi phiếu" if r.get("has_form") is False else "",
        "tạm tính" if r.get("provisional") else "",
    ]
    if (lacking := r.get("missing_components")) and not missing(lacking):
        parts.append(f"thiếu {int(lacking)} thành phần (chưa có số liệu, tính 0 điểm)")
    return "; ".join(p for p in parts if p)


def _previous_note(r: dict[str, Any]) -> str:
    """Where the DTI's year-before figure comes from: the results published last year, of this unit, of the unit it
    was renamed from, or the mean of the units merged into it (never shown as if it had been published so)."""
    names = r.get("previous_names") or ""
    if r.get("previous_merged"):
        return f"bình quân kết quả đã công bố của các đơn vị hợp nhất: {names}"
    if r.get("previous_renamed"):
        return f"kết quả đã công bố của {names} (tên cũ)"
    return "kết quả đã công bố"


def _ranking_rows(rows: Iterable[dict[str, Any]], columns: list[tuple[str, str, int]], mark) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        unscored = _unscored(r)
        values = [
            ("" if unscored or missing(r.get(key)) else r[key], "–" if unscored else number(r.get(key), digits))
            for _, key, digits in columns
        ]
        out.append(
            {
                **r,
                "page": unit_page(r["unit_code"]),
                "group_label": group_label(r["ranking_group"]),
                "cells": values,
                "mark": mark(r),
            }
        )
    return out


class SiteWriter:
    def __init__(self, data: SiteData, out: Path, *, internal: bool) -> None:
        self.data, self.out, self.internal, self.env = data, out, internal, _environment()
        self.written: list[Path] = []
        periods = data.qd766_periods
        self.periods = {p["period_label"]: p for p in periods}
        self.common = {
            "site": data,
            "province": province_name(data.province),
            "internal": internal,
            "generated": f"{data.generated_at:%H:%M %d/%m/%Y}",
            "data_as_of": _data_as_of(data),
            "latest_qd766": next(
                (p["period_label"] for p in reversed(periods) if p["period_kind"] == "year"),
                periods[-1]["period_label"] if periods else None,
            ),
            "latest_par": max(data.par, default=None),
            "latest_dti": max(data.dti, default=None),
        }

    def page(self, path: str, template: str, title: str, **values: Any) -> None:
        root = "../" * path.count("/")
        html = self.env.get_template(template).render(**self.common, root=root, title=title, **values)
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.written.append(target)

    def write(self) -> list[Path]:
        shutil.copytree(HERE / "static", self.out / "static", dirs_exist_ok=True)
        self._index()
        for p in self.data.qd766_periods:
            self._qd766_ranking(p)
        for year, rows in self.data.par.items():
            self._index_ranking("par", year, rows, "index_pct", "Chỉ số (%)")
        for year, rows in self.data.dti.items():
            self._index_ranking("dti", year, rows, "index_value", "Chỉ số")
        for unit in self.data.units:
            self._unit(unit)
        self._method()
        if self.internal:
            self.page("noi-bo/du-lieu-bi-loai.html", "rejected.html", "Dữ liệu bị loại", rows=self.data.rejected)
        return self.written

    def _index(self) -> None:
        groups: dict[str, list[dict[str, Any]]] = {}
        for u in self.data.units:
            groups.setdefault(group_label(u["ranking_group"]), []).append({**u, "page": unit_page(u["unit_code"])})
        periods = [{**p, "name": period_name(p["period_label"])} for p in self.data.qd766_periods]
        self.page(
            "index.html",
            "index.html",
            f"Kết quả đánh giá các đơn vị {province_name(self.data.province).full}",
            periods=periods,
            par_years=sorted(self.data.par),
            dti_years=sorted(self.data.dti),
            unit_groups=list(groups.items()),
        )

    def _provisional_until(self, label: str) -> str | None:
        """For a period that had not ended on the day of its latest data, that day ("04/10/2026"): its scores and
        ranks are provisional (tạm tính). None for a period that has ended."""
        period = self.periods.get(label)
        if period is None or period["as_of"] is None or period["as_of"].date() >= period["period_end"]:
            return None
        return day(period["as_of"])

    def _month_note(self, label: str, row: dict[str, Any]) -> str:
        """What a unit's month row says beside its figures: provisional, groups missing, or scored by another
        methodology file than the month before (its rank and total not compared: the change cell is empty)."""
        notes = []
        if until := self._provisional_until(label):
            notes.append(f"tạm tính đến {until}")
        if not row.get("complete", True):
            notes.append("chưa đủ chỉ tiêu")
        previous = row.get("previous_methodology")
        if previous and row.get("methodology") and previous != row["methodology"]:
            notes.append("đổi phương pháp tính từ tháng này: không so sánh với tháng trước")
        return "; ".join(notes)

    def _groups(self, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
        present = dict.fromkeys(r["ranking_group"] for r in rows)
        return [(g, group_label(g)) for g in present]

    def _qd766_ranking(self, period: dict[str, Any]) -> None:
        label = period["period_label"]
        rows = self.data.qd766.get(label, [])
        # a unit scored in another period but not in this one is listed, said to have no data, not left out in silence
        scored = {r["unit_code"] for r in rows}
        ever = {r["unit_code"] for period_rows in self.data.qd766.values() for r in period_rows}
        rows = rows + [
            {**u, "rank": None, "is_tied": False, "has_form": False, "complete": True, "no_data": True}
            for u in self.data.units
            if u["unit_code"] in ever - scored
        ]
        groups = self.data.qd766_groups_of(label)
        columns = [(f"{g['name']} ({number(g['max_points'], trim=True)})", g["key"], 2) for g in groups]
        columns.append(("Tổng điểm", "total", 2))
        notes = []
        until = self._provisional_until(label)
        if until:
            notes.append(f"Kỳ chưa kết thúc: số liệu tạm tính đến {until}.")
        self.page(
            f"qd766/{label}.html",
            "ranking.html",
            f"Chỉ số 766 – {period_name(label)}",
            notes=notes,
            groups=self._groups(rows),
            caption=f"Xếp hạng {period_name(label)} (hạng trong nhóm đơn vị)",
            columns=[{"header": h} for h, _, _ in columns],
            rows=_ranking_rows(rows, columns, _qd766_mark),
            movement_header=None,
            chart=None,
            chart_caption="",
        )

    def _index_ranking(self, code: str, year: int, rows: list[dict[str, Any]], value_key: str, value_header: str) -> None:
        # The DTI index is 0-1: 2 decimals would show 0,90 for units ranked 4th, 5th and 7th.
        columns = [("Tổng điểm", "total", 2), (value_header, value_key, 2 if code == "par" else 4)]
        notes = []
        if any(r.get("provisional") for r in rows):
            notes.append('Kết quả tạm tính ở các đơn vị ghi "tạm tính": chưa có kết quả thẩm định.')
        notes.append(
            "So với năm trước: số bậc tăng (▲) hoặc giảm (▼) so với hạng năm trước trong cùng nhóm đơn vị; "
            "để trống khi đơn vị không có hạng năm trước, hoặc khi nhóm năm trước có số đơn vị khác (hạng không so "
            "sánh được)."
        )
        # the rank change is mart_par_trend's / mart_dti_trend's, never recomputed here
        trend = (self.data.par_trend if code == "par" else self.data.dti_trend).get(year, {})
        rows = [{**r, "movement": rank_movement(trend.get(r["unit_code"], {}).get("rank_change"))} for r in rows]
        self.page(
            f"{code}/{year}.html",
            "ranking.html",
            f"{INDEX_TITLES[code]} – năm {year}",
            notes=notes,
            groups=self._groups(rows),
            caption=f"Xếp hạng năm {year} (hạng trong nhóm đơn vị; xếp loại theo phương pháp)",
            columns=[{"header": h} for h, _, _ in columns],
            rows=_ranking_rows(rows, columns, index_mark),
            movement_header="So với năm trước",
            chart=None,
            chart_caption="",
        )

    def _unit(self, unit: dict[str, Any]) -> None:
        code = unit["unit_code"]
        mine = {label: next((r for r in rows if r["unit_code"] == code), None) for label, rows in self.data.qd766.items()}
        # The latest year the unit has; without one (the year's run not done yet), its latest quarter or month.
        periods = list(reversed(self.data.qd766_periods))
        latest = next(
            (mine[p["period_label"]] for p in periods if p["period_kind"] == "year" and mine.get(p["period_label"])), None
        )
        if latest is None:
            rows = [row for p in periods if (row := mine.get(p["period_label"])) is not None]
            latest = max(rows, key=lambda r: (r["period_end"], r["period_kind"] == "quarter"), default=None)
        qd766_latest = None
        if latest is not None:
            qd766_latest = {
                "name": period_name(latest["period_label"]),
                "provisional_until": self._provisional_until(latest["period_label"]),
                "total": number(latest["total"]),
                "max": number(latest["evaluated_max"], trim=True),
                "rank": latest["rank"] if latest["rank"] is not None else "–",
                "is_tied": latest["is_tied"],
                "units_in_group": latest["units_in_group"],
                "groups": [
                    {
                        "name": g["name"],
                        "score": number(latest.get(g["key"])),
                        "max": number(g["max_points"], trim=True),
                        "lost": number(None if missing(latest.get(g["key"])) else g["max_points"] - latest[g["key"]]),
                    }
                    for g in self.data.qd766_groups_of(latest["period_label"])
                ],
            }
        # Month by month from mart_qd766_trend (what analysts query): the change is against the month just before,
        # none after a month without data; a missing month breaks the chart's line.
        trend = {r["period_label"]: r for r in self.data.qd766_trend.get(code, [])}
        month_rows = [
            {
                "period_label": label,
                "name": period_name(label),
                "total": number(r["total"]),
                "rank": r["rank"] if r["rank"] is not None else "–",
                "movement": rank_movement(r["rank_change"], "tháng trước"),
                "note": self._month_note(label, r),
            }
            for label, r in trend.items()
        ]
        all_months = [p for p in self.data.qd766_periods if p["period_kind"] == "month"]
        # a month not ended is marked on the chart too: "10/2026*", the star said in the caption
        unfinished = [p for p in all_months if p["period_label"] in trend and self._provisional_until(p["period_label"])]
        chart = None
        if trend:
            chart = line_chart(
                f"Tổng điểm Chỉ số 766 theo tháng – {unit['unit_name']}",
                [f"{p['period_start']:%m/%Y}" + ("*" if p in unfinished else "") for p in all_months],
                [
                    Series(
                        "Tổng điểm",
                        [trend[p["period_label"]]["total"] if p["period_label"] in trend else None for p in all_months],
                    )
                ],
                y_max=100,
            )
        indices = [block for block in (self._yearly("par", unit), self._yearly("dti", unit)) if block["rows"]]
        self.page(
            f"don-vi/{unit_page(code)}",
            "unit.html",
            unit["unit_name"],
            unit={**unit, "group_label": group_label(unit["ranking_group"])},
            qd766_latest=qd766_latest,
            qd766_chart=chart,
            qd766_chart_note=" ".join(
                f"{p['period_start']:%m/%Y}*: {period_name(p['period_label'])} chưa kết thúc, tạm tính đến "
                f"{self._provisional_until(p['period_label'])}."
                for p in unfinished
            ),
            qd766_months=month_rows,
            indices=indices,
        )

    def _yearly(self, code: str, unit: dict[str, Any]) -> dict[str, Any]:
        """Year over year from mart_par_trend / mart_dti_trend: each year of the unit, and before its first year the
        view's previous_* values (for DTI, the results published last year) when the warehouse has no row of that
        year; a table and, from two years on, a line chart."""
        trend = self.data.par_trend if code == "par" else self.data.dti_trend
        mine = [(year, trend[year][unit["unit_code"]]) for year in sorted(trend) if unit["unit_code"] in trend[year]]
        rows = [self._year_row(code, year, r) for year, r in mine]
        if mine and not missing(mine[0][1].get("previous_total")):
            rows.insert(0, self._previous_year_row(code, *mine[0]))
        value_name = "Chỉ số (%)" if code == "par" else "Tổng điểm"
        chart = None
        if len(rows) > 1:
            chart = line_chart(
                f"{INDEX_TITLES[code]} qua các năm – {unit['unit_name']}",
                [str(r["year"]) for r in rows],
                [Series(value_name, [r["chart_value"] for r in rows])],
                y_max=100,
            )
        headers = ["Năm", "Tổng điểm", "Chỉ số (%)" if code == "par" else "Chỉ số", "Xếp loại", "Hạng"]
        change = "Thay đổi chỉ số (điểm %)" if code == "par" else "Thay đổi tổng điểm"
        headers += [f"{change} so với năm trước", "So với hạng năm trước", "Ghi chú"]
        return {
            "code": code,
            "title": INDEX_TITLES[code],
            "headers": headers,
            "rows": rows,
            "chart": chart,
            "value_name": value_name,
        }

    def _year_row(self, code: str, year: int, r: dict[str, Any]) -> dict[str, Any]:
        value = r["index_pct"] if code == "par" else r["index_value"]
        change = r.get("index_change") if code == "par" else r.get("total_change")  # PAR: index points; DTI: total
        unscored = _unscored(r)  # (no point drawn on the chart either)
        return {
            "year": year,
            "link": year in (self.data.par if code == "par" else self.data.dti),
            "total": "–" if unscored else number(r["total"]),
            "value": "–" if unscored else number(value, 2 if code == "par" else 4),
            "band": r.get("band") or "–",
            "rank": r["rank"] if r["rank"] is not None else "–",
            "change": "" if change is None or missing(change) else ("+" if change > 0 else "") + number(change),
            "movement": rank_movement(r.get("rank_change")),
            "note": index_mark({**r, "band": None}),
            "chart_value": None if unscored else value if code == "par" else r["total"],
        }

    def _previous_year_row(self, code: str, year: int, r: dict[str, Any]) -> dict[str, Any]:
        """The year before ``year`` as the view gives it beside ``year`` (previous_total, _rank, _band …)."""
        value = r.get("previous_index_pct") if code == "par" else None  # the DTI view has last year's total only
        return {
            "year": year - 1,
            "link": year - 1 in (self.data.par if code == "par" else self.data.dti),
            "total": number(r["previous_total"]),
            "value": number(value),
            "band": r.get("previous_band") or "–",
            "rank": r["previous_rank"] if r.get("previous_rank") is not None else "–",
            "change": "",
            "movement": rank_movement(None),
            "note": _previous_note(r) if code == "dti" else "",
            "chart_value": value if code == "par" else r["previous_total"],
        }

    def _method(self) -> None:
        blocks = []
        for code in ("qd766", "par", "dti"):
            rows = self.data.method.get(code, [])
            if not rows:
                continue
            trees: dict[tuple, list[dict[str, Any]]] = {}
            for r in rows:
                trees.setdefault((r["ranking_group"], r["tree"]), []).append(r)
            # each tree's legal basis above its own table (agencies and communes have their own decisions), said
            # once where the next tree has the same
            decisions = [tree_rows[0].get("decision") or "" for tree_rows in trees.values()]
            blocks.append(
                {
                    "code": code,
                    "title": INDEX_TITLES[code],
                    "trees": [
                        {
                            "basis": _basis(decision) if i == 0 or decision != decisions[i - 1] else "",
                            "caption": f"Năm {tree_rows[0]['year']}" + (f" – {group_label(group)}" if group else ""),
                            "rows": [
                                {
                                    "kind": r["kind"],
                                    "code": r["code"],
                                    "name": r["name"],
                                    "max": number(r["max_points"], trim=True),
                                    "rule": r.get("rule_text") or "",
                                }
                                for r in tree_rows
                            ],
                        }
                        for i, ((group, _), tree_rows, decision) in enumerate(zip(trees, trees.values(), decisions, strict=True))
                    ],
                }
            )
        self.page("phuong-phap.html", "method.html", "Phương pháp tính điểm", blocks=blocks)


def build_site(con: duckdb.DuckDBPyConnection, out: Path, *, province: str, generated_at: datetime, internal: bool) -> list[Path]:
    """Write the site into ``out`` (replaced whole: built beside it, then swapped in). Returns the pages written."""
    old = out.with_name(f".{out.name}.old")
    if not out.exists() and old.exists():  # a run killed between the two renames below: put the last site back
        old.rename(out)
    data = read_site_data(con, province=province, generated_at=generated_at, internal=internal)
    staging = out.with_name(f".{out.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    pages = SiteWriter(data, staging, internal=internal).write()
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return [out / p.relative_to(staging) for p in pages]


def publish_sites(snapshot_db: Path, folder: Path, *, province: str, generated_at: datetime) -> dict[str, list[Path]]:
    """Both builds (``folder``/cong-khai and ``folder``/noi-bo) from the published snapshot, opened read-only: the site
    shows exactly what analysts see. Used by the asset web_publication and by `make restore`. Returns the pages of
    each build."""
    with duckdb.connect(str(snapshot_db), read_only=True) as con:
        return {
            name: build_site(con, folder / name, province=province, generated_at=generated_at, internal=name == INTERNAL)
            for name in (PUBLIC, INTERNAL)
        }
