"""Asset checks on the TTHC assets. The GX suite and the current-state uniqueness block everything downstream
(current state, workbook, snapshot) when they fail; completeness, silent units and freshness warn."""

from datetime import date

import dagster as dg

from assets.partitions import partition_dates
from assets.resources import WRITER_POOL, Warehouse
from assets.tthc import tthc_dossier_versions, tthc_dossiers
from checks.gate import day_scopes, gate
from checks.tthc_expectations import Outcome, failure_text, run_suite, version_expectations
from common.db import scalar
from common.settings import business_today
from warehouse import export_health
from warehouse.quality_gate import WHOLE_WAREHOUSE

# Above this many rows (a long backfill) the GX suite runs on a reproducible hash sample; every row was already
# validated at staging, so the suite is a second line of defence and need not cost a full pass.
GX_MAX_ROWS = 50_000
_SUITE_NAMES = list(version_expectations([], []).keys())


@dg.multi_asset_check(
    specs=[
        *(dg.AssetCheckSpec(name, asset=tthc_dossier_versions, blocking=True) for name in _SUITE_NAMES),
        dg.AssetCheckSpec("versions_present", asset=tthc_dossier_versions, description="Có phiên bản hồ sơ trong các ngày."),
    ],
    pool=WRITER_POOL,
    description="Bộ kiểm tra Great Expectations trên các phiên bản hồ sơ của các ngày trong lần chạy.",
)
def tthc_versions_suite(context: dg.AssetCheckExecutionContext, warehouse: Warehouse):
    start, end = partition_dates(context)
    with gate(warehouse, "tthc_versions_suite", day_scopes(start, end), unfinished=True) as g:
        con = g.con
        units = [r[0] for r in con.execute("SELECT unit_code FROM dim_unit").fetchall()]
        procedures = [r[0] for r in con.execute("SELECT procedure_code FROM dim_procedure").fetchall()]
        expectations = version_expectations(units, procedures)
        # A day whose check failed (a killed run's unfinished days too) is judged on every row, alone, never on the
        # sample of a long range, which could miss its bad rows and clear it.
        own = day_scopes(start, end)
        rows, modulus, outcomes = _suite_on(
            con,
            expectations,
            "export_date BETWEEN $start AND $end AND NOT list_contains($whole, export_date)",
            {"start": start, "end": end, "whole": [date.fromisoformat(s) for s in g.failed_before]},
        )
        failed = [o for o in outcomes if not o.success]
        g.record(not failed, _failure_text(start, end, failed), [d for d in own if d not in g.failed_before])
        earlier_failed = False
        for scope in g.failed_before:
            day = date.fromisoformat(scope)
            day_rows, _, day_outcomes = _suite_on(con, expectations, "export_date = $day", {"day": day}, sample=False)
            day_failed = [o for o in day_outcomes if not o.success]
            g.record(not day_failed, _failure_text(day, day, day_failed), [scope])
            if scope in own:
                rows += day_rows
                outcomes = _worse(outcomes, day_outcomes)
            else:
                earlier_failed = earlier_failed or bool(day_failed)
        # Days a killed run loaded but never checked (their gate row says so) were among them.
        earlier = [s for s in g.failed_before if s not in own]
        if earlier:
            context.log.info(
                f"Đã kiểm tra thêm {len(earlier)} ngày lần chạy trước chưa kiểm tra xong: "
                f"{'không đạt' if earlier_failed else 'đạt'}"
            )
    # Every expectation holds on no row: a run whose days hold no version at all says so (a warning; the files'
    # own problems are in file_issues), instead of 13 expectations "passed" on nothing.
    yield dg.AssetCheckResult(
        asset_key=tthc_dossier_versions.key,
        check_name="versions_present",
        passed=rows > 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "rows_in_range": rows,
            "what_to_do": "-"
            if rows
            else f"Không có phiên bản hồ sơ nào của ngày {start:%d/%m/%Y}–{end:%d/%m/%Y}: xem file_issues của các ngày "
            "đó (tệp rỗng, thiếu, bị từ chối) và nhận lại tệp xuất.",
        },
    )
    for outcome in outcomes:
        yield dg.AssetCheckResult(
            asset_key=tthc_dossier_versions.key,
            check_name=outcome.check,
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "rows_checked": outcome.rows,
                "rows_in_range": rows,
                "sampled": modulus > 1,
                "unexpected_count": outcome.unexpected_count,
                "details": outcome.details,
            },
        )


def _worse(outcomes: list[Outcome], others: list[Outcome]) -> list[Outcome]:
    """Per expectation, the failed outcome of the two passes if either failed (what the check reports)."""
    failed = {o.check: o for o in others if not o.success}
    return [o if not o.success or o.check not in failed else failed[o.check] for o in outcomes]


