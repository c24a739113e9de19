"""QĐ 766 service index: the portal's snapshots with their reconciliation, the index per month, quarter and year
to date measured from the warehouse, and the ranking workbook."""

from itertools import groupby
from pathlib import Path

import dagster as dg

from assets import groups
from assets.partitions import PERIOD_PARTITIONS, partition_dates, partition_years
from assets.resources import WRITER_POOL, AcceptSmallerConfig, Warehouse
from assets.tthc import tthc_catalogue, tthc_dossiers, units
from common.periods import Period, parse_period, periods_between
from common.pii import mask_quote
from common.settings import now_local
from common.units import matcher_for
from warehouse.quality_gate import QD766_CHECKS

PORTAL_INBOX = "portal"  # the inbox's folder of the portal's answers


def portal_folder(warehouse: Warehouse) -> Path:
    return warehouse.inbox_folder(PORTAL_INBOX)


class PortalSnapshotsConfig(dg.Config):
    """withdraw: the snapshots whose file is gone from the inbox are taken out with their rows (the explicit way to
    withdraw one; by default a file deleted or moved away keeps its rows, with a note)."""

    withdraw: bool = False


@dg.asset(
    group_name=groups.QD766_SOURCES,
    kinds={"json", "duckdb"},
    pool=WRITER_POOL,
    deps=[units],
    description="Ảnh chụp Chỉ số 766 của Cổng DVCQG (JSON trong inbox/portal) và bảng đối chiếu điểm của Cổng "
    "với điểm tính lại từ chính số liệu của ảnh chụp (mart_qd766_reconciliation).",
)
def qd766_portal_snapshots(
    context: dg.AssetExecutionContext, warehouse: Warehouse, config: PortalSnapshotsConfig
) -> dg.MaterializeResult:
    from sources.portal_qd766 import summarise_issues
    from warehouse import qd766 as store

    matcher = matcher_for(warehouse.province)
    snapshots = store.read_snapshots(portal_folder(warehouse), matcher)
    with warehouse.write() as con:
        stats = store.load_portal_snapshots(con, snapshots, matcher, now_local(), withdraw=config.withdraw)
        try:
            review = store.write_portal_code_review(con, Path(warehouse.reports), warehouse.province)
        except OSError as exc:  # a list to review, not the load: the scores stay loaded, the failure is said
            review = None
            context.log.warning(f"Không ghi được danh sách mã đơn vị Cổng cần rà soát: {exc}")
    if stats["files_gone_kept"]:
        context.log.warning(
            f"{stats['files_gone_kept']} ảnh chụp đã nạp không còn trong hộp thư (portal/): giữ số liệu đã nạp "
            "(muốn bỏ: chạy lại với cấu hình withdraw: true)."
        )
    # (masked as file_issues stores them: the run's log and metadata keep no citizen's details either)
    lines = [f"- `{s.file_name}`: {mask_quote(i['reason'])}" for s in snapshots for i in summarise_issues(s)]
    for line in lines[:50]:
        context.log.warning(line[2:])
    return dg.MaterializeResult(
        metadata={
            **stats,
            "methodologies": ", ".join(sorted({s.methodology.path.name for s in snapshots if s.methodology})),
            "issues_list": dg.MetadataValue.md("\n".join(lines[:200]) or "không có"),
            "portal_codes_review": str(review) if review else "không có mã học được",
        }
    )


