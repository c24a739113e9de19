"""Write the TTHC source into the warehouse: units, catalogue, daily dossier partitions, current state.

Each write deletes what it replaces first, so a rerun of any partition gives the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from common.db import scalar
from common.periods import days_between
from common.pii import PiiKeys, mask_personal_columns, mask_quote
from common.settings import now_local
from common.units import GROUP_LABELS, Unit, UnitMatcher
from common.vntext import count_text
from sources.csvfiles import FileIssue, purge_work_copies
from sources.profiles import SourceProfile
from sources.tthc_catalogue import CatalogueResult
from sources.tthc_dossiers import (
    CENTRE_LIMIT,
    CODE_PSEUDONYM_MARK,
    ExportFile,
    StagingResult,
    drop_staging,
    export_files,
    stage_dossier_exports,
    unnamed_exports,
)
from sources.tthc_format import FINISHED_STATUSES, dossier_file_name, export_day
from warehouse.labels import label_units
from warehouse.landing import (
    ACCEPT_SMALLER_HINT,
    FILE_ISSUE_INSERT,
    LANDED_FILE_COLUMNS,
    LANDED_FILE_INSERT,
    QUARANTINE_INSERT,
    REDELIVERY_RULE,
    forget_gone,
    named_row,
    quarantine_row,
    record_refused,
    record_subfolder_files,
    redelivery_problem,
    shrink_problem,
    transaction,
)
from warehouse.landing import file_issue_rows as _file_issue_rows
from warehouse.landing import insert_many as _insert_many
from warehouse.quality_gate import write_gate_rows
from warehouse.queries import sql

DOSSIER_SOURCE = "tthc_dossier"
CATALOGUE_SOURCE = "tthc_catalogue"


def drop_legacy_pseudonyms(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the salted SHA-256 of ID numbers that earlier versions stored (``applicant_hash``): with a salt known to
    anyone it is reversible. The dossiers get their ``applicant_key`` when their days are loaded again."""
    for (table,) in con.execute("""SELECT table_name FROM duckdb_columns() WHERE database_name = current_database()
                                   AND schema_name = 'main' AND column_name = 'applicant_hash'""").fetchall():
        con.execute(f'ALTER TABLE "{table}" DROP COLUMN applicant_hash')


def load_units(con: duckdb.DuckDBPyConnection, units: tuple[Unit, ...]) -> int:
    con.execute("DELETE FROM dim_unit")
    _insert_many(
        con,
        sql("tthc/insert_unit"),
        [
            {
                "unit_code": u.code,
                "unit_name": u.name,
                "unit_group": u.group,
                "group_label": GROUP_LABELS[u.group],
                "ranking_group": u.ranking_group,
                "province": u.province,
                "portal_code": u.portal_code,
                "aliases": list(u.aliases),
                "sort_order": i,
                "master_source": u.master_source,
                "portal_department_id": u.department_id,
            }
            for i, u in enumerate(units)
        ],
    )
    label_units(con)  # the units' Vietnamese sort keys: a rerun of the master data alone left them NULL
    return len(units)


def _first_loaded(con: duckdb.DuckDBPyConnection, source: str, start: date | None, end: date | None) -> dict[tuple, datetime]:
    where, params = "source = ?", [source]
    if start is not None:
        where += " AND partition_date BETWEEN ? AND ?"
        params += [start, end]
    rows = con.execute(f"SELECT file_name, sha256, first_loaded_at FROM landed_files WHERE {where}", params).fetchall()
    return {(name, sha): first for name, sha, first in rows if sha}


