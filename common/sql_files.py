"""SQL kept in ``.sql`` files, one statement per file, loaded by name.

A folder of statements is a ``SqlFiles``: ``warehouse/queries.py`` holds the warehouse's (``warehouse/sql/``),
``sources/tthc_dossiers.py`` the dossier staging's (``sources/sql/``). ``sql("qd766/dossier_measures")`` is the text
of ``<folder>/qd766/dossier_measures.sql``. Values go in as DuckDB's named parameters (``$as_of``), given as a dict:
``con.execute(sql("qd766/dossier_measures"), {"as_of": as_of})``.

A few statements carry a fragment that Python builds from its own data (the Vietnamese labels of the quality rules,
the columns of a source profile): the file marks it ``{{ name }}`` and the caller passes ``name=...``; a fragment
missing or left over is an error. ``.sqlfluff`` at the repository root lints every folder (tests/test_sql_files.py),
with a sample value of each fragment.

Small statements built from Python data (a column list from the schema, a table name in a loop) stay in Python.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

FRAGMENT = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class SqlFileMissing(FileNotFoundError):
    """A statement asked for by a name that has no file."""


@cache
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip().rstrip(";")


class SqlFiles:
    """The statements of one folder, by name (their path below it, without ``.sql``); each file is read once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.sql"

    def __call__(self, name: str, **fragments: str) -> str:
        """The statement in ``<folder>/<name>.sql``, its ``{{ fragment }}`` markers replaced by ``fragments``."""
        path = self.path(name)
        try:
            text = _text(path)
        except FileNotFoundError:
            raise SqlFileMissing(f"No SQL statement named {name!r}: {path} does not exist.") from None
        wanted = set(FRAGMENT.findall(text))
        if wanted != set(fragments):
            missing, extra = sorted(wanted - set(fragments)), sorted(set(fragments) - wanted)
            raise ValueError(f"{path}: fragments missing {missing}, not in the file {extra}.")
        return FRAGMENT.sub(lambda m: fragments[m.group(1)], text) if wanted else text

    def names(self) -> list[str]:
        """Every statement's name, e.g. 'qd766/dossier_measures'."""
        return sorted(p.relative_to(self.folder).with_suffix("").as_posix() for p in self.folder.rglob("*.sql"))
