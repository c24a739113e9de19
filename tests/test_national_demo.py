"""The national demo generator (demo/national.py): layout, determinism, independence of provinces, volumes, DuckDB."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from demo.national import (
    NATIONAL_TARGET,
    VERSIONS_AT_SCALE_1,
    choose_provinces,
    generate_national,
    main,
    national_communes,
    province_scale,
)

SMALL = "hue,lai_chau"  # 40 and 38 communes/wards, 15 agencies each
TARGET = 1_000_000  # national density of 1 million versions a year: about 300 per commune


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("national") / "both"
    return out, generate_national(out, SMALL, target=TARGET, seed=7)


def test_files_in_the_documented_layout(both: tuple[Path, dict]) -> None:
    out, summary = both
    assert summary["provinces"] == 2 and summary["communes"] == 78 and summary["units"] == 108
    for code in ("46", "12"):
        days = sorted((out / "versions" / f"province={code}" / "year=2026").iterdir())
        assert days[0].name.startswith("day=2026-01-") and days[-1].name.startswith("day=2026-12-")
        assert all((d / "part-0.parquet").is_file() for d in days) and len(days) > 300
        assert (out / "units" / f"province={code}" / "part-0.parquet").is_file()
        assert (out / "procedures" / f"province={code}" / "part-0.parquet").is_file()
    assert summary["files"] == sum(1 for p in out.rglob("*.parquet"))
    assert summary["bytes"] == sum(p.stat().st_size for p in out.rglob("*.parquet"))


def test_same_arguments_give_identical_files_and_a_province_does_not_depend_on_the_others(
    both: tuple[Path, dict], tmp_path: Path
) -> None:
    out, _ = both
    again = tmp_path / "again"
    generate_national(again, SMALL, target=TARGET, seed=7)
    assert _digests(again) == _digests(out)
    alone = tmp_path / "alone"
    generate_national(alone, "lai_chau", target=TARGET, seed=7)
    lai_chau = {k: v for k, v in _digests(out).items() if "province=12" in k}
    assert _digests(alone) == lai_chau
    other_seed = tmp_path / "seed"
    generate_national(other_seed, "lai_chau", target=TARGET, seed=8)
    assert _digests(other_seed) != lai_chau


def test_duckdb_reads_the_partitions_with_plausible_volumes(both: tuple[Path, dict]) -> None:
    out, summary = both
    con = duckdb.connect()
    versions = f"read_parquet('{out}/versions/**/*.parquet', hive_partitioning=true)"
    units = f"read_parquet('{out}/units/**/*.parquet', hive_partitioning=true)"
    rows = con.execute(
        f"select province, count(*), count(distinct dossier_code) from {versions} group by 1 order by 1"
    ).fetchall()
    assert sorted(str(r[0]) for r in rows) == ["12", "46"]  # DuckDB may autocast the value to an integer
    typed = f"read_parquet('{out}/versions/**/*.parquet', hive_partitioning=true, hive_types={{'province': VARCHAR}})"
    assert con.execute(f"select distinct province from {typed} order by 1").fetchall() == [("12",), ("46",)]
    assert sum(r[1] for r in rows) == summary["versions"]
    assert abs(summary["versions"] / (TARGET * 78 / national_communes()) - 1) < 0.1
    # Every commune/ward has dossiers, of the same order of magnitude (wards about twice a commune).
    per_commune = con.execute(
        f"""select u.unit_group, count(distinct v.dossier_code) as n from {versions} v
            join {units} u using (unit_code) where u.unit_group <> 'agency' group by u.unit_code, u.unit_group"""
    ).fetchall()
    assert len(per_commune) == 78
    counts = sorted(n for _, n in per_commune)
    assert counts[0] > 10 and counts[-1] < 30 * counts[len(counts) // 2]
    # Agencies carry about a quarter of the volume, as in the province demo.
    agency_share = con.execute(
        f"select avg((u.unit_group = 'agency')::int) from {versions} v join {units} u using (unit_code)"
    ).fetchone()[0]
    assert 0.1 < agency_share < 0.4
    # A day partition holds only that day's changes; the due date never precedes reception.
    bad = con.execute(
        f"select count(*) from {versions} where updated_at::date <> day or due_at < received_at or updated_at < received_at"
    ).fetchone()[0]
    assert bad == 0
    statuses = {r[0] for r in con.execute(f"select distinct status from {versions}").fetchall()}
    assert {"received", "processing", "completed", "returned"} <= statuses


def test_no_personal_data_in_the_files(both: tuple[Path, dict]) -> None:
    out, _ = both
    columns = {r[0] for r in duckdb.execute(f"describe select * from read_parquet('{out}/versions/**/*.parquet')").fetchall()}
    assert not columns & {"applicant", "name", "cccd", "phone", "address", "email"}


def test_scale_and_province_choice() -> None:
    total = national_communes()
    assert total == 3321
    assert province_scale(total, NATIONAL_TARGET, total) == pytest.approx(NATIONAL_TARGET / VERSIONS_AT_SCALE_1)
    assert [p.codename for p in choose_provinces("2")] == ["ha_noi", "cao_bang"]
    assert [p.codename for p in choose_provinces("46,lai_chau")] == ["hue", "lai_chau"]
    assert len(choose_provinces("all")) == 34
    with pytest.raises(ValueError):
        choose_provinces("atlantis")


def test_gzip_csv_and_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--out", str(tmp_path), "--provinces", "lai_chau", "--versions", "300000", "--format", "csv.gz", "--quiet"]
    assert main(args) == 0
    assert '"versions"' in capsys.readouterr().out
    files = sorted((tmp_path / "versions" / "province=12" / "year=2026").glob("day=*/part-0.csv.gz"))
    assert files
    n = duckdb.execute(f"select count(*) from read_csv('{tmp_path}/versions/**/*.csv.gz', hive_partitioning=true)").fetchone()[0]
    assert n > 0
    first = files[0].read_bytes()
    main(args)
    assert files[0].read_bytes() == first  # no time in the gzip header