def load_catalogue(
    con: duckdb.DuckDBPyConnection, path: Path, result: CatalogueResult, now: datetime, *, accept_smaller: bool = False
) -> dict:
    """Replace dim_procedure with a usable catalogue. One that cannot be used (unreadable, no rows, lost diacritics,
    cut short, still being copied, gone from the inbox; or far fewer procedures than the catalogue in use, unless
    ``accept_smaller``: ``shrink_problem``) never replaces the good one: its refusal goes to file_issues and the
    earlier catalogue stays; with no earlier catalogue, ``CatalogueUnusable`` is raised (a run without master data
    publishes nothing)."""
    earlier = scalar(con, "SELECT count(*) FROM dim_procedure")
    problem = result.unusable
    if problem is None and not accept_smaller:
        problem = shrink_problem(len(result.rows), earlier, ACCEPT_SMALLER_HINT.format(step="tthc_catalogue"))
    if problem:
        if not earlier:
            raise CatalogueUnusable(
                f"Danh mục TTHC {path.name} không dùng được ({problem}) và kho chưa có danh mục nào: "
                "không nạp hồ sơ, không công bố. Gửi lại danh mục đúng rồi chạy lại masterdata_refresh."
            )
        reason = mask_quote(  # as file_issue_rows stores it: the lookup below finds the refusal already recorded
            f"Danh mục giao lại không dùng được ({problem}): giữ danh mục đang dùng ({earlier} thủ tục); "
            "gửi lại tệp đúng để thay."
        )
        seen = scalar(
            con,
            "SELECT min(loaded_at) FROM file_issues WHERE source = ? AND rule = ? AND reason = ?",
            [CATALOGUE_SOURCE, REDELIVERY_RULE, reason],
        )
        with transaction(con):
            con.execute("DELETE FROM file_issues WHERE source = ?", [CATALOGUE_SOURCE])
            _insert_many(
                con,
                FILE_ISSUE_INSERT,
                _file_issue_rows(
                    CATALOGUE_SOURCE, path.name, None, [FileIssue(REDELIVERY_RULE, reason), *result.file_issues], seen or now
                ),
            )
        return {"procedures": earlier, "rejected_rows": 0, "status": "kept_earlier", "refused": problem}
    first = _first_loaded(con, CATALOGUE_SOURCE, None, None).get((path.name, result.sha256), now)
    with transaction(con):
        con.execute("DELETE FROM dim_procedure")
        _insert_many(
            con,
            sql("tthc/insert_procedure"),
            [
                {
                    **{
                        c: r[c]
                        for c in (
                            "procedure_code",
                            "procedure_name",
                            "field",
                            "authority_level",
                            "online_level",
                            "fee_bearing",
                            "owner_unit_code",
                            "payment_integrated",
                            "source_row",
                        )
                    },
                    "source_file": path.name,
                }
                for r in result.rows
            ],
        )
        con.execute("DELETE FROM quarantine WHERE source = ?", [CATALOGUE_SOURCE])
        _insert_many(
            con,
            QUARANTINE_INSERT,
            [
                quarantine_row(
                    source=CATALOGUE_SOURCE,
                    file_name=r["file_name"],
                    row_number=r["row_number"],
                    unit_name=r.get("unit_name"),
                    record_key=r["record_key"],
                    rule=r["rule"],
                    reason=r["reason"],
                    value=r["value"],
                    loaded_at=first,
                )
                for r in result.rejects
            ],
        )
        con.execute("DELETE FROM file_issues WHERE source = ?", [CATALOGUE_SOURCE])
        _insert_many(con, FILE_ISSUE_INSERT, _file_issue_rows(CATALOGUE_SOURCE, path.name, None, result.file_issues, first))
        con.execute("DELETE FROM landed_files WHERE source = ?", [CATALOGUE_SOURCE])
        rejected_rows = len({r["row_number"] for r in result.rejects})
        status = "loaded" if result.rows and not rejected_rows else ("partly_loaded" if result.rows else "rejected")
        con.execute(
            LANDED_FILE_INSERT,
            named_row(
                LANDED_FILE_COLUMNS,
                source=CATALOGUE_SOURCE,
                file_name=path.name,
                sha256=result.sha256,
                size_bytes=path.stat().st_size,
                status=status,
                rows_read=len(result.rows) + rejected_rows,
                rows_loaded=len(result.rows),
                rows_rejected=rejected_rows,
                first_loaded_at=first,
                loaded_at=now,
            ),
        )
    return {"procedures": len(result.rows), "rejected_rows": rejected_rows, "status": status}


class CatalogueUnusable(ValueError):
    """No usable procedure catalogue at all: nothing can be loaded or published until one arrives."""


@dataclass
class DossierLoadStats:
    files_expected: int
    files_missing: int
    files_rejected: int
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    days_kept: int = 0  # partitions whose earlier good data stayed (refused re-delivery, file gone, still copying)