def _refresh_periods(context: dg.AssetExecutionContext, warehouse: Warehouse, kind: str) -> dg.MaterializeResult:
    from scoring.qd766 import methodology_for
    from warehouse import qd766 as store

    start, end = partition_dates(context)
    with warehouse.write() as con:
        cutoff = store.data_cutoff(con)
        if cutoff is None:
            raise dg.Failure("Kho chưa có hồ sơ nào: chạy daily_tthc trước.")
        periods = [p for p in periods_between(kind, start, end) if p.start <= cutoff.date()]
        stats: dict = {"periods": 0, "data_until": f"{cutoff:%d/%m/%Y}"}
        # A period is scored with the methodology valid when it starts; a run may span two methodology files.
        for methodology, batch in groupby(periods, key=lambda p: methodology_for(p.start)):
            done = store.refresh_index(con, list(batch), methodology, cutoff)
            stats = {**done, "periods": stats["periods"] + done["periods"], "methodology": methodology.path.name}
        leaders = _leaders(con, periods[-1]) if periods else "chưa có dữ liệu cho kỳ này"
    return dg.MaterializeResult(metadata={**stats, "top_units": dg.MetadataValue.md(leaders)})


def _leaders(con, period: Period) -> str:
    rows = con.execute(
        """SELECT ranking_group, rank, unit_name, total FROM mart_qd766_unit
                          WHERE period_label = ? AND rank <= 3 ORDER BY ranking_group, rank, unit_name""",
        [period.label],
    ).fetchall()
    return f"**{period.vietnamese}**\n\n" + "\n".join(f"- {g} #{r}: {n} ({s:.2f})" for g, r, n, s in rows)


class PetitionsConfig(AcceptSmallerConfig):
    """withdraw: the months whose file is gone from pakn/ are taken out with their rows (the explicit way to withdraw
    one; by default a file deleted or moved away keeps its rows, with a note)."""

    withdraw: bool = False


