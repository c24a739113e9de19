"""Captures of the national portal saved into the inbox, the periods to capture, and a collection run (no Dagster).

A capture is two files in ``<inbox>/portal/``:

- ``{endpoint}_{period}_{YYYYmmddTHHMM}.json``: the answer as received (the pages of an evaluation endpoint merged
  into one), under the name the snapshot reader already knows (``sources.portal_qd766.FILE_PATTERN``);
- ``{same stem}.request.json``, the sidecar: the answer carries no period and no capture time, so what was asked,
  when and of whom is kept beside it (``sidecar_record``).

The sidecar is written first, then the answer, each to a temporary file of the same folder renamed into place: a
reader never sees half a file, and an answer never lacks its sidecar. An existing capture is never overwritten; a
failed call writes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from common.periods import Period, period_containing
from sources.portal_client import COLLECTOR, ENDPOINTS, Capture, PortalBlocked, PortalClient, PortalError
from sources.portal_format import SIDECAR_SUFFIX

# A closed month or quarter (and in January, last year) is captured again for this many days: its final figures.
CLOSED_PERIOD_DAYS = 10
# After this many calls in a row that got no answer (retries included), the portal is down or the server offline:
# the remaining calls are not made.
MAX_FAILURES_IN_A_ROW = 3


def capture_stem(capture: Capture) -> str:
    return f"{capture.endpoint}_{capture.period.label}_{capture.captured_at:%Y%m%dT%H%M}"


def sidecar_record(capture: Capture, province: str, root_department_id: str) -> dict:
    return {
        "endpoint": capture.endpoint,
        "period": capture.period.label,
        "captured_at": capture.captured_at.isoformat(),
        "url": capture.url,
        "requests": list(capture.requests),
        "pages": capture.pages,
        "http_status": capture.http_status,
        "province": province,
        "root_department_id": root_department_id,
        "collector": COLLECTOR,
    }


@dataclass(frozen=True)
class Saved:
    response: Path
    sidecar: Path
    written: bool  # False: a capture of the same group, period and minute was already there and was left alone


def _write_new(path: Path, content: bytes) -> bool:
    """Write through a temporary file of the same folder (not matching *.json), then link it into place: the link
    fails when the name exists, so a capture is never overwritten, even by a second run in the same minute. False:
    the name was taken."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def save_capture(folder: Path, capture: Capture, province: str, root_department_id: str) -> Saved:
    """Write the sidecar, then the answer; nothing when either file already exists."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = capture_stem(capture)
    response, sidecar = folder / f"{stem}.json", folder / f"{stem}{SIDECAR_SUFFIX}"
    if response.exists() or sidecar.exists():
        return Saved(response, sidecar, written=False)
    record = sidecar_record(capture, province, root_department_id)
    if not _write_new(sidecar, (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")):
        return Saved(response, sidecar, written=False)  # another run took the name a moment ago
    try:
        written = _write_new(response, capture.body)
    except BaseException:
        sidecar.unlink(missing_ok=True)  # no sidecar without its answer
        raise
    if not written:
        sidecar.unlink(missing_ok=True)
    return Saved(response, sidecar, written=written)


def capture_periods(today: date) -> list[Period]:
    """The year to date, the quarter and the month of ``today``; the month and quarter just closed during their
    first days after closing, and last year early in January (the portal's final figures of a closed period)."""
    periods = [period_containing(kind, today) for kind in ("year", "quarter", "month")]
    if today.day <= CLOSED_PERIOD_DAYS:
        last_month_day = today.replace(day=1) - timedelta(days=1)
        periods.append(period_containing("month", last_month_day))
        if today.month in (1, 4, 7, 10):
            periods.append(period_containing("quarter", last_month_day))
        if today.month == 1:
            periods.append(period_containing("year", last_month_day))
    return periods


@dataclass
class Collection:
    """What a collection run did."""

    saved: list[Saved] = field(default_factory=list)  # written now
    skipped: list[Saved] = field(default_factory=list)  # already there, left alone
    failures: list[PortalError] = field(default_factory=list)
    # Answers with no unit: the portal has not computed the period yet (a month or quarter just begun), nothing saved;
    # expected, so not a failure of the run (the next run asks again).
    not_computed: list[PortalError] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped before the end (Vietnamese)
    not_attempted: list[tuple[str, str]] = field(default_factory=list)  # (endpoint, period label)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.not_attempted


def collect(
    client: PortalClient,
    folder: Path,
    periods: Iterable[Period],
    endpoints: Iterable[str] = ENDPOINTS,
    *,
    province: str,
    log: Callable[[str], None] = lambda message: None,
) -> Collection:
    """Every endpoint for every period, one call at a time; each success saved at once, so a later failure keeps it.
    A 403/429 stops the run; so do MAX_FAILURES_IN_A_ROW calls in a row that got no answer."""
    todo = [(endpoint, period) for period in periods for endpoint in endpoints]
    result = Collection()
    in_a_row = 0
    for number, (endpoint, period) in enumerate(todo):
        try:
            capture = client.fetch(endpoint, period)
            saved = save_capture(folder, capture, province, client.root_department_id)
        except PortalBlocked as err:
            result.failures.append(err)
            log(str(err))
            result.stopped = f"nhóm {endpoint}, kỳ {period.label}: {err.cause}; dừng ngay, không gọi tiếp."
        except PortalError as err:
            if err.kind == "empty":
                result.not_computed.append(err)
                log(f"Cổng chưa có số liệu nhóm {endpoint}, kỳ {period.label}: không lưu; lần chạy sau hỏi lại.")
                in_a_row = 0
                continue
            result.failures.append(err)
            in_a_row = in_a_row + 1 if err.transient else 0
            log(str(err))
            if in_a_row >= MAX_FAILURES_IN_A_ROW:
                result.stopped = (
                    f"{in_a_row} lần gọi liên tiếp không được Cổng trả lời: Cổng ngừng hoạt động hoặc máy "
                    "chủ không có mạng; dừng, không gọi tiếp."
                )
        except OSError as err:  # the answer came but could not be written: the inbox folder's fault, not the portal's
            result.failures.append(
                PortalError(
                    endpoint,
                    period,
                    "save",
                    f"không ghi được tệp vào {folder} ({err})",
                    "Kiểm tra quyền ghi và dung lượng ổ đĩa của thư mục này rồi chạy lại",
                )
            )
            in_a_row = 0
        else:
            in_a_row = 0
            if saved.written:
                result.saved.append(saved)
                log(f"Đã lưu {saved.response.name} ({capture.rows} đơn vị, {capture.pages} trang).")
            else:
                result.skipped.append(saved)
                log(f"Bỏ qua {saved.response.name}: đã có ảnh chụp cùng nhóm, cùng kỳ, cùng phút; giữ nguyên tệp cũ.")
        if result.stopped:
            result.not_attempted = [(e, p.label) for e, p in todo[number + 1 :]]
            break
    return result


def failure_report(result: Collection) -> str:
    """Every failure of a run and what to do, in Vietnamese, for the official reading the failed run."""
    lines = [
        (
            f"Thu thập Chỉ số 766 từ Cổng DVCQG chưa trọn vẹn: {len(result.saved)} ảnh chụp đã lưu (vẫn giữ nguyên), "
            f"{len(result.failures)} lần gọi lỗi."
        )
    ]
    lines += [f"- {err}" for err in result.failures]
    if result.stopped:
        lines.append(f"Dừng sớm: {result.stopped}")
    if result.not_attempted:
        lines.append("Chưa gọi: " + ", ".join(f"{e} {p}" for e, p in result.not_attempted) + ".")
    lines.append(
        "Các nhóm, kỳ lỗi hoặc chưa gọi sẽ được thu thập ở lần chạy sau (theo lịch portal_capture_0530) hoặc "
        "chạy tay qd766_portal_capture với cấu hình periods; ảnh chụp cũ trong inbox/portal không bị đụng tới."
    )
    return "\n".join(lines)
