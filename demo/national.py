"""National demo: a year of dossier versions for every commune and ward of any number of provinces (vietnam-provinces)
plus each province's agencies, written as Parquet (zstd) or gzip CSV partitioned by province and day.

    python -m demo.national --out PATH [--provinces N|all|CODE,...] [--versions TARGET] [--year 2026] [--seed N]
                            [--format parquet|csv.gz] [--jobs N]

Each province is simulated by demo/simulate.py on its own units (master data of common/units.py) and written before
the next one starts, so memory is bounded by the largest province, not by the number of provinces. Same arguments,
byte-identical files; a province's files depend only on the base seed, the year, the target and its own code.
Layout and schema: demo/README.md ("National demo").
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import resource
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from common.units import AGENCY, Unit, load_units
from demo.catalogue import ONLINE_CODES, Catalogue, build_catalogue
from demo.simulate import (
    CHANNEL_CODES,
    EV_FINISH,
    RATING_CODES,
    S_COMPLETED,
    S_REFUSED,
    S_WITHDRAWN,
    STATUS_CODES,
    Calendar,
    Dossiers,
    Versions,
    simulate,
    status_at,
    supplements_at,
    unit_traits,
    versions,
)

NATIONAL_TARGET = 100_000_000  # dossier versions a year for the 34 provinces (issue 15)
# Versions of a calendar year of demo.simulate at scale 1.0, whatever the number of units (measured over the 34
# provinces: 98.3 million at 3.40 million, so 3.34 million).
# The province demo (Thái Nguyên, 92 communes and wards) has 36,000 versions per commune-year at scale 1.0;
# the national target of 100 million gives 30,000 (scale 0.83 of that density).
VERSIONS_AT_SCALE_1 = 3_340_000
FORMATS = ("parquet", "csv.gz")
VERSIONS_DIR, UNITS_DIR, PROCEDURES_DIR = "versions", "units", "procedures"
CHUNK_DAYS = 31  # versions are turned into Arrow columns a month at a time, to bound memory

SCHEMA = pa.schema(
    [
        ("dossier_code", pa.string()),
        ("unit_code", pa.string()),
        ("procedure_code", pa.string()),
        ("receiving_centre", pa.string()),
        ("channel", pa.string()),
        ("received_at", pa.timestamp("s")),
        ("due_at", pa.timestamp("s")),
        ("finished_at", pa.timestamp("s")),
        ("updated_at", pa.timestamp("s")),
        ("status", pa.string()),
        ("supplements", pa.int8()),
        ("digitised", pa.bool_()),
        ("e_result", pa.bool_()),
        ("fee", pa.int64()),
        ("paid_online", pa.bool_()),
        ("data_reused", pa.bool_()),
        ("vneid", pa.bool_()),
        ("synced", pa.bool_()),
        ("rating", pa.string()),
    ]
)


@dataclass(frozen=True)
class ProvinceResult:
    code: str
    name: str
    units: int
    communes: int
    dossiers: int
    versions: int
    files: int
    bytes: int
    seconds: float
    peak_rss_mb: float


def all_provinces() -> list:
    from vietnam_provinces import Province

    return sorted(Province.iter_all(), key=lambda p: int(p.code))


def national_communes() -> int:
    """Communes and wards of the whole country (3,321): the denominator of the national target."""
    from vietnam_provinces import Ward

    return sum(1 for _ in Ward.iter_all())


def choose_provinces(spec: str) -> list:
    """'all', a bare number N (the first N provinces by code), or a comma-separated list of codenames or codes
    ('hue,lai_chau', '46,12'; one province alone by its codename, since a bare number is a count)."""
    provinces = all_provinces()
    if spec == "all":
        return provinces
    if spec.isdigit():
        if not 0 < int(spec) <= len(provinces):
            raise ValueError(f"--provinces {spec}: between 1 and {len(provinces)}")
        return provinces[: int(spec)]
    chosen = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        found = [p for p in provinces if p.codename == part or (part.isdigit() and int(p.code) == int(part))]
        if not found:
            raise ValueError(f"unknown province '{part}' (a codename such as lai_chau or a code such as 12)")
        chosen += [f for f in found if f not in chosen]
    return chosen


def province_scale(communes: int, target: int, total_communes: int) -> float:
    """Scale factor of demo.simulate for a province, so that every commune has the same expected volume and the
    34 provinces together give `target` versions a year; the province's agencies get their usual quarter on top."""
    return target * communes / (total_communes * VERSIONS_AT_SCALE_1)