def load_dossier_partitions(
    con: duckdb.DuckDBPyConnection,
    folder: Path,
    start: date,
    end: date,
    *,
    matcher: UnitMatcher,
    keys: PiiKeys,
    work_dir: Path,
    now: datetime,
    withdraw: bool = False,
    profile: SourceProfile | None = None,
) -> DossierLoadStats:
    """Replace the partitions [start, end] of the dossier versions, their quarantine, file issues and lineage.

    A day whose file is still being copied, is gone from the inbox, or came again empty, header-only, unreadable or
    cut short keeps the data of its earlier good load (and says so in file_issues): data is withdrawn only by the
    explicit ``withdraw`` (the asset's config), never by an empty file. Rerunning gives the same tables.
    """
    purge_work_copies(work_dir)
    first_loaded = _first_loaded(con, DOSSIER_SOURCE, start, end)
    files = export_files(folder, start, end)
    staged = stage_dossier_exports(con, files, matcher=matcher, keys=keys, work_dir=work_dir, profile=profile)
    kept = {} if withdraw else _kept_days(con, files, staged)
    file_issues = _lineage(con, files, staged, first_loaded, now, kept, keys.fingerprint)
    kept_days = sorted(kept)

    with transaction(con):
        outside_kept = "export_date BETWEEN ? AND ? AND NOT list_contains(?, export_date)"
        con.execute(f"DELETE FROM stg_dossier_versions WHERE {outside_kept}", [start, end, kept_days])
        if kept_days:  # (the usual case has none: no filter on the big insert)
            con.execute(
                "INSERT INTO stg_dossier_versions BY NAME SELECT * FROM _dossier_good WHERE NOT list_contains(?, export_date)",
                [kept_days],
            )
        else:
            con.execute("INSERT INTO stg_dossier_versions BY NAME SELECT * FROM _dossier_good")
        if staged.personal_centres:  # a clerk's slip, told in the file's issues (rare: no scan otherwise)
            mask_personal_columns(
                con, "stg_dossier_versions", ("receiving_centre",), "export_date BETWEEN ? AND ?", [start, end], names=True
            )
        partition = "source = ? AND partition_date BETWEEN ? AND ? AND NOT list_contains(?, partition_date)"
        params = [DOSSIER_SOURCE, start, end, kept_days]
        con.execute(f"DELETE FROM quarantine WHERE {partition}", params)
        con.execute(
            """INSERT INTO quarantine BY NAME
            SELECT r.*, l.first_loaded_at AS loaded_at, year(r.partition_date) AS year FROM _dossier_rejects r
            JOIN _landed l ON l.file_name = r.file_name
            WHERE NOT list_contains(?, r.partition_date)
            ORDER BY r.partition_date, r.row_number, r.rule""",
            [kept_days],
        )
        con.execute(f"DELETE FROM file_issues WHERE {partition}", params)
        con.execute(
            "DELETE FROM file_issues WHERE source = ? AND list_contains(?, partition_date) AND list_contains(?, rule)",
            [DOSSIER_SOURCE, kept_days, list(KEPT_RULES)],
        )
        _insert_many(con, FILE_ISSUE_INSERT, file_issues)
        con.execute(f"DELETE FROM landed_files WHERE {partition}", params)
        con.execute(sql("tthc/insert_landed_dossier_files"), {"kept_days": kept_days})
        _record_unnamed(con, folder, now)
        # An export put in a sub-folder (tthc/2026-02/ho_so_20260201.csv) is not read: refused naming it, never
        # passed over (it was silent: no run, no issue).
        record_subfolder_files(con, DOSSIER_SOURCE, folder, None, now)
        # Committed with the versions: until refresh_current_state has caught up with these days, the snapshot is
        # refused naming them (a run killed between the two steps), and the next refresh takes them too.
        mark_current_state_stale(con, start, end, now)
    drop_staging(con)
    loaded_files = [f for f in files if f.prepared is not None and f.export_date not in kept]
    read = sum(staged.rows_read.get(f.path.name, 0) for f in loaded_files)
    bad = sum(staged.rows_rejected.get(f.path.name, 0) for f in loaded_files)
    copies = sum(len(staged.duplicates.get(f.path.name, [])) for f in loaded_files)
    return DossierLoadStats(
        files_expected=len(files),
        files_missing=sum(1 for f in files if f.prepared is None),
        files_rejected=sum(1 for f in files if f.prepared is not None and not f.prepared.loadable),
        rows_read=read,
        rows_loaded=read - bad - copies,
        rows_rejected=bad,
        days_kept=len(kept),
    )


