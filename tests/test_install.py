"""Install and operations machinery: the lock covers Python 3.11–3.13 and can be bundled offline, `make help` lists
every target, the backup copies what it should and links what did not change. (The offline install itself is proved
by tests/offline_install_check.sh, too slow for `make test`.)"""

import os
import re
import sqlite3
import subprocess
import tomllib
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from deploy import backup, wheelhouse

ROOT = Path(__file__).resolve().parent.parent


def test_lock_resolves_for_every_supported_python():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    assert project["requires-python"] == ">=3.11,<3.14"
    assert lock["requires-python"] == ">=3.11, <3.14"
    classifiers = {c for c in project["classifiers"] if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)}
    assert classifiers == {f"Programming Language :: Python :: 3.{m}" for m in (11, 12, 13)}
    # one version per package: the three Pythons run the same code
    names = [p["name"] for p in lock["package"]]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("platform_tag", ["manylinux_2_28_x86_64", "win_amd64"])
def test_every_needed_package_has_a_file_for_every_python(platform_tag):
    """What `make wheelhouse` does, without downloading: a wheel (or odfpy's source) for each Python and platform."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    for target in wheelhouse.targets(["3.11", "3.12", "3.13"], platform_tag):
        needed = wheelhouse.needed_packages(lock, target)
        assert {"dagster", "duckdb", "pandas", "pytest", "odfpy"} <= set(needed)
        assert ("pywin32" in needed) == platform_tag.startswith("win")
        sources = {name: wheelhouse.choose_file(p, target) for name, p in needed.items()}
        from_source = sorted(name for name, f in sources.items() if not f["url"].endswith(".whl"))
        assert from_source == ["odfpy"], target.label
        numpy = sources["numpy"]["url"].rsplit("/", 1)[1]
        assert f"-cp3{target.python[1]}-" in numpy and (platform_tag.split("_")[0] in numpy)


def test_manylinux_platform_expands_to_older_glibc_tags():
    tags = wheelhouse.manylinux_platforms("manylinux_2_28_x86_64")
    assert tags[0] == "manylinux_2_28_x86_64"
    assert {"manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux1_x86_64"} <= set(tags)
    assert "manylinux_2_34_x86_64" not in tags


def test_make_help_lists_every_target_with_its_description():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-zA-Z_-]+):", makefile, re.M)
    described = dict(re.findall(r"^([a-zA-Z_-]+):.*?## (.*)$", makefile, re.M))
    out = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    listed = re.findall(r"^  make (\S+) *(.*)$", out, re.M)
    assert [name for name, _ in listed] == targets
    assert {name: text for name, text in listed if text} == described
    assert {"run", "test", "wheelhouse", "help", "backup"} <= set(described)


def _sqlite(path: Path, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE IF NOT EXISTS runs (id INTEGER)")
        db.executemany("INSERT INTO runs VALUES (?)", [(i,) for i in range(rows)])
        db.commit()


def test_backup_copies_links_unchanged_files_skips_scratch_and_busy_build(tmp_path, monkeypatch, capsys):
    wh, home, reports, dest = tmp_path / "warehouse", tmp_path / "dagster_home", tmp_path / "reports", tmp_path / "bk"
    (wh / "snapshots").mkdir(parents=True)
    (wh / "build").mkdir()
    (wh / "work").mkdir()
    (wh / "warehouse.duckdb").write_bytes(b"snapshot-1")
    (wh / "snapshots" / "warehouse_20260101T060000.duckdb").write_bytes(b"older")
    (wh / "build" / "warehouse_build.duckdb").write_bytes(b"build-1")
    (wh / "work" / "copy.csv").write_text("raw export")
    (reports / "x.xlsx").parent.mkdir(parents=True)
    (reports / "x.xlsx").write_bytes(b"xlsx")
    _sqlite(home / "history" / "runs.db", 3)
    for var, path in {
        "CCHC_WAREHOUSE_DIR": wh,
        "DAGSTER_HOME": home,
        "CCHC_REPORTS": reports,
        "CCHC_LOG_DIR": tmp_path / "logs",
        "CCHC_BACKUP_DIR": dest,
    }.items():
        monkeypatch.setenv(var, str(path))
    monkeypatch.delenv("CCHC_BUILD_DIR", raising=False)

    assert backup.main() == 0
    first = max(dest.glob("cchc_*"))
    assert (first / "warehouse" / "warehouse.duckdb").read_bytes() == b"snapshot-1"
    assert (first / "warehouse" / "build" / "warehouse_build.duckdb").read_bytes() == b"build-1"
    assert not (first / "warehouse" / "work").exists()  # scratch copies of exports never leave the warehouse
    with closing(sqlite3.connect(first / "dagster_home" / "history" / "runs.db")) as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (3,)

    # next day: a new snapshot, a run writing the build file (its WAL beside it), more run history
    yesterday = first.with_name(f"cchc_{datetime.now() - timedelta(days=1):%Y%m%dT%H%M%S}")
    os.rename(first, yesterday)
    first = yesterday
    # the publication keeps yesterday's snapshot under its time (a hard link) and renames the new one into place
    os.link(wh / "warehouse.duckdb", wh / "snapshots" / "warehouse_20260102T060000.duckdb")
    (wh / "new.tmp").write_bytes(b"snapshot-2")
    os.replace(wh / "new.tmp", wh / "warehouse.duckdb")
    (wh / "build" / "warehouse_build.duckdb").write_bytes(b"build-2-half-written")
    (wh / "build" / "warehouse_build.duckdb.wal").write_bytes(b"wal")
    _sqlite(home / "history" / "runs.db", 2)
    capsys.readouterr()
    assert backup.main() == 0
    second = max(dest.glob("cchc_*"))
    assert second != first
    assert "busy: previous copy kept" in capsys.readouterr().out
    assert (second / "warehouse" / "warehouse.duckdb").read_bytes() == b"snapshot-2"
    kept = second / "warehouse" / "snapshots" / "warehouse_20260101T060000.duckdb"
    assert kept.stat().st_ino == (first / "warehouse" / "snapshots" / kept.name).stat().st_ino  # linked, not copied
    # yesterday's snapshot, kept today under its time: linked to yesterday's backup of it, not copied again
    renamed = second / "warehouse" / "snapshots" / "warehouse_20260102T060000.duckdb"
    assert renamed.stat().st_ino == (first / "warehouse" / "warehouse.duckdb").stat().st_ino
    assert (second / "warehouse" / "build" / "warehouse_build.duckdb").read_bytes() == b"build-1"
    assert not (second / "warehouse" / "build" / "warehouse_build.duckdb.wal").exists()
    with closing(sqlite3.connect(second / "dagster_home" / "history" / "runs.db")) as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (5,)
    # retention: with half a day, yesterday's backup goes, today's stay
    monkeypatch.setenv("CCHC_BACKUP_KEEP_DAYS", "0.5")
    assert backup.main() == 0
    assert not first.exists() and second.exists() and len(list(dest.glob("cchc_*"))) == 2


def test_backup_fails_without_a_published_snapshot(tmp_path, monkeypatch):
    monkeypatch.setenv("CCHC_WAREHOUSE_DIR", str(tmp_path / "none"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "none"))
    monkeypatch.setenv("CCHC_BACKUP_DIR", str(tmp_path / "bk"))
    assert backup.main() == 2