def province_dir(out: Path, table: str, code: str) -> Path:
    return out / table / f"province={code}"


def _code(province) -> str:
    return f"{int(province.code):02d}"


def _dictionary(values: Sequence[str], index: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    """Strings as a dictionary array: Parquet keeps the dictionary encoding, DuckDB reads VARCHAR."""
    dictionary = pa.array(list(values), type=pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(index, dtype=np.int32), mask=mask), dictionary)


def _timestamps(seconds: np.ndarray, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(seconds, dtype="datetime64[s]"), type=pa.timestamp("s"), mask=mask)


def dossier_codes(d: Dossiers, units: tuple[Unit, ...]) -> pa.Array:
    """'<unit code>-<yymmdd>-<seq>' per dossier: unique in the province (unit codes carry the province)."""
    first = int(d.day.min(initial=0))
    n_days = int(d.day.max(initial=0)) - first + 1
    epoch = date(1970, 1, 1)
    yymmdd = pa.array([(epoch + timedelta(days=first + i)).strftime("%y%m%d") for i in range(n_days)], pa.string())
    unit_codes = pa.array([u.code for u in units], pa.string())
    width = max(4, len(str(int(d.seq.max(initial=1)))))
    seq = pc.utf8_lpad(pc.cast(pa.array(d.seq), pa.string()), width, "0")
    sep = pa.scalar("-", pa.string())
    return pc.binary_join_element_wise(pc.take(unit_codes, pa.array(d.unit)), pc.take(yymmdd, pa.array(d.day - first)), seq, sep)


class TableBuilder:
    """Arrow tables of version rows; the per-dossier parts are built once and taken by every version."""

    def __init__(self, d: Dossiers, units: tuple[Unit, ...], cat: Catalogue, province_code: str):
        self.d = d
        self.codes = dossier_codes(d, units)
        self.unit_codes = [u.code for u in units]
        self.procedure_codes = list(cat.code)
        # Centre 0 is the provincial one-stop centre, 1 + i the centre of the i-th commune/ward.
        self.centres = [f"{province_code}.TTPVHCC"] + [u.code for u in units if u.group != AGENCY]

    def table(self, v: Versions, rows: slice) -> pa.Table:
        d = self.d
        idx = v.dossier[rows]
        col = v.column[rows]
        finished = col >= EV_FINISH
        finish = d.finish[idx]
        no_completion = ~(finished & np.isin(finish, [S_COMPLETED, S_REFUSED]))
        rating = d.rating[idx]
        no_rating = ~(finished & (finish != S_WITHDRAWN) & (rating >= 0))
        columns = [
            pc.take(self.codes, pa.array(idx)),
            _dictionary(self.unit_codes, d.unit[idx]),
            _dictionary(self.procedure_codes, d.proc[idx]),
            _dictionary(self.centres, d.centre[idx]),
            _dictionary(CHANNEL_CODES, d.channel[idx]),
            _timestamps(d.received[idx]),
            _timestamps(d.due[idx]),
            _timestamps(np.where(no_completion, 0, d.events[idx, EV_FINISH]), no_completion),
            _timestamps(v.updated[rows]),
            _dictionary(STATUS_CODES, status_at(d, idx, col)),
            pa.array(supplements_at(d, idx, col).astype(np.int8)),
            pa.array(d.digitised[idx]),
            pa.array(finished & (finish == S_COMPLETED) & d.e_result[idx]),  # an e-result exists once finished
            pa.array(d.fee[idx]),
            pa.array(d.paid_online[idx]),
            pa.array(d.reused[idx]),
            pa.array(d.vneid[idx]),
            pa.array(d.synced[idx]),
            _dictionary(RATING_CODES, np.maximum(rating, 0), no_rating),
        ]
        return pa.Table.from_arrays(columns, names=SCHEMA.names)


