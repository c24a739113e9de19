"""Format dossier versions as the daily export files, column-wise with pyarrow.

Every text value comes from a small dictionary (unit names, statuses, dates, times of day, people's
names …) that is CSV-quoted once; rows are then assembled with ``take`` and ``binary_join_element_wise``,
and a day's file is a slice of one contiguous buffer. No Python loop runs over rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from common.units import AGENCY, Unit
from demo import vocab
from demo.catalogue import Catalogue
from demo.portal_codes import demo_portal_codes
from demo.simulate import (
    CHANNEL_CODES,
    DAY,
    EV_FINISH,
    RATING_CODES,
    S_COMPLETED,
    S_REFUSED,
    S_WITHDRAWN,
    STATUS_CODES,
    Dossiers,
    Versions,
    status_at,
    supplements_at,
)
from sources.tthc_format import BOOLEANS, CHANNELS, DATETIME_FORMAT, DOSSIER_COLUMNS, RATINGS, STATUSES

BOM = b"\xef\xbb\xbf"
CHANNEL_LABEL = {v: k for k, v in CHANNELS.items()}
STATUS_LABEL = {v: k for k, v in STATUSES.items()}
RATING_LABEL = {v: k for k, v in RATINGS.items()}
BOOL_LABEL = {v: k for k, v in BOOLEANS.items()}
HEADERS = [c.header for c in DOSSIER_COLUMNS]


def csv_quote(value: str) -> str:
    """Minimal CSV quoting, the same as Python's csv module with QUOTE_MINIMAL."""
    if any(ch in value for ch in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def header_line(headers: Sequence[str] = HEADERS) -> bytes:
    return (",".join(csv_quote(h) for h in headers) + "\n").encode("utf-8")


def _strings(values: Sequence[str]) -> pa.Array:
    """A large_string array built from raw buffers (``pa.array`` on a list would import pandas, slowly)."""
    encoded = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return pa.LargeStringArray.from_buffers(len(encoded), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded)))


def _dict(values: Sequence[str]) -> pa.Array:
    return _strings([csv_quote(v) for v in values])


def _ints(values: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """int64 array from a numpy array, null where `mask`; zero-copy and without pandas (see _strings)."""
    data = pa.py_buffer(np.ascontiguousarray(values, dtype=np.int64))
    validity = None if mask is None else pa.py_buffer(np.packbits(~np.asarray(mask, dtype=bool), bitorder="little"))
    return pa.Array.from_buffers(pa.int64(), len(values), [validity, data])


def _bools(values: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(np.packbits(values, bitorder="little"))])