def _record_unnamed(con: duckdb.DuckDBPyConnection, folder: Path, now: datetime) -> None:
    """The files of the exports folder named like an export but giving no day (ho_so_thang1.csv, ho_so_20261301.csv):
    never read, so refused as every unread inbox file is (``landing.record_refused``, no partition), and forgotten
    once renamed or removed."""
    unnamed = unnamed_exports(folder, now.date())
    for path in unnamed:
        day = export_day(path.name)
        what = (
            "không cho biết ngày xuất"
            if day is None
            else f"cho ngày xuất {day:%d/%m/%Y}, còn ở xa trong tương lai (gõ nhầm năm?)"
        )
        reason = (
            f"Tên tệp {what} (mẫu {dossier_file_name(date(2026, 1, 5))} cho ngày 05/01/2026): tệp không được nạp; đổi tên "
            "đúng mẫu rồi gửi lại."
        )
        record_refused(con, DOSSIER_SOURCE, path, UNNAMED_RULE, reason, now)
    forget_gone(con, DOSSIER_SOURCE, UNNAMED_RULE, {p.name for p in unnamed})


UNNAMED_RULE = "file_name"


# file_issues rules of a day that kept its earlier data: rewritten on every run of that day.
KEPT_RULES = ("redelivery_refused", "file_gone", "still_copying")


def _kept_days(con: duckdb.DuckDBPyConnection, files: list[ExportFile], staged: StagingResult) -> dict[date, FileIssue]:
    """The days whose earlier good load must stay, with the issue saying why."""
    good = (
        {
            day: (sha, loaded, when)
            for day, sha, loaded, when in con.execute(
                """SELECT partition_date, sha256, rows_loaded, loaded_at FROM landed_files
           WHERE source = ? AND status IN ('loaded', 'partly_loaded') AND rows_loaded > 0
             AND partition_date BETWEEN ? AND ?""",
                [DOSSIER_SOURCE, files[0].export_date, files[-1].export_date],
            ).fetchall()
        }
        if files
        else {}
    )
    kept: dict[date, FileIssue] = {}
    for export in files:
        p = export.prepared
        earlier = good.get(export.export_date)
        if p is not None and p.deferred:
            kept[export.export_date] = FileIssue("still_copying", p.issues[0].reason, blocking=False)
            continue
        if earlier is None:
            continue
        sha, loaded, when = earlier
        kept_text = (
            f"giữ {count_text(loaded)} phiên bản hồ sơ đã nạp lúc {when:%d/%m/%Y %H:%M} từ tệp trước"
            ". Muốn rút dữ liệu của ngày này, chạy lại phân vùng với cấu hình withdraw: true."
        )
        if p is None:
            kept[export.export_date] = FileIssue(
                "file_gone", f"Tệp {export.path.name} không còn trong hộp thư đến; {kept_text}", blocking=False
            )
            continue
        if p.sha256 == sha:
            continue
        name = export.path.name
        read, bad = (0, 0) if p.data_lines == 0 else (staged.rows_read.get(name, 0), staged.rows_rejected.get(name, 0))
        loads = read - bad - len(staged.duplicates.get(name, []))
        problem = redelivery_problem(
            loadable=p.loadable,
            rows=loads,
            issues=p.issues,
            truncated=p.truncated,
            rows_rejected=bad,
            first_reject=_first_reject(con, name) if bad and not loads else None,  # quoted only in that refusal
        )
        # A day exported again with far fewer versions (an export stopped early, ending on a full line) is no
        # correction either: it would drop the day's other dossiers in silence.
        problem = problem or shrink_problem(loads, loaded, "rút dữ liệu cũ như dưới đây")
        if problem:
            kept[export.export_date] = FileIssue(
                "redelivery_refused", f"Tệp giao lại {problem}: không thay dữ liệu cũ; {kept_text}"
            )
    return kept


def _first_reject(con: duckdb.DuckDBPyConnection, file_name: str) -> str | None:
    """'dòng N: reason' of the first quarantined line of a staged export (quoted when a re-delivery is refused)."""
    rows = con.execute(
        "SELECT row_number, reason FROM _dossier_rejects WHERE file_name = ? ORDER BY row_number, rule LIMIT 1", [file_name]
    ).fetchall()
    return f"dòng {rows[0][0]}: {rows[0][1]}" if rows else None