def day_tables(builder: TableBuilder, v: Versions, days: np.ndarray) -> Iterator[tuple[int, pa.Table]]:
    """(epoch day, table) for each day with versions, built a month at a time (the versions are sorted by day)."""
    bounds = np.searchsorted(v.day, np.r_[days, days[-1] + 1])
    for c0 in range(0, len(days), CHUNK_DAYS):
        c1 = min(c0 + CHUNK_DAYS, len(days))
        lo, hi = int(bounds[c0]), int(bounds[c1])
        if hi == lo:
            continue
        chunk = builder.table(v, slice(lo, hi))
        for i in range(c0, c1):
            a, b = int(bounds[i]) - lo, int(bounds[i + 1]) - lo
            if b > a:
                yield int(days[i]), chunk.slice(a, b - a)


def write_table(table: pa.Table, path: Path, fmt: str) -> int:
    """Write one file; the bytes depend only on the table (no timestamps in the gzip header)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd", compression_level=3, use_dictionary=True)
    else:
        plain = pa.Table.from_arrays(
            [c.cast(pa.string()) if pa.types.is_dictionary(c.type) else c for c in table.columns], names=table.column_names
        )
        buf = io.BytesIO()
        pacsv.write_csv(plain, buf)
        path.write_bytes(gzip.compress(buf.getvalue(), compresslevel=3, mtime=0))
    return path.stat().st_size


def _file_name(fmt: str) -> str:
    return f"part-0.{fmt}"


def units_table(units: tuple[Unit, ...]) -> pa.Table:
    return pa.table(
        {
            "unit_code": pa.array([u.code for u in units], pa.string()),
            "unit_name": pa.array([u.name for u in units], pa.string()),
            "unit_group": pa.array([u.group for u in units], pa.string()),
        }
    )


def procedures_table(cat: Catalogue, units: tuple[Unit, ...]) -> pa.Table:
    """The province's procedures with what the index needs beside the versions (online level, fee, payment)."""
    return pa.table(
        {
            "procedure_code": pa.array(cat.code, pa.string()),
            "procedure_name": pa.array(cat.name, pa.string()),
            "field": pa.array(cat.field, pa.string()),
            "level": pa.array(["commune" if c else "province" for c in cat.commune_level], pa.string()),
            "owner_unit_code": pa.array([units[a].code if a >= 0 else None for a in cat.agency], pa.string()),
            "online_level": pa.array([ONLINE_CODES[o] for o in cat.online], pa.string()),
            "processing_days": pa.array(cat.days),
            "fee": pa.array(cat.fee),
            "payment_integrated": pa.array(cat.payment_integrated),
        }
    )


def _clear_province(out: Path, code: str) -> None:
    """Remove the province's earlier output only, so a smaller run does not leave stale days behind."""
    for table in (VERSIONS_DIR, UNITS_DIR, PROCEDURES_DIR):
        shutil.rmtree(province_dir(out, table, code), ignore_errors=True)


def generate_province(out: Path, province, cal: Calendar, scale: float, seed: int, fmt: str) -> ProvinceResult:
    """Simulate one province's year and write its files; nothing of it stays in memory afterwards."""
    began = time.perf_counter()
    code = _code(province)
    units = load_units(province.name)
    # The catalogue comes from the base seed alone: provinces with the same agency list share procedure codes,
    # as national procedure codes are. Traits and dossiers come from (seed, province code): independent of the
    # other provinces generated.
    cat = build_catalogue(units, np.random.default_rng(np.random.SeedSequence([seed, 0])))
    trait_rng, sim_rng = (np.random.default_rng(s) for s in np.random.SeedSequence([seed, 1, int(province.code)]).spawn(2))
    traits = unit_traits(units, cat, trait_rng)
    dossiers = simulate(units, cat, cal, traits, scale, sim_rng)
    vers = versions(dossiers)

    _clear_province(out, code)
    name = _file_name(fmt)
    sizes = [
        write_table(units_table(units), province_dir(out, UNITS_DIR, code) / name, fmt),
        write_table(procedures_table(cat, units), province_dir(out, PROCEDURES_DIR, code) / name, fmt),
    ]
    base = province_dir(out, VERSIONS_DIR, code)
    epoch = date(1970, 1, 1)
    for epoch_day, table in day_tables(TableBuilder(dossiers, units, cat, code), vers, cal.days):
        day = epoch + timedelta(days=epoch_day)
        sizes.append(write_table(table, base / f"year={day.year}" / f"day={day.isoformat()}" / name, fmt))
    return ProvinceResult(
        code=code,
        name=province.name,
        units=len(units),
        communes=sum(u.group != AGENCY for u in units),
        dossiers=len(dossiers),
        versions=len(vers.dossier),
        files=len(sizes),
        bytes=sum(sizes),
        seconds=round(time.perf_counter() - began, 1),
        peak_rss_mb=_peak_rss_mb(),
    )


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def _province_task(args: tuple) -> ProvinceResult:
    out, codename, year, scale, seed, fmt = args
    province = next(p for p in all_provinces() if p.codename == codename)
    cal = Calendar.build(date(year, 1, 1), date(year, 12, 31))
    return generate_province(out, province, cal, scale, seed, fmt)


