"""`BENCH_SCALE=national make bench`: every province's QĐ 766 from 100 million dossier versions on this machine.

1. The national demo (``demo/national.py``, 34 provinces, ``BENCH_NATIONAL_VERSIONS`` versions, default 100 M) is
   generated once into ``BENCH_DIR/national`` and kept (not part of the figures).
2. Every province is computed by ``warehouse.national.province_qd766`` (what the Dagster job ``national_index`` runs for
   one partition), ``BENCH_NATIONAL_JOBS`` provinces at a time in separate processes (default: the cores), each
   with DuckDB ``memory_limit`` ``BENCH_NATIONAL_MEMORY`` (default 2GB) and spilling to disk.
3. A bare DuckDB query computes the same counts (each dossier's latest version, per unit and month) over the same
   files, as the reference: the ratio says what the pipeline's definitions cost beyond reading the data.

Wall time, peak RSS (the largest process and the sum of the concurrent ones, bounded by jobs × largest) and ratios
are printed, never asserted.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb

from common.settings import PROJECT_ROOT

BENCH_DIR = Path(os.environ.get("BENCH_DIR", PROJECT_ROOT / "data" / "bench"))
VERSIONS = int(float(os.environ.get("BENCH_NATIONAL_VERSIONS", "100e6")))
JOBS = int(os.environ.get("BENCH_NATIONAL_JOBS", str(len(os.sched_getaffinity(0)))))
MEMORY = os.environ.get("BENCH_NATIONAL_MEMORY", "2GB")
YEAR = 2026


def _inbox() -> Path:
    """The national demo, generated once for this volume and kept (generation is not what is measured)."""
    from demo.national import generate_national

    inbox = BENCH_DIR / "national" / "inbox"
    stamp = inbox / "bench_summary.json"
    if stamp.exists() and json.loads(stamp.read_text()).get("target") == VERSIONS:
        return inbox
    shutil.rmtree(inbox, ignore_errors=True)
    started = time.perf_counter()
    summary = generate_national(inbox, "all", target=VERSIONS, year=YEAR, jobs=1)
    print(f"  generate the national demo (not part of the targets): {time.perf_counter() - started:.0f} s, {summary}")
    stamp.write_text(json.dumps({**summary, "target": VERSIONS}))
    return inbox


def _province(args: tuple[Path, str, Path, int]) -> tuple[str, int, float, float]:
    from warehouse.national import province_qd766

    inbox, province, out, threads = args
    run = province_qd766(inbox, province, out, out / "work", year=YEAR, memory_limit=MEMORY, threads=threads)
    rss_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    return province, run.versions, run.seconds, rss_gb


def _bare_query(inbox: Path) -> tuple[float, int]:
    """The same counts as the index's first step, in one DuckDB query: latest version per dossier, per unit and month."""
    files = (inbox / "versions" / "**" / "*.parquet").as_posix()
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{MEMORY}'")
    con.execute(f"SET temp_directory = '{(BENCH_DIR / 'national' / 'spill').as_posix()}'")
    con.execute("SET preserve_insertion_order = false")
    started = time.perf_counter()
    rows = con.execute(
        f"""SELECT count(*) FROM (
                SELECT unit_code, date_trunc('month', received_at) AS month, count(*) AS dossiers,
                       count(*) FILTER (WHERE status IN ('completed', 'returned') AND finished_at <= due_at) AS on_time,
                       count(*) FILTER (WHERE channel = 'online') AS online, count(*) FILTER (WHERE digitised) AS digitised
                FROM (SELECT dossier_code, arg_max(COLUMNS(* EXCLUDE (dossier_code)), updated_at)
                      FROM read_parquet('{files}', hive_partitioning = false) GROUP BY dossier_code)
                GROUP BY ALL)"""
    ).fetchone()[0]  # type: ignore[index]
    return time.perf_counter() - started, int(rows)


def main() -> None:
    from warehouse.national import national_views, provinces_in

    print(f"National QĐ 766 on {os.cpu_count()} cores: {VERSIONS:,} versions target, {JOBS} provinces at a time, {MEMORY} each")
    inbox = _inbox()
    out = BENCH_DIR / "national" / "marts"
    shutil.rmtree(out, ignore_errors=True)
    provinces = provinces_in(inbox)
    threads = max(1, len(os.sched_getaffinity(0)) // JOBS)
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=JOBS) as pool:
        runs = list(pool.map(_province, [(inbox, p, out, threads) for p in provinces]))
    wall = time.perf_counter() - started
    versions = sum(r[1] for r in runs)
    peak = max(r[3] for r in runs)
    slowest = max(runs, key=lambda r: r[2])
    print(f"  {len(runs)} provinces, {versions:,} versions → QĐ 766 months, quarters and year: {wall:.1f} s (target ≤ 600 s)")
    print(f"    {versions / wall:,.0f} versions/s; slowest province {slowest[0]} {slowest[2]:.1f} s ({slowest[1]:,} versions)")
    print(f"    peak RSS: largest process {peak:.2f} GB, at most {JOBS} at once ≤ {JOBS * peak:.2f} GB (target ≤ 8 GB)")
    con = duckdb.connect()
    national_views(con, out)
    units, rows = con.execute(
        "SELECT count(DISTINCT unit_code), count(*) FROM mart_qd766_unit_national WHERE period_kind = 'year'"
    ).fetchone()  # type: ignore[misc]
    print(f"    {units:,} units scored for the year; {rows:,} unit rows; national roll-up by province in mart_qd766_province")
    bare_s, cells = _bare_query(inbox)
    print(f"  bare DuckDB query, same counts (latest version per dossier, per unit × month): {bare_s:.1f} s, {cells:,} cells")
    print(f"    ratio national index / bare query: {wall / bare_s:.2f}")


if __name__ == "__main__":
    main()