def _lineage(
    con: duckdb.DuckDBPyConnection,
    files: list[ExportFile],
    staged: StagingResult,
    first_loaded: dict,
    now: datetime,
    kept: dict[date, FileIssue],
    pii_secret: str,
) -> list[dict]:
    """Lineage rows of the exports (staged in _landed) and their file issues; a loaded file records which PII secret
    its applicant keys were made with (``pii_secret``, the secret's fingerprint), so a year that mixes two secrets is
    found (warehouse/export_health.days_with_another_secret)."""
    landed, file_issues = [], []
    for export in files:
        p = export.prepared
        if export.export_date in kept:
            first = first_loaded.get((export.path.name, p.sha256), now) if p is not None else now
            file_issues += _file_issue_rows(
                DOSSIER_SOURCE, export.path.name, export.export_date, [kept[export.export_date]], first
            )
            if p is not None and p.deferred and not _has_lineage(con, export.export_date):
                landed.append(
                    named_row(
                        LANDED_FILE_COLUMNS,
                        source=DOSSIER_SOURCE,
                        file_name=export.path.name,
                        partition_date=export.export_date,
                        size_bytes=p.size_bytes,
                        status="deferred",
                        rows_read=0,
                        rows_loaded=0,
                        rows_rejected=0,
                        loaded_at=now,
                    )
                )
            continue
        if p is None:
            landed.append(
                named_row(
                    LANDED_FILE_COLUMNS,
                    source=DOSSIER_SOURCE,
                    file_name=export.path.name,
                    partition_date=export.export_date,
                    status="missing",
                    rows_read=0,
                    rows_loaded=0,
                    rows_rejected=0,
                )
            )
            continue
        first = first_loaded.get((export.path.name, p.sha256), now)
        read, bad = staged.rows_read.get(export.path.name, 0), staged.rows_rejected.get(export.path.name, 0)
        copies = staged.duplicates.get(export.path.name, [])
        if not p.loadable:
            status = "rejected"
        elif bad:
            status = "partly_loaded"
        else:
            status = "loaded"
        landed.append(
            named_row(
                LANDED_FILE_COLUMNS,
                source=DOSSIER_SOURCE,
                file_name=export.path.name,
                partition_date=export.export_date,
                sha256=p.sha256,
                size_bytes=p.size_bytes,
                encoding=p.encoding,
                status=status,
                rows_read=read,
                rows_loaded=read - bad - len(copies),
                rows_rejected=bad,
                first_loaded_at=first,
                loaded_at=now,
                pii_secret=pii_secret,
            )
        )
        issues = list(p.issues)
        if copies:
            shown = ", ".join(f"dòng {c} (= dòng {k})" for c, k in copies[:10]) + (" …" if len(copies) > 10 else "")
            issues.append(
                FileIssue(
                    "duplicate_rows",
                    f"{len(copies)} dòng lặp lại y nguyên một dòng khác, đã giữ một bản: {shown}.",
                    blocking=False,
                )
            )
        # Lines that loaded with something to say about them (their dossier still counts): named, at most 20.
        line_notes = (
            (
                "applicant_id_unshaped",
                staged.unkeyed.get(export.path.name, []),
                (
                    "{n} dòng có cột số giấy tờ của người nộp không phải số CCCD/CMND/hộ chiếu/mã số thuế (dòng {lines}): "
                    "hồ sơ vẫn được nạp nhưng không tính vào số người nộp. Nếu họ tên có dấu phẩy, đề nghị xuất lại tệp "
                    "với giá trị đặt trong ngoặc kép."
                ),
            ),
            (
                "dossier_code_personal",
                staged.code_keyed.get(export.path.name, []),
                (
                    "{n} dòng có mã hồ sơ là số điện thoại, số giấy tờ hoặc email (dòng {lines}; có thể đã nhập nhầm "
                    "thông tin của người nộp vào cột mã hồ sơ): hồ sơ vẫn được nạp với mã giả danh bắt đầu bằng "
                    f"'{CODE_PSEUDONYM_MARK}', giá trị gốc không được lưu. Đề nghị sửa mã hồ sơ trên hệ thống một cửa."
                ),
            ),
            (
                "blank_rows",
                staged.blank.get(export.path.name, []),
                (
                    "{n} dòng không có giá trị nào, chỉ có dấu phân cách (dòng {lines}; Excel lưu như vậy các dòng trống "
                    "đã định dạng): không phải dữ liệu, bỏ qua."
                ),
            ),
            (
                "value_cut:receiving_centre",
                staged.cut.get(export.path.name, []),
                (
                    "{n} dòng có 'Nơi tiếp nhận' dài bất thường (dòng {lines}), có thể đã dán nhầm nội dung: hồ sơ vẫn "
                    f"được nạp, giá trị được cắt còn {CENTRE_LIMIT} ký tự."
                ),
            ),
        )
        for rule, lines, text in line_notes:
            if lines:
                shown = ", ".join(str(n) for n in lines[:20]) + (" …" if len(lines) > 20 else "")
                issues.append(FileIssue(rule, text.format(n=len(lines), lines=shown), blocking=False))
        file_issues += _file_issue_rows(DOSSIER_SOURCE, export.path.name, export.export_date, issues, first)
    con.execute("CREATE OR REPLACE TEMP TABLE _landed AS SELECT * FROM landed_files LIMIT 0")
    _insert_many(con, sql("tthc/stage_landed_file"), landed)
    return file_issues