@dg.asset(
    group_name=groups.QD766_SOURCES,
    kinds={"csv", "duckdb"},
    pool=WRITER_POOL,
    deps=[units],
    description="Phản ánh, kiến nghị (PAKN) theo tháng tiếp nhận (inbox/pakn/pakn_YYYYMM.csv) vào fct_petition; "
    "hạn xử lý tính theo ngày làm việc; không lưu dữ liệu cá nhân. Dùng cho nhóm Mức độ hài lòng.",
)
def petitions(context: dg.AssetExecutionContext, config: PetitionsConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse.petitions import load_petition_folder

    with warehouse.write() as con:
        stats = load_petition_folder(
            con,
            Path(warehouse.inbox),
            matcher=matcher_for(warehouse.province),
            work_dir=warehouse.work_dir,
            now=now_local(),
            accept_smaller=config.accept_smaller,
            withdraw=config.withdraw,
        )
    for month in stats["months"]:
        if month["rows_rejected"] or month["status"] != "loaded":
            context.log.warning(f"{month['file']}: {month['rows_rejected']} dòng bị loại ({month['status']})")
    return dg.MaterializeResult(metadata={k: v for k, v in stats.items() if k != "months"})


@dg.asset(
    group_name=groups.QD766_SOURCES,
    kinds={"csv", "duckdb"},
    pool=WRITER_POOL,
    deps=[tthc_catalogue],
    description="Công bố TTHC (inbox/tthc/cong_bo_tthc.csv): ngày quyết định, hiệu lực văn bản, ngày công khai, "
    "đủ 7 bộ phận; vào fct_procedure_publication. Dùng cho nhóm Công khai, minh bạch (1.1-1.3).",
)
def procedure_publication(config: AcceptSmallerConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse.publication import load_publication_register

    with warehouse.write() as con:
        stats = load_publication_register(
            con, Path(warehouse.inbox), work_dir=warehouse.work_dir, now=now_local(), accept_smaller=config.accept_smaller
        )
    return dg.MaterializeResult(metadata=stats or {"note": "hộp thư đến không có cong_bo_tthc.csv: 1.1-1.3 chưa đánh giá"})


_INDEX_DEPS = [tthc_dossiers, tthc_catalogue, qd766_portal_snapshots, petitions, procedure_publication]


@dg.asset(
    group_name=groups.QD766_MONTHLY,
    kinds={"duckdb"},
    pool=WRITER_POOL,
    deps=_INDEX_DEPS,
    partitions_def=PERIOD_PARTITIONS["month"],
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Chỉ số 766 theo tháng cho mọi đơn vị, tính từ kho dữ liệu (mart_qd766_indicator, mart_qd766_unit).",
)
def qd766_month(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    return _refresh_periods(context, warehouse, "month")


@dg.asset(
    group_name=groups.QD766_QUARTERLY,
    kinds={"duckdb"},
    pool=WRITER_POOL,
    deps=_INDEX_DEPS,
    partitions_def=PERIOD_PARTITIONS["quarter"],
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Chỉ số 766 theo quý (khóa phân vùng = ngày đầu quý, ví dụ 2026-07-01 là quý III/2026).",
)
def qd766_quarter(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    return _refresh_periods(context, warehouse, "quarter")


@dg.asset(
    group_name=groups.QD766,
    kinds={"duckdb"},
    pool=WRITER_POOL,
    deps=_INDEX_DEPS,
    partitions_def=PERIOD_PARTITIONS["year"],
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Chỉ số 766 lũy kế từ đầu năm (kỳ 2026-Y).",
)
def qd766_year(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    return _refresh_periods(context, warehouse, "year")


def workbook_name(period: Period) -> str:
    return f"chi_so_766_{period.label}.xlsx"


class QD766WorkbookConfig(dg.Config):
    """A month or quarter of the partition's year to write instead of the year to date: 2026-M03, 2026-Q1 (empty = the
    year to date, 2026-Y, of each yearly partition of the run)."""

    period: str = ""


@dg.asset(
    group_name=groups.QD766,
    kinds={"excel"},
    pool=WRITER_POOL,
    deps=[qd766_year, qd766_quarter, qd766_month],
    partitions_def=PERIOD_PARTITIONS["year"],
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Bảng xếp hạng Chỉ số 766 (Excel, tiếng Việt) của năm (phân vùng): xếp hạng, điểm 6 nhóm, biểu đồ, "
    "một trang cho mỗi nhóm chỉ tiêu và trang đối chiếu với Cổng. Một tháng hoặc quý của năm đó: "
    "config period (2026-M03, 2026-Q1).",
)
def qd766_workbook(context: dg.AssetExecutionContext, config: QD766WorkbookConfig, warehouse: Warehouse) -> dg.MaterializeResult:
    from warehouse import qd766 as store
    from workbooks.qd766 import read_workbook_data, write_qd766_workbook

    periods = workbook_periods(partition_years(context), config.period)
    with warehouse.read_for_officials("bảng xếp hạng Chỉ số 766 (Excel)", QD766_CHECKS) as con:
        if store.data_cutoff(con) is None:
            raise dg.Failure("Kho chưa có hồ sơ nào.")
        books = [(p, read_workbook_data(con, p)) for p in periods]
    written = []
    for period, data in books:
        if data.units.empty:
            raise dg.Failure(
                f"Chưa có điểm cho kỳ {period.vietnamese}: chạy lại phân vùng của kỳ đó (qd766_month, "
                "qd766_quarter hoặc qd766_year) trước."
            )
        path = Path(warehouse.reports) / workbook_name(period)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_qd766_workbook(path, data)
        written.append(path)
    return dg.MaterializeResult(
        metadata={
            "paths": dg.MetadataValue.md("\n".join(f"- `{p}`" for p in written)),
            "periods": ", ".join(p.label for p in periods),
            "units": len(books[-1][1].units),
        }
    )


def workbook_periods(years: list[int], period: str = "") -> list[Period]:
    """The periods the workbook run writes: the year to date of each partition year, or the configured period, which
    must lie in one of them."""
    if not period.strip():
        return [parse_period(f"{year}-Y") for year in years]
    try:
        chosen = parse_period(period.strip())
    except ValueError as err:
        raise dg.Failure(str(err)) from None
    if chosen.start.year not in years:
        raise dg.Failure(
            f"Kỳ {chosen.vietnamese} không thuộc phân vùng năm {', '.join(map(str, years))}: chọn phân vùng {chosen.start.year}."
        )
    return [chosen]
