"""The national portal's QĐ 766 scores fetched from its API into the inbox (``portal/*.json``), where
``qd766_portal_snapshots`` reads them like the snapshots saved by hand (``inbox_sensor`` notices the new files).

Not part of the daily job: it needs the Internet, which the department's server may not have. Its own job
``portal_capture`` runs from the schedule ``portal_capture_0530`` (off by default) or by hand.
"""

from pathlib import Path
from typing import Self

import dagster as dg

from assets import groups
from assets.qd766 import PORTAL_INBOX
from assets.resources import Warehouse
from common.settings import get_settings


class PortalApi(dg.ConfigurableResource):
    """Where the national portal is and how politely to call it (CCHC_PORTAL_* in common/settings.py)."""

    base_url: str
    root_department_id: str = ""  # empty: the province's own, from masterdata/portal_provinces.csv
    timeout: float = 60.0  # seconds for one answer
    retries: int = 3  # after a timeout, a lost connection or a 5xx
    backoff: float = 5.0  # seconds before the first retry, doubled at each next one
    delay: float = 2.0  # seconds between two calls

    @classmethod
    def from_settings(cls) -> Self:
        s = get_settings()
        return cls(
            base_url=s.portal_url,
            root_department_id=s.portal_root_id,
            timeout=s.portal_timeout,
            retries=s.portal_retries,
            delay=s.portal_delay,
        )


class PortalCaptureConfig(dg.Config):
    """Periods to fetch (["2026-M03", "2026-Q1", "2026-Y"]); none = the year to date, quarter and month of today,
    plus the month, quarter and year that closed in the last 10 days. Groups: endpoint names; none = all six."""

    periods: list[str] | None = None
    endpoints: list[str] | None = None


@dg.asset(
    group_name=groups.PORTAL_CAPTURE,
    kinds={"json", "http"},
    description="Gọi API đánh giá Chỉ số 766 của Cổng DVCQG (6 nhóm) cho năm, quý, tháng hiện tại và kỳ vừa kết "
    "thúc; lưu mỗi câu trả lời vào inbox/portal kèm tệp .request.json ghi lại yêu cầu và thời điểm "
    "chụp. Không nằm trong lượt chạy hằng ngày (cần Internet); lịch portal_capture_0530 tắt sẵn.",
)
def qd766_portal_capture(
    context: dg.AssetExecutionContext, config: PortalCaptureConfig, warehouse: Warehouse, portal: PortalApi
) -> dg.MaterializeResult:
    from common.settings import business_today
    from common.units import portal_province
    from sources.portal_capture import capture_periods, collect, failure_report
    from sources.portal_client import ENDPOINTS, PortalClient, portal_period

    try:
        periods = [portal_period(label) for label in dict.fromkeys(config.periods or [])] or capture_periods(business_today())
    except ValueError as err:
        raise dg.Failure(str(err)) from None
    unknown = [e for e in config.endpoints or [] if e not in ENDPOINTS]
    if unknown:
        raise dg.Failure(f"Nhóm không có trong API của Cổng: {', '.join(unknown)} (chỉ {', '.join(ENDPOINTS)}).")
    endpoints = list(dict.fromkeys(config.endpoints or [])) or list(ENDPOINTS)
    province = portal_province(warehouse.province)
    root_id = portal.root_department_id or (province.root_department_id if province else "")
    if not root_id:
        raise dg.Failure(
            f"Không biết rootDepartmentId của tỉnh {warehouse.province} trên Cổng: đặt CCHC_PORTAL_ROOT_ID "
            "hoặc bổ sung masterdata/portal_provinces.csv."
        )
    folder = Path(warehouse.inbox) / PORTAL_INBOX  # (created by the capture: it writes the inbox's files)
    context.log.info(
        f"Thu thập {len(endpoints)} nhóm × {len(periods)} kỳ ({', '.join(p.label for p in periods)}) "
        f"từ {portal.base_url} vào {folder}."
    )
    with PortalClient(
        portal.base_url, root_id, timeout=portal.timeout, retries=portal.retries, backoff=portal.backoff, delay=portal.delay
    ) as client:
        result = collect(client, folder, periods, endpoints, province=warehouse.province, log=context.log.info)
    written = [s.response.name for s in result.saved]
    metadata = {
        "files_written": dg.MetadataValue.md("\n".join(f"- `{n}` (+ `.request.json`)" for n in written) or "không có"),
        "captures_written": len(written),
        "captures_skipped": len(result.skipped),
        "failures": len(result.failures),
        "not_computed_yet": dg.MetadataValue.md(
            "\n".join(f"- {e.endpoint} {e.period.label}" for e in result.not_computed) or "không có"
        ),
        "periods": ", ".join(p.label for p in periods),
        "portal": portal.base_url,
        "folder": str(folder),
    }
    if not result.ok:
        report = failure_report(result)
        for err in result.failures:
            context.log.error(str(err))
        raise dg.Failure(description=report, metadata=metadata)
    return dg.MaterializeResult(metadata=metadata)
