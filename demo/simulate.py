"""Vectorised simulation of a year of dossiers and their status changes.

Every dossier gets up to ``N_EVENTS`` timestamped status changes (received, processing, up to three rounds
of awaiting_supplement/processing, a finishing status, returned). Timestamps are drawn on a "working-time"
axis (570 working minutes a working day, 07:30-17:00, weekends and Vietnamese public holidays skipped) and
mapped back to wall-clock time, so processing and due dates respect the working calendar. A version of a
dossier is its last event of a day: that is the row the day's export file carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import holidays
import numpy as np

from common.units import AGENCY, WARD, Unit
from demo.catalogue import ONLINE_FULL, ONLINE_NONE, ONLINE_PARTIAL, Catalogue

DAY = 86_400
WORK_START = 450  # minutes after midnight: 07:30
WORK_MINUTES = 570  # 07:30-17:00

# Event columns; the finishing column carries the dossier's own outcome.
EV_RECEIVED, EV_PROCESSING, EV_FINISH, EV_RETURNED = 0, 1, 8, 9
N_EVENTS = 10
STATUS_CODES = ("received", "processing", "awaiting_supplement", "completed", "returned", "refused", "withdrawn")
S_RECEIVED, S_PROCESSING, S_AWAITING, S_COMPLETED, S_RETURNED, S_REFUSED, S_WITHDRAWN = range(7)
# Status of each event column (the finishing column is overridden per dossier).
COLUMN_STATUS = np.array(
    [
        S_RECEIVED,
        S_PROCESSING,
        S_AWAITING,
        S_PROCESSING,
        S_AWAITING,
        S_PROCESSING,
        S_AWAITING,
        S_PROCESSING,
        S_COMPLETED,
        S_RETURNED,
    ],
    dtype=np.int8,
)
# Supplement requests made up to and including each column (the last two use the dossier's total).
COLUMN_SUPPLEMENTS = np.array([0, 0, 1, 1, 2, 2, 3, 3, 0, 0], dtype=np.int8)
SUPPLEMENT_REQUEST_COLUMNS = (2, 4, 6)
CHANNEL_DIRECT, CHANNEL_ONLINE, CHANNEL_POSTAL = 0, 1, 2
CHANNEL_CODES = ("direct", "online", "postal")
RATING_CODES = ("very_satisfied", "satisfied", "dissatisfied")

# Received dossiers per working day at scale 1.0 (weekends, holidays and the Tết months are lower), tuned
# so that a full calendar year gives about 1.55 million dossiers.
BASE_PER_WORKING_DAY = 5_650
WEEKDAY_FACTOR = np.array([1.12, 1.04, 1.0, 0.98, 0.90, 0.30, 0.07])  # Monday .. Sunday
HOLIDAY_FACTOR = 0.05
MONTH_FACTOR = np.array([1.12, 0.80, 1.02, 1.0, 0.97, 1.0, 1.03, 1.0, 0.98, 1.0, 1.02, 1.10])
AGENCY_SHARE = 0.25  # provincial agencies carry a quarter of the volume, communes and wards the rest
AGENCY_SIZE = {  # relative size of an agency's dossier volume
    "SNNMT": 5.0,
    "STC": 2.2,
    "CAT": 2.5,
    "SXD": 1.8,
    "STP": 2.0,
    "SYT": 1.6,
    "SCT": 1.0,
    "SGDDT": 1.2,
    "SNV": 1.6,
    "SKHCN": 0.6,
    "SVHTTDL": 0.5,
    "BQLKCN": 0.7,
    "SDTTG": 0.12,
    "VPUBND": 0.1,
    "TTT": 0.05,
}
WARD_SIZE = 2.2  # wards are urban: more dossiers than rural communes


@dataclass(frozen=True)
class Calendar:
    start: date
    end: date
    holidays: np.ndarray  # datetime64[D]
    base: np.datetime64  # origin of the working-day index
    first_day: int  # start as days since the epoch
    day_index: np.ndarray  # working-day index of each calendar day from first_day - 7 (next working day if off)
    work_dates: np.ndarray  # epoch day of working day i

    @classmethod
    def build(cls, start: date, end: date) -> Calendar:
        years = range(start.year, end.year + 3)  # due dates and late finishes run past `end`
        hol = np.array(sorted(holidays.country_holidays("VN", years=years)), dtype="datetime64[D]")
        base = np.datetime64(start, "D") - 7
        last = np.datetime64(date(end.year + 2, 12, 31), "D")
        days = np.arange(base, last + 1)
        day_index = np.busday_count(base, days, holidays=hol)
        n_work = int(day_index[-1]) + 1
        work_dates = np.busday_offset(base, np.arange(n_work), roll="forward", holidays=hol)
        return cls(start, end, hol, base, int(np.datetime64(start, "D").astype(int)), day_index, work_dates.astype(np.int64))

    @property
    def days(self) -> np.ndarray:
        """Epoch day numbers from start to end inclusive."""
        return np.arange(self.first_day, int(np.datetime64(self.end, "D").astype(int)) + 1)

    def is_working(self, epoch_days: np.ndarray) -> np.ndarray:
        return np.is_busday(epoch_days.astype("datetime64[D]"), holidays=self.holidays)

    def is_holiday(self, epoch_days: np.ndarray) -> np.ndarray:
        return np.isin(epoch_days.astype("datetime64[D]"), self.holidays)

    def working_index(self, epoch_days: np.ndarray) -> np.ndarray:
        return self.day_index[epoch_days - (self.first_day - 7)]

    def to_seconds(self, work_minutes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Wall-clock epoch seconds of working-time minutes, with random seconds inside the minute."""
        day = self.work_dates[work_minutes // WORK_MINUTES]
        minute = WORK_START + work_minutes % WORK_MINUTES
        return day * DAY + minute * 60 + rng.integers(0, 60, work_minutes.shape)


@dataclass(frozen=True)
class UnitTraits:
    """Per-unit propensities: units differ visibly in every indicator."""

    share: np.ndarray  # share of the daily volume
    online: np.ndarray  # online share for procedures offered fully online
    late: np.ndarray
    digitised: np.ndarray
    e_result: np.ndarray
    reuse: np.ndarray
    vneid: np.ndarray
    pay_online: np.ndarray
    sync: np.ndarray
    dissatisfied: np.ndarray
    petitions_on_time: np.ndarray
    offers_e_copy: np.ndarray  # commune offers certified electronic copies


def unit_traits(units: tuple[Unit, ...], cat: Catalogue, rng: np.random.Generator) -> UnitTraits:
    n = len(units)
    agency = np.array([u.group == AGENCY for u in units])
    size = np.array(
        [
            AGENCY_SIZE.get(u.code.split(".")[-1], 0.3) if u.group == AGENCY else WARD_SIZE if u.group == WARD else 1.0
            for u in units
        ]
    )
    has_procedures = np.array([not agency[i] or bool((cat.agency == i).any()) for i in range(n)])
    share = size * rng.lognormal(0.0, np.where(agency, 0.3, 0.55)) * has_procedures
    for mask, total in ((agency, AGENCY_SHARE), (~agency, 1 - AGENCY_SHARE)):
        if share[mask].sum() > 0:
            share[mask] *= total / share[mask].sum()
    share /= share.sum()
    return UnitTraits(
        share=share,
        online=rng.uniform(0.30, 0.80, n),
        late=rng.uniform(0.025, 0.11, n),
        digitised=rng.uniform(0.55, 0.98, n),
        e_result=rng.uniform(0.40, 0.95, n),
        reuse=rng.uniform(0.10, 0.70, n),
        vneid=rng.uniform(0.45, 0.95, n),
        pay_online=rng.uniform(0.70, 1.05, n),
        sync=rng.uniform(0.95, 1.0, n),
        dissatisfied=rng.uniform(0.01, 0.04, n),
        petitions_on_time=rng.uniform(0.75, 1.0, n),
        offers_e_copy=np.where(agency, False, rng.random(n) < 0.8),
    )


@dataclass
class Dossiers:
    """One entry per dossier, sorted by received time within (day, unit)."""

    unit: np.ndarray
    proc: np.ndarray
    day: np.ndarray  # epoch day of reception
    seq: np.ndarray  # sequence number within (unit, day), from 1
    received: np.ndarray  # epoch seconds (local time, naive)
    due: np.ndarray
    channel: np.ndarray
    centre: np.ndarray  # 0 = provincial centre, 1 + i = centre of the i-th commune/ward
    unit_variant: np.ndarray  # 0 official name, 1 a variant ("UBND …", "… - Tỉnh …")
    events: np.ndarray  # (n, N_EVENTS) epoch seconds, -1 where the event did not (yet) happen
    finish: np.ndarray  # status code of the finishing event
    supplements: np.ndarray
    digitised: np.ndarray
    e_result: np.ndarray
    fee: np.ndarray
    paid_online: np.ndarray
    reused: np.ndarray
    vneid: np.ndarray
    synced: np.ndarray  # synced to the national portal (transparency metric 1.4)
    rating: np.ndarray  # index into RATING_CODES, -1 none
    counts: np.ndarray  # (days, units) dossiers received per day and unit

    def __len__(self) -> int:
        return len(self.unit)


def daily_counts(cal: Calendar, traits: UnitTraits, scale: float, rng: np.random.Generator) -> np.ndarray:
    days = cal.days
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    month = days.astype("datetime64[D]").astype("datetime64[M]").astype(int) % 12
    factor = WEEKDAY_FACTOR[weekday] * MONTH_FACTOR[month]
    factor = np.where(cal.is_holiday(days), HOLIDAY_FACTOR, factor) * rng.lognormal(0, 0.06, len(days))
    lam = scale * BASE_PER_WORKING_DAY * factor[:, None] * traits.share[None, :]
    lam *= rng.lognormal(0, 0.12, lam.shape)
    return rng.poisson(lam)


def _sample_procedures(
    unit: np.ndarray, units: tuple[Unit, ...], cat: Catalogue, traits: UnitTraits, rng: np.random.Generator
) -> np.ndarray:
    proc = np.empty(len(unit), dtype=np.int64)
    agency_units = [i for i, u in enumerate(units) if u.group == AGENCY]
    local = ~np.isin(unit, agency_units)
    commune_procs = np.flatnonzero(cat.commune_level)
    p = cat.weight[commune_procs] / cat.weight[commune_procs].sum()
    proc[local] = commune_procs[rng.choice(len(commune_procs), size=int(local.sum()), p=p)]
    for a in agency_units:  # one draw per agency, not per dossier
        mask = unit == a
        own = np.flatnonzero(cat.agency == a)
        if mask.any() and len(own):
            proc[mask] = own[rng.choice(len(own), size=int(mask.sum()), p=cat.weight[own] / cat.weight[own].sum())]
    # Electronic certified copies exist only where the commune offers them: elsewhere the paper copy.
    e_copy = [i for i, n in enumerate(cat.name) if n.startswith("Chứng thực bản sao điện tử")]
    paper = [i for i, n in enumerate(cat.name) if n.startswith("Chứng thực bản sao từ bản chính")]
    if e_copy and paper:
        proc[(proc == e_copy[0]) & ~traits.offers_e_copy[unit]] = paper[0]
    return proc


def _received_seconds(day: np.ndarray, cal: Calendar, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Time of day in seconds and whether the day is a full working day."""
    n = len(day)
    working = cal.is_working(day)
    saturday = ((day + 3) % 7 == 5) & ~cal.is_holiday(day)
    morning = rng.uniform(7.5 * 3600, 11.5 * 3600, n)
    afternoon = rng.uniform(13.5 * 3600, 17 * 3600, n)
    tod = np.where(rng.random(n) < 0.62, morning, afternoon)
    tod = np.where(saturday, morning, tod)  # Saturday-morning reception at the one-stop centres
    tod = np.where(~working & ~saturday, rng.uniform(7 * 3600, 21 * 3600, n), tod)  # online only
    return tod.astype(np.int64), working


def simulate(
    units: tuple[Unit, ...], cat: Catalogue, cal: Calendar, traits: UnitTraits, scale: float, rng: np.random.Generator
) -> Dossiers:
    counts = daily_counts(cal, traits, scale, rng)
    n_units = len(units)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    day = cal.days[cell // n_units]
    unit = cell % n_units
    n = len(cell)

    proc = _sample_procedures(unit, units, cat, traits, rng)
    tod, working = _received_seconds(day, cal, rng)
    order = np.lexsort((tod, unit, day))
    day, unit, proc, tod, working = day[order], unit[order], proc[order], tod[order], working[order]
    first = np.r_[True, (day[1:] != day[:-1]) | (unit[1:] != unit[:-1])]
    starts = np.flatnonzero(first)
    seq = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n])) + 1
    received = day * DAY + tod

    # Channel: online only where the procedure is offered online, more where it is offered fully online.
    level = cat.online[proc]
    p_online = traits.online[unit] * np.select([level == ONLINE_FULL, level == ONLINE_PARTIAL], [1.2, 0.75], 0.0)
    online = rng.random(n) < np.minimum(p_online, 0.97)
    online |= ~working & ((day + 3) % 7 != 5) & (level != ONLINE_NONE)  # Sundays and holidays: online only
    postal = ~online & (rng.random(n) < 0.06)
    channel = np.where(online, CHANNEL_ONLINE, np.where(postal, CHANNEL_POSTAL, CHANNEL_DIRECT)).astype(np.int8)

    # Receiving centre: the province's for provincial procedures, the commune's own for commune ones, but
    # about 5% are received at another commune's centre (no administrative boundary under NĐ 118/2025).
    is_agency = np.array([u.group == AGENCY for u in units])
    local_index = np.cumsum(~is_agency) - 1  # position of each commune/ward among the locals
    n_local = int((~is_agency).sum())
    elsewhere = rng.random(n) < 0.05
    other = rng.integers(0, max(n_local, 1), n)
    centre = np.where(is_agency[unit], 0, 1 + np.where(elsewhere, other, local_index[unit]))
    unit_variant = (rng.random(n) < np.where(is_agency[unit], 0.12, 0.15)).astype(np.int8)

    events, finish, supplements, due = _lifecycle(proc, unit, received, day, tod, working, channel, cat, cal, traits, rng)

    fee = cat.fee[proc] * np.where(cat.per_page[proc], rng.geometric(0.3, n), rng.choice([1, 1, 1, 1, 1, 1, 2, 3], n))
    pay_p = np.select([channel == CHANNEL_ONLINE, channel == CHANNEL_POSTAL], [0.85, 0.3], 0.06) * traits.pay_online[unit]
    paid_online = (fee > 0) & cat.payment_integrated[proc] & (rng.random(n) < pay_p)
    e_result = rng.random(n) < traits.e_result[unit] * np.where(online, 1.0, 0.85)
    has_rating = (finish != S_WITHDRAWN) & (rng.random(n) < 0.30)
    r = rng.random(n)
    rating = np.where(r < traits.dissatisfied[unit], 2, np.where(r < 0.47, 0, 1))
    return Dossiers(
        unit=unit,
        proc=proc,
        day=day,
        seq=seq,
        received=received,
        due=due,
        channel=channel,
        centre=centre,
        unit_variant=unit_variant,
        events=events,
        finish=finish,
        supplements=supplements,
        digitised=rng.random(n) < np.minimum(traits.digitised[unit] + 0.1 * online, 0.99),
        e_result=e_result,
        fee=fee.astype(np.int64),
        paid_online=paid_online,
        reused=rng.random(n) < traits.reuse[unit],
        vneid=rng.random(n) < traits.vneid[unit] * np.where(online, 1.0, 0.35),
        synced=rng.random(n) < traits.sync[unit],
        rating=np.where(has_rating, rating, -1).astype(np.int8),
        counts=counts,
    )


def _lifecycle(
    proc, unit, received, day, tod, working, channel, cat: Catalogue, cal: Calendar, traits: UnitTraits, rng: np.random.Generator
):
    """Event timestamps (n, N_EVENTS), finishing status, supplement requests and due date of each dossier."""
    n = len(proc)
    # Working-time coordinate of reception: dossiers received outside working hours count from the next
    # working day's opening.
    minute = tod // 60 - WORK_START
    w0 = cal.working_index(day) * WORK_MINUTES + np.where(working, np.clip(minute, 0, WORK_MINUTES - 1), 0)
    p_days = cat.days[proc]
    day_end = w0 // WORK_MINUTES * WORK_MINUTES + WORK_MINUTES - 1
    # Same-day procedures are due at closing time, or the next morning when received late in the day.
    w_due = np.where(p_days > 0, w0 + p_days * WORK_MINUTES, np.where(w0 % WORK_MINUTES < 450, day_end, w0 + 240))
    span = np.maximum(w_due - w0, 1)

    same_day = p_days == 0
    k = np.where(
        same_day, (rng.random(n) < 0.01).astype(np.int64), np.searchsorted([0.88, 0.98, 0.995], rng.random(n), side="right")
    )
    u = rng.random(n)
    finish = np.where(u < 0.005, S_WITHDRAWN, np.where(u < 0.015, S_REFUSED, S_COMPLETED)).astype(np.int8)
    p_late = np.where(k >= 2, 0.5, traits.late[unit] * cat.late[proc])
    late = (finish == S_COMPLETED) & (rng.random(n) < p_late)

    on_time_frac = np.where(same_day, rng.beta(1.2, 6.0, n), rng.beta(2.0, 1.4, n))
    lateness = 1 + rng.exponential(np.maximum(120, 0.2 * p_days * WORK_MINUTES), n).astype(np.int64)
    w_fin = np.select(
        [late, finish == S_REFUSED, finish == S_WITHDRAWN],
        [w_due + lateness, w0 + rng.uniform(0.05, 0.6, n) * span, w0 + rng.uniform(0.05, 1.0, n) * span],
        w0 + np.maximum(1, on_time_frac * span),
    ).astype(np.int64)
    w_fin = np.maximum(w_fin, w0 + 2)
    gap = 1 + rng.exponential(np.where(same_day, 25, 180), n).astype(np.int64)
    w1 = np.minimum(w0 + gap, w0 + np.maximum(1, (w_fin - w0) // 3))

    w = np.full((n, N_EVENTS), -1, dtype=np.int64)
    w[:, EV_PROCESSING] = w1
    # Supplement rounds: 2k sorted points between processing and finishing.
    v = np.sort(np.where(np.arange(6)[None, :] < 2 * k[:, None], rng.random((n, 6)), np.inf), axis=1)
    inner = w1[:, None] + 1 + (v * np.maximum(w_fin - w1 - 1, 1)[:, None])
    w[:, 2:8] = np.where(np.isfinite(v), inner, -1).astype(np.int64)
    w[:, EV_FINISH] = w_fin
    # Results are collected the same day, a few days later, or (rarely) not at all; electronic results
    # of online dossiers are "returned" at once.
    r = rng.random(n)
    pickup = np.where(r < 0.5, rng.integers(5, 90, n), 30 + rng.exponential(1.2 * WORK_MINUTES, n).astype(np.int64))
    instant = (channel == CHANNEL_ONLINE) & (rng.random(n) < 0.6)
    pickup = np.where(instant, rng.integers(1, 5, n), pickup)
    returned = (finish == S_COMPLETED) & (r < 0.95)
    w[:, EV_RETURNED] = np.where(returned, w_fin + pickup, -1)

    # Strictly increasing times, one working minute at least between events.
    prev = w0.copy()
    for c in range(1, N_EVENTS):
        present = w[:, c] >= 0
        w[:, c] = np.where(present, np.maximum(w[:, c], prev + 1), -1)
        prev = np.where(present, w[:, c], prev)

    events = np.full((n, N_EVENTS), -1, dtype=np.int64)
    events[:, EV_RECEIVED] = received
    present = w[:, 1:] >= 0
    events[:, 1:][present] = cal.to_seconds(w[:, 1:][present], rng)
    # Nothing after the end of the range has happened yet: those dossiers stay in progress.
    end_of_range = (int(np.datetime64(cal.end, "D").astype(int)) + 1) * DAY - 1
    events[events > end_of_range] = -1
    due = cal.to_seconds(w_due, rng)
    return events, finish, k.astype(np.int8), due


@dataclass(frozen=True)
class Versions:
    """Rows of the daily files: dossier and event column of each dossier's last change of a day."""

    dossier: np.ndarray
    column: np.ndarray
    day: np.ndarray  # epoch day of the file
    updated: np.ndarray


def versions(d: Dossiers) -> Versions:
    ev = d.events
    present = ev >= 0
    ev_day = np.where(present, ev // DAY, -1)
    keep = np.zeros_like(present)
    next_day = np.full(len(d), -1, dtype=np.int64)
    for c in range(N_EVENTS - 1, -1, -1):  # a change is kept when the next existing change is on a later day
        keep[:, c] = present[:, c] & (next_day != ev_day[:, c])
        next_day = np.where(present[:, c], ev_day[:, c], next_day)
    dossier, column = np.nonzero(keep)
    updated = ev[dossier, column]
    file_day = updated // DAY
    order = np.lexsort((dossier, updated, file_day))
    return Versions(dossier[order], column[order].astype(np.int8), file_day[order], updated[order])


def status_at(d: Dossiers, idx: np.ndarray, column: np.ndarray) -> np.ndarray:
    """Status code of dossiers `idx` at event column `column`."""
    return np.where(column == EV_FINISH, d.finish[idx], COLUMN_STATUS[column])


def supplements_at(d: Dossiers, idx: np.ndarray, column: np.ndarray) -> np.ndarray:
    return np.where(column >= EV_FINISH, d.supplements[idx], COLUMN_SUPPLEMENTS[column])
