"""PAR index (Chỉ số CCHC) in the warehouse: the units' self-assessments, the council's appraisal and the surveys
as staged rows, the criteria the warehouse measures itself ("thu thập một lần, sử dụng nhiều lần"), and the
scorecards per criterion, domain and unit. The points come from scoring/criteria.py and the methodology files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from common.units import UnitMatcher
from scoring.criteria import CriteriaTree, CriterionInput, score_unit, tree_for
from scoring.criteria_table import tree_rows
from scoring.ranking import group_average, rank_within
from sources.assessment_forms import FormResult, folder_of
from sources.csvfiles import FileIssue, ReadResult
from sources.intake import still_being_written
from sources.table_files import TABLE_SUFFIXES
from warehouse.criteria_dim import write_dim_criterion
from warehouse.labels import label_units
from warehouse.landing import (
    FILE_ISSUE_INSERT,
    earlier_good_load,
    file_issue_rows,
    first_loaded_at,
    inbox_workbooks,
    insert_frame,
    insert_many,
    keep_earlier_load,
    keep_gone_files,
    modified_at,
    read_safely,
    record_deferred,
    record_file,
    record_subfolder_files,
    record_unread,
    transaction,
    year_files,
)
from warehouse.measures import computed_values
from warehouse.queries import sql

INDEX = "par"


def load_assessment_inputs(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    year: int,
    matcher: UnitMatcher,
    now: datetime,
    assessed_years: frozenset[int] = frozenset(),
    index: str = INDEX,
    *,
    withdraw: bool = False,
) -> dict:
    """Stage the year's self-assessment forms of an index (the latest submission per unit wins, the others are kept
    as superseded), the council's appraisal and the survey results. Every file is recorded with its problems; a form
    of a year that is not assessed (``assessed_years``) is recorded as a wrong-year form by every run.

    Every file of the form and appraisal folders is read or refused (``sources.excel_intake``: .xls, .ods, an HTML
    table read; a CSV, PDF or broken file refused saying what it is). A broken, empty or cut-short re-delivery of a
    form or appraisal that loaded well (same name) is refused (``redelivery_refused``) and its earlier rows stay;
    a file still being copied is left for the next run; an appraisal file whose name carries no year is reported.
    A file that loaded and is no longer in its folder keeps its rows with a note (``file_gone``), unless ``withdraw``
    (the asset's config) takes them out."""
    from sources.assessment_forms import AppraisalResult, SurveyResult, read_appraisal, read_survey

    trees = _trees_of_this_load()
    forms = _read_forms(inbox, year, matcher, assessed_years, index, trees)
    # A file whose name carries only years no run reads, or one in a sub-folder, is reported by every run.
    appraisal_found = year_files(inbox / folder_of(index, "appraisal"), year, run_years=assessed_years)
    appraisal_files = appraisal_found.of_year
    # Surveys are CSV files or Excel workbooks (offices save them from Excel) named with their year, in any letter case
    # (KHAO_SAT_2026.CSV as Windows keeps it); a file without a year, or of another kind (.pdf), is refused with the
    # reason, never passed over.
    survey_found = year_files(inbox / folder_of(index, "survey"), year, TABLE_SUFFIXES, assessed_years)
    appraisals = [
        (
            p,
            read_safely(
                lambda p=p: read_appraisal(p, matcher, trees=trees, year=year, index=index, watch=still_being_written),
                p,
                AppraisalResult,
            ),
        )
        for p in appraisal_files
    ]
    surveys = [
        (p, read_safely(lambda p=p: read_survey(p, matcher, trees=trees, year=year, index=index), p, SurveyResult))
        for p in survey_found.of_year
    ]
    form_source, appraisal_source = f"{index}_form", f"{index}_appraisal"
    with transaction(con):
        kept_forms = [
            p.name
            for p, r in forms
            if (not withdraw and _another_units_form(con, index, year, p, r, matcher, now))
            or keep_earlier_load(con, form_source, p, r, now, labels=_labels(index, year, "form", r))
        ]
        kept_appraisals = [
            p.name
            for p, r in appraisals
            if keep_earlier_load(con, appraisal_source, p, r, now, labels=_labels(index, year, "appraisal", r))
        ]
        # An empty, broken or cut-short re-delivery of a survey keeps the earlier good load, as for an appraisal.
        kept_surveys = [
            p.name
            for p, r in surveys
            if keep_earlier_load(con, f"{index}_survey", p, r, now, labels=_labels(index, year, "survey", r))
        ]
        gone = _gone_files(con, index, year, now, {"form": forms, "appraisal": appraisals, "survey": surveys}, withdraw)
        kept_forms += gone["form"]
        kept_appraisals += gone["appraisal"]
        kept_surveys += gone["survey"]
        forms = [(p, r) for p, r in forms if p.name not in kept_forms]
        appraisals = [(p, r) for p, r in appraisals if p.name not in kept_appraisals]
        surveys = [(p, r) for p, r in surveys if p.name not in kept_surveys]
        usable = [(p, r) for p, r in forms if r.loadable and r.unit_code and not any(i.blocking for i in r.file_issues)]
        # A kept form competes for "latest" with what it was when it loaded; a newer form of its unit supersedes it.
        earlier = con.execute(
            """SELECT unit_code, submitted_at, source_file, loaded_at FROM stg_assessment_submission
                                 WHERE year = ? AND index_code = ? AND list_contains(?, source_file)""",
            [year, index, kept_forms],
        ).fetchall()
        named = [(p, r) for p, r in forms if r.unit_code]
        arrivals = {p.name: first_loaded_at(con, form_source, p.name, r.sha256, now) for p, r in named}
        # A 'Ngày lập phiếu' that cannot be true (a typo year) is noted and replaced by the day the file was received;
        # also on an unusable form: of a unit's unusable forms the newest is the one the quality check names.
        dates = {p.name: _form_date(p, r, year, _received(arrivals[p.name], modified_at(p))) for p, r in named}
        orders = {p.name: form_order(dates[p.name], arrivals[p.name], modified_at(p), p.name) for p, r in usable}
        # (a TIMESTAMP column: the date of submitted_at; a kept form arrived when it first loaded)
        earlier = [
            (
                u,
                form_order(
                    trusted_form_date(d.date() if isinstance(d, datetime) else d, year, a or now)[0], a or now, datetime.min, n
                ),
            )
            for u, d, n, a in earlier
        ]
        latest: dict[str, FormOrder] = {}
        for unit, order in [*((r.unit_code, orders[p.name]) for p, r in usable), *earlier]:
            latest[unit] = max(latest.get(unit, order), order)
        _note_superseded(usable, orders, latest)
        submissions, selfs = _submission_rows(forms, usable, orders, latest, year, index, now, dates)
        for table, kept in (
            ("stg_assessment_submission", kept_forms),
            ("stg_assessment_self", kept_forms),
            ("stg_assessment_appraisal", kept_appraisals),
            ("stg_assessment_survey", kept_surveys),
        ):
            con.execute(
                f"DELETE FROM {table} WHERE year = ? AND index_code = ? AND NOT list_contains(?, source_file)",
                [year, index, kept],
            )
        insert_frame(con, "stg_assessment_submission", pd.DataFrame(submissions))
        insert_frame(con, "stg_assessment_self", pd.DataFrame(selfs))
        _supersede_earlier(con, earlier, latest, year, index)
        # Of two appraisal files giving a unit's criterion, the one delivered later wins, as for surveys (a corrected
        # 'tham_dinh_2026 (1).xlsx' sorts before the original by name only).
        handed_in = _delivery_order(con, appraisal_source, [(p, r) for p, r in appraisals if r.loadable], kept_appraisals, now)
        for name in kept_appraisals:
            con.execute(
                "UPDATE stg_assessment_appraisal SET delivery_order = ? WHERE year = ? AND index_code = ? AND source_file = ?",
                [handed_in[name], year, index, name],
            )
        insert_frame(
            con,
            "stg_assessment_appraisal",
            pd.DataFrame(
                [
                    {
                        "source_file": p.name,
                        "index_code": index,
                        "unit_code": x["unit_code"],
                        "year": year,
                        "code": x["code"],
                        "appraised_points": x["appraised_points"],
                        "comment": x.get("comment"),
                        "delivery_order": handed_in[p.name],
                        "not_applicable": x.get("not_applicable", False),
                    }
                    for p, r in appraisals
                    if r.loadable
                    for x in r.rows
                ]
            ),
        )
        delivery = _delivery_order(con, f"{index}_survey", [(p, r) for p, r in surveys if r.loadable], kept_surveys, now)
        for name in kept_surveys:
            con.execute(
                "UPDATE stg_assessment_survey SET delivery_order = ? WHERE year = ? AND index_code = ? AND source_file = ?",
                [delivery[name], year, index, name],
            )
        insert_frame(
            con,
            "stg_assessment_survey",
            pd.DataFrame(
                [
                    {
                        "source_file": p.name,
                        "index_code": index,
                        "unit_code": x["unit_code"],
                        "year": year,
                        "survey": x["survey"],
                        "code": x["code"],
                        "points": x["points"],
                        "delivery_order": delivery[p.name],
                    }
                    for p, r in surveys
                    if r.loadable
                    for x in r.rows
                ]
            ),
        )
        _record_input_files(con, index, year, now, {"form": forms, "appraisal": appraisals, "survey": surveys})
        record_unread(
            con,
            appraisal_source,
            appraisal_found,
            f"Đặt tên tệp có năm, ví dụ tham_dinh_{year}.xlsx",
            now,
        )
        record_unread(
            con,
            f"{index}_survey",
            survey_found,
            SURVEY_NAME_HINT.format(year=year),
            now,
            labels=_labels(index, year, "survey", None),
        )
        # A form put in a sub-folder (a unit's re-send in 'gui_lai/') is not read: refused naming it, by every run.
        record_subfolder_files(con, form_source, inbox / folder_of(index, "form"), None, now, {"index_code": index})
    return {
        "forms": len(forms) + len(kept_forms),
        "forms_usable": len(usable),
        "forms_kept": len(kept_forms),
        "units_with_form": len(latest),
        "superseded": sum(s["superseded"] for s in submissions if s["hard_errors"] == 0),
        "appraisal_rows": sum(len(r.rows) for _, r in appraisals if r.loadable),
        "appraisals_kept": len(kept_appraisals),
        "survey_rows": sum(len(r.rows) for _, r in surveys if r.loadable),
    }


# Where each kind of assessment file's rows are staged.
_STAGED = {"form": "stg_assessment_submission", "appraisal": "stg_assessment_appraisal", "survey": "stg_assessment_survey"}


def _another_units_form(
    con: duckdb.DuckDBPyConnection, index: str, year: int, path: Path, result: Any, matcher: UnitMatcher, now: datetime
) -> bool:
    """True (the file refused, the earlier load kept) when the file now holds another unit's form than the one it
    loaded with: units sending the same name ("Phieu_tu_danh_gia_2026.xlsx") save over each other's file in a shared
    inbox, and the earlier unit's form, in the warehouse alone, was replaced without a word."""
    earlier = con.execute(
        "SELECT any_value(unit_code) FROM stg_assessment_submission WHERE year = ? AND index_code = ? AND source_file = ?",
        [year, index, path.name],
    ).fetchall()[0][0]
    if earlier is None or result.unit_code is None or earlier == result.unit_code:
        return False
    source, labels = f"{index}_form", _labels(index, year, "form", result)
    reason = (
        f"Tệp {path.name} đã nạp là phiếu của {matcher.units[earlier].name} ({earlier}), nay là phiếu của "
        f"{matcher.units[result.unit_code].name} ({result.unit_code}): có lẽ hai đơn vị gửi cùng tên tệp và tệp sau "
        f"ghi đè tệp trước. Giữ phiếu đã nạp của {matcher.units[earlier].name}; đề nghị "
        f"{matcher.units[result.unit_code].name} gửi lại phiếu với tên tệp khác (thêm tên đơn vị vào tên tệp). Nếu "
        f"phiếu đã nạp là nhầm và tệp này mới đúng, chạy lại {index}_inputs với cấu hình withdraw: true để thay "
        "(lần chạy đó cũng rút số liệu của các tệp không còn trong hộp thư)."
    )
    # The same refusal seen again keeps the time it was first recorded: a rerun changes nothing.
    seen = con.execute(
        "SELECT min(loaded_at) FROM file_issues WHERE source = ? AND file_name = ? AND rule = ?",
        [source, path.name, UNIT_CHANGED_RULE],
    ).fetchall()[0][0]
    # (only this refusal is replaced: the file's other notes are those of the form still in use)
    con.execute("DELETE FROM file_issues WHERE source = ? AND file_name = ? AND rule = ?", [source, path.name, UNIT_CHANGED_RULE])
    issue = FileIssue(UNIT_CHANGED_RULE, reason)
    insert_many(con, FILE_ISSUE_INSERT, file_issue_rows(source, path.name, None, [issue], seen or now, labels))
    return True


UNIT_CHANGED_RULE = "form_of_another_unit"


def _gone_files(
    con: duckdb.DuckDBPyConnection, index: str, year: int, now: datetime, present: dict[str, list], withdraw: bool
) -> dict[str, list[str]]:
    """Per kind, the year's files that loaded and are gone from their folder, whose rows are kept: moved or deleted by
    mistake, a form or the council's appraisal took the unit's scores with it, in silence, while its lineage still
    said loaded. Forgotten with their records instead: with ``withdraw``, a file whose content is present under
    another name (renamed), and a form a later one had superseded (it gives nothing)."""
    kept: dict[str, list[str]] = {}
    for kind, table in _STAGED.items():
        source = f"{index}_{kind}"
        names = {p.name for p, _ in present[kind]}
        shas = {r.sha256 for _, r in present[kind]}
        superseded = "bool_and(s.superseded)" if kind == "form" else "false"
        unit = "any_value(s.unit_code)" if kind == "form" else "NULL"
        loaded = con.execute(
            f"""SELECT s.source_file, any_value(l.sha256), any_value(l.partition_date), {unit}, {superseded}
                FROM {table} s LEFT JOIN landed_files l ON l.source = ? AND l.file_name = s.source_file
                WHERE s.year = ? AND s.index_code = ? GROUP BY s.source_file ORDER BY 1""",
            [source, year, index],
        ).fetchall()
        note = (
            f"Tệp không còn trong thư mục {folder_of(index, kind)}/ của hộp thư đến; các dòng đã nạp của tệp vẫn được "
            f"dùng. Nếu bị chuyển hoặc xóa nhầm, đưa tệp lại; muốn rút tệp này, chạy lại {index}_inputs của năm {year} "
            "với cấu hình withdraw: true."
        )
        files = [
            (name, sha, day, {"index_code": index, "unit_code": unit_code, "year": year}, replaced)
            for name, sha, day, unit_code, replaced in loaded
        ]
        kept[kind] = keep_gone_files(con, source, files, names, shas, withdraw=withdraw, note=note, now=now)
    return kept


def _trees_of_this_load() -> Callable[[str, int, str], CriteriaTree]:
    """``tree_for``, each (index, year, group) looked up once for one load: the appraisal and survey readers ask for
    the tree of every row (3,700 times for a province's year, each listing the methodology folder and reading the
    settings, 0.3 s), and the folder is not meant to change during a load."""
    found: dict[tuple[str, int, str], CriteriaTree | Exception] = {}

    def trees(index: str, year: int, group: str) -> CriteriaTree:
        key = (index, year, group)
        if key not in found:
            try:
                found[key] = tree_for(index, year, group)
            except Exception as err:  # no file for that index, year and group: said again at each ask
                found[key] = err
        tree = found[key]
        if isinstance(tree, Exception):
            raise tree
        return tree

    return trees


def _read_forms(
    inbox: Path,
    year: int,
    matcher: UnitMatcher,
    assessed_years: frozenset[int],
    index: str,
    trees: Callable[[str, int, str], CriteriaTree] = tree_for,
) -> list:
    """(path, FormResult) of the forms of ``year`` in the index's form folder, and of the forms of years nobody
    assesses (refused as of the wrong year); another assessed year's forms are left to its own partition."""
    from sources.assessment_forms import FormResult, read_self_assessment, refuse_year

    forms = []
    for p in inbox_workbooks(inbox, folder_of(index, "form")):
        r = read_safely(
            lambda p=p: read_self_assessment(p, trees, matcher, index=index, watch=still_being_written), p, FormResult
        )
        if r.year is not None and r.year != year and r.year not in assessed_years:
            r = refuse_year(r, year)  # a year nobody assesses: recorded as a wrong-year form by every run
        elif r.year is not None and r.year != year:
            continue  # another assessed year's form: its own partition records it
        forms.append((p, r))
    return forms


# How a unit's forms are ordered (the last is its latest): see form_order.
FormOrder = tuple[date, datetime, datetime, str]


def form_order(submitted: date | None, arrived: datetime, modified: datetime, name: str) -> FormOrder:
    """By 'Ngày lập phiếu', a form whose date is missing or unreadable counting from the day it arrived (a correction
    typed '20-11-2026' is not older than every form); on the same day, the one that arrived later (the first load of
    its content, as progress reports are ordered in warehouse/tasks.py), then for forms first seen in one run the
    later saved (a corrected copy '… (2).xlsx' sorts before its original by name); then the name."""
    return (submitted or arrived.date(), arrived, modified, name)


def trusted_form_date(submitted: date | None, year: int, received: datetime) -> tuple[date | None, str | None]:
    """(the 'Ngày lập phiếu' a form of ``year`` may be ordered by, None; or None, the rule saying why not). A date
    after the day the file was received (``future_form_date``), or outside the assessed year and the next one when
    the appraisal is done (``form_date_outside_year``), is a typo: trusted, 09/11/2062 made the form the newest for
    ever (no correction could replace it) and 20/11/2016 the oldest (it could replace nothing). Such a form counts
    from the day its file was received (``_form_date``)."""
    if submitted is None:
        return None, None
    if submitted > received.date():
        return None, "future_form_date"
    if submitted.year not in (year, year + 1):
        return None, "form_date_outside_year"
    return submitted, None


def _received(arrived: datetime, modified: datetime) -> datetime:
    """When a form's file was received: the first load of its content, or its time on disk when earlier (a file
    saved days before this run first saw it); never after the run's now (``arrived`` is at most that)."""
    return min(arrived, modified) if modified != datetime.min else arrived


def _form_date(path: Path, result: FormResult, year: int, received: datetime) -> date | None:
    """The date a form is ordered by: its 'Ngày lập phiếu' (None when missing or unreadable), or when that
    cannot be true (``trusted_form_date``) the day its file was received, with a note naming the file, the cell and
    the date (as progress reports say ``future_report_date``)."""
    submitted = result.submitted_on
    trusted, rule = trusted_form_date(submitted, year, received)
    if rule is None or submitted is None:
        return trusted
    where = f", trang '{result.sheet}', ô {result.submitted_cell}" if result.sheet and result.submitted_cell else ""
    why = (
        f"sau ngày nhận tệp {received:%d/%m/%Y}"
        if rule == "future_form_date"
        else f"không thuộc năm đánh giá {year} hay năm {year + 1}"
    )
    result.file_issues.append(
        FileIssue(
            rule,
            f"Tệp '{path.name}'{where}: 'Ngày lập phiếu' {submitted:%d/%m/%Y} {why}; ngày này không được dùng để xác "
            f"định phiếu lập sau, phiếu được xếp theo ngày nhận tệp ({received:%d/%m/%Y}). Đề nghị đơn vị kiểm tra lại "
            "ngày lập phiếu.",
            blocking=False,
        )
    )
    return received.date()


def _note_superseded(usable: list, orders: dict[str, FormOrder], latest: dict[str, FormOrder]) -> None:
    """Each usable form that is not its unit's latest says which form replaced it (a note, in file_issues)."""
    for p, r in usable:
        newest = latest[r.unit_code]
        if orders[p.name] != newest:
            r.file_issues.append(
                FileIssue(
                    "superseded_form",
                    f"Phiếu được thay bằng phiếu '{newest[3]}' của cùng đơn vị, lập hoặc gửi sau: phiếu này không được "
                    "dùng để chấm.",
                    blocking=False,
                )
            )


def _submission_rows(
    forms: list,
    usable: list,
    orders: dict[str, FormOrder],
    latest: dict[str, FormOrder],
    year: int,
    index: str,
    now: datetime,
    dates: dict[str, date | None],
) -> tuple[list[dict], list[dict]]:
    """(stg_assessment_submission rows, stg_assessment_self rows) of the forms naming a unit; a form is superseded
    unless it is usable and its unit's latest. ``dates``: the date each form is ordered by (``_form_date``),
    stored as its ``submitted_at`` so a kept form is ordered the same way by later runs."""
    submissions: list[dict] = []
    selfs: list[dict] = []
    for p, r in forms:
        if r.unit_code is None:
            continue
        superseded = (p, r) not in usable or latest.get(r.unit_code) != orders.get(p.name)
        hard = sum(i.blocking for i in r.file_issues) + len({x.get("row_number") for x in r.rejects})
        submissions.append(
            {
                "source_file": p.name,
                "sha256": r.sha256,
                "unit_code": r.unit_code,
                "year": year,
                "index_code": index,
                "submitted_at": dates.get(p.name, r.submitted_on),
                "difficulties": r.difficulties,
                "proposals": r.proposals,
                "hard_errors": hard,
                "superseded": superseded,
                "loaded_at": now,
            }
        )
        selfs += [
            {
                "source_file": p.name,
                "index_code": index,
                "unit_code": r.unit_code,
                "year": year,
                "code": x["code"],
                "self_answer": x.get("self_answer"),
                "self_points": x["self_points"],
                "evidence": x.get("evidence"),
                "explanation": x.get("explanation"),
                "superseded": superseded,
                "not_applicable": x.get("not_applicable", False),
            }
            for x in r.rows
        ]
    return submissions, selfs


def _supersede_earlier(
    con: duckdb.DuckDBPyConnection, earlier: list, latest: dict[str, FormOrder], year: int, index: str
) -> None:
    """The kept forms' rows are superseded unless the form is still its unit's latest."""
    for unit, order in earlier:
        superseded, name = latest[unit] != order, order[3]
        for table in ("stg_assessment_submission", "stg_assessment_self"):
            con.execute(
                f"""UPDATE {table} SET superseded = ? WHERE year = ? AND index_code = ? AND source_file = ?
                            AND unit_code = ?""",
                [superseded, year, index, name, unit],
            )


def _record_input_files(con: duckdb.DuckDBPyConnection, index: str, year: int, now: datetime, files: dict[str, list]) -> None:
    """Every file read, with its problems (a file still being copied: deferred to the next run)."""
    for kind, items in files.items():
        for p, r in items:
            if getattr(r, "deferred", False):
                record_deferred(con, f"{index}_{kind}", p, r, now)
            else:
                record_file(
                    con, f"{index}_{kind}", p, r, now, rejects=_with_criterion(r.rejects), labels=_labels(index, year, kind, r)
                )


def _with_criterion(rejects: list[dict]) -> list[dict]:
    """An assessment file's rejected rows name their criterion in ``record_key`` (sources/par_forms.py)."""
    return [{**x, "criterion_code": x.get("criterion_code") or x.get("record_key")} for x in rejects]


def _labels(index: str, year: int, kind: str, result: object) -> dict:
    """Year, index and unit written on the quarantine rows and file issues of one form, appraisal or survey file. A
    form whose year could not be read has none (it concerns any year, as before); an appraisal or survey belongs to
    the year its name carries, the run's."""
    form_year = getattr(result, "year", None)
    return {
        "index_code": index,
        "unit_code": getattr(result, "unit_code", None),
        "year": year if kind != "form" or form_year is not None else None,
    }


def _delivery_order(
    con: duckdb.DuckDBPyConnection, source: str, loaded: list[tuple[Path, ReadResult]], kept: list[str], now: datetime
) -> dict[str, int]:
    """The order the year's survey or appraisal files arrived in (1 = first): by the first load of their content, then
    their time on disk, then name. Of two files giving a unit's criterion the later wins: a browser's
    'khao_sat_2026 (1).csv' sorts before the original by name only. A kept file (its re-delivery was refused) arrived
    with its kept content."""
    arrival = [(first_loaded_at(con, source, p.name, r.sha256, now), modified_at(p), p.name) for p, r in loaded]
    for name in kept:
        earlier = earlier_good_load(con, source, name)
        arrival.append((first_loaded_at(con, source, name, earlier[0], now) if earlier else now, datetime.min, name))
    return {name: i for i, (_, _, name) in enumerate(sorted(arrival), 1)}


SURVEY_NAME_HINT = (
    "Tệp khảo sát phải là tệp .csv (UTF-8) hoặc bảng tính Excel (.xlsx, .xls, .ods) có năm trong tên, ví dụ "
    "khao_sat_{year}.csv hoặc khao_sat_{year}.xlsx"
)


def load_par_inputs(
    con: duckdb.DuckDBPyConnection,
    inbox: Path,
    year: int,
    matcher: UnitMatcher,
    now: datetime,
    assessed_years: frozenset[int] = frozenset(),
    *,
    withdraw: bool = False,
) -> dict:
    return load_assessment_inputs(con, inbox, year, matcher, now, assessed_years, INDEX, withdraw=withdraw)


def hard_errors(con: duckdb.DuckDBPyConnection, year: int, index: str = INDEX) -> list[tuple[str, str, str]]:
    """(unit, file, reason) of every unit whose current form for the year cannot be used as it is: the blocking
    check lists them. A unit whose broken form was followed by a good one is fine."""
    return con.execute(sql("assessment/hard_errors"), {"year": year, "index_code": index, "source": f"{index}_form"}).fetchall()


def refused_forms(
    con: duckdb.DuckDBPyConnection, year: int, index: str = INDEX, *, rejected_rows_ok: bool = False
) -> dict[str, str]:
    """unit → why its current form was refused ("<file>: <reasons>"), for the units whose current form cannot be used
    (any hard error; with ``rejected_rows_ok`` only a form that could not be loaded at all). Such a unit is scored
    without the form, like a unit that sent none: listed, not ranked, no level, and flagged with this text."""
    _, usable = submission_notes(con, year, index, rejected_rows_ok=rejected_rows_ok)
    out = {}
    for unit, file_name, reasons in hard_errors(con, year, index):
        if unit in usable:
            continue
        parts = [r.strip().rstrip(".") for r in (reasons or "").split("; ") if r.strip()] or ["phiếu có lỗi"]
        shown = "; ".join(parts[:3]) + (f"; … ({len(parts)} lỗi)" if len(parts) > 3 else "")
        out[unit] = f"{file_name}: {shown}"
    return out


def assessment_inputs(
    con: duckdb.DuckDBPyConnection, year: int, index: str = INDEX, *, rejected_rows_ok: bool = True
) -> dict[str, dict[str, CriterionInput]]:
    """unit code → criterion code → the unit's current self-assessment (only from a usable form: without
    ``rejected_rows_ok`` a form with rejected rows is not used at all), the appraisal and the survey points."""
    inputs: dict[str, dict[str, CriterionInput]] = defaultdict(dict)

    def slot(unit: str, code: str) -> CriterionInput:
        return inputs[unit].setdefault(code, CriterionInput())

    which = {"year": year, "index_code": index}
    for unit, code, points, answer, not_applicable in con.execute(
        sql("assessment/self_assessments"), which | {"rejected_rows_ok": rejected_rows_ok}
    ).fetchall():
        slot(unit, code).self_points = points
        slot(unit, code).self_answer = answer
        slot(unit, code).self_not_applicable = bool(not_applicable)
    # A corrected appraisal or survey file beside the original: the one delivered last wins, never a sum.
    for unit, code, points, not_applicable in con.execute(sql("assessment/appraised_points"), which).fetchall():
        slot(unit, code).appraised_points = points
        slot(unit, code).appraised_not_applicable = bool(not_applicable)
    for unit, code, points, not_surveyed in con.execute(sql("assessment/survey_points"), which).fetchall():
        slot(unit, code).survey_points = points
        slot(unit, code).survey_not_conducted = bool(not_surveyed)
    return inputs


def submission_notes(
    con: duckdb.DuckDBPyConnection, year: int, index: str = INDEX, *, rejected_rows_ok: bool = False
) -> tuple[dict[str, tuple[str | None, str | None]], set[str]]:
    """(unit → (difficulties, proposals) of its current form, units whose current form is usable). A current form
    is always a readable file; with ``rejected_rows_ok`` one with rejected rows still counts (those criteria are
    then missing), otherwise it must have none (PAR: the blocking check lists it until the unit resends)."""
    which = {"year": year, "index_code": index}
    notes = {u: (d, p) for u, d, p in con.execute(sql("assessment/current_notes"), which).fetchall()}
    usable = {
        u for (u,) in con.execute(sql("assessment/usable_forms"), which | {"rejected_rows_ok": rejected_rows_ok}).fetchall()
    }
    return notes, usable


def refresh_scorecards(con: duckdb.DuckDBPyConnection, year: int, now: datetime, department_code: str | None = None) -> dict:
    """Score every unit of the master data for the year with its group's tree and replace the year's marts. A unit
    whose current form has hard errors is scored without it (as a unit that sent none: listed, not ranked, no band)
    and flagged with why in ``form_refused``; every other unit is ranked."""
    units = con.execute("SELECT unit_code, unit_name, unit_group, ranking_group FROM dim_unit ORDER BY sort_order").fetchall()
    inputs = assessment_inputs(con, year, rejected_rows_ok=False)
    refused = refused_forms(con, year)
    trees = {g: tree_for(INDEX, year, g) for g in ("agency", "local")}
    values = computed_values(con, year, {n.formula for t in trees.values() for n in t.leaves if n.formula}, department_code)
    notes, with_form = submission_notes(con, year)
    criteria, domains, unit_rows = [], [], []
    for code, name, group, ranking_group in units:
        tree = trees[ranking_group]
        given = {k: v for k, v in inputs.get(code, {}).items() if k in {n.code for n in tree.leaves}}
        for leaf in tree.leaves:
            if leaf.method == "computed" and (code, leaf.formula) in values:
                given.setdefault(leaf.code, CriterionInput()).computed_value = values[(code, leaf.formula)]
        score = score_unit(tree, group, given)
        criteria += [
            {
                **{
                    k: r[k]
                    for k in (
                        "code",
                        "domain",
                        "name",
                        "method",
                        "max_points",
                        "applicable",
                        "self_points",
                        "appraised_points",
                        "survey_points",
                        "computed_value",
                        "points",
                        "points_lost",
                        "source",
                        "overclaim",
                    )
                },
                "year": year,
                "unit_code": code,
                "tree": tree.path.name,
            }
            for r in score.criteria
        ]
        domains += [
            {
                "year": year,
                "unit_code": code,
                "domain": d["code"],
                "name": d["name"],
                "max_points": d["max_points"],
                "points": d["points"],
                "points_lost": d["points_lost"],
            }
            for d in score.domains
        ]
        difficulties, proposals = notes.get(code, (None, None))
        unit_rows.append(
            {
                "year": year,
                "unit_code": code,
                "unit_name": name,
                "ranking_group": ranking_group,
                "tree": tree.path.name,
                "total": score.total,
                "max_applicable": score.max_applicable,
                "index_pct": score.index_pct,
                "band": score.band if code in with_form else None,
                "provisional": score.provisional,
                "has_form": code in with_form,
                "form_refused": refused.get(code),
                "difficulties": difficulties,
                "proposals": proposals,
            }
        )
    frame = pd.DataFrame(unit_rows)
    # Only units with a usable form are ranked and make the group average; the others are listed, not ranked.
    ranked = rank_within(frame, by=("year", "ranking_group"), score="index_pct", evaluated=None, eligible="has_form")
    with_form = ranked["index_pct"].where(ranked["has_form"])
    ranked["group_average_pct"] = group_average(with_form, [ranked["year"], ranked["ranking_group"]])
    with transaction(con):
        for table in ("mart_par_criterion", "mart_par_domain", "mart_par_unit"):
            con.execute(f"DELETE FROM {table} WHERE year = ?", [year])
        insert_frame(con, "mart_par_criterion", pd.DataFrame(criteria))
        insert_frame(con, "mart_par_domain", pd.DataFrame(domains))
        insert_frame(con, "mart_par_unit", ranked)
        label_units(con, "mart_par_criterion", "mart_par_domain", "mart_par_unit")
        write_dim_criterion(con, [r for t in trees.values() for r in tree_rows(t)], now, year=year, index_code=INDEX)
    return {
        "units": len(unit_rows),
        "provisional": int(frame["provisional"].sum()),
        "with_form": len(with_form),
        "forms_refused": len(refused),
        "overclaims": sum(r["overclaim"] for r in criteria),
    }


def forms_check(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """What makes the year's whole PAR ranking wrong (empty: fine): a criteria tree that cannot be loaded, or no unit
    with a usable form. One unit's refused form is not among them: that unit is left unranked and flagged."""
    problems = []
    for group in ("agency", "local"):
        try:
            tree_for(INDEX, year, group)
        except Exception as err:  # the tree file is missing or invalid: no unit of the group can be scored
            problems.append(f"bộ tiêu chí năm {year} nhóm {group}: {err}")
    _, usable = submission_notes(con, year)
    if not usable:
        problems.append(f"năm {year}: không đơn vị nào có phiếu tự đánh giá dùng được")
    return problems


def appraisal_contradictions(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """Units whose council appraisal gives 0 on every appraised criterion (at least ``MIN_APPRAISED``) while their own
    usable form gave points on them: an appraisal entered for the wrong unit, or of a form the council never saw. The
    scores follow the appraisal, as the methodology says; this only asks for a look before publication."""
    rows = con.execute(
        """SELECT any_value(unit_name), count(appraised_points), sum(self_points)
           FROM mart_par_criterion
           WHERE year = ? AND applicable AND appraised_points IS NOT NULL
           GROUP BY unit_code
           HAVING count(appraised_points) >= ? AND max(appraised_points) = 0 AND sum(self_points) > 0
           ORDER BY any_value(sort_key)""",
        [year, MIN_APPRAISED],
    ).fetchall()
    return [
        f"{name}: thẩm định cho 0 điểm cả {n} tiêu chí, trong khi phiếu tự đánh giá của đơn vị chấm {points:g} điểm"
        for name, n, points in rows
    ]


MIN_APPRAISED = 5  # fewer zeros than this may be real (criteria the unit did not do)


def scorecard_problems(con: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """Values of the year's PAR marts that cannot be published (empty: fine): a unit of the master data missing,
    points outside [0, maximum], an index outside 0..100, a unit ranked without a usable form."""
    checks = [
        (
            """SELECT u.unit_code FROM dim_unit u LEFT JOIN mart_par_unit m ON m.unit_code = u.unit_code AND m.year = ?
            WHERE m.unit_code IS NULL""",
            "không có trong bảng xếp hạng",
        ),
        (
            (
                "SELECT unit_code FROM mart_par_unit WHERE year = ? AND (index_pct < 0 OR index_pct > 100 OR total < 0 "
                "OR total > max_applicable + 1e-6)"
            ),
            "tổng điểm hoặc chỉ số ngoài khoảng cho phép",
        ),
        (
            "SELECT DISTINCT unit_code FROM mart_par_criterion WHERE year = ? AND (points < 0 OR points > max_points + 1e-6)",
            "điểm tiêu chí ngoài [0, điểm tối đa]",
        ),
        (
            "SELECT unit_code FROM mart_par_unit WHERE year = ? AND NOT has_form AND rank IS NOT NULL",
            "chưa có phiếu dùng được nhưng vẫn được xếp hạng",
        ),
    ]
    return [f"{unit}: {what}" for sql, what in checks for (unit,) in con.execute(sql, [year]).fetchall()]
