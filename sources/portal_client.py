"""Client of the national portal's QĐ 766 evaluation API (Cổng DVCQG): one group for one period per call.

``POST {base}/api/v1/reporting/evaluation/{endpoint}`` with the period as the portal wants it (``timeType``, ``year``,
``quarter`` or ``month``; ``fromDate``/``toDate`` for ``handling-satisfaction``) and the province's
``rootDepartmentId`` (shapes in ../shared/reference/portal-api.md, methodology §3.4). Evaluation endpoints are paged:
every page is fetched and the rows merged into one answer, so one capture holds the whole province.

Crawl etiquette: calls are sequential with a pause between them; a timeout, a lost connection or a 5xx is retried a
few times with exponential backoff; 403 and 429 stop everything at once, without retry. Every failure is a
PortalError whose message (Vietnamese: an official reads it in the run) names the group, the period, the cause and
what to do. No Dagster here.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard

import requests
import urllib3

from common.periods import Period, parse_period
from common.settings import now_local
from sources.portal_format import (
    JsonObject,
    dumps_keeping_duplicates,
    duplicates_of,
    is_ok_code,
    json_object,
    refusal_message,
)

API_PATH = "/api/v1/reporting/evaluation/"
TREE_ENDPOINTS = ("dvc-progress-tree", "provide-online-tree", "formality-online-payment-tree")
EVALUATION_ENDPOINTS = ("transparency", "handling-satisfaction", "dossier-digitized")
ENDPOINTS = TREE_ENDPOINTS + EVALUATION_ENDPOINTS
SATISFACTION = "handling-satisfaction"  # takes the period's calendar bounds instead of timeType
GROUP_NAMES = {
    "transparency": "Công khai, minh bạch",
    "dvc-progress-tree": "Tiến độ giải quyết",
    "provide-online-tree": "Dịch vụ công trực tuyến",
    "formality-online-payment-tree": "Thanh toán trực tuyến",
    "handling-satisfaction": "Mức độ hài lòng",
    "dossier-digitized": "Số hóa hồ sơ",
}
PAGE_SIZE = 200
# A province has about 110 units: more than 50 pages of 200 means the portal ignores currentPage; stop rather than loop.
MAX_PAGES = 50
COLLECTOR = "cchc-portal-collector/1"
USER_AGENT = f"{COLLECTOR} (So KH&CN; thu thap Chi so 766; tuan tu, co gian cach)"
_BLOCKED = {403: "từ chối truy cập (HTTP 403)", 429: "báo đã nhận quá nhiều yêu cầu (HTTP 429)"}


class PortalError(Exception):
    """A call that gave nothing to save. ``kind``: network, server (retried, then given up), blocked, http, html,
    not_json, code, shape, incomplete, empty (an answer with no units: no data yet); period (not begun yet: no call
    made)."""

    def __init__(self, endpoint: str, period: Period, kind: str, cause: str, advice: str):
        self.endpoint, self.period, self.kind, self.cause, self.advice = endpoint, period, kind, cause, advice
        super().__init__(f"{where(endpoint, period)}: {cause}. {advice.rstrip('.')}.")

    @property
    def transient(self) -> bool:
        """The portal did not answer (or answered 5xx), as opposed to answering something unusable."""
        return self.kind in ("network", "server")


class PortalBlocked(PortalError):
    """HTTP 403 or 429: the whole run stops at once."""


def where(endpoint: str, period: Period) -> str:
    return f"Cổng DVCQG, nhóm {GROUP_NAMES.get(endpoint, endpoint)} ({endpoint}), kỳ {period.vietnamese} ({period.label})"


def portal_period(label: str) -> Period:
    """A period the portal knows: month, quarter or year (to date). ValueError with a Vietnamese message otherwise."""
    period = parse_period(label.strip())
    if period.kind not in ("month", "quarter", "year"):
        raise ValueError(f"Kỳ '{label}': Cổng DVCQG chỉ chấm theo tháng (2026-M03), quý (2026-Q1) hoặc năm (2026-Y).")
    return period


def request_body(endpoint: str, period: Period, root_department_id: str, page: int | None = None) -> dict:
    """The JSON body of one call; ``page`` for the paged (evaluation) endpoints."""
    if endpoint == SATISFACTION:
        body: dict = {"fromDate": period.start.isoformat(), "toDate": period.end.isoformat()}
    else:
        body = {"timeType": period.kind, "year": period.start.year}
        if period.kind == "quarter":
            body["quarter"] = (period.start.month + 2) // 3
        elif period.kind == "month":
            body["month"] = period.start.month
    body["rootDepartmentId"] = root_department_id
    if page is not None:
        body |= {"currentPage": page, "pageSize": PAGE_SIZE}
    return body


@dataclass(frozen=True)
class Capture:
    """One group and period as the portal answered it."""

    endpoint: str
    period: Period
    captured_at: datetime  # local Vietnam time, naive, when the (first) answer arrived
    url: str
    requests: tuple[dict, ...]  # the body of each call, one per page
    body: bytes  # the answer as received; pages of an evaluation endpoint merged into one answer
    http_status: int
    rows: int  # units in the answer (tree children or evaluation rows)

    @property
    def pages(self) -> int:
        return len(self.requests)


def _errno_text(err: Exception) -> str:
    """The useful end of requests' long messages: 'Connection refused', 'Name or service not known'."""
    text = str(err)
    found = re.findall(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    return found[-1].strip() if found else (type(err).__name__ + (f": {text[:160]}" if text else ""))


class PortalClient:
    """Calls the portal for one province. ``sleep`` and ``now`` are injectable so that tests neither wait nor depend
    on the clock."""

    def __init__(
        self,
        base_url: str,
        root_department_id: str,
        *,
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 5.0,
        delay: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = now_local,
    ):
        if not root_department_id:
            raise ValueError("Thiếu rootDepartmentId của tỉnh (CCHC_PORTAL_ROOT_ID hoặc masterdata/portal_provinces.csv).")
        if timeout <= 0 or retries < 0 or backoff < 0 or delay < 0:
            raise ValueError("Thời gian chờ phải dương; số lần thử lại, thời gian giãn cách không được âm.")
        self.base_url = base_url.rstrip("/")
        self.root_department_id = root_department_id
        self.timeout, self.retries, self.backoff, self.delay = timeout, retries, backoff, delay
        self._sleep, self._now = sleep, now
        self._session = requests.Session()
        self._session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self._calls = 0

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> PortalClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def url(self, endpoint: str) -> str:
        return f"{self.base_url}{API_PATH}{endpoint}"

    def fetch(self, endpoint: str, period: Period) -> Capture:
        """One group for one period, every page of it; PortalError (PortalBlocked on 403/429) when nothing usable
        came back."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"Nhóm '{endpoint}' không có trong API của Cổng (chỉ {', '.join(ENDPOINTS)}).")
        now = self._now()
        if now.date() < period.start:  # its answer could not describe it: the reader refuses it
            raise PortalError(
                endpoint,
                period,
                "period",
                f"kỳ chưa bắt đầu (bắt đầu ngày {period.start:%d/%m/%Y}, bây giờ là {now:%d/%m/%Y %H:%M})",
                "Chỉ thu thập kỳ đã bắt đầu: bỏ kỳ này khỏi cấu hình periods. Không gọi Cổng, không lưu gì",
            )
        paged = endpoint in EVALUATION_ENDPOINTS
        first = request_body(endpoint, period, self.root_department_id, 1 if paged else None)
        status, raw, payload = self._call(endpoint, period, first)
        captured_at = self._now()
        data = payload.get("data")
        fail = _failer(endpoint, period)
        if not paged:
            if (
                not isinstance(data, dict)
                or not isinstance(data.get("parent"), dict)
                or not isinstance(data.get("children"), list)
            ):
                raise fail(
                    "shape", "câu trả lời không có data.parent và danh sách data.children như dạng cây của Cổng", _SHAPE_ADVICE
                )
            if not data["children"]:
                raise fail("empty", "Cổng chưa có số liệu: câu trả lời không có đơn vị nào (data.children rỗng)", _EMPTY_ADVICE)
            return Capture(endpoint, period, captured_at, self.url(endpoint), (first,), raw, status, len(data["children"]))

        rows, total, pages = _page(fail, data, 1)
        assert isinstance(data, dict)  # _page raised otherwise
        if not total and not rows:  # saved, the reader would refuse it (no_units) while the run stayed green
            raise fail(
                "empty",
                f"Cổng chưa có số liệu: câu trả lời không có đơn vị nào (tổng {total}, data.evaluation rỗng)",
                _EMPTY_ADVICE,
            )
        bodies = [first]
        for page in range(2, pages + 1):
            body = request_body(endpoint, period, self.root_department_id, page)
            _, _, more = self._call(endpoint, period, body)
            bodies.append(body)
            rows += _page(fail, more.get("data"), page)[0]
        # Departments, not rows: a page that repeats another (the portal re-sorting while it is paged) adds rows only.
        departments = {_department_key(r) for r in rows}
        if len(rows) < total or len(departments) < total:
            shown = f"{len(rows)} dòng" + (f" ({len(departments)} đơn vị khác nhau)" if len(departments) < len(rows) else "")
            raise fail(
                "incomplete",
                f"Cổng báo {total} đơn vị nhưng {pages} trang chỉ có {shown}",
                "Dữ liệu có thể đang được Cổng cập nhật: chạy lại sau; không lưu bản thiếu.",
            )
        if pages > 1:  # one answer as if it had come in one page: the envelope of page 1 with every row
            pagination = {"currentPage": 1, "pageSize": len(rows), "total": total, "totalPages": 1}
            merged = _replaced(payload, data=_replaced(data, evaluation=rows, pagination=pagination))
            # A key a row writes twice with different values is written twice again: the reader reports it.
            raw = dumps_keeping_duplicates(merged).encode("utf-8")
        return Capture(endpoint, period, captured_at, self.url(endpoint), tuple(bodies), raw, status, len(rows))

    def _call(self, endpoint: str, period: Period, body: dict) -> tuple[int, bytes, dict]:
        """(HTTP status, bytes, parsed JSON) of one call, retried on timeouts, lost connections and 5xx."""
        fail = _failer(endpoint, period)
        attempts = self.retries + 1
        error: PortalError | None = None
        for attempt in range(attempts):
            if self._calls:  # a pause before every call but the first: never two calls back to back
                self._sleep(self.delay)
            self._calls += 1
            answer = self._post(fail, endpoint, body)
            if isinstance(answer, PortalError):
                error = answer
            else:
                response, raw = answer
                status = response.status_code
                if status in _BLOCKED:
                    wait = response.headers.get("Retry-After")
                    raise PortalBlocked(
                        endpoint,
                        period,
                        "blocked",
                        f"Cổng {_BLOCKED[status]}" + (f", yêu cầu chờ {wait} giây" if wait else ""),
                        _BLOCKED_ADVICE,
                    )
                if status >= 500:
                    error = fail("server", f"Cổng gặp lỗi máy chủ (HTTP {status})", _RETRY_ADVICE)
                elif 300 <= status < 400:
                    raise fail(
                        "http",
                        f"Cổng chuyển hướng (HTTP {status}) sang '{response.headers.get('Location', '?')}' thay vì trả dữ liệu",
                        "Có thể Cổng đổi địa chỉ API hoặc đang bảo trì: kiểm tra CCHC_PORTAL_URL; chạy lại sau.",
                    )
                elif status != 200:
                    raise fail(
                        "http",
                        f"Cổng từ chối yêu cầu (HTTP {status}): {_snippet(raw)}",
                        "Kiểm tra CCHC_PORTAL_URL, rootDepartmentId (CCHC_PORTAL_ROOT_ID) và kỳ; Cổng có thể đã đổi API.",
                    )
                else:
                    return status, raw, _parse(fail, raw)
            if attempt + 1 < attempts:
                self._sleep(self.backoff * 2**attempt)
        assert error is not None
        raise PortalError(endpoint, period, error.kind, f"{error.cause}, sau {attempts} lần thử", error.advice)

    def _post(
        self, fail: Callable[[str, str, str], PortalError], endpoint: str, body: dict
    ) -> tuple[requests.Response, bytes] | PortalError:
        """The answer of one attempt and its body, or the error of an attempt that got none (a timeout, a lost
        connection: to be retried); a request that cannot be sent at all raises. ``timeout`` bounds the whole answer:
        requests' own timeout bounds each socket read only, so a server sending a few bytes at a time kept a call
        open for as long as it liked."""
        too_slow = fail("network", f"Cổng không trả lời trong {self.timeout:g} giây", _RETRY_ADVICE)
        try:
            response = self._session.post(self.url(endpoint), json=body, timeout=self.timeout, allow_redirects=False, stream=True)
        except requests.Timeout:
            return too_slow
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as err:
            return _lost(fail, err)
        except requests.ConnectionError as err:
            return fail(
                "network",
                f"không kết nối được tới {self.base_url} ({_errno_text(err)})",
                "Kiểm tra máy chủ có mạng ra Internet và địa chỉ CCHC_PORTAL_URL; chạy lại sau.",
            )
        except requests.RequestException as err:
            raise fail("http", f"yêu cầu không gửi được ({_errno_text(err)})", "Kiểm tra địa chỉ CCHC_PORTAL_URL.") from None
        # The body within ``timeout`` once the headers came: the portal's computing time before them is bounded by
        # each read's timeout, so a slow but steady answer is not cut, a trickling one is.
        deadline = time.monotonic() + self.timeout
        with response:  # the connection goes back (or is dropped) whatever happens below
            chunks: list[bytes] = []
            try:
                while chunk := response.raw.read1(65536, decode_content=True):  # whatever has come, not a full block
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        return too_slow
            except urllib3.exceptions.ReadTimeoutError:
                return too_slow
            except (urllib3.exceptions.HTTPError, OSError) as err:  # a cut, a garbled body, a broken TLS record
                return _lost(fail, err)
        if time.monotonic() > deadline:
            return too_slow
        return response, b"".join(chunks)


def _lost(fail: Callable[[str, str, str], PortalError], err: Exception) -> PortalError:
    """The answer began and the connection broke (or its body came garbled) on the way: a lost connection, retried
    like a timeout, not a wrong address."""
    return fail("network", f"kết nối tới Cổng bị ngắt giữa chừng khi đang nhận câu trả lời ({_errno_text(err)})", _RETRY_ADVICE)


_RETRY_ADVICE = "Cổng có thể đang quá tải hoặc bảo trì: chạy lại sau (tự động lần tới theo lịch hoặc chạy tay)."
_BLOCKED_ADVICE = (
    "Đã dừng toàn bộ lượt thu thập ngay, không thử lại, không gọi tiếp nhóm nào (quy tắc thu thập lịch sự: "
    "không gọi dồn khi Cổng đã từ chối). Chờ ít nhất vài giờ hoặc đến ngày hôm sau rồi mới chạy lại; "
    "nếu vẫn bị từ chối, liên hệ quản trị Cổng DVCQG, không đổi địa chỉ IP để lách"
)
_EMPTY_ADVICE = "Cổng có thể chưa tổng hợp số liệu kỳ này: chạy lại sau (tự động lần tới theo lịch hoặc chạy tay). Không lưu gì"
_SHAPE_ADVICE = "Cổng có thể đã đổi định dạng: báo người phụ trách dữ liệu (xem portal-api.md); không lưu gì"


def _failer(endpoint: str, period: Period) -> Callable[[str, str, str], PortalError]:
    return lambda kind, cause, advice: PortalError(endpoint, period, kind, cause, advice)


def _snippet(raw: bytes, size: int = 120) -> str:
    text = " ".join(raw[: size * 2].decode("utf-8", errors="replace").split())
    return f"'{text[:size]}'" if text else "(rỗng)"


def _parse(fail: Callable[[str, str, str], PortalError], raw: bytes) -> dict:
    """The JSON of an HTTP 200 answer whose code says OK; anything else is a PortalError."""
    # A maintenance or block page comes back as HTML with status 200; JSON never starts with '<'.
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        title = re.search(rb"<title[^>]*>(.*?)</title>", raw[:65536], re.IGNORECASE | re.DOTALL)
        named = f" «{' '.join(title.group(1).decode('utf-8', errors='replace').split())[:120]}»" if title else ""
        raise fail(
            "html",
            f"Cổng trả về một trang HTML{named} (HTTP 200) thay vì dữ liệu JSON: có thể Cổng đang bảo trì hoặc đã chặn truy cập",
            "Mở trang Cổng bằng trình duyệt để xem; chạy lại sau. Không lưu gì",
        )
    try:
        payload = json.loads(raw.decode("utf-8-sig"), object_pairs_hook=json_object)
    except (UnicodeDecodeError, ValueError):
        raise fail(
            "not_json",
            f"câu trả lời không phải JSON ({len(raw)} byte, bắt đầu bằng {_snippet(raw, 60)})",
            "Chạy lại sau; nếu lặp lại, Cổng có thể đã đổi API. Không lưu gì",
        ) from None
    if not isinstance(payload, dict):
        raise fail("not_json", "câu trả lời là JSON nhưng không phải đối tượng {code, message, data}", _SHAPE_ADVICE)
    if refused := refusal_message(payload):
        raise fail(
            "access", refused, "Kiểm tra tài khoản và quyền truy cập Cổng (đăng nhập lại nếu cần), rồi chạy lại. Không lưu gì"
        )
    if not is_ok_code(payload.get("code")):
        raise fail(
            "code",
            f"Cổng trả mã lỗi {payload.get('code')!r}, thông báo: «{payload.get('message')}»",
            "Kiểm tra rootDepartmentId (CCHC_PORTAL_ROOT_ID) và kỳ; nếu Cổng báo lỗi tạm thời, chạy lại sau. Không lưu gì",
        )
    return payload


def _count(value: object) -> TypeGuard[int]:
    """A whole number of rows or pages as JSON gives it (true and false are not numbers)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _page(fail: Callable[[str, str, str], PortalError], data: object, page: int) -> tuple[list, int, int]:
    """(rows, portal total, number of pages) of one page of an evaluation endpoint."""
    pagination = data.get("pagination") if isinstance(data, dict) else None
    rows = data.get("evaluation") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not isinstance(pagination, dict):
        raise fail("shape", f"trang {page} không có data.evaluation và data.pagination như dạng đánh giá của Cổng", _SHAPE_ADVICE)
    total, pages, current = (pagination.get(k) for k in ("total", "totalPages", "currentPage"))
    if not (_count(total) and _count(pages)):
        raise fail("shape", f"data.pagination của trang {page} không đọc được ({pagination})", _SHAPE_ADVICE)
    if pages > MAX_PAGES:
        raise fail("shape", f"Cổng báo {pages} trang (quá {MAX_PAGES} trang cho một tỉnh)", _SHAPE_ADVICE)
    if current is not None and not _same_page(current, page):  # a portal that ignores currentPage would repeat page 1
        raise fail("shape", f"hỏi trang {page} nhưng Cổng trả trang {current}", _SHAPE_ADVICE)
    return list(rows), total, max(pages, 1)


def _same_page(value: object, page: int) -> bool:
    """Whether the answer's currentPage is ``page``: 1, 1.0 or "1" alike."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == page
    return isinstance(value, str) and value.strip() == str(page)


def _replaced(obj: dict, **fields: object) -> JsonObject:
    """A copy of a parsed JSON object with ``fields`` replaced, its other keys written twice kept as they were."""
    copy = JsonObject()
    copy.update(obj)
    copy.duplicates = {k: v for k, v in duplicates_of(obj).items() if k not in fields}
    copy.update(fields)
    return copy


def _department_key(row: object) -> object:
    """What tells a department's row from another's: its id, else its code, else its name (else the row itself)."""
    if not isinstance(row, dict):
        return repr(row)
    return row.get("departmentId") or row.get("departmentCode") or row.get("departmentName") or repr(sorted(row.items(), key=str))
