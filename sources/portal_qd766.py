"""Responses of the national portal's QĐ 766 evaluation API (Cổng DVCQG), one JSON file per group and period.

A response carries no period and no capture time (../shared/reference/portal-api.md), so each of them comes from
the sidecar ``<stem>.request.json`` the collector writes beside every capture (``sources/portal_client.py``), else
(the period) from the request recorded in it, else from the documented file name
``{endpoint}_{period}_{capturedYYYYmmddTHHMM}.json`` with period ``2026-M10``, ``2026-Q3`` or ``2026-Y``. The endpoint is recognised from the content (metric codes, count fields, maximum score) and must agree
with the name or sidecar when they give one. A file whose period cannot be known is refused with a message saying
what to add; a missing capture time is taken from the file's modification time, and said so.

Two shapes (methodology §3.4): tree (``data.parent`` + ``data.children[]``) and evaluation (``data.overview`` +
``data.evaluation[]`` with ``metrics[]`` and ``data.pagination``). Every field variant of the real endpoints is read:
``score``/``totalScore``, ``maxScore``/``totalMaxScore``, ``departmentCode`` where the endpoint publishes it,
``departmentId`` always, ``dataQualityStatus`` per metric. Which count fields each endpoint publishes on each row
level is configuration (``portal.fields`` of the methodology file): only what is abnormal is reported.

``null`` means "not evaluated" and stays None, never 0. Problems are returned as issues (one per row and field;
``summarise_issues`` makes one line per rule and file); every usable row is kept, unmatched ones under the
portal's own code, id or name.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from common.periods import Period, parse_period
from common.settings import TIMEZONE, business_today, local_time_of, now_local
from common.units import Unit, UnitMatcher, province_named, province_of_portal_code, province_of_portal_root
from common.vntext import ambiguous_thousands, nfc, shorten
from scoring.qd766 import ROW_LEVELS, Group, Methodology, MethodologyError
from sources.portal_format import (
    FILE_PATTERN,
    duplicates_of,
    is_ok_code,
    json_object,
    refusal_message,
    same_value,
    sidecar_of,
)
from sources.rule_labels import PORTAL_ISSUE_LABELS as ISSUE_LABELS

_PERIOD_IN_NAME = re.compile(r"(?<![0-9])(\d{4}-(?:M(?:0[1-9]|1[0-2])|Q[1-4]|Y))(?![0-9A-Za-z])")
_CAPTURE_IN_NAME = re.compile(r"(?<![0-9])(\d{8}T\d{4})(\d{2})?(?![0-9])")
SCORE_FIELDS = ("score", "totalScore")
MAX_FIELDS = ("maxScore", "totalMaxScore")


@dataclass(frozen=True)
class PortalMetric:
    code: str
    name: str | None
    numerator: float | None
    denominator: float | None
    ratio: float | None
    score: float | None
    max_score: float | None
    data_quality_status: str | None = None  # the portal's own warning, e.g. TEMP_NATIONAL_REPORT_DENOMINATOR
    data_quality_message: str | None = None
    # The portal's score is there but cannot be used: outside 0..max (``_in_range``), not a number, or its field
    # missing (renamed): "unreadable", never "the portal did not evaluate it" (a null score).
    score_unusable: bool = False


@dataclass
class PortalNode:
    role: str  # province (tree parent / evaluation overview) | unit
    department_code: str | None
    department_id: str | None
    department_name: str | None
    level: str | None
    unit_code: str | None  # master-data code; None when the department matches no unit
    score: float | None
    max_score: float | None
    ratio: float | None
    counts: dict[str, float | None] = field(default_factory=dict)  # tree: fields present (value may be None)
    metrics: dict[str, PortalMetric] = field(default_factory=dict)  # evaluation: by metric code
    matched_by: str | None = None  # code | name | department_id | learned_code
    # The portal's score is there but cannot be used: outside 0..max (``_in_range``), not a number, or its field
    # missing (renamed): "unreadable", never "the portal did not evaluate it" (a null score).
    score_unusable: bool = False

    @property
    def department(self) -> str:
        return self.department_code or self.department_name or self.department_id or "?"


@dataclass(frozen=True)
class PortalIssue:
    department: str | None  # the portal's code or name, None for the whole file
    field: str | None
    rule: str
    reason: str  # Vietnamese
    blocking: bool = False  # the whole file is unusable


@dataclass(frozen=True)
class PageInfo:
    current: int | None  # currentPage
    pages: int | None  # totalPages
    total: float | None  # units the portal has in all pages


@dataclass
class PortalSnapshot:
    file_name: str
    sha256: str
    size_bytes: int = 0
    endpoint: str | None = None
    methodology: Methodology | None = None
    group: Group | None = None
    period_label: str | None = None
    captured_at: datetime | None = None
    capture_source: str | None = None  # sidecar | file_name | file_time
    nodes: list[PortalNode] = field(default_factory=list)
    issues: list[PortalIssue] = field(default_factory=list)
    page: PageInfo | None = None  # an evaluation answer's data.pagination, with the rows the file holds
    joined: tuple[str, ...] = ()  # the files of the pages of one capture saved one file per page, this one included

    @property
    def usable(self) -> bool:
        return not any(i.blocking for i in self.issues)

    def refuse(self, rule: str, reason: str) -> PortalSnapshot:
        self.issues.append(PortalIssue(None, None, rule, reason, blocking=True))
        return self


class BadNumber(ValueError):
    """A value that should be a number (or null) and is neither."""


def _number(value: object, high: float = math.inf) -> float | None:
    """A count or score; None only for the portal's null. Anything else that is not a number is BadNumber. ``high``:
    the most the value may be; text such as '18.125' is a decimal where a thousands-grouped reading would be above it
    (a score out of 20), ambiguous only where both readings fit (a count)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadNumber(value)
    if isinstance(value, int | float):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            raise BadNumber(value)
        return float(value)
    # A number sent as text: digits with one decimal part only ('1e3', '1_000', 'nan', 'inf' are not numbers), and
    # never '1.200' or '1,234', which read as thousands grouped or as a decimal alike (common/vntext.py).
    text = str(value).strip()
    if not _NUMBER_TEXT.fullmatch(text) or ambiguous_thousands(text, high):
        raise BadNumber(value)
    return float(text.replace(",", "."))


_NUMBER_TEXT = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


MethodologyChoice = Methodology | Callable[[date], Methodology]


# --- where the period and capture time come from ------------------------------------------------------------


@dataclass
class CaptureInfo:
    endpoint: str | None = None
    period_label: str | None = None
    captured_at: datetime | None = None
    source: str | None = None  # sidecar | file_name
    sidecar: str | None = None  # the sidecar's file name, when one was read
    province: str | None = None  # the province the sidecar says the answer is of, as written
    root_ids: tuple[str, ...] = ()  # the rootDepartmentId the sidecar and its recorded requests name


def _period_from_request(request: dict) -> str | None:
    """The period label of a request body: timeType/year/quarter/month, or fromDate/toDate of a whole period."""
    try:
        year = int(request["year"]) if "year" in request else None
        kind = request.get("timeType")
        if kind == "year" and year:
            return f"{year}-Y"
        if kind == "quarter" and year:
            return f"{year}-Q{int(request['quarter'])}"
        if kind == "month" and year:
            return f"{year}-M{int(request['month']):02d}"
        if "fromDate" in request and "toDate" in request:
            first, last = date.fromisoformat(str(request["fromDate"])[:10]), date.fromisoformat(str(request["toDate"])[:10])
            for label in (f"{first.year}-Y", f"{first.year}-Q{(first.month - 1) // 3 + 1}", f"{first.year}-M{first.month:02d}"):
                p = parse_period(label)
                if (p.start, p.end) == (first, last):
                    return label
    except (KeyError, TypeError, ValueError):
        return None
    return None


def _capture_time(value: object) -> datetime | None:
    """A capture time as written in a sidecar: ISO ("2026-10-03T08:15") or day first ("03/10/2026 08:15"), as local
    Vietnam time. An ISO time with an offset ("2026-09-30T23:30:00Z") is converted, not cut: dropping the offset put
    that capture 7 hours early, in the wrong day and here in the wrong quarter."""
    text = str(value).strip()
    try:
        taken = datetime.fromisoformat(text)
    except ValueError:
        pass
    else:
        if taken.tzinfo is not None:
            taken = taken.astimezone(ZoneInfo(TIMEZONE))
        return taken.replace(tzinfo=None)
    for fmt in ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _bad_capture(reason: str, rule: str = "bad_capture_time") -> PortalIssue:
    return PortalIssue(None, None, rule, reason + " Tệp không được nạp.", blocking=True)


