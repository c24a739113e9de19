"""Petitions and recommendations (PAKN) of the demo: individual records, the monthly export files, and the counts the
national portal shows for QĐ 766 5.2 and 5.3 at a capture time.

About 0.0015 petitions per dossier received (Poisson per unit and day; at least 3 a month, so that a small demo
has some). Each has a category, a handling (answer, refusal, request for more information) and so a deadline in
working days (15, 2, 5; ``sources.petition_format``); a unit finishes on time with its own propensity (75-100%, ``UnitTraits.petitions_on_time``), late ones 1-10 working
days after the deadline. Ratings come with the answer (45% rate; 4% dissatisfied, 34% when late); 2% are repeated
petitions. The files hold each petition's state at the end of the range: a completion after it is still ahead.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from common.units import AGENCY, Unit
from common.vntext import strip_diacritics
from common.workdays import add_working_days
from demo import vocab
from demo.dossier_files import BOM, resolving_unit_names
from demo.simulate import DAY, Calendar, Dossiers, UnitTraits
from sources.petition_format import (
    CATEGORIES,
    DEADLINE_WORKING_DAYS,
    HANDLINGS,
    PETITION_COLUMNS,
    PETITION_DIR,
    PETITION_RATINGS,
    petition_file_name,
)
from sources.tthc_format import BOOLEANS, DATETIME_FORMAT

PETITIONS_PER_DOSSIER = 0.0015
MIN_PER_MONTH = 3  # below this (tiny scales), petitions are added so that every month has some
CATEGORY_LABELS = tuple(CATEGORIES)  # index 0: about procedures, 1: about staff behaviour
HANDLING_CODES = tuple(HANDLINGS.values())  # answer, refusal, more_information
HANDLING_LABELS = tuple(HANDLINGS)
HANDLING_SHARES = (0.85, 0.07, 0.08)
DEADLINES = np.array([DEADLINE_WORKING_DAYS[h] for h in HANDLING_CODES])
RATING_LABELS = tuple(PETITION_RATINGS)  # index 0 satisfied, 1 dissatisfied
DISLIKED = 1
YES_NO = {v: k for k, v in BOOLEANS.items()}
CONTENT_TEMPLATES = (
    (
        "Tôi là {name}, số điện thoại {phone}. Hồ sơ của tôi nộp tại {unit} đã quá ngày hẹn trả nhưng chưa có kết quả, "
        "đề nghị xem xét."
    ),
    "Công chức tiếp nhận tại {unit} yêu cầu bổ sung giấy tờ nhiều lần, mỗi lần một ý; đề nghị hướng dẫn một lần đầy đủ.",
    "Đề nghị {unit} công khai rõ thành phần hồ sơ và mức phí, lệ phí của thủ tục tôi đang làm.",
    "Tôi tên {name}, ở Tổ {group}; phản ánh thái độ phục vụ của cán bộ bộ phận một cửa {unit}.",
    (
        "Cổng dịch vụ công báo lỗi khi thanh toán trực tuyến lệ phí; tôi đã nộp tiền nhưng hồ sơ vẫn chờ thanh toán. "
        "Liên hệ: {email}."
    ),
    "Kiến nghị {unit} bố trí thêm ngày làm việc sáng thứ Bảy để người dân đi làm có thể nộp hồ sơ.",
)


@dataclass(frozen=True)
class Petitions:
    """One entry per petition, in order of reception."""

    code: list[str]
    unit: np.ndarray
    variant: np.ndarray  # 0 official unit name, 1 the variant the dossier files also use
    received: np.ndarray  # epoch seconds (local, naive)
    category: np.ndarray  # index into CATEGORY_LABELS
    handling: np.ndarray  # index into HANDLING_CODES
    due: np.ndarray  # epoch seconds: end (23:59:59) of the last working day allowed
    finish: np.ndarray  # epoch seconds, -1 while in progress at the end of the range
    rating: np.ndarray  # index into RATING_LABELS, -1 none
    repeated: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.code)


def _working_day_after(day: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Epoch day of the n-th working day after `day`: the reader's own rule (common.workdays, which also knows the
    Saturdays worked in exchange for a day off), so the demo portal and the warehouse agree on every deadline."""
    epoch = date(1970, 1, 1)
    return np.array(
        [(add_working_days(epoch + timedelta(days=int(d)), int(k)) - epoch).days for d, k in zip(day, n, strict=True)],
        dtype=np.int64,
    )