def _has_lineage(con: duckdb.DuckDBPyConnection, day: date) -> bool:
    return bool(scalar(con, "SELECT count(*) FROM landed_files WHERE source = ? AND partition_date = ?", [DOSSIER_SOURCE, day]))


# The publication gate's rows (warehouse/quality_gate.py) of the days whose versions were loaded and whose current
# state (fct_dossier) has not been refreshed since: written failed with the load, passed with the refresh.
CURRENT_STATE_GATE = "current_state_refreshed"


def mark_current_state_stale(con: duckdb.DuckDBPyConnection, start: date, end: date, now: datetime) -> None:
    """Mark the days start..end as loaded but not yet in fct_dossier, inside the load's transaction."""
    write_gate_rows(
        con, CURRENT_STATE_GATE, [(day.isoformat(), False, _stale_detail(day)) for day in days_between(start, end)], now
    )


def _stale_detail(day: date) -> str:
    return (
        f"phiên bản hồ sơ ngày {day:%d/%m/%Y} đã nạp nhưng trạng thái hiện tại (fct_dossier) chưa cập nhật theo "
        "(bước tthc_dossiers chưa chạy xong: lần chạy bị dừng, bị lỗi hoặc bị kiểm tra chặn giữ lại): chạy lại ngày "
        f"đó (make rerun DAY={day.isoformat()}); lần chạy daily_tthc thành công kế tiếp cũng tự cập nhật."
    )


def stale_current_state_days(con: duckdb.DuckDBPyConnection) -> list[date]:
    """The days loaded after the last refresh of their current state (a run killed between the two steps)."""
    scopes = con.execute(
        "SELECT scope FROM quality_gate WHERE check_name = ? AND NOT passed ORDER BY scope", [CURRENT_STATE_GATE]
    ).fetchall()
    return [date.fromisoformat(s) for (s,) in scopes]


def refresh_current_state(con: duckdb.DuckDBPyConnection, start: date, end: date, now: datetime | None = None) -> int:
    """Recompute the current state of every dossier whose life overlaps [start, end] from all its versions.

    The latest update wins; the result equals a full recomputation, whatever order partitions are (re)run in. The
    days' gate rows are passed in the same transaction.
    """
    con.execute(sql("tthc/touched_dossiers"), {"from_day": start, "to_day": end})
    with transaction(con):
        con.execute("DELETE FROM fct_dossier WHERE dossier_code IN (SELECT dossier_code FROM _touched)")
        con.execute(sql("tthc/insert_current_state"), {"finished": sorted(FINISHED_STATUSES)})
        write_gate_rows(
            con, CURRENT_STATE_GATE, [(d.isoformat(), True, None) for d in days_between(start, end)], now or now_local()
        )
    return scalar(con, "SELECT count(*) FROM _touched")


def refresh_current_state_and_stale_days(
    con: duckdb.DuckDBPyConnection, start: date, end: date, now: datetime
) -> tuple[int, list[date]]:
    """refresh_current_state of start..end, then of every other day loaded after its last refresh (a run killed
    between loading the versions and refreshing the current state), one range of consecutive days at a time: the
    next daily run repairs what a killed one left. Returns (dossiers refreshed, the other days repaired)."""
    touched = refresh_current_state(con, start, end, now)
    stale = stale_current_state_days(con)
    ranges: list[list[date]] = []
    for day in stale:
        if ranges and day == ranges[-1][-1] + timedelta(days=1):
            ranges[-1].append(day)
        else:
            ranges.append([day])
    for days in ranges:
        touched += refresh_current_state(con, days[0], days[-1], now)
    return touched, stale