def capture_info(path: Path) -> tuple[CaptureInfo, list[PortalIssue]]:
    """Endpoint, period and capture time declared for a response, each key on its own: from the sidecar, else from
    the request recorded in it (the period), else from the file name. A sidecar may hold only the request (what
    portal-api.md asks whoever saves an answer to keep) or only a capture time: the name still gives the rest."""
    named, name_problems = _name_info(path)
    sidecar = sidecar_of(path)
    if not sidecar.exists():
        return named, name_problems
    try:
        meta = json.loads(_text_of(sidecar.read_bytes()))
        if not isinstance(meta, dict):
            raise ValueError("không phải đối tượng JSON")
    except (OSError, ValueError, _Refusal) as err:
        cause = err.reason if isinstance(err, _Refusal) else str(err)
        return CaptureInfo(), [
            PortalIssue(
                None,
                None,
                "bad_sidecar",
                f"Tệp kèm {sidecar.name} không đọc được ({cause}); xóa tệp kèm hoặc thu thập lại.",
                blocking=True,
            )
        ]
    requests = meta.get("requests") or ([meta["request"]] if isinstance(meta.get("request"), dict) else [])
    asked = list(dict.fromkeys(p for r in requests if isinstance(r, dict) and (p := _period_from_request(r))))
    period = meta.get("period") or (asked[0] if asked else None) or named.period_label
    if period is not None and not isinstance(period, str):
        return CaptureInfo(), [_bad_capture(f'Tệp kèm {sidecar.name}: kỳ {period!r} phải là chuỗi như "2026-Q3".')]
    if disagreement := _periods_disagree(sidecar.name, meta.get("period"), asked, named.period_label):
        return CaptureInfo(), [PortalIssue(None, None, "period_mismatch", disagreement, blocking=True)]
    endpoint = meta.get("endpoint") or named.endpoint
    # Whose answer the collector asked for: a file copied from another province's folder keeps its sidecar.
    roots = [meta.get("root_department_id")] + [r.get("rootDepartmentId") for r in requests if isinstance(r, dict)]
    told = CaptureInfo(
        endpoint,
        period,
        sidecar=sidecar.name,
        province=meta["province"] if isinstance(meta.get("province"), str) else None,
        root_ids=tuple(dict.fromkeys(r.strip() for r in roots if isinstance(r, str) and r.strip())),
    )
    if not meta.get("captured_at"):
        # No time in the sidecar: the name's (its unreadable stamp refuses the file, as without a sidecar).
        return replace(told, captured_at=named.captured_at, source=named.source), name_problems
    captured = _capture_time(meta["captured_at"])
    if captured is None:
        return CaptureInfo(), [
            _bad_capture(
                f"Tệp kèm {sidecar.name}: thời điểm chụp {meta['captured_at']!r} không đọc được; ghi theo mẫu "
                '"2026-10-03T08:15" (không dùng thời gian của tệp: một bản cũ sẽ thành bản mới nhất).'
            )
        ]
    if named.captured_at is not None and abs(captured - named.captured_at) > CAPTURE_TIME_SLACK:
        # which capture is the latest decides the scores used: a sidecar copied from another capture is not taken
        return CaptureInfo(), [
            PortalIssue(
                None,
                None,
                "capture_time_mismatch",
                f"Tệp kèm {sidecar.name} ghi thời điểm chụp {captured:%d/%m/%Y %H:%M}, tên tệp ghi "
                f"{named.captured_at:%d/%m/%Y %H:%M}: không biết phản hồi được chụp lúc nào (lần chụp mới nhất là lần "
                "được dùng). Tệp không được nạp; sửa tệp kèm hoặc tên tệp cho khớp, hoặc thu thập lại.",
                blocking=True,
            )
        ]
    return replace(told, captured_at=captured, source="sidecar"), []


# How far a sidecar's capture time may be from the name's stamp: a sidecar copied from another day's capture is
# refused; hours apart (a time zone, a name stamped by hand) are the sidecar's to say.
CAPTURE_TIME_SLACK = timedelta(days=1)


def _periods_disagree(sidecar: str, declared: str | None, asked: list[str], named: str | None) -> str | None:
    """Why the file is refused when its sidecar's period, the request recorded in the sidecar and the file name name
    different periods (the answer is the request's, but a sidecar or a name may have been edited or copied from
    another capture: which one is right is unknowable); None when those that are given agree."""
    told = [(f"tệp kèm {sidecar} ghi kỳ", declared)] + [("yêu cầu ghi trong tệp kèm là kỳ", a) for a in asked]
    told.append(("tên tệp ghi kỳ", named))
    given = [(who, label) for who, label in told if isinstance(label, str)]
    if len({_period_key(label) for _, label in given}) < 2:
        return None
    return (
        "; ".join(f"{who} {label}" for who, label in given)
        + ": không biết phản hồi là số liệu của kỳ nào. Tệp không được nạp; sửa kỳ trong tệp kèm hoặc tên tệp cho "
        "khớp với yêu cầu đã gửi Cổng, hoặc thu thập lại."
    )


def _period_key(label: str) -> str:
    """A period label as compared: as parsed ('2026-Q3 ' is 2026-Q3); a label that does not parse, as written."""
    try:
        return parse_period(label.strip()).label
    except ValueError:
        return label.strip()


def _name_info(path: Path) -> tuple[CaptureInfo, list[PortalIssue]]:
    """Endpoint, period and capture time as the file name gives them: the documented name, else whatever period and
    stamp a name of another form carries."""
    name = FILE_PATTERN.match(path.name)
    if name:
        try:
            taken = datetime.strptime(name["captured"], "%Y%m%dT%H%M")
        except ValueError:
            return CaptureInfo(name["endpoint"], name["period"], None, "file_name"), [
                _bad_capture(
                    f"Thời điểm chụp '{name['captured']}' trong tên tệp không đọc được: ghi năm, tháng, ngày rồi giờ, phút "
                    "(20261003T0815 là 08:15 ngày 03/10/2026)."
                )
            ]
        return CaptureInfo(name["endpoint"], name["period"], taken, "file_name"), []
    # A name that is not the documented one may still carry the period and the time somewhere.
    period = _PERIOD_IN_NAME.search(path.name)
    stamp = _CAPTURE_IN_NAME.search(path.name)
    captured = None
    if stamp:
        try:
            captured = datetime.strptime(stamp.group(1) + (stamp.group(2) or "00"), "%Y%m%dT%H%M%S")
        except ValueError:
            captured = None
    return CaptureInfo(None, period.group(1) if period else None, captured, "file_name"), []


# --- content ------------------------------------------------------------------------------------------------


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32 LE"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32 BE"),
    (b"\xff\xfe", "utf-16", "UTF-16 LE"),
    (b"\xfe\xff", "utf-16", "UTF-16 BE"),
)


def _bomless_encoding(raw: bytes) -> tuple[str, str] | None:
    """UTF-16/32 saved without a byte-order mark, from the NUL bytes of its first character (RFC 4627 §3): JSON text
    begins with an ASCII character ('{', '[' or a space), whose UTF-16 LE form is 'x 00', UTF-16 BE '00 x',
    UTF-32 LE 'x 00 00 00', UTF-32 BE '00 00 00 x'. UTF-8 JSON never carries a NUL byte."""
    head = raw[:4]
    if len(head) == 4 and head[:3] == b"\x00\x00\x00" and head[3]:
        return "utf-32-be", "UTF-32 BE"
    if len(head) == 4 and head[0] and head[1:] == b"\x00\x00\x00":
        return "utf-32-le", "UTF-32 LE"
    if len(head) >= 2 and not head[0] and head[1]:
        return "utf-16-be", "UTF-16 BE"
    if len(head) >= 2 and head[0] and not head[1]:
        return "utf-16-le", "UTF-16 LE"
    return None