def _suite_on(con, expectations: dict, where: str, params: dict, *, sample: bool = True) -> tuple[int, int, list]:
    """(rows, sampling modulus, outcomes) of the GX suite on the versions ``where`` selects (above GX_MAX_ROWS a hash
    sample of them, unless ``sample`` is false: one day, about 10 k versions, always fits)."""
    rows = scalar(con, f"SELECT count(*) FROM stg_dossier_versions WHERE {where}", params)
    modulus = max(1, -(-rows // GX_MAX_ROWS)) if sample else 1
    df = con.execute(
        # Every column the table has (not a list of the expected ones): schema_matches then sees a column added to
        # the table (an ID number in clear) or one gone.
        f"""SELECT * FROM stg_dossier_versions
            WHERE {where} AND hash(dossier_code) % {modulus} = 0""",
        params,
    ).df()
    return rows, modulus, run_suite(df, expectations, "tthc_dossier_versions")


def _failure_text(first: date, last: date, failed: list) -> str:
    """What the gate keeps of a failed suite: the days, the expectations that failed, what to do."""
    return (
        f"phiên bản hồ sơ ngày {first:%d/%m/%Y}–{last:%d/%m/%Y} không đạt: "
        + failure_text(failed)
        + ". Kiểm tra tệp xuất của các ngày đó (inbox/tthc), nhận lại tệp đúng rồi chạy lại từng ngày (make rerun DAY=…)."
    )


@dg.asset_check(asset=tthc_dossiers, pool=WRITER_POOL, blocking=True, description="Mỗi mã hồ sơ chỉ có một trạng thái hiện tại.")
def current_state_unique(warehouse: Warehouse) -> dg.AssetCheckResult:
    with gate(warehouse, "current_state_unique", [WHOLE_WAREHOUSE]) as g:
        duplicates = scalar(g.con, "SELECT count(*) - count(DISTINCT dossier_code) FROM fct_dossier")
        # the days whose rerun rebuilds those dossiers' state: from the first export of any of them to the last
        first, last = g.con.execute(
            """SELECT min(first_export_date), max(last_export_date) FROM fct_dossier
               WHERE dossier_code IN (SELECT dossier_code FROM fct_dossier GROUP BY 1 HAVING count(*) > 1)"""
        ).fetchone() or (None, None)
        days = (
            f"{first:%d/%m/%Y}–{last:%d/%m/%Y} (make rerun DAY={last:%Y-%m-%d} cho ngày cuối, hoặc chạy lại cả dải ngày "
            "trên Dagster: Backfill)"
            if first and last
            else "vừa nạp"
        )
        g.record(
            duplicates == 0,
            f"{duplicates} mã hồ sơ có hơn một trạng thái hiện tại trong fct_dossier: chạy lại tthc_dossiers cho các "
            f"ngày {days}; nếu vẫn lỗi, báo quản trị hệ thống.",
        )
    return dg.AssetCheckResult(passed=duplicates == 0, metadata={"duplicate_codes": duplicates})


def _warning(findings: list[dict]) -> dg.AssetCheckResult:
    """A warning check passes when it found nothing; the first 50 findings are listed in the UI."""
    lines = [f"- {f['unit_name'] + ': ' if f['unit_name'] else ''}{f['detail']}" for f in findings[:50]]
    return dg.AssetCheckResult(
        passed=not findings,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"findings": len(findings), "list": dg.MetadataValue.md("\n".join(lines) or "-")},
    )


@dg.asset_check(asset=tthc_dossiers, pool=WRITER_POOL, description="Có tệp xuất cho mọi ngày, không có ngày trống.")
def export_completeness(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.read() as con:
        return _warning(export_health.export_gaps(con))


@dg.asset_check(
    asset=tthc_dossiers,
    pool=WRITER_POOL,
    description="Một mã hồ sơ không ghi hai đơn vị giải quyết hay hai ngày tiếp nhận (mã dùng cho hai hồ sơ).",
)
def dossier_code_reused(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    start, end = partition_dates(context)
    with warehouse.read() as con:
        return _warning(export_health.reused_codes(con, start, end))


@dg.asset_check(
    asset=tthc_dossiers, pool=WRITER_POOL, description="Đơn vị im lặng bất thường (không có hồ sơ mới nhiều ngày làm việc)."
)
def silent_units(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.read() as con:
        return _warning(export_health.silent_units(con))


@dg.asset_check(asset=tthc_dossiers, pool=WRITER_POOL, description="Tệp xuất mới nhất không cũ hơn một ngày làm việc.")
def export_freshness(warehouse: Warehouse) -> dg.AssetCheckResult:
    with warehouse.read() as con:
        state = export_health.freshness(con, business_today())
    return dg.AssetCheckResult(passed=state["fresh"], severity=dg.AssetCheckSeverity.WARN, metadata=state)


@dg.asset_check(
    asset=tthc_dossiers,
    pool=WRITER_POOL,
    blocking=True,
    description="Mọi ngày hồ sơ đã nạp dùng cùng một khóa ẩn danh người nộp (khóa hiện tại).",
)
def single_pii_secret(warehouse: Warehouse) -> dg.AssetCheckResult:
    """Blocks publication while the warehouse mixes two PII secrets: a lost and regenerated secret file, or a
    rotation whose reload is not finished. The message says which days and both ways out."""
    keys = warehouse.pii_keys()
    with gate(warehouse, "single_pii_secret", [WHOLE_WAREHOUSE]) as g:
        days = export_health.days_with_another_secret(g.con, keys.fingerprint)
        shown = ", ".join(f"{d:%d/%m/%Y}" for d in days[:20]) + (" …" if len(days) > 20 else "")
        what_to_do = (
            f"{len(days)} ngày hồ sơ được nạp với khóa ẩn danh khác khóa hiện tại ({keys.source}): {shown}. Nếu đang "
            "đổi khóa: nạp lại các ngày đó (backfill tthc_dossier_versions cho các phân vùng trên). Nếu không đổi khóa: "
            "tệp khóa đã mất hoặc bị thay, hãy đặt lại tệp khóa cũ (CCHC_PII_SECRET_FILE) từ nơi cất giữ rồi chạy lại."
        )
        g.record(not days, what_to_do)
    return dg.AssetCheckResult(
        passed=not days,
        metadata={"days": len(days), "current_secret": keys.fingerprint, "what_to_do": what_to_do if days else "-"},
    )
