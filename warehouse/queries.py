"""The warehouse's SQL, one statement per file under ``warehouse/sql/``, loaded by name.

``sql("qd766/dossier_measures")`` is the text of ``warehouse/sql/qd766/dossier_measures.sql``. Values go in as DuckDB's
named parameters (``$as_of``), given as a dict: ``con.execute(sql("qd766/dossier_measures"), {"as_of": as_of})``.

A few statements carry a fragment that Python builds from its own data (the Vietnamese labels of the quality rules, of
the task statuses): the file marks it ``{{ name }}`` and the caller passes ``name=...``; a fragment missing or left
over is an error. ``.sqlfluff`` at the repository root lints every file (tests/test_sql_files.py), with a sample
value of each fragment.

Small statements built from Python data (a column list from the schema, a table name in a loop) stay in Python.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")
_FRAGMENT = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class SqlFileMissing(FileNotFoundError):
    """A statement asked for by a name that has no file."""


@cache
def _text(name: str) -> str:
    path = SQL_DIR / f"{name}.sql"
    try:
        return path.read_text(encoding="utf-8").strip().rstrip(";")
    except FileNotFoundError:
        raise SqlFileMissing(f"No SQL statement named {name!r}: {path} does not exist.") from None


def sql(name: str, **fragments: str) -> str:
    """The statement in ``warehouse/sql/<name>.sql``, its ``{{ fragment }}`` markers replaced by ``fragments``."""
    text = _text(name)
    wanted = set(_FRAGMENT.findall(text))
    if wanted != set(fragments):
        missing, extra = sorted(wanted - set(fragments)), sorted(set(fragments) - wanted)
        raise ValueError(f"{SQL_DIR / name}.sql: fragments missing {missing}, not in the file {extra}.")
    return _FRAGMENT.sub(lambda m: fragments[m.group(1)], text) if wanted else text


def statement_names() -> list[str]:
    """Every statement's name, e.g. 'qd766/dossier_measures'."""
    return sorted(p.relative_to(SQL_DIR).with_suffix("").as_posix() for p in SQL_DIR.rglob("*.sql"))