def _text_of(raw: bytes) -> str:
    """The text of a JSON file saved by a browser or an editor: UTF-8 (with or without BOM), UTF-16 or UTF-32 with a
    BOM or without one (an editor's "Unicode" without BOM, a PowerShell redirect). A text that does not decode is a
    _Refusal saying which encoding it was taken for and why."""
    found = next(((enc, name, "có BOM") for bom, enc, name in _BOMS if raw.startswith(bom)), None)
    if found is None and (bomless := _bomless_encoding(raw)):
        found = (*bomless, "không có BOM")
    if found is None:
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise _Refusal(
                "bad_encoding",
                f"Tệp không phải văn bản UTF-8 (byte 0x{raw[err.start]:02x} không hợp lệ ở vị trí {err.start}) và cũng không "
                "phải UTF-16/UTF-32: không phải phản hồi JSON của Cổng; lưu lại phản hồi dạng UTF-8.",
            ) from None
    encoding, name, mark = found
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        unit = 4 if "32" in encoding else 2
        why = f"{len(raw)} byte, không chia hết cho {unit}" if len(raw) % unit else "ký tự không hợp lệ"
        raise _Refusal(
            "bad_encoding",
            f"Tệp được lưu dạng {name} ({mark}) nhưng không giải mã được từ byte {err.start} ({why}): tệp có thể bị "
            "cắt cụt hoặc hỏng khi lưu; lưu lại phản hồi (tốt nhất dạng UTF-8).",
        ) from None


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body")) or "<html" in head


def detect_group(data: dict, methodology: Methodology) -> Group | None:
    """The group a response belongs to, from its content: metric codes (evaluation shape), count fields (tree
    shape), or else the maximum score of its rows; None when nothing decides."""
    if isinstance(data.get("evaluation"), list) or isinstance(data.get("overview"), dict):
        rows = [r for r in [data.get("overview"), *(data.get("evaluation") or [])] if isinstance(r, dict)]
        codes = {m.get("code") for r in rows for m in (r.get("metrics") or []) if isinstance(m, dict)}
        candidates = [g for g in methodology.groups if g.shape == "evaluation"]
        best = max(candidates, key=lambda g: len(codes & set(g.metric_codes)), default=None)
        if best is not None and codes & set(best.metric_codes):
            return best
    elif isinstance(data.get("children"), list) or isinstance(data.get("parent"), dict):
        rows = [r for r in [data.get("parent"), *(data.get("children") or [])] if isinstance(r, dict)]
        keys = {k for r in rows for k in r}
        candidates = [g for g in methodology.groups if g.shape == "tree"]
        best = max(candidates, key=lambda g: len(keys & set(g.all_fields)), default=None)
        if best is not None and keys & set(best.all_fields):
            return best
    else:
        return None
    maxima = {_number_or_none(r.get(k)) for r in rows for k in MAX_FIELDS if k in r} - {None}
    fitting = [g for g in candidates if maxima and all(math.isclose(g.max_points, x) for x in maxima)]  # type: ignore[arg-type]
    return fitting[0] if len(fitting) == 1 else None


def _number_or_none(value: object) -> float | None:
    try:
        return _number(value)
    except BadNumber:
        return None


def read_snapshot(path: Path, methodology: MethodologyChoice, matcher: UnitMatcher) -> PortalSnapshot:
    """Read one response file, its departments matched to units (``read_snapshot_files`` reads several)."""
    return read_snapshot_files([path], methodology, matcher)[0]


def read_snapshot_files(paths: Sequence[Path], methodology: MethodologyChoice, matcher: UnitMatcher) -> list[PortalSnapshot]:
    """Read response files; departments are matched by code, by name and by the portal's department id, which the
    tree shape publishes beside the code while two evaluation endpoints publish only the id and the name."""
    snapshots = [_read(p, methodology, matcher) for p in paths]
    _set_aside_copies(snapshots)
    _set_aside_answers_of_another_period(snapshots)
    link_departments([s for s in snapshots if s.usable], matcher)
    usable = [s for s in snapshots if s.usable]
    captures: dict[object, list[PortalSnapshot]] = {}
    for snap in usable:  # the pages of one capture are one answer: a unit on two pages is a unit with two rows
        captures.setdefault(snap.joined or id(snap), []).append(snap)
    _one_row_per_unit(list(captures.values()), matcher)
    for capture in captures.values():  # every page repeats the province's overview: the first page's counts once
        capture.sort(key=lambda f: f.page.current if f.page and f.page.current is not None else 0)
        for snap in capture[1:]:
            snap.nodes = [n for n in snap.nodes if n.role != "province"]
    return snapshots


def _one_row_per_unit(captures: Sequence[list[PortalSnapshot]], matcher: UnitMatcher) -> None:
    """The rule of ``_unique_rows`` applied after matching: several departments of one answer that land on one unit
    (two department ids both named Sở Nội vụ, a predecessor's name matched to its successor) are one unit with
    several rows. Different values: which one is the unit's is unknowable, so none counts (the rows stay, unmatched,
    under the portal's code or name for the reconciliation); the same values: one row is kept, with a note. A capture
    is one file, or the files of its pages when it was saved one file per page."""
    for capture in captures:
        snap = capture[0]  # the first page's file carries the issue
        by_unit: dict[str, list[PortalNode]] = {}
        for node in (n for s in capture for n in s.nodes):
            if node.role == "unit" and node.unit_code is not None:
                by_unit.setdefault(node.unit_code, []).append(node)
        extra: set[int] = set()
        for unit_code, rows in by_unit.items():
            if len(rows) < 2:
                continue
            unit = matcher.units.get(unit_code)
            unit_named = f"{unit_code} ({unit.name})" if unit else unit_code
            who = "; ".join(
                f"{n.department} ('{n.department_name}'" + (f", mã định danh {n.department_id}" if n.department_id else "") + ")"
                for n in rows
            )
            files = ", ".join(s.file_name for s in capture)
            intro = f"Tệp {files}: {len(rows)} đơn vị của Cổng cùng khớp với đơn vị {unit_named}: {who}"
            if all(_row_values(n) == _row_values(rows[0]) for n in rows[1:]):
                extra.update(id(n) for n in rows[1:])
                snap.issues.append(
                    PortalIssue(
                        rows[0].department,
                        None,
                        "one_unit_duplicate_rows",
                        f"{intro}, cùng số liệu: giữ một dòng ({rows[0].department}). Kiểm tra danh mục mã đơn vị "
                        "(masterdata/portal_codes) nếu đây là hai đơn vị khác nhau.",
                    )
                )
                continue
            scores = " và ".join("null" if n.score is None else f"{n.score:g}" for n in rows)
            kept = _decisive_row(rows, unit)
            for node in rows:
                if node is not kept:
                    node.unit_code, node.matched_by = None, None
            if kept is not None:  # the row matched by the unit's own code or current name; a predecessor's is not it
                snap.issues.append(
                    PortalIssue(
                        kept.department,
                        None,
                        "one_unit_several_rows",
                        f"{intro}, với số liệu khác nhau (điểm {scores}): dùng dòng {kept.department} (khớp theo mã "
                        "hoặc tên hiện nay của đơn vị); các dòng khác (tên cũ, đơn vị trước sắp xếp) giữ theo mã/tên của "
                        "Cổng để đối chiếu, không dùng cho chỉ số.",
                    )
                )
                continue
            snap.issues.append(
                PortalIssue(
                    rows[0].department,
                    None,
                    "one_unit_several_rows",
                    f"{intro}, với số liệu khác nhau (điểm {scores}): không biết dòng nào là của đơn vị, không dùng dòng "
                    "nào cho chỉ số (các dòng giữ theo mã/tên của Cổng để đối chiếu). Kiểm tra danh mục mã đơn vị "
                    "(masterdata/portal_codes) và tên cũ của đơn vị; nếu Cổng vẫn tách hai đơn vị, hỏi quản trị Cổng.",
                )
            )
        for page in capture:
            page.nodes = [n for n in page.nodes if id(n) not in extra]


def _decisive_row(rows: list[PortalNode], unit: Unit | None) -> PortalNode | None:
    """Of several rows landing on one unit, the one that is the unit: the only one matched by the unit's own portal
    code or id, else the only one named with the unit's current name or aliases (not a predecessor's name); None when
    no single row is."""
    by_code = [n for n in rows if n.matched_by == "code"]
    if len(by_code) == 1:
        return by_code[0]
    if unit is None:
        return None
    current = UnitMatcher([replace(unit, predecessors=())])
    named = [n for n in rows if n.department_name and current.match(n.department_name) == unit.code]
    return named[0] if len(named) == 1 else None