def simulate_petitions(d: Dossiers, units: tuple[Unit, ...], cal: Calendar, traits: UnitTraits, seed: int) -> Petitions:
    rng = np.random.default_rng([seed, 766])
    counts = rng.poisson(PETITIONS_PER_DOSSIER * d.counts)
    # Small demos (tests) still get a few petitions a month: the missing ones go to cells with dossiers.
    month = cal.days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    flat = counts.reshape(-1)
    for m in np.unique(month):
        days = np.flatnonzero(month == m)
        short = MIN_PER_MONTH - int(counts[days].sum())
        weights = d.counts[days].reshape(-1).astype(float)
        if short > 0 and weights.sum() > 0:
            picks = rng.choice(weights.size, size=short, p=weights / weights.sum())
            np.add.at(flat, days[0] * counts.shape[1] + picks, 1)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    n_units = len(units)
    day = cal.days[cell // n_units]
    unit = cell % n_units
    n = len(cell)
    working = cal.is_working(day)
    tod = np.where(working, rng.integers(7 * 3600 + 1800, 17 * 3600, n), rng.integers(7 * 3600, 21 * 3600, n))
    received = day * DAY + tod
    order = np.lexsort((unit, received))
    unit, day, received, working = unit[order], day[order], received[order], working[order]

    category = (rng.random(n) < 0.25).astype(np.int8)
    handling = np.searchsorted(np.cumsum(HANDLING_SHARES), rng.random(n) * 0.999999).astype(np.int8)
    due_day = _working_day_after(day, DEADLINES[handling])
    due = (due_day + 1) * DAY - 1

    late = rng.random(n) > traits.petitions_on_time[unit]
    first_work = cal.working_index(day)  # the day itself when working, else the next working day
    span = cal.working_index(due_day) - first_work + 1
    on_time_day = np.minimum(cal.work_dates[first_work + (rng.random(n) * span).astype(np.int64)], due_day)
    late_day = cal.work_dates[cal.working_index(due_day) + np.minimum(rng.geometric(0.3, n), 10)]
    finish = np.where(late, late_day, on_time_day) * DAY + rng.integers(7 * 3600 + 1800, 17 * 3600, n)
    finish = np.maximum(finish, received + rng.integers(600, 7200, n))
    end_of_range = (int(np.datetime64(cal.end, "D").astype(int)) + 1) * DAY - 1
    finish = np.where(finish > end_of_range, -1, finish)

    rated = (finish >= 0) & (rng.random(n) < 0.45)
    disliked = rng.random(n) < np.where(late, 0.34, 0.04)
    rating = np.where(rated, disliked.astype(np.int8), -1).astype(np.int8)
    repeated = rng.random(n) < 0.02
    is_agency = np.array([u.group == AGENCY for u in units])
    variant = (rng.random(n) < np.where(is_agency[unit], 0.12, 0.15)).astype(np.int8)

    epoch = date(1970, 1, 1)
    codes, seq, current = [], 0, None
    for r in received:
        month = (epoch + timedelta(days=int(r // DAY))).strftime("%y%m")
        seq = seq + 1 if month == current else 1
        current = month
        codes.append(f"PAKN-{month}-{seq:05d}")
    return Petitions(codes, unit, variant, received, category, handling, due, finish, rating, repeated)


def petition_counts(
    p: Petitions, first_day: int, last_day: int, capture: int, n_units: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per unit (index n_units = the province): petitions handled in the period, on time, and 'bad' (late, disliked or
    repeated: the 5.3 subtraction), as known at `capture` (epoch seconds).

    Handled = received in [first_day, last_day] and by the capture time. On time = finished by the deadline, or still
    in progress at the capture time and not yet due.
    """
    seen = (p.received >= first_day * DAY) & (p.received < (last_day + 1) * DAY) & (p.received <= capture)
    known = (p.finish >= 0) & (p.finish <= capture)
    on_time = np.where(known, p.finish <= p.due, capture <= p.due)
    bad = ~on_time | (known & (p.rating == DISLIKED)) | p.repeated

    def per_unit(mask: np.ndarray) -> np.ndarray:
        counts = np.bincount(p.unit[mask], minlength=n_units)
        return np.r_[counts, counts.sum()]

    return per_unit(seen), per_unit(seen & on_time), per_unit(seen & bad)


def _timestamp(seconds: int) -> str:
    return (datetime(1970, 1, 1) + timedelta(seconds=int(seconds))).strftime(DATETIME_FORMAT)


def _people(n: int, units: tuple[Unit, ...], unit: np.ndarray, rng: np.random.Generator) -> list[tuple[str, str, str, str]]:
    """(name, phone, e-mail, content) per petition: personal data the reader must drop."""
    surnames = list(vocab.SURNAMES)
    weights = np.array(list(vocab.SURNAMES.values()))
    out = []
    for i in range(n):
        female = rng.random() < 0.5
        middles, givens = (vocab.FEMALE_MIDDLE, vocab.FEMALE_GIVEN) if female else (vocab.MALE_MIDDLE, vocab.MALE_GIVEN)
        name = " ".join(
            (
                surnames[rng.choice(len(surnames), p=weights / weights.sum())],
                middles[rng.integers(len(middles))],
                givens[rng.integers(len(givens))],
            )
        )
        phone = f"09{rng.integers(10**8):08d}"
        email = "" if rng.random() < 0.4 else f"{strip_diacritics(name).lower().replace(' ', '')}{rng.integers(1, 100)}@gmail.com"
        template = CONTENT_TEMPLATES[rng.integers(len(CONTENT_TEMPLATES))]
        content = template.format(
            name=name, phone=phone, email=email or phone, unit=units[unit[i]].name, group=rng.integers(1, 30)
        )
        out.append((name, phone, email, content))
    return out


def petition_rows(p: Petitions, units: tuple[Unit, ...], seed: int) -> list[list[str]]:
    """The CSV rows (in PETITION_COLUMNS order) of every petition, in order of reception."""
    names = resolving_unit_names(units)
    people = _people(len(p), units, p.unit, np.random.default_rng([seed, 766, 1]))
    rows = []
    for i in range(len(p)):
        rows.append(
            [
                p.code[i],
                _timestamp(p.received[i]),
                names[2 * p.unit[i] + p.variant[i]],
                CATEGORY_LABELS[p.category[i]],
                HANDLING_LABELS[p.handling[i]],
                _timestamp(p.finish[i]) if p.finish[i] >= 0 else "",
                RATING_LABELS[p.rating[i]] if p.rating[i] >= 0 else "",
                YES_NO[bool(p.repeated[i])],
                *people[i],
            ]
        )
    return rows


def months(start: date, end: date) -> list[date]:
    out, month = [], date(start.year, start.month, 1)
    while month <= end:
        out.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def petition_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.header for c in PETITION_COLUMNS])
    writer.writerows(rows)
    return BOM + buf.getvalue().encode("utf-8")


def write_petitions(
    inbox: Path, p: Petitions, units: tuple[Unit, ...], cal: Calendar, seed: int, extra: dict[date, list[list[str]]] | None = None
) -> list[Path]:
    """One file per month of the range, `pakn/pakn_YYYYMM.csv`, with the petitions received that month (header only
    when there are none); `extra` rows (deliberately bad ones) are appended to their month's file."""
    folder = inbox / PETITION_DIR
    folder.mkdir(parents=True, exist_ok=True)
    rows = petition_rows(p, units, seed)
    by_month: dict[date, list[list[str]]] = {m: [] for m in months(cal.start, cal.end)}
    for r, row in zip(p.received, rows, strict=True):
        day = date(1970, 1, 1) + timedelta(days=int(r // DAY))
        by_month[date(day.year, day.month, 1)].append(row)
    written = []
    for month, month_rows in by_month.items():
        path = folder / petition_file_name(month)
        path.write_bytes(petition_csv(month_rows + (extra or {}).get(month, [])))
        written.append(path)
    return written
