"""Deliberately broken daily files, so the pipeline's checks have something to catch.

Each kind goes to its own day, counted from ``start`` (days 1..11), so a range of 12 days holds them all;
kinds whose day falls outside the range are skipped. Extra bad rows carry fresh dossier codes and are
appended to the day's good rows; the truncated, empty and header-only files replace the day's file.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np

from common.units import AGENCY, Unit
from demo import vocab
from demo.catalogue import Catalogue
from demo.dossier_files import (
    BOM,
    BOOL_LABEL,
    CHANNEL_LABEL,
    HEADERS,
    STATUS_LABEL,
    csv_quote,
    format_datetime,
    header_line,
)
from demo.portal_codes import demo_portal_codes, demo_province_code
from demo.simulate import Calendar
from sources.petition_format import CATEGORIES, HANDLINGS
from sources.tthc_format import DOSSIER_COLUMNS

COLUMN_INDEX = {c.name: i for i, c in enumerate(DOSSIER_COLUMNS)}
UNKNOWN_UNIT = "Xã Không Tồn Tại"
UNKNOWN_PROCEDURE = "9.999999"
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng


@dataclass(frozen=True)
class Kind:
    key: str
    needs_rows: bool  # the damage only shows on a file with good rows in it
    problem: str
    expected: str


KINDS: tuple[Kind, ...] = (
    Kind(
        "truncated",
        True,
        "Truncated: the day's rows, then the last line cut in the middle of 'Ngày cập nhật' (no line end).",
        "Report the truncated last row (too few fields, unparseable date) with file and line; load the complete "
        "rows or quarantine the file, but never load the cut row.",
    ),
    Kind(
        "renamed_column",
        True,
        "Header 'Kênh nộp' is written as its alias 'Hình thức nộp'; otherwise a good file.",
        "Load every row normally (the alias is known); at most an informational note.",
    ),
    Kind(
        "missing_status",
        True,
        "The required column 'Trạng thái' is missing entirely (header and values).",
        "Reject the file: required column 'Trạng thái' is missing; report it; load none of its rows.",
    ),
    Kind(
        "cp1258",
        True,
        "Encoded Windows-1258 (cp1258), no BOM; Vietnamese letters use combining tone marks.",
        "Detect that it is not UTF-8, decode as cp1258, NFC-normalise, load normally; report the encoding "
        "fallback as a warning. After NFC the values equal those of the UTF-8 files.",
    ),
    Kind(
        "bad_dates",
        False,
        "Extra rows whose 'Ngày tiếp nhận' is ISO yyyy-mm-dd (the file's own day, no time) or US 'MM/DD/YYYY HH:MM:SS'.",
        "Reject those rows (or their dates) and report dossier code, column and value; never guess the format. "
        "The day's other rows load normally.",
    ),
    Kind(
        "unknown_codes",
        False,
        f"Extra rows for an unknown unit '{UNKNOWN_UNIT}' and an unknown procedure '{UNKNOWN_PROCEDURE}'.",
        "Report the unknown unit (no suggestion should match) and the unknown procedure code; never create a "
        "unit or procedure for them. The day's other rows load normally.",
    ),
    Kind(
        "negative_values",
        False,
        "Extra rows with 'Số lần yêu cầu bổ sung' = -1 and 'Phí, lệ phí (đồng)' = -50000.",
        "Reject or null the negative values and report them. The day's other rows load normally.",
    ),
    Kind(
        "completed_before_received",
        False,
        "Extra rows with status 'Đã hoàn thành' whose 'Ngày hoàn thành' is 2 days before 'Ngày tiếp nhận'.",
        "Report the rows (completed before received); keep them out of timeliness figures.",
    ),
    Kind(
        "duplicate_code",
        False,
        "One dossier code appears twice in the file with the same 'Ngày cập nhật' but different content.",
        "Report the conflicting duplicate; do not pick one silently. The day's other rows load normally.",
    ),
    Kind(
        "empty",
        False,
        "Empty file (0 bytes): no BOM, no header.",
        "Report an empty file for the day; nothing to load; the day counts as missing data.",
    ),
    Kind(
        "header_only",
        False,
        "Header only: BOM and header, no rows.",
        "Load zero rows; report a warning that the day has no dossier rows.",
    ),
    # Files as offices really save them (issue 11): read, never refused.
    Kind(
        "unicode_text",
        True,
        "Saved from Excel as 'Unicode text': UTF-16 LE with BOM, tab-separated, CRLF line ends.",
        "Detect UTF-16 and the tab delimiter, convert and load every row; note the conversion (encoding_converted, "
        "delimiter_converted).",
    ),
    Kind(
        "semicolon_cr",
        True,
        "Semicolon-separated (a regional-settings CSV) with old-Mac CR-only line ends.",
        "Detect ';' and CR, load every row; note both (delimiter_converted, line_ends_converted).",
    ),
    Kind(
        "verbatim_duplicates",
        True,
        "The day's last three lines repeated verbatim at the end of the file.",
        "Load each dossier version once; report the three copies once (duplicate_rows), never as a conflict.",
    ),
)
FIRST_OFFSET = 1  # the first day of the range stays clean

# The monthly PAKN export of the first month gets a few extra bad rows (fresh codes) after its good ones.
PETITION_BAD = Kind(
    "pakn_bad_rows",
    False,
    f"Extra rows in the month's PAKN export: an unknown unit '{UNKNOWN_UNIT}', a 'Ngày hoàn thành' 2 days before "
    "'Ngày tiếp nhận', and an ISO 'Ngày tiếp nhận' (yyyy-mm-dd).",
    "Reject the three rows into quarantine (source 'pakn') with line, rule (unknown_unit without a suggestion, "
    "completed_before_received, bad_date:received_at) and a Vietnamese reason, never the petitioner's name, phone, "
    "e-mail or content; the month's other petitions load. The portal's PAKN counts do not include them.",
)


def plan(start: date, end: date, rows_per_day: dict[date, int]) -> dict[date, Kind]:
    """Which kind goes to which day: kinds that need rows take the busiest candidate days."""
    candidates = [start + timedelta(days=FIRST_OFFSET + i) for i in range(len(KINDS))]
    candidates = [d for d in candidates if d <= end]
    needing = [k for k in KINDS if k.needs_rows]
    busiest = sorted(candidates, key=lambda d: (-rows_per_day.get(d, 0), d))
    chosen = {}
    for kind, day in zip(needing, sorted(busiest[: len(needing)]), strict=False):
        chosen[day] = kind
    rest = [d for d in candidates if d not in chosen]
    for kind, day in zip([k for k in KINDS if not k.needs_rows], rest, strict=False):
        chosen[day] = kind
    return chosen


def to_cp1258(text: str) -> bytes:
    """Windows-1258 has base letters with circumflex, breve and horn but tone marks only as combining marks."""
    table: dict[int, str] = {}
    for ch in set(text):
        try:
            ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        marks = decomposed[1:]
        base = unicodedata.normalize("NFC", decomposed[0] + "".join(m for m in marks if m not in TONE_MARKS))
        table[ord(ch)] = base + "".join(m for m in marks if m in TONE_MARKS)
    return text.translate(table).encode("cp1258")


@dataclass
class Context:
    units: tuple[Unit, ...]
    cat: Catalogue
    cal: Calendar
    rng: np.random.Generator
    first_free_seq: dict[date, int]  # per day: a sequence number above every used one
    codes: list[str] = field(default_factory=list)

    def fresh_code(self, unit_code: str, day: date) -> str:
        seq = self.first_free_seq[day]
        self.first_free_seq[day] = seq + 1
        code = f"{unit_code}-{day:%y%m%d}-{seq:04d}"
        self.codes.append(code)
        return code


def _base_row(ctx: Context, day: date, i: int) -> dict[str, str]:
    """A plausible dossier received on `day` at a commune, as a column name -> text mapping."""
    locals_ = [u for u in ctx.units if u.group != AGENCY]
    unit = locals_[int(ctx.rng.integers(len(locals_)))]
    procs = np.flatnonzero(ctx.cat.commune_level & (ctx.cat.days > 0))
    p = int(procs[int(ctx.rng.integers(len(procs)))])
    received = datetime.combine(day, time(8, 5)) + timedelta(minutes=13 * i, seconds=int(ctx.rng.integers(60)))
    due_day = np.busday_offset(np.datetime64(day, "D"), int(ctx.cat.days[p]), roll="forward", holidays=ctx.cal.holidays).astype(
        date
    )
    due = datetime.combine(due_day, received.time())
    sm = vocab.SURNAMES
    name = " ".join(
        [
            list(sm)[int(ctx.rng.integers(len(sm)))],
            vocab.FEMALE_MIDDLE[i % 3],
            vocab.FEMALE_GIVEN[int(ctx.rng.integers(len(vocab.FEMALE_GIVEN)))],
        ]
    )
    return {
        "dossier_code": ctx.fresh_code(demo_portal_codes(ctx.units)[unit.code], day),
        "procedure_code": ctx.cat.code[p],
        "receiving_centre": f"Trung tâm Phục vụ hành chính công {unit.name}",
        "resolving_unit": unit.name,
        "channel": CHANNEL_LABEL["direct"],
        "received_at": format_datetime(received),
        "due_at": format_datetime(due),
        "completed_at": "",
        "status": STATUS_LABEL["received"],
        "supplement_requests": "0",
        "digitised": BOOL_LABEL[True],
        "electronic_result": BOOL_LABEL[False],
        "fee_due": str(int(ctx.cat.fee[p])),
        "paid_online": BOOL_LABEL[False],
        "reused_data": BOOL_LABEL[False],
        "citizen_data_used": BOOL_LABEL[True],
        "synced_to_portal": BOOL_LABEL[True],
        "satisfaction": "",
        "updated_at": format_datetime(received + timedelta(minutes=4)),
        "applicant_name": name,
        "applicant_id": f"0191{int(ctx.rng.integers(60, 100)):02d}{int(ctx.rng.integers(10**6)):06d}",
        "applicant_phone": f"09{int(ctx.rng.integers(10**8)):08d}",
        "applicant_address": f"Tổ {int(ctx.rng.integers(1, 30))}, {unit.name}, tỉnh {unit.province}",
    }


def _rows_bad_dates(ctx: Context, day: date) -> list[dict[str, str]]:
    rows = [_base_row(ctx, day, i) for i in range(4)]
    rows[0]["received_at"] = f"{day:%Y-%m-%d}"
    rows[1]["received_at"] = f"{day:%Y-%m-%d}"
    # US month/day order, on a day of month above 12 so it cannot be read as a valid dd/mm date.
    earlier = day
    while earlier.day <= 12:
        earlier -= timedelta(days=1)
    for r in rows[2:]:
        received = datetime.strptime(r["received_at"], "%d/%m/%Y %H:%M:%S")
        r["received_at"] = datetime.combine(earlier, received.time()).strftime("%m/%d/%Y %H:%M:%S")
        r["status"] = STATUS_LABEL["processing"]
    return rows


def _rows_unknown(ctx: Context, day: date) -> list[dict[str, str]]:
    rows = [_base_row(ctx, day, i) for i in range(4)]
    province_code = demo_province_code(ctx.units)
    for r in rows[:2]:
        ctx.codes.remove(r["dossier_code"])
        r["dossier_code"] = ctx.fresh_code(f"{province_code}.99999", day)
        r["resolving_unit"] = UNKNOWN_UNIT
        r["receiving_centre"] = f"Trung tâm Phục vụ hành chính công {UNKNOWN_UNIT}"
    for r in rows[2:]:
        r["procedure_code"] = UNKNOWN_PROCEDURE
    return rows


def _rows_negative(ctx: Context, day: date) -> list[dict[str, str]]:
    rows = [_base_row(ctx, day, i) for i in range(2)]
    rows[0].update(supplement_requests="-1", status=STATUS_LABEL["processing"])
    rows[1]["fee_due"] = "-50000"
    return rows


def _rows_completed_before(ctx: Context, day: date) -> list[dict[str, str]]:
    rows = [_base_row(ctx, day, i) for i in range(2)]
    for r in rows:
        received = datetime.strptime(r["received_at"], "%d/%m/%Y %H:%M:%S")
        r.update(status=STATUS_LABEL["completed"], completed_at=format_datetime(received - timedelta(days=2)))
    return rows


def _rows_duplicate(ctx: Context, day: date) -> list[dict[str, str]]:
    first = _base_row(ctx, day, 0)
    second = dict(first)
    second.update(status=STATUS_LABEL["awaiting_supplement"], supplement_requests="1", digitised=BOOL_LABEL[False])
    first["status"] = STATUS_LABEL["processing"]
    return [first, second]


EXTRA_ROWS: dict[str, Callable[[Context, date], list[dict[str, str]]]] = {
    "bad_dates": _rows_bad_dates,
    "unknown_codes": _rows_unknown,
    "negative_values": _rows_negative,
    "completed_before_received": _rows_completed_before,
    "duplicate_code": _rows_duplicate,
}


def petition_bad_rows(units: tuple[Unit, ...], day: date) -> tuple[list[list[str]], list[str]]:
    """The extra bad rows (in PETITION_COLUMNS order) for the PAKN export of `day`'s month, and their codes."""
    agency = next(u for u in units if u.group == AGENCY)
    received = datetime.combine(day, time(9, 10))
    codes = [f"PAKN-{day:%y%m}-{90001 + i}" for i in range(3)]
    person = [
        "Lường Thị Hoa",
        "0912000111",
        "luongthihoa@gmail.com",
        "Tôi là Lường Thị Hoa, số điện thoại 0912000111, đề nghị trả lời sớm.",
    ]
    base = [
        received.strftime("%d/%m/%Y %H:%M:%S"),
        agency.name,
        next(iter(CATEGORIES)),
        next(iter(HANDLINGS)),
        "",
        "",
        BOOL_LABEL[False],
        *person,
    ]
    unknown, early, iso = ([codes[i], *base] for i in range(3))
    unknown[2] = UNKNOWN_UNIT
    early[5] = format_datetime(received - timedelta(days=2))
    iso[1] = f"{day:%Y-%m-%d}"
    return [unknown, early, iso], codes