def _row_values(node: PortalNode) -> tuple:
    """What a unit's row says, without who it is: two rows saying the same are one row."""
    return (node.score, node.max_score, node.ratio, node.counts, node.metrics)


def _set_aside_copies(snapshots: list[PortalSnapshot]) -> None:
    """Files of one endpoint, period and capture time (a browser's second download '… (1).json'): the same content
    loads once; the pages of one paged answer saved one file per page (different currentPage, the same totalPages)
    are one capture and load together; other different contents cannot be told apart (which one the index took
    depended on the load order), so none of them loads."""
    by_capture: dict[tuple, list[PortalSnapshot]] = {}
    for snap in snapshots:
        if snap.captured_at is not None and not any(i.blocking for i in snap.issues):
            by_capture.setdefault((snap.endpoint, snap.period_label, snap.captured_at), []).append(snap)
    for copies in by_capture.values():
        if len(copies) < 2:
            continue
        copies.sort(key=lambda c: (len(c.file_name), c.file_name))  # the original name before '… (1)'
        originals: dict[str, PortalSnapshot] = {}
        for copy in copies:
            if copy.sha256 in originals:
                copy.refuse(
                    "duplicate_capture",
                    f"Bản sao y nguyên của '{originals[copy.sha256].file_name}' (cùng kỳ, cùng thời điểm chụp): chỉ nạp một lần.",
                )
            else:
                originals[copy.sha256] = copy
        different = list(originals.values())
        if len(different) < 2:
            continue
        if _pages_of_one_capture(different):
            _join_pages(different)
            continue
        names = ", ".join(f"'{c.file_name}'" for c in different)
        for copy in different:
            copy.refuse(
                "conflicting_captures",
                f"Các tệp {names} cùng nhóm, cùng kỳ, cùng thời điểm chụp nhưng khác nội dung: không biết bản nào đúng, "
                "không nạp tệp nào; xóa bản sai hoặc thu thập lại.",
            )


def _set_aside_answers_of_another_period(snapshots: list[PortalSnapshot]) -> None:
    """An answer carries no period: the same bytes saved under two periods that do not overlap (Q3's answer saved
    again as Q4's) would give the later period the earlier one's scores. The copy captured first keeps its period (an
    answer cannot be captured before its period starts, ``captured_before_period``); the others are refused, naming
    it. Overlapping periods (the year to date and its first quarter, captured early) may well be the same answer, and
    so may two answers without any score or count above 0 (two months without a petition)."""
    by_content: dict[tuple, list[PortalSnapshot]] = {}
    for snap in snapshots:
        figures = any(n.score or any(v for v in n.counts.values()) for n in snap.nodes)
        if figures and snap.captured_at is not None and snap.period_label and not any(i.blocking for i in snap.issues):
            by_content.setdefault((snap.endpoint, snap.sha256), []).append(snap)
    for copies in by_content.values():
        copies.sort(key=lambda c: (c.captured_at, c.file_name))
        kept: list[tuple[PortalSnapshot, Period]] = []
        for copy in copies:
            period = parse_period(str(copy.period_label))
            first = next((k for k, p in kept if p.end < period.start or period.end < p.start), None)
            if first is None:
                kept.append((copy, period))
                continue
            copy.refuse(
                "same_answer_other_period",
                f"Nội dung y hệt tệp '{first.file_name}' của kỳ {first.period_label} (chụp trước), trong khi hai kỳ "
                f"không trùng nhau: đây là phản hồi của kỳ {first.period_label} lưu lại dưới tên kỳ {copy.period_label}, "
                f"không nạp. Thu thập lại kỳ {copy.period_label} từ Cổng.",
            )


def _pages_of_one_capture(files: list[PortalSnapshot]) -> bool:
    """Files that are different pages (currentPage) of one paged answer: the same totalPages and total, more than one
    page in all."""
    pages = [f.page for f in files]
    if any(p is None or p.current is None for p in pages):
        return False
    return (
        len({(p.pages, p.total) for p in pages if p is not None}) == 1
        and len({p.current for p in pages if p is not None}) == len(files)
        and all(p is not None and p.pages is not None and p.pages > 1 for p in pages)
    )


def _join_pages(files: list[PortalSnapshot]) -> None:
    """The pages of one capture loaded together, each file with its own rows: no page is incomplete on its own; when
    the pages together still lack units, the first page says which pages are missing."""
    files.sort(key=lambda f: f.page.current if f.page and f.page.current is not None else 0)
    names = tuple(f.file_name for f in files)
    for snap in files:
        snap.joined = names
        snap.issues = [i for i in snap.issues if i.rule != "incomplete_pages"]
    first = files[0].page
    assert first is not None and first.pages is not None
    # Departments, not rows: a unit the portal re-sorted onto two pages is one unit, and another is then missing.
    rows = len({n.department for f in files for n in f.nodes if n.role == "unit"})
    if first.total is not None and rows < first.total:
        have = sorted(f.page.current for f in files if f.page and f.page.current is not None)
        missing = [str(n) for n in range(1, first.pages + 1) if n not in have]
        files[0].issues.append(
            PortalIssue(
                None,
                "pagination",
                "incomplete_pages",
                f"Các tệp {', '.join(names)} là các trang {', '.join(map(str, have))}/{first.pages} của cùng một lần chụp "
                f"(đã ghép): {rows}/{first.total:g} đơn vị"
                + (f", thiếu trang {', '.join(missing)}" if missing else "")
                + "; lưu đủ các trang hoặc dùng bộ thu thập (lấy đủ các trang).",
            )
        )


class _Refusal(Exception):
    """A reason to refuse the whole file, raised by a step of ``_read``."""

    def __init__(self, rule: str, reason: str):
        super().__init__(reason)
        self.rule, self.reason = rule, reason


def _read(path: Path, methodology: MethodologyChoice, matcher: UnitMatcher) -> PortalSnapshot:
    raw = path.read_bytes()
    snap = PortalSnapshot(file_name=path.name, sha256=hashlib.sha256(raw).hexdigest(), size_bytes=len(raw))
    if path.suffix.lower() != ".json":  # a .json.txt from Notepad, a .jsonl, a page saved as .htm: named, not read
        return snap.refuse(
            "wrong_file_kind",
            f"Tệp '{path.name}' không có đuôi .json: thư mục portal chỉ nhận câu trả lời của Cổng lưu thành tệp .json, "
            "mỗi câu trả lời một tệp, tên như dvc-progress-tree_2026-Q3_20261003T0815.json (Notepad thêm đuôi .txt: "
            "chọn 'All files' khi lưu). Đổi tên hoặc thu thập lại rồi chạy lại.",
        )
    info, problems = capture_info(path)
    snap.issues += problems
    if problems:
        return snap
    try:
        data = _portal_data(raw, path.name)
        period = _snapshot_period(snap, info, path)
        if not isinstance(methodology, Methodology):
            try:
                methodology = methodology(period.start)
            except MethodologyError as err:
                raise _Refusal("no_methodology", str(err)) from None
        snap.methodology = methodology
        snap.group = _snapshot_group(data, methodology, info.endpoint)
        snap.endpoint = snap.group.endpoint
        _read_nodes(snap, snap.group, data)
    except _Refusal as refusal:
        snap.refuse(refusal.rule, refusal.reason)
    except (KeyError, TypeError, ValueError, AttributeError) as err:  # one odd file never stops the others
        snap.refuse(
            "unreadable_file",
            f"Không đọc được phản hồi ({type(err).__name__}: {err}); kiểm tra tệp và tệp kèm, hoặc thu thập lại.",
        )
    if snap.usable:
        _check_province(snap, info, matcher)
    return snap