def _take(dictionary: pa.Array, index: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pc.take(dictionary, _ints(index, mask))


def _join(*parts: pa.Array, sep: str = ",") -> pa.Array:
    return pc.binary_join_element_wise(*parts, _sep(sep), null_handling="replace", null_replacement="")


def _sep(text: str) -> pa.Scalar:
    return _strings([text])[0]  # pa.scalar would import pandas


def _lpad(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(_ints(values), pa.large_string()), width, "0")


def format_datetime(value: datetime) -> str:
    return value.strftime(DATETIME_FORMAT)


def resolving_unit_names(units: tuple[Unit, ...]) -> list[str]:
    """Official name and one realistic variant per unit (index = 2 * unit + variant)."""
    names = []
    for u in units:
        variant = f"{u.name} - Tỉnh {u.province}" if u.group == AGENCY else f"UBND {u.name}"
        names += [u.name, variant]
    return names


def centre_names(units: tuple[Unit, ...]) -> list[str]:
    province = units[0].province
    return [f"Trung tâm Phục vụ hành chính công tỉnh {province}"] + [
        f"Trung tâm Phục vụ hành chính công {u.name}" for u in units if u.group != AGENCY
    ]


@dataclass(frozen=True)
class People:
    """Applicants' personal data per dossier (looks real, is random)."""

    name: np.ndarray  # index into the name dictionary
    cccd: np.ndarray  # 12-digit number, -1 when missing
    phone: np.ndarray  # 9 digits after the leading 0, -1 when missing
    address: np.ndarray  # index into the address dictionary
    names: list[str]
    addresses: list[str]


TO_PER_COMMUNE = 30  # "Tổ 1" .. "Tổ 30"


def people(d: Dossiers, units: tuple[Unit, ...], rng: np.random.Generator) -> People:
    n = len(d)
    surnames = list(vocab.SURNAMES)
    sw = np.array(list(vocab.SURNAMES.values()))
    names = []
    offsets = []
    for middles, givens in ((vocab.MALE_MIDDLE, vocab.MALE_GIVEN), (vocab.FEMALE_MIDDLE, vocab.FEMALE_GIVEN)):
        offsets.append(len(names))
        names += [f"{s} {m} {g}" for s in surnames for m in middles for g in givens]
    female = rng.random(n) < 0.52
    sizes = [(len(vocab.MALE_MIDDLE), len(vocab.MALE_GIVEN)), (len(vocab.FEMALE_MIDDLE), len(vocab.FEMALE_GIVEN))]
    s = rng.choice(len(surnames), n, p=sw / sw.sum())
    name = np.empty(n, dtype=np.int64)
    for g, (n_mid, n_given) in enumerate(sizes):
        m = female == bool(g)
        k = int(m.sum())
        name[m] = offsets[g] + (s[m] * n_mid + rng.integers(0, n_mid, k)) * n_given + rng.integers(0, n_given, k)
    # CCCD: province code (019 Thái Nguyên, 006 the former Bắc Kạn), century-and-sex digit, birth year, serial.
    birth = rng.integers(1950, 2008, n)
    century_sex = np.where(birth >= 2000, 2, 0) + female
    prefix = np.where(rng.random(n) < 0.8, 19, 6)
    cccd = prefix * 10**9 + century_sex * 10**8 + (birth % 100) * 10**6 + rng.integers(0, 10**6, n)
    cccd = np.where(rng.random(n) < 0.01, -1, cccd)
    phone = np.where(rng.random(n) < 0.03, -1, 900_000_000 + rng.integers(0, 10**8, n))
    locals_ = [u for u in units if u.group != AGENCY]
    addresses = [f"Tổ {t}, {u.name}, tỉnh {u.province}" for u in locals_ for t in range(1, TO_PER_COMMUNE + 1)]
    # Applicants mostly live where they file; provincial dossiers come from anywhere.
    is_agency = np.array([u.group == AGENCY for u in units])
    local_index = np.cumsum(~is_agency) - 1
    home = np.where(is_agency[d.unit] | (rng.random(n) < 0.1), rng.integers(0, len(locals_), n), local_index[d.unit])
    address = home * TO_PER_COMMUNE + rng.integers(0, TO_PER_COMMUNE, n)
    return People(name, cccd, phone, address, names, addresses)


class Formatter:
    """Builds the text of version rows; the per-dossier parts are joined once and reused by every version."""

    def __init__(self, d: Dossiers, units: tuple[Unit, ...], cat: Catalogue, ppl: People):
        self.d = d
        # Every day a date can fall on (due dates and late finishes run past the range); [0] if no dossiers.
        days = np.concatenate([[d.day.min(initial=0)], d.day, d.due // DAY, d.events[d.events >= 0] // DAY])
        self.first_day = int(days.min())
        n_days = int(days.max()) - self.first_day + 1
        epoch = date(1970, 1, 1)
        self.dates = _dict(
            [(epoch + timedelta(days=self.first_day + i)).strftime(DATETIME_FORMAT.split(" ")[0]) for i in range(n_days)]
        )
        self.times = _dict([f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)])
        yymmdd = _dict([(epoch + timedelta(days=self.first_day + i)).strftime("%y%m%d") for i in range(n_days)])

        width = max(4, len(str(int(d.seq.max(initial=1)))))
        portal_codes = demo_portal_codes(units)  # dossier codes start with the unit's code on the portal
        code = pc.binary_join_element_wise(
            _take(_dict([portal_codes[u.code] for u in units]), d.unit),
            _take(yymmdd, d.day - self.first_day),
            _lpad(d.seq, width),
            _sep("-"),
        )
        self.prefix = _join(
            code,
            _take(_dict(cat.code), d.proc),
            _take(_dict(centre_names(units)), d.centre),
            _take(_dict(resolving_unit_names(units)), 2 * d.unit + d.unit_variant),
            _take(_dict([CHANNEL_LABEL[c] for c in CHANNEL_CODES]), d.channel),
            self.datetimes(d.received),
            self.datetimes(d.due),
        )
        yes_no = _dict([BOOL_LABEL[False], BOOL_LABEL[True]])
        self.yes_no = yes_no
        self.digitised = _take(yes_no, d.digitised.astype(np.int64))
        self.middle = _join(
            pc.cast(_ints(d.fee), pa.large_string()),
            _take(yes_no, d.paid_online.astype(np.int64)),
            _take(yes_no, d.reused.astype(np.int64)),
            _take(yes_no, d.vneid.astype(np.int64)),
            _take(yes_no, d.synced.astype(np.int64)),
        )
        # The address closes the row, so its dictionary carries the line end.
        addresses = _strings([csv_quote(a) + "\n" for a in ppl.addresses])
        self.person = _join(
            _take(_dict(ppl.names), ppl.name),
            _nullable_lpad(ppl.cccd, 12),
            _nullable_lpad(ppl.phone, 10),
            _take(addresses, ppl.address),
        )
        self.statuses = _dict([STATUS_LABEL[s] for s in STATUS_CODES])
        self.ratings = _dict([RATING_LABEL[r] for r in RATING_CODES])
        self.supplements = _dict([str(i) for i in range(10)])

    def datetimes(self, seconds: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
        safe = np.where(seconds >= 0, seconds, 0) if mask is not None else seconds
        return pc.binary_join_element_wise(
            _take(self.dates, safe // DAY - self.first_day, mask), _take(self.times, safe % DAY, mask), _sep(" ")
        )

    def lines(self, v: Versions, rows: slice) -> pa.Array:
        """One CSV line per version (each ends with a newline) for the versions in `rows`."""
        d = self.d
        idx = v.dossier[rows]
        rows_idx = _ints(idx)
        col = v.column[rows]
        status = status_at(d, idx, col)
        finished = col >= EV_FINISH
        completed_at = d.events[idx, EV_FINISH]
        has_completion = finished & np.isin(d.finish[idx], [S_COMPLETED, S_REFUSED])
        e_result = finished & (d.finish[idx] == S_COMPLETED) & d.e_result[idx]
        rating = d.rating[idx]
        show_rating = finished & (d.finish[idx] != S_WITHDRAWN) & (rating >= 0)
        return _join(
            pc.take(self.prefix, rows_idx),
            self.datetimes(completed_at, ~has_completion),
            _take(self.statuses, status.astype(np.int64)),
            _take(self.supplements, supplements_at(d, idx, col).astype(np.int64)),
            pc.take(self.digitised, rows_idx),
            _take(self.yes_no, e_result.astype(np.int64)),
            pc.take(self.middle, rows_idx),
            _take(self.ratings, np.maximum(rating, 0).astype(np.int64), ~show_rating),
            self.datetimes(v.updated[rows]),
            pc.take(self.person, rows_idx),
        )


def _nullable_lpad(values: np.ndarray, width: int) -> pa.Array:
    padded = _lpad(np.maximum(values, 0), width)
    return pc.if_else(_bools(values < 0), pa.nulls(1, pa.large_string())[0], padded)


def day_bodies(fmt: Formatter, v: Versions, days: np.ndarray, chunk_days: int = 31) -> Iterator[tuple[int, bytes]]:
    """(epoch day, CSV body without header) for each day, built a few weeks at a time to bound memory."""
    bounds = np.searchsorted(v.day, np.r_[days, days[-1] + 1])
    for c0 in range(0, len(days), chunk_days):
        c1 = min(c0 + chunk_days, len(days))
        lo, hi = int(bounds[c0]), int(bounds[c1])
        text = fmt.lines(v, slice(lo, hi)) if hi > lo else None
        if text is not None:
            text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
            offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset : text.offset + len(text) + 1]
            data = memoryview(text.buffers()[2]) if text.buffers()[2] is not None else memoryview(b"")
        for i in range(c0, c1):
            a, b = int(bounds[i]) - lo, int(bounds[i + 1]) - lo
            yield int(days[i]), (bytes(data[offsets[a] : offsets[b]]) if text is not None and b > a else b"")