def _line(row: dict[str, str]) -> str:
    return ",".join(csv_quote(row[c.name]) for c in DOSSIER_COLUMNS) + "\n"


def damage(kind: Kind, day: date, body: bytes, ctx: Context) -> tuple[bytes, list[str]]:
    """The bad file's bytes (from the day's good body) and the dossier codes of its bad rows."""
    before = len(ctx.codes)
    good = BOM + header_line() + body
    if kind.key == "truncated":
        lines = body.decode("utf-8").splitlines(keepends=True)
        last = lines[-1]
        fields = next(csv.reader([last]))
        upto = COLUMN_INDEX["updated_at"]
        cut = len(",".join(csv_quote(f) for f in fields[:upto])) + 1 + 7  # mid-date: "26/11/2"
        return BOM + header_line() + "".join(lines[:-1]).encode() + last[:cut].encode(), [fields[0]]
    if kind.key == "renamed_column":
        channel = DOSSIER_COLUMNS[COLUMN_INDEX["channel"]]
        headers = [channel.aliases[0] if h == channel.header else h for h in HEADERS]
        return BOM + header_line(headers) + body, []
    if kind.key == "missing_status":
        drop = COLUMN_INDEX["status"]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in csv.reader(io.StringIO((header_line() + body).decode("utf-8"))):
            writer.writerow(row[:drop] + row[drop + 1 :])
        return BOM + out.getvalue().encode("utf-8"), []
    if kind.key == "cp1258":
        return to_cp1258((header_line() + body).decode("utf-8")), []
    if kind.key in ("unicode_text", "semicolon_cr"):
        delimiter, end, encoding = ("\t", "\r\n", "utf-16") if kind.key == "unicode_text" else (";", "\r", "utf-8-sig")
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator=end)
        writer.writerows(csv.reader(io.StringIO((header_line() + body).decode("utf-8"))))
        return out.getvalue().encode(encoding), []
    if kind.key == "verbatim_duplicates":
        lines = body.decode("utf-8").splitlines(keepends=True)
        return good + "".join(lines[-3:]).encode("utf-8"), []
    if kind.key == "empty":
        return b"", []
    if kind.key == "header_only":
        return BOM + header_line(), []
    rows = EXTRA_ROWS[kind.key](ctx, day)
    return good + "".join(_line(r) for r in rows).encode("utf-8"), ctx.codes[before:]


def markdown(bad: list[dict], start: date, end: date, notes: list[str] | None = None) -> str:
    lines = [
        "# Deliberately bad files in this demo inbox",
        "",
        f"Generated by `python -m demo.generate` for {start:%d/%m/%Y}-{end:%d/%m/%Y}. Every other file is good.",
        "Bad rows in daily files (and in the PAKN export) are extra rows with fresh dossier (or PAKN) codes, listed",
        "below; the good rows of those files are the normal rows and should load.",
        "",
        "| file | what is wrong | what the pipeline should report | bad record codes |",
        "|---|---|---|---|",
    ]
    for b in bad:
        codes = ", ".join(f"`{c}`" for c in b.get("dossier_codes", [])) or "-"
        lines.append(f"| `{b['file']}` | {b['problem']} | {b['expected']} | {codes} |")
    if notes:  # what is wrong without a file to point at (a report never sent, a late one)
        lines += ["", "Not a file:", "", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"