def _check_province(snap: PortalSnapshot, info: CaptureInfo, matcher: UnitMatcher) -> None:
    """Whose answer this is. The evaluation endpoints publish no unit codes, so another province's rows "Sở Nội vụ",
    "Sở Y tế" would match this province's units by name: an answer is refused whole when its province row (the
    tree's parent, the evaluation's overview: its departmentId is that province's rootDepartmentId, its code the
    prefix, its name, bare or not) or its sidecar names another province. An answer that names no province at all
    cannot be told apart from another's: it loads, and says so."""
    clues: list[tuple[str, str | None]] = []  # (what says it, the province it names)
    for node in (n for n in snap.nodes if n.role == "province"):
        if node.department_id:
            clues.append((f"departmentId {node.department_id} của dòng tỉnh", province_of_portal_root(node.department_id)))
        if node.department_code:
            clues.append((f"mã {node.department_code} của dòng tỉnh", province_of_portal_code(node.department_code)))
        if node.department_name:
            clues.append((f"tên '{node.department_name}' của dòng tỉnh", province_named(node.department_name)))
    if info.province:
        clues.append((f"tệp kèm {info.sidecar} ghi tỉnh '{nfc(info.province)}'", province_named(info.province)))
    clues += [(f"tệp kèm {info.sidecar} ghi rootDepartmentId {root}", province_of_portal_root(root)) for root in info.root_ids]
    named = [(what, province) for what, province in clues if province is not None]
    other = next(((what, p) for what, p in named if not matcher.is_own_province(p)), None)
    if other is not None:
        what, province = other
        snap.refuse(
            "other_province_file",
            f"Tệp {snap.file_name}: phản hồi của {province} ({what}), không phải của {matcher.province}: không nạp; "
            f"xóa tệp khỏi thư mục của {matcher.province} (tệp của {province} để vào thư mục của {province}) và thu "
            f"thập lại cho {matcher.province} (rootDepartmentId của tỉnh trong masterdata/portal_provinces.csv).",
        )
    elif not named:
        head = "data.parent" if snap.group is not None and snap.group.shape == "tree" else "data.overview"
        has_row = any(n.role == "province" for n in snap.nodes)
        snap.issues.append(
            PortalIssue(
                None,
                head,
                "unknown_province_file",
                f"Tệp {snap.file_name}: "
                + (
                    f"dòng tỉnh ({head}) không ghi tên, mã hay rootDepartmentId của tỉnh"
                    if has_row
                    else f"không có dòng tỉnh ({head})"
                )
                + f" và không có tệp kèm ghi tỉnh: không biết là phản hồi của tỉnh nào; các đơn vị đã được khớp theo tên với "
                f"{matcher.province}. Nếu tệp có thể là của tỉnh khác, xóa tệp và thu thập lại bằng bộ thu thập.",
            )
        )


def _portal_data(raw: bytes, name: str) -> dict:
    """The ``data`` part of a portal answer saved in a file; _Refusal when the file is not such an answer."""
    if not raw.strip():
        raise _Refusal(
            "empty_file",
            "Tệp rỗng (0 byte hoặc chỉ có khoảng trắng): có thể tệp đang được chép hoặc lưu lỗi; lưu lại phản hồi của Cổng.",
        )
    if not raw.strip(b" \t\r\n\x00"):
        raise _Refusal(
            "empty_file",
            f"Tệp chỉ có byte 0 ({len(raw)} byte, không có nội dung): tệp được cấp chỗ nhưng chưa ghi xong (máy tắt "
            "hoặc chép lỗi); lưu lại phản hồi của Cổng.",
        )
    text = _text_of(raw)
    if _looks_like_html(text):
        raise _Refusal(
            "html_not_json",
            "Tệp là một trang HTML (trang lỗi, bảo trì hoặc đăng nhập của Cổng), không "
            "phải phản hồi JSON: thu thập lại khi Cổng hoạt động.",
        )
    try:
        payload = json.loads(text, object_pairs_hook=json_object)
    except json.JSONDecodeError as err:
        if err.msg == "Extra data":  # a whole answer, then another one (answers saved one after the other)
            raise _Refusal(
                "bad_json",
                f"Tệp chứa nhiều hơn một câu trả lời JSON (câu thứ hai bắt đầu ở dòng {err.lineno}, cột {err.colno}): "
                "lưu mỗi câu trả lời của Cổng thành một tệp .json riêng rồi chạy lại.",
            ) from None
        raise _Refusal(
            "bad_json",
            f"Tệp JSON không đọc được ({err.msg}, dòng {err.lineno}, cột {err.colno}): tệp có "
            "thể bị cắt cụt khi lưu hoặc đang được chép.",
        ) from None
    if not isinstance(payload, dict):
        raise _Refusal("bad_shape", 'Tệp không có dạng phản hồi của Cổng ({"code", "message", "data"}).')
    if refused := refusal_message(payload):
        raise _Refusal(
            "portal_refused_access",
            f"{refused}; tệp không có số liệu. Đăng nhập lại (hoặc kiểm tra tài khoản, quyền truy cập) rồi thu thập lại.",
        )
    code = payload.get("code")
    if not is_ok_code(code):
        raise _Refusal(
            "portal_error",
            f"Cổng trả lời lỗi (code {code!r}: {payload.get('message') or 'không có thông báo'}); tệp không có số liệu.",
        )
    data = payload.get("data")
    if not isinstance(data, dict):
        raise _Refusal("bad_shape", "Phản hồi không có phần 'data' (dạng parent/children hoặc overview/evaluation).")
    for where, part in (("phản hồi", payload), ("phần 'data'", data)):
        if duplicates_of(part):
            raise _Refusal(
                "conflicting_keys",
                f"Tệp {name}: {where} ghi {_repeated(duplicates_of(part))}: không biết giá trị nào đúng, không nạp "
                "tệp; thu thập lại hoặc lưu lại phản hồi của Cổng.",
            )
    return data


def _show(value: object, size: int = 60) -> str:
    """A JSON value as the file writes it, cut short."""
    return shorten(json.dumps(value, ensure_ascii=False), size)


def _repeated(duplicates: dict[str, list[object]]) -> str:
    """For each key written with different values: trường 'score' lặp lại với 2 giá trị khác nhau (6 và 5.7)."""
    return "; ".join(
        f"trường '{key}' lặp lại với {len(values)} giá trị khác nhau ({' và '.join(_show(v) for v in values)})"
        for key, values in duplicates.items()
    )


# A capture dated later than this after today (business_today: the run's date) cannot have happened: clocks drift
# by minutes, not days.
FUTURE_TOLERANCE = timedelta(days=1)


def _snapshot_period(snap: PortalSnapshot, info: CaptureInfo, path: Path) -> Period:
    """The period of the snapshot (from the file name or its sidecar); sets the capture time, else the file's time."""
    if not info.period_label:
        raise _Refusal(
            "missing_period",
            "Không biết kỳ của ảnh chụp: phản hồi của Cổng không ghi kỳ. Đặt tên tệp theo "
            "mẫu {nhóm}_{kỳ}_{thời điểm chụp}.json (ví dụ dvc-progress-tree_2026-Q3_"
            f"20261003T0815.json) hoặc thêm tệp kèm {sidecar_of(path).name} có "
            '{"period": "2026-Q3", "captured_at": "2026-10-03T08:15"}.',
        )
    try:
        period = parse_period(info.period_label)
    except ValueError as err:
        raise _Refusal("bad_period", f"Kỳ '{info.period_label}' không hợp lệ ({err}).") from None
    snap.period_label = period.label
    snap.captured_at, snap.capture_source = info.captured_at, info.source
    if snap.captured_at is None:
        snap.captured_at = local_time_of(path.stat().st_mtime)  # in Vietnam time, as every other capture time
        snap.capture_source = "file_time"
        snap.issues.append(
            PortalIssue(
                None,
                None,
                "capture_time_from_file",
                f"Không có thời điểm chụp (tên tệp hoặc tệp kèm): dùng thời gian sửa tệp {snap.captured_at:%d/%m/%Y %H:%M}.",
            )
        )
    told = {
        "sidecar": f"tệp kèm {sidecar_of(path).name}",
        "file_name": "tên tệp",
        "file_time": "thời gian sửa tệp, vì tên tệp và tệp kèm không ghi",
    }.get(snap.capture_source or "", "tên tệp")
    # Against the later of the business date and the clock's own day in Vietnam: a capture made now, while a run acts
    # as of a past day (CCHC_TODAY), is no capture from the future.
    if snap.captured_at.date() > max(business_today(), now_local().date()) + FUTURE_TOLERANCE:
        # A typed year (2062) or a wrong clock: loaded, it would stay the period's latest capture for good.
        raise _Refusal(
            "captured_in_future",
            f"Tệp {path.name}: thời điểm chụp {snap.captured_at:%d/%m/%Y %H:%M} (theo {told}) ở sau thời điểm hiện tại: "
            "ảnh chụp chưa thể có. Tệp không được nạp; sửa thời điểm chụp trong tên tệp hoặc tệp kèm (hoặc đồng hồ máy "
            "đã lưu tệp) rồi chạy lại.",
        )
    if snap.captured_at < datetime.combine(period.start, time.min):
        # Captured during the period is a partial figure, legitimate; before it began, the answer cannot be about it.
        raise _Refusal(
            "captured_before_period",
            f"Tệp {path.name}: thời điểm chụp {snap.captured_at:%d/%m/%Y %H:%M} (theo {told}) trước ngày bắt đầu của kỳ "
            f"{period.label} ({period.start:%d/%m/%Y}): phản hồi chụp trước khi kỳ bắt đầu không thể là số liệu của kỳ đó. "
            "Tệp không được nạp; kiểm tra lại kỳ và thời điểm chụp trong tên tệp hoặc tệp kèm.",
        )
    return period


