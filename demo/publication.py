"""Procedure publication (công bố TTHC) of the demo: the register `tthc/cong_bo_tthc.csv` and the province-wide
counts of QĐ 766 1.1-1.3 that the portal shows for every unit.

Each month has about 13 procedures published (Poisson 12, plus one) in one to a few decisions of the provincial
People's Committee, drawn from the generated catalogue. About 92% of decisions come at least 5 working days before
their legal basis takes effect (on time when decided on or before the effective date - 5 working days, as the
warehouse counts QĐ 766 1.1), about 95% are made public on the CSDLQG within 5 working days, about 98.5% publish
all seven parts. A month's records are seeded by (seed, year, month) alone, so they do not depend on the range; the
register holds the decisions dated up to the end of the range, as they stood then (a later publication is blank).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from common import workdays
from demo.catalogue import Catalogue
from demo.dossier_files import BOM
from demo.simulate import Calendar
from sources.publication_format import (
    CONTENT_PARTS,
    PUBLIC_UPDATE_WORKING_DAYS,
    PUBLICATION_COLUMNS,
    PUBLISH_LEAD_WORKING_DAYS,
)
from sources.tthc_format import BOOLEANS

YES_NO = {v: k for k, v in BOOLEANS.items()}
DATE_FORMAT = "%d/%m/%Y"


@dataclass(frozen=True)
class Publication:
    """One procedure in one publication decision."""

    decision_number: str
    decision_date: date
    procedure: int  # index into the catalogue
    effective: date  # the legal basis takes effect
    made_public: date  # on the CSDLQG (possibly after the end of the range: then not yet public in the file)
    parts: tuple[bool, ...]  # the seven parts of NĐ 63/2010 k.2 Đ.8

    def publish_on_time(self, cal: Calendar) -> bool:
        """Methodology §3.3, 1.1 (as warehouse.qd766.publication_measures): decision date <= effective date of the
        legal basis - 5 working days."""
        return self.decision_date <= subtract_working_days(cal, self.effective, PUBLISH_LEAD_WORKING_DAYS)

    def public_deadline(self, cal: Calendar) -> date:
        return add_working_days(cal, self.decision_date, PUBLIC_UPDATE_WORKING_DAYS)


def add_working_days(cal: Calendar, day: date, n: int) -> date:
    """The warehouse's own rule (common.workdays), so the demo portal and the warehouse count alike."""
    return workdays.add_working_days(day, n)


def subtract_working_days(cal: Calendar, day: date, n: int) -> date:
    return workdays.subtract_working_days(day, n)


def _month_records(cat: Catalogue, cal: Calendar, seed: int, y: int, m: int) -> list[Publication]:
    rng = np.random.default_rng([seed, 766, y, m])  # same month, same records, whatever the range
    published = int(rng.poisson(12)) + 1
    first = np.datetime64(date(y, m, 1), "D")
    next_month = np.datetime64(date(y + m // 12, m % 12 + 1, 1), "D")
    work_days = np.arange(first, next_month)[np.is_busday(np.arange(first, next_month), holidays=cal.holidays)]
    n_decisions = min(published, 1 + int(rng.poisson(1.5)))
    picks = np.sort(rng.choice(len(work_days), size=n_decisions, replace=n_decisions > len(work_days)))
    decision_of = np.sort(rng.integers(0, n_decisions, published))
    procedures = rng.choice(len(cat), size=published, replace=False)
    on_time = rng.random(published) < 0.92
    lead = np.where(on_time, rng.integers(0, 60, published), -rng.integers(1, 30, published))
    public_on_time = rng.random(published) < 0.95
    public_delay = np.where(
        public_on_time,
        rng.integers(0, PUBLIC_UPDATE_WORKING_DAYS + 1, published),
        rng.integers(PUBLIC_UPDATE_WORKING_DAYS + 1, 25, published),
    )
    incomplete = rng.random(published) >= 0.985
    missing = rng.random((published, len(CONTENT_PARTS))).argsort(axis=1)[:, :2]
    n_missing = rng.integers(1, 3, published)
    records = []
    for i in range(published):
        decided = work_days[picks[decision_of[i]]].astype(date)
        number = f"{decided.timetuple().tm_yday * 10 + int(decision_of[i])}/QĐ-UBND"
        effective = add_working_days(cal, decided, PUBLISH_LEAD_WORKING_DAYS) + timedelta(days=int(lead[i]))
        parts = [True] * len(CONTENT_PARTS)
        if incomplete[i]:
            for k in missing[i, : n_missing[i]]:
                parts[int(k)] = False
        records.append(
            Publication(
                number, decided, int(procedures[i]), effective, add_working_days(cal, decided, int(public_delay[i])), tuple(parts)
            )
        )
    return records


def build_publication(cat: Catalogue, cal: Calendar, seed: int) -> list[Publication]:
    """Every month from the first month of the range to its end; decisions after the end have not happened yet."""
    records: list[Publication] = []
    y, m = cal.start.year, cal.start.month
    while date(y, m, 1) <= cal.end:
        records += [r for r in _month_records(cat, cal, seed, y, m) if r.decision_date <= cal.end]
        y, m = y + m // 12, m % 12 + 1
    return sorted(records, key=lambda r: (r.decision_date, r.decision_number, cat.code[r.procedure]))


def publication_counts(
    records: list[Publication], cal: Calendar, first: date, last: date, captured: datetime
) -> tuple[int, int, int, int]:
    """(published, on time, made public on time, full content) of the decisions dated in [first, last], as known at
    the capture time: a publication not yet made public counts as late once its deadline has passed."""
    today = captured.date()
    published = on_time = public = full = 0
    for r in records:
        if not first <= r.decision_date <= min(last, today):
            continue
        published += 1
        on_time += r.publish_on_time(cal)
        deadline = r.public_deadline(cal)
        public += r.made_public <= deadline if r.made_public <= today else today <= deadline
        full += all(r.parts)
    return published, on_time, public, full


def publication_csv(records: list[Publication], cat: Catalogue, end: date) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.header for c in PUBLICATION_COLUMNS])
    for r in records:
        public = r.made_public.strftime(DATE_FORMAT) if r.made_public <= end else ""
        writer.writerow(
            [
                r.decision_number,
                r.decision_date.strftime(DATE_FORMAT),
                cat.code[r.procedure],
                r.effective.strftime(DATE_FORMAT),
                public,
                *(YES_NO[p] for p in r.parts),
            ]
        )
    return BOM + buf.getvalue().encode("utf-8")


def write_publication(path: Path, records: list[Publication], cat: Catalogue, end: date) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(publication_csv(records, cat, end))