def generate_national(
    out: Path,
    provinces: Sequence | str = "all",
    *,
    target: int = NATIONAL_TARGET,
    year: int = 2026,
    seed: int = 2026,
    fmt: str = "parquet",
    jobs: int = 1,
    progress: bool = False,
) -> dict:
    """Write the national demo under `out` and return a summary. `target` is the national volume (all 34 provinces)
    that sets the density per commune; generating fewer provinces writes their share of it."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}")
    if target <= 0 or seed < 0:
        raise ValueError("the target must be positive and the seed non-negative")
    began = time.perf_counter()
    out = Path(out)
    chosen = choose_provinces(provinces) if isinstance(provinces, str) else list(provinces)
    total = national_communes()
    tasks = [
        (out, p.codename, year, province_scale(len(load_units(p.name)) - _agencies(p), target, total), seed, fmt) for p in chosen
    ]
    results: list[ProvinceResult] = []
    # Provinces are independent (own seed, own files): worker processes change nothing in the output.
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for r in pool.map(_province_task, tasks):
                results.append(r)
                _report(r, progress)
    else:
        for t in tasks:
            results.append(_province_task(t))
            _report(results[-1], progress)
    return {
        "out": str(out),
        "format": fmt,
        "year": year,
        "seed": seed,
        "national_target": target,
        "provinces": len(results),
        "units": sum(r.units for r in results),
        "communes": sum(r.communes for r in results),
        "dossiers": sum(r.dossiers for r in results),
        "versions": sum(r.versions for r in results),
        "files": sum(r.files for r in results),
        "bytes": sum(r.bytes for r in results),
        "seconds": round(time.perf_counter() - began, 1),
        "peak_rss_mb": max([_peak_rss_mb(), *(r.peak_rss_mb for r in results)]),
        "per_province": [r.__dict__ for r in results],
    }


def _agencies(province) -> int:
    return sum(u.group == AGENCY for u in load_units(province.name))


def _report(r: ProvinceResult, progress: bool) -> None:
    if progress:
        print(
            f"{r.code} {r.name}: {r.units} units, {r.versions:,} versions, {r.files} files, "
            f"{r.bytes / 1e6:.1f} MB, {r.seconds} s, peak RSS {r.peak_rss_mb:.0f} MB",
            file=sys.stderr,
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo.national", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write versions/, units/, procedures/ into")
    parser.add_argument("--provinces", default="all", help="all, N (the first N by code) or codes/codenames: 46,lai_chau")
    parser.add_argument("--versions", type=int, default=NATIONAL_TARGET, help="national versions a year (sets the density)")
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--format", choices=FORMATS, default="parquet")
    parser.add_argument("--jobs", type=int, default=1, help="provinces generated in parallel processes")
    parser.add_argument("--quiet", action="store_true", help="no line per province on stderr")
    args = parser.parse_args(argv)
    summary = generate_national(
        args.out,
        args.provinces,
        target=args.versions,
        year=args.year,
        seed=args.seed,
        fmt=args.format,
        jobs=args.jobs,
        progress=not args.quiet,
    )
    short = {k: v for k, v in summary.items() if k != "per_province"}
    json.dump(short, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