def _snapshot_group(data: dict, methodology: Methodology, endpoint: str | None) -> Group:
    """The indicator group of the answer: detected from its content, else as the file name or sidecar declares it."""
    detected = detect_group(data, methodology)
    declared = methodology.group_for_endpoint(endpoint) if endpoint else None
    if endpoint and declared is None:
        raise _Refusal("unknown_endpoint", f"Nhóm chỉ số '{endpoint}' không có trong phương pháp {methodology.path.name}.")
    if detected and declared and detected is not declared:
        raise _Refusal(
            "endpoint_mismatch",
            f"Tên tệp hoặc tệp kèm ghi nhóm '{endpoint}' nhưng nội dung là của "
            f"nhóm '{detected.endpoint}' ({detected.name}): kiểm tra lại tệp.",
        )
    group = detected or declared
    if group is None:
        raise _Refusal(
            "unknown_endpoint",
            "Không nhận ra nhóm chỉ số của phản hồi (không có chỉ tiêu, trường số liệu "
            "hay điểm tối đa của nhóm nào): ghi tên nhóm vào tên tệp.",
        )
    return group


def _read_nodes(snap: PortalSnapshot, group: Group, data: dict) -> None:
    """The province's row and the units' rows of the answer; a row that does not read is an issue, not a refusal."""
    if group.shape == "tree":
        head, rows = data.get("parent"), data.get("children")
    else:
        head, rows = data.get("overview"), data.get("evaluation")
    if not isinstance(rows, list):
        expected = "data.parent/data.children" if group.shape == "tree" else "data.overview/data.evaluation"
        raise _Refusal("bad_shape", f"Không có {expected} như dạng của nhóm {group.code}.")
    if not rows:
        where = "data.children" if group.shape == "tree" else "data.evaluation"
        raise _Refusal(
            "no_units",
            f"Tệp {snap.file_name}: phản hồi không có đơn vị nào ({where} rỗng): Cổng "
            "chưa có số liệu hoặc trả lời lỗi. Không nạp (ảnh chụp đã nạp trước đó của tệp này được giữ); thu thập lại sau.",
        )
    _check_pages(snap, data.get("pagination"), len(rows))
    items = ([("province", head)] if isinstance(head, dict) else []) + [("unit", r) for r in _unique_rows(snap, rows)]
    for number, (role, item) in enumerate(items):
        if isinstance(item, dict) and (names := _ambiguous_identity(item)):
            snap.issues.append(
                PortalIssue(
                    next(
                        (str(item[k]) for k in _IDENTITY if item.get(k) and k not in duplicates_of(item)),
                        str(item.get("departmentCode") or item.get("departmentName") or item.get("departmentId")),
                    ),
                    None,
                    "ambiguous_department",
                    f"Tệp {snap.file_name}, dòng thứ {number + 1}: {names}; không biết dòng là của đơn vị nào, "
                    "không dùng dòng này (các dòng khác vẫn nạp).",
                )
            )
            continue
        node = _node(snap, role, item) if isinstance(item, dict) else None
        if node is None:
            snap.issues.append(
                PortalIssue(
                    None,
                    None,
                    "bad_row",
                    f"Dòng thứ {number + 1} của tệp không đọc được "
                    "(không phải đối tượng JSON hoặc sai cấu trúc); bỏ qua dòng này.",
                )
            )
        else:
            snap.nodes.append(node)


_IDENTITY = ("departmentCode", "departmentName", "departmentId")


def _ambiguous_identity(item: dict) -> str | None:
    """What makes a row name two departments: its id, code or name written twice with different values."""
    found = {k: v for k, v in duplicates_of(item).items() if k in _IDENTITY}
    return _repeated(found) if found else None


def _check_pages(snap: PortalSnapshot, pagination: object, rows: int) -> None:
    if not isinstance(pagination, dict):
        return
    total = _number_or_none(pagination.get("total"))
    snap.page = PageInfo(_page_number(pagination.get("currentPage")), _page_number(pagination.get("totalPages")), total)
    if total is not None and rows < total:
        page, pages = pagination.get("currentPage"), pagination.get("totalPages")
        snap.issues.append(
            PortalIssue(
                None,
                "pagination",
                "incomplete_pages",
                f"Tệp có {rows}/{total:g} đơn vị (trang {page}/{pages}): các đơn vị ở trang khác không "
                "có trong ảnh chụp này; dùng bộ thu thập (lấy đủ các trang) hoặc lưu đủ các trang.",
            )
        )


def _page_number(value: object) -> int | None:
    """A page number or count of data.pagination; None when it is not a whole number."""
    number = _number_or_none(value)
    return int(number) if number is not None and number.is_integer() else None


def _row_key(item: object) -> str | None:
    if not isinstance(item, dict):
        return None
    for key in ("departmentId", "departmentCode", "departmentName"):
        if item.get(key):
            return f"{key}:{item[key]}"
    return None


def _unique_rows(snap: PortalSnapshot, rows: list) -> list:
    """Rows with one copy of each verbatim duplicate (reported with its count); a unit with two different rows keeps
    neither, since which one the portal meant is unknowable."""
    by_key: dict[str, list] = {}
    for item in rows:
        key = _row_key(item)
        if key is not None:
            by_key.setdefault(key, []).append(item)
    kept, done = [], set()
    for item in rows:
        key = _row_key(item)
        if key is None:
            kept.append(item)
            continue
        if key in done:
            continue
        done.add(key)
        copies = by_key[key]
        distinct = {json.dumps(c, sort_keys=True, ensure_ascii=False) for c in copies}
        who = str(item.get("departmentCode") or item.get("departmentName") or item.get("departmentId"))
        if len(distinct) > 1:
            snap.issues.append(
                PortalIssue(
                    who,
                    None,
                    "conflicting_rows",
                    f"{who}: {len(copies)} dòng khác nhau cho cùng một đơn vị; không dùng dòng nào.",
                )
            )
            continue
        if len(copies) > 1:
            snap.issues.append(PortalIssue(who, None, "duplicate_row", f"{who}: dòng lặp lại {len(copies)} lần; giữ một dòng."))
        kept.append(item)
    return kept


class _Row:
    """Reads the fields of one JSON row, turning every bad value into an issue instead of an exception. A field the
    row writes twice with different values is not read (None) and reported: which one the portal meant is unknown."""

    def __init__(self, snap: PortalSnapshot, item: dict, label: str, described: str | None = None):
        self.snap, self.item, self.label = snap, item, label
        self.described = described or label

    def ambiguous(self, key: str) -> bool:
        values = duplicates_of(self.item).get(key)
        if values:
            self.snap.issues.append(
                PortalIssue(
                    self.label,
                    key,
                    "conflicting_metric",
                    f"Tệp {self.snap.file_name}: {self.described} ghi {_repeated({key: values})}; không biết giá trị "
                    f"nào đúng, không dùng '{key}' của đơn vị này (các trường khác vẫn nạp).",
                )
            )
        return bool(values)

    def number(self, key: str, high: float = math.inf) -> float | None:
        if self.ambiguous(key):
            return None
        raw = self.item.get(key)
        try:
            return _number(raw, high)
        except BadNumber:
            self.snap.issues.append(
                PortalIssue(self.label, key, "bad_number", f"{self.label}: '{key}' = {raw!r} không phải số; bỏ qua giá trị này.")
            )
            return None

    def first_number(self, keys: Sequence[str], high: float = math.inf) -> tuple[float | None, str | None]:
        """The first of the field variants that the row carries (value may be null), and its name."""
        for key in keys:
            if key in self.item:
                return self.number(key, high), key
        return None, None

    def text(self, key: str) -> str | None:
        value = self.item.get(key)
        if value is None or self.ambiguous(key):
            return None
        return nfc(value) if isinstance(value, str) else str(value)


