"""The SQL files (warehouse/sql, sources/sql): loaded by name, one statement each, linted by sqlfluff (.sqlfluff at the root)."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import duckdb
import pytest

from common.sql_files import SqlFileMissing, SqlFiles
from sources import tthc_dossiers
from warehouse.queries import sql

ROOT = Path(__file__).resolve().parents[1]
# Every folder of SQL files (`make lint` runs sqlfluff over the same list).
FOLDERS: tuple[SqlFiles, ...] = (sql, tthc_dossiers.sql)


def test_a_statement_is_loaded_by_name() -> None:
    text = sql("views/mart_task_report_by_unit")
    assert text.lstrip().startswith("--") and "mart_task_report_period" in text
    assert sql("views/mart_task_report_by_unit") is text  # read once


def test_a_missing_statement_names_its_file() -> None:
    with pytest.raises(SqlFileMissing, match=r"qd766/no_such_query.*warehouse/sql/qd766/no_such_query\.sql"):
        sql("qd766/no_such_query")


def test_every_folder_of_sql_files_is_checked() -> None:
    assert {p for p in ROOT.glob("*/sql") if p.is_dir()} == {f.folder.resolve() for f in FOLDERS}


def test_fragments_must_match_the_file() -> None:
    with pytest.raises(ValueError, match="fragments missing"):
        sql("views/mart_task_report_latest")
    with pytest.raises(ValueError, match="not in the file"):
        sql("views/mart_task_report_by_unit", extra="x")


def test_a_row_to_insert_by_name_has_every_column() -> None:
    from warehouse.landing import LANDED_FILE_COLUMNS, named_row

    row = named_row(LANDED_FILE_COLUMNS, source="pakn", file_name="pakn_202601.csv", status="missing")
    assert list(row) == list(LANDED_FILE_COLUMNS) and row["sha256"] is None and row["status"] == "missing"
    with pytest.raises(KeyError, match="not a column"):
        named_row(LANDED_FILE_COLUMNS, source="pakn", no_such_column=1)


def test_every_file_is_one_statement_that_duckdb_parses() -> None:
    """One statement per file; each parses (names of tables are not resolved: extract_statements only parses)."""
    config = configparser.ConfigParser(interpolation=None)
    config.read(ROOT / ".sqlfluff", encoding="utf-8")
    samples = dict(config["sqlfluff:templater:placeholder"])  # a sample value of every fragment
    for folder in FOLDERS:
        names = folder.names()
        assert len(names) >= 4
        for name in names:
            text = re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: samples[m.group(1)], folder.path(name).read_text(encoding="utf-8"))
            statements = duckdb.extract_statements(text)
            assert len(statements) == 1, f"{folder.path(name)} holds {len(statements)} statements"


def test_every_insert_names_its_columns() -> None:
    """No positional INSERT into a warehouse table: BY NAME, or an explicit column list."""
    bad = []
    for folder in ("warehouse", "sources/tthc_dossiers.py", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")) if (ROOT / folder).is_dir() else [ROOT / folder]:
            for match in re.finditer(r"INSERT INTO\s+(\{?\w+\}?)\s*(\S+)", path.read_text(encoding="utf-8")):
                if not match.group(2).startswith(("BY", "(")) and not match.group(1).startswith("_"):
                    bad.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    for path in sorted(p for folder in FOLDERS for p in folder.folder.rglob("*.sql")):
        for match in re.finditer(r"INSERT INTO\s+(\w+)\s*(\S+)", path.read_text(encoding="utf-8")):
            if not match.group(2).startswith(("BY", "(")):
                bad.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not bad, "positional inserts:\n" + "\n".join(bad)


@pytest.mark.slow  # sqlfluff parses every file: ~20 s
def test_sql_files_pass_the_linter() -> None:
    """sqlfluff (dialect duckdb, rules in .sqlfluff) over every folder; `sqlfluff fix <file>` repairs most layout."""
    from sqlfluff.core import FluffConfig, Linter  # dev dependency (pyproject.toml)

    linter = Linter(config=FluffConfig.from_path(str(ROOT)))
    result = linter.lint_paths(tuple(str(folder.folder) for folder in FOLDERS))
    problems = [
        f"{Path(r['filepath']).resolve().relative_to(ROOT)}:{v['start_line_no']}:{v['start_line_pos']} "
        f"{v['code']} {v['description']}"
        for r in result.as_records()
        for v in r["violations"]
    ]
    assert len(result.as_records()) == sum(len(folder.names()) for folder in FOLDERS)  # every file was linted
    assert not problems, "sqlfluff lint:\n" + "\n".join(problems)