def _node(snap: PortalSnapshot, role: str, item: dict) -> PortalNode:
    group = snap.group
    assert group is not None
    name = nfc(item["departmentName"]) if isinstance(item.get("departmentName"), str) else None
    code = item.get("departmentCode")
    label = str(code or name or item.get("departmentId") or "?")
    row = _Row(snap, item, label, f"đơn vị {label}" + (f" ({name})" if name and name != label else ""))
    score, score_field = row.first_number(SCORE_FIELDS, group.max_points)
    max_score, _ = row.first_number(MAX_FIELDS, 100)
    level = row.text("level") if group.shape == "tree" else row.text("departmentLevel")
    node = PortalNode(
        role=role,
        department_code=row.text("departmentCode"),
        department_id=row.text("departmentId"),
        department_name=name,
        level=level,
        unit_code=None,
        score=score,
        max_score=max_score,
        ratio=row.number("ratio"),
    )
    node.score = _in_range(snap, node.department, score_field or "score", score, group.max_points)
    unread = score_field is None or (score is None and item.get(score_field) is not None)
    node.score_unusable = unread or (score is not None and node.score is None)
    if score_field is None:  # a present score is never lost: every variant was tried
        snap.issues.append(
            PortalIssue(
                node.department,
                "/".join(SCORE_FIELDS),
                "missing_score",
                f"{node.department} ({name}): không có điểm ({' hoặc '.join(SCORE_FIELDS)}); dòng này không có điểm của Cổng.",
            )
        )
    if group.shape == "tree":
        _read_counts(snap, node, item, group, row)
        if node.max_score is not None and not math.isclose(node.max_score, group.max_points):
            snap.issues.append(
                PortalIssue(
                    node.department,
                    "maxScore",
                    "changed_max_score",
                    f"{node.department}: điểm tối đa của nhóm {group.code} trên Cổng là "
                    f"{node.max_score:g}, phương pháp đang dùng quy định {group.max_points:g}.",
                )
            )
    else:
        by_code: dict[str, list[dict]] = {}
        for metric in _metric_items(item):
            if not isinstance(metric, dict) or not isinstance(metric.get("code"), str):
                snap.issues.append(
                    PortalIssue(
                        node.department, "metrics", "bad_row", f"{node.department_name}: một chỉ tiêu không đọc được; bỏ qua."
                    )
                )
                continue
            by_code.setdefault(metric["code"], []).append(metric)
        rejected = set()
        for code, copies in by_code.items():
            differing = _differing_fields(copies)
            if differing:
                rejected.add(code)
                twice = f"{len(copies)} lần" if len(copies) > 1 else "một lần nhưng ghi trường lặp lại"
                snap.issues.append(
                    PortalIssue(
                        node.department,
                        code,
                        "conflicting_metric",
                        f"Tệp {snap.file_name}: {row.described} có chỉ tiêu {code} {twice} với giá trị khác nhau ("
                        + "; ".join(f"{k} {' và '.join(_show(v) for v in vs)}" for k, vs in differing.items())
                        + f"); không biết giá trị nào đúng, không dùng chỉ tiêu {code} của đơn vị này (các chỉ tiêu "
                        "khác vẫn nạp).",
                    )
                )
                continue
            metric = copies[0]  # copies that agree are one metric
            m = _Row(snap, metric, f"{node.department_name} / {metric['code']}")
            published_max = m.number("maxScore", 100)
            highest = _metric_max(group, metric["code"], published_max)
            given = m.number("score", highest)
            if "score" not in metric:
                snap.issues.append(
                    PortalIssue(
                        node.department,
                        metric["code"],
                        "missing_score",
                        f"{node.department_name} / {metric['code']}: không có trường 'score' (Cổng đổi định dạng?); "
                        "chỉ tiêu này không được đối chiếu, báo người phụ trách dữ liệu.",
                    )
                )
            kept = _in_range(
                snap,
                f"{node.department} / {metric['code']}",
                "score",
                given,
                highest,
            )
            node.metrics[metric["code"]] = PortalMetric(
                code=metric["code"],
                name=m.text("name"),
                numerator=m.number("numerator"),
                denominator=m.number("denominator"),
                ratio=m.number("ratio"),
                score=kept,
                max_score=published_max,
                data_quality_status=m.text("dataQualityStatus"),
                data_quality_message=m.text("dataQualityMessage"),
                score_unusable=kept is None and ("score" not in metric or metric["score"] is not None),
            )
        _check_metrics(snap, node, group, rejected)
    return node


def _metric_items(item: dict) -> list:
    """The metrics of an evaluation row; a row that writes 'metrics' twice with different lists gives both, so that
    the metrics they agree on are kept and the ones they disagree on are reported."""
    lists = duplicates_of(item).get("metrics") or [item.get("metrics")]
    return [m for each in lists if isinstance(each, list) for m in each]


def _differing_fields(copies: list[dict]) -> dict[str, list[object]]:
    """The fields on which copies of one metric disagree (a field a copy lacks counts as null), with their distinct
    values, and the fields a copy writes twice with different values; {} when the copies are one metric."""
    if len(copies) == 1 and not duplicates_of(copies[0]):  # the usual metric: written once, no field twice
        return {}
    differing: dict[str, list[object]] = {}
    for key in dict.fromkeys(k for c in copies for k in c):
        values: list[object] = []
        for copy in copies:
            for value in duplicates_of(copy).get(key) or [copy.get(key)]:
                if not any(same_value(value, v) for v in values):
                    values.append(value)
        if len(values) > 1:
            differing[key] = values
    return differing


def _in_range(snap: PortalSnapshot, where: str, field: str, value: float | None, high: float) -> float | None:
    """A score or count of the portal within 0..high, else None with an issue (a score of 15 out of 12, or -2, would
    enter the index as the unit's score, and a blocking check would then stop the whole period)."""
    if value is None or 0 <= value <= high + 1e-9:
        return value
    snap.issues.append(
        PortalIssue(
            where,
            field,
            "value_out_of_range",
            f"{where}: '{field}' = {value:g} ngoài khoảng 0..{high:g}; bỏ qua giá trị này (không dùng cho chỉ số).",
        )
    )
    return None


def _metric_max(group: Group, code: str, published: float | None) -> float:
    """The most a metric's score may be: its indicator's maximum in the methodology, else what the portal says."""
    indicator = next((i for i in group.indicators if i.metric == code and i.rule.kind != "info"), None)
    if indicator is not None:
        return indicator.rule.max_points
    return published if published is not None else math.inf


def _read_counts(snap: PortalSnapshot, node: PortalNode, item: dict, group: Group, row: _Row) -> None:
    """The counts of a tree row; only a field the endpoint publishes at this row level is missing when absent."""
    published = group.published_fields(node.role if node.role in ROW_LEVELS else "unit")
    for name in group.all_fields:
        if name in item:
            node.counts[name] = _in_range(snap, node.department, name, row.number(name), math.inf)
            if item[name] is None and name in published:
                snap.issues.append(
                    PortalIssue(
                        node.department,
                        name,
                        "null_value",
                        f"{node.department} ({node.department_name}): '{name}' là null (Cổng chưa đánh giá; không coi là 0).",
                    )
                )
        elif name in published:
            snap.issues.append(
                PortalIssue(
                    node.department,
                    name,
                    "missing_field",
                    f"{node.department} ({node.department_name}): thiếu trường '{name}'; "
                    "chỉ tiêu dùng trường này không được tính lại (không coi là 0).",
                )
            )


def _check_metrics(snap: PortalSnapshot, node: PortalNode, group: Group, rejected: set[str]) -> None:
    """Missing, null and re-scaled metrics of an evaluation row; a metric ``rejected`` as ambiguous is reported once."""
    configured = {i.metric: i for i in group.indicators if i.metric}
    for code, ind in configured.items():
        metric = node.metrics.get(code)
        if metric is None and code in rejected:
            continue
        if metric is None:
            snap.issues.append(
                PortalIssue(node.department, code, "missing_metric", f"{node.department_name}: thiếu chỉ tiêu {code}.")
            )
            continue
        counts_null = [k for k, v in (("numerator", metric.numerator), ("denominator", metric.denominator)) if v is None]
        score_null = metric.score is None and not metric.score_unusable  # (an unusable score has its own issue)
        if score_null or len(counts_null) == 1:
            # Both counts null beside a real score is the portal scoring from data it does not publish: not abnormal.
            what = "điểm" if score_null else counts_null[0]
            snap.issues.append(
                PortalIssue(
                    node.department,
                    code,
                    "null_value",
                    f"{node.department_name}: chỉ tiêu {code} có {what} null (Cổng chưa đánh giá; không coi là 0).",
                )
            )
        if metric.max_score is not None and not math.isclose(metric.max_score, ind.rule.max_points):
            snap.issues.append(
                PortalIssue(
                    node.department,
                    code,
                    "changed_max_score",
                    f"{node.department_name}: điểm tối đa của {code} trên Cổng là "
                    f"{metric.max_score:g}, phương pháp quy định {ind.rule.max_points:g}.",
                )
            )
    for code in node.metrics.keys() - set(group.metric_codes):
        snap.issues.append(
            PortalIssue(
                node.department,
                code,
                "unknown_metric",
                f"{node.department_name}: chỉ tiêu {code} không có trong phương pháp; bỏ qua.",
            )
        )


# --- departments -> units ------------------------------------------------------------------------------------


def link_departments(snapshots: Sequence[PortalSnapshot], matcher: UnitMatcher) -> None:
    """Match every unit row to a unit: by the master data's portal code, by name, then by what the other rows of the
    same batch taught: the portal code or department id of a department matched elsewhere (the evaluation endpoints
    publish the id and a name, the tree endpoints the id beside the code). Unmatched rows get an issue each."""
    nodes = [(s, n) for s in snapshots if s.group is not None for n in s.nodes if n.role == "unit"]
    foreign, crossed = _match_on_their_own(nodes, matcher)
    learned = _learned_codes(nodes)
    for snap, node in nodes:
        if id(node) in crossed:
            by_code, by_name = (matcher.units[c].name for c in crossed[id(node)])
            snap.issues.append(
                PortalIssue(
                    node.department,
                    None,
                    "department_code_name_mismatch",
                    f"Đơn vị {node.department} ('{node.department_name}'): mã của Cổng là của {by_code} trong danh mục "
                    f"mã Cổng, nhưng tên là của {by_name}: không dùng điểm của dòng này cho đơn vị nào. Kiểm tra "
                    "danh mục mã Cổng (masterdata/) với Cổng rồi chạy lại.",
                )
            )
        elif id(node) in foreign:
            snap.issues.append(
                PortalIssue(
                    node.department,
                    None,
                    "other_province",
                    f"Đơn vị {node.department} ('{node.department_name}') thuộc {foreign[id(node)]}, "
                    "không phải tỉnh đang phục vụ: không khớp với đơn vị nào (tệp của tỉnh khác "
                    "hoặc mã/tên ghi nhầm).",
                )
            )
        else:
            _match_by_the_batch(snap, node, learned, matcher)


Linked = list[tuple[PortalSnapshot, PortalNode]]


def _match_on_their_own(nodes: Linked, matcher: UnitMatcher) -> tuple[dict[int, str], dict[int, tuple[str, str]]]:
    """Match each row by the master data's portal code, else by name. Returns, by id of the node, the rows of another
    province (by code prefix or name suffix) and the rows whose code is one unit's and whose name is exactly another's
    (a stale code list, or the portal's own mistake: its score would go to the wrong unit without a word); neither is
    matched nor teaches."""
    foreign: dict[int, str] = {}
    crossed: dict[int, tuple[str, str]] = {}
    for _, node in nodes:
        other = matcher.other_province(node.department_code, node.department_name)
        if other is not None:
            foreign[id(node)] = other
            continue
        by_code = matcher.match_portal(node.department_code, None, node.department_id)
        by_name = matcher.match(node.department_name) if node.department_name else None
        if by_code and (node.department_code or node.department_id):
            if by_name is not None and by_name != by_code:
                crossed[id(node)] = (by_code, by_name)
            else:
                node.unit_code, node.matched_by = by_code, "code"
        elif by_name:
            node.unit_code, node.matched_by = by_name, "name"
    return foreign, crossed


def _learned_codes(nodes: Linked) -> dict[str, dict[str, set[str]]]:
    """For the portal code and the department id: the units the matched rows of the batch give each value."""
    learned: dict[str, dict[str, set[str]]] = {"department_code": {}, "department_id": {}}
    for _, node in nodes:
        if node.unit_code:
            for key in learned:
                value = getattr(node, key)
                if value:
                    learned[key].setdefault(value, set()).add(node.unit_code)
    return learned


def _match_by_the_batch(
    snap: PortalSnapshot, node: PortalNode, learned: dict[str, dict[str, set[str]]], matcher: UnitMatcher
) -> None:
    """Match a row still unmatched by what the batch taught; an issue when a code means several units or none."""
    if node.unit_code is None:
        for key, how in (("department_code", "learned_code"), ("department_id", "department_id")):
            units = learned[key].get(getattr(node, key) or "", set())
            if len(units) == 1:
                node.unit_code, node.matched_by = next(iter(units)), how
                break
    for key, label in (("department_code", "mã"), ("department_id", "mã định danh")):
        units = learned[key].get(getattr(node, key) or "", set())
        if len(units) > 1 and node.unit_code in units:
            names = ", ".join(sorted(matcher.units[u].name for u in units if u in matcher.units))
            snap.issues.append(
                PortalIssue(
                    node.department,
                    key,
                    "conflicting_department",
                    f"{node.department} ({node.department_name}): {label} '{getattr(node, key)}' "
                    f"của Cổng ứng với nhiều đơn vị ({names}); kiểm tra danh mục mã đơn vị.",
                )
            )
    if node.unit_code is None:
        suggestion = matcher.suggest(node.department_name) if node.department_name else None
        hint = f" Có phải '{suggestion}'?" if suggestion else ""
        snap.issues.append(
            PortalIssue(
                node.department,
                None,
                "unknown_department",
                f"Đơn vị {node.department} ('{node.department_name}') không khớp đơn vị nào trong "
                f"danh mục; giữ nguyên mã/tên của Cổng, không tạo đơn vị mới.{hint}",
            )
        )


def portal_codes_seen(snapshots: Iterable[PortalSnapshot], matcher: UnitMatcher) -> list[dict]:
    """Every (portal code or department id, unit) pair the snapshots used, with how it was known: the master data's
    code, or learned from a name (to be reviewed and written into the master data's mapping file)."""
    seen: dict[tuple, dict] = {}
    for snap in snapshots:
        for node in snap.nodes:
            if node.role != "unit" or node.unit_code is None:
                continue
            key = (node.unit_code, node.department_code, node.department_id)
            if key in seen:
                continue
            unit = matcher.units.get(node.unit_code)
            seen[key] = {
                "unit_code": node.unit_code,
                "unit_name": unit.name if unit else None,
                "portal_code": node.department_code,
                "department_id": node.department_id,
                "department_name": node.department_name,
                "source": "masterdata" if node.matched_by == "code" else "learned",
                "matched_by": node.matched_by,
                "file_name": snap.file_name,
            }
    return sorted(seen.values(), key=lambda r: (r["unit_code"], r["portal_code"] or "", r["department_id"] or ""))


# --- issues, one line per rule and file --------------------------------------------------------------------


def summarise_issues(snap: PortalSnapshot) -> list[dict]:
    """The snapshot's issues as one line per rule and field: how many rows, which departments, one example."""
    grouped: dict[tuple[str, str | None], list[PortalIssue]] = {}
    for issue in snap.issues:
        grouped.setdefault((issue.rule, issue.field), []).append(issue)
    out = []
    for (rule, fld), found in grouped.items():
        departments = list(dict.fromkeys(i.department for i in found if i.department))
        if len(found) == 1:
            reason = found[0].reason
        else:
            label = ISSUE_LABELS.get(rule, rule)
            where = f" '{fld}'" if fld else ""
            reason = f"{len(found)} dòng: {label}{where}. Ví dụ: {found[0].reason}"
        out.append(
            {
                "rule": rule,
                "field": fld,
                "rows": len(found),
                "departments": departments,
                "reason": reason,
                "blocking": any(i.blocking for i in found),
            }
        )
    return out


def issue_counts(snapshots: Iterable[PortalSnapshot]) -> Counter[str]:
    return Counter(i.rule for s in snapshots for i in s.issues)
