"""After a whole run (every job of `make run`) on the generated inbox with its odd exports (Windows-1258, UTF-16
"Unicode text", semicolons with CR line ends, renamed headers, a cut-short file), no ID number, phone number, e-mail
or name of an applicant or petitioner is anywhere under the warehouse, reports and Dagster folders: not in a file's
bytes, not inside a workbook's XML, not in any table of a DuckDB file."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from common.text_encoding import LegacyEncoding, decode_text
from common.units import load_units
from sources.csvfiles import DELIMITERS, header_mapping
from sources.petition_format import pakn_profile
from sources.tthc_format import DOSSIER_COLUMNS
from tests.conftest import warehouse_in

# End-to-end runs: the full tier (`make test-slow`, run by CI), not the fast default `make test`.
pytestmark = pytest.mark.slow

_WORD = re.compile(r"\w+")
_DIGITS = re.compile(r"\d{9,}")


def _text(raw: bytes) -> str:
    try:
        text = decode_text(raw).text
    except LegacyEncoding:
        text = raw.decode("latin-1")
    return unicodedata.normalize("NFC", text.lstrip("\ufeff")).replace("\r\n", "\n").replace("\r", "\n")


def _table(path: Path, columns) -> tuple[list[str], list[list[str]]]:
    """Header and rows of an inbox CSV whatever its encoding and delimiter (parsed here, not by the pipeline)."""
    text = _text(path.read_bytes())
    header = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=lambda d: len(header_mapping(next(csv.reader([header], delimiter=d), []), columns)[0]))
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    return (rows[0], rows[1:]) if rows else ([], [])


def inbox_personal_data(inbox: Path) -> dict[str, set[str]]:
    """Every personal value the inbox holds, by kind, and the non-personal text around it (to tell a name that is
    also, say, a ward's name)."""
    found: dict[str, set[str]] = {"id": set(), "phone": set(), "email": set(), "name": set()}
    other: list[str] = []
    kinds = {
        "applicant_id": "id",
        "applicant_phone": "phone",
        "applicant_name": "name",
        "petitioner_name": "name",
        "petitioner_phone": "phone",
        "petitioner_email": "email",
    }
    sources = [(p, DOSSIER_COLUMNS) for p in sorted((inbox / "tthc").glob("ho_so_*.csv"))]
    sources += [(p, pakn_profile().columns["petitions"]) for p in sorted((inbox / "pakn").glob("*.csv"))]
    for path, columns in sources:
        header, rows = _table(path, columns)
        mapping, _ = header_mapping(header, columns)
        for row in rows:
            for i, value in enumerate(row):
                column = mapping.get(i)
                value = " ".join(value.split())
                if column is not None and column.name in kinds and value:
                    found[kinds[column.name]].add(value)
                elif column is None or not column.personal:
                    other.append(value)
    for path in inbox.rglob("*"):
        if path.is_file() and not path.name.startswith(("ho_so_", "pakn_")):
            other.append(_file_text(path))
    other += [u.name for u in load_units("Thái Nguyên")]
    found["id"] = {v for v in found["id"] if re.fullmatch(r"\d{12}", v)}
    found["phone"] = {v for v in found["phone"] if re.fullmatch(r"\d{9,11}", v)}
    names = {v for v in found["name"] if len(v.split()) >= 2}
    found["name"] = names - set(_word_runs(" ".join(other), names))
    return found


def _word_runs(text: str, needles: set[str]) -> list[str]:
    """The needles (runs of words) found in ``text``, word for word: only where a needle's first word stands."""
    if not needles:
        return []
    first = re.compile(r"(?<!\w)(?:" + "|".join(sorted({re.escape(n.split()[0]) for n in needles})) + r")(?!\w)")
    sizes = sorted({len(n.split()) for n in needles})
    runs = []
    for match in first.finditer(text):
        words = _WORD.findall(text, match.start(), match.start() + 100)
        runs += [run for k in sizes if (run := " ".join(words[:k])) in needles]
    return runs


_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _file_text(path: Path) -> str:
    """A file's text as a reader sees it: a workbook's XML and a web page with their character references resolved
    (openpyxl writes 'Trần' as 'Tr&#7847;n'), JSON's \\u escapes too (Dagster's run history keeps its events so)."""
    raw = path.read_bytes()
    if raw.startswith(b"PK\x03\x04"):  # xlsx, ods, docx: the XML of every part
        with zipfile.ZipFile(path) as z:
            text = "\n".join(z.read(n).decode("utf-8", errors="ignore") for n in z.namelist())
    else:
        text = raw.decode("utf-8", errors="ignore")
    return html.unescape(_JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))


def leaks(text: str, personal: dict[str, set[str]]) -> list[str]:
    hits = []
    for run in _DIGITS.findall(text):
        for size, kind in ((12, "id"), (10, "phone"), (9, "phone"), (11, "phone")):
            hits += [f"{kind}:{run[i : i + size]}" for i in range(len(run) - size + 1) if run[i : i + size] in personal[kind]]
    hits += [f"email:{e}" for e in personal["email"] if e in text]  # few: a plain search each
    hits += [f"name:{run}" for run in _word_runs(text, personal["name"])]
    return hits


def duckdb_text(path: Path) -> str:
    """Every value of every table and view of a DuckDB file, as text."""
    copy = path.with_name(path.name + ".scan")
    shutil.copyfile(path, copy)  # a copy: the scan must not leave a lock or a WAL beside the original
    try:
        with duckdb.connect(str(copy), read_only=True) as con:
            tables = con.execute("""SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()
                                    UNION ALL SELECT view_name FROM duckdb_views()
                                    WHERE database_name = current_database() AND NOT internal""").fetchall()
            chunks = []
            for (table,) in tables:
                for row in con.execute(f'SELECT * FROM "{table}"').fetchall():
                    chunks.append(" | ".join("" if v is None else str(v) for v in row))
            return "\n".join(chunks)
    finally:
        copy.unlink(missing_ok=True)
        copy.with_name(copy.name + ".wal").unlink(missing_ok=True)


def test_no_personal_data_at_rest_after_a_whole_run(tmp_path):
    from demo.generate import generate_inbox
    from pipelines.run_demo import materialise_all

    warehouse = warehouse_in(tmp_path)
    summary = generate_inbox(Path(warehouse.inbox), end=date(2026, 1, 10), scale=0.01)
    odd = {b["kind"] for b in summary["bad_files"]}
    assert {"cp1258", "unicode_text", "semicolon_cr", "renamed_column", "truncated"} <= odd
    personal = inbox_personal_data(Path(warehouse.inbox))
    assert len(personal["id"]) > 300 and len(personal["phone"]) > 300 and len(personal["name"]) > 300
    assert personal["email"]
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(Path(__file__).parent.parent / "pipelines" / "dagster.yaml", home / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        results = materialise_all("2026-01-01", "2026-01-10", instance=instance, resources={"warehouse": warehouse}, quiet=True)
    assert results and all(r.success for r in results)
    with duckdb.connect(warehouse.snapshot_db, read_only=True) as con:  # the odd files were really loaded
        loaded = dict(con.execute("SELECT file_name, status FROM landed_files WHERE source = 'tthc_dossier'").fetchall())
        # Only the per-year keyed pseudonym reaches analysts: no stable (salted) hash of the ID number.
        columns = {c for (c,) in con.execute("SELECT column_name FROM duckdb_columns()").fetchall()}
        assert "applicant_key" in columns and not {c for c in columns if "hash" in c and "applicant" in c}
        assert con.execute("SELECT count(applicant_key) FROM stg_dossier_versions").fetchone()[0] > 300
    for bad in summary["bad_files"]:
        if bad["kind"] in ("cp1258", "unicode_text", "semicolon_cr"):
            assert loaded[Path(bad["file"]).name] == "loaded"

    folders = [Path(warehouse.build_db).parent, Path(warehouse.reports), home]
    scanned, found = 0, {}
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            texts = [_file_text(path)]
            if path.suffix == ".duckdb":
                texts.append(duckdb_text(path))
            hits = sorted({h for t in texts for h in leaks(t, personal)})
            scanned += 1
            if hits:
                found[str(path.relative_to(tmp_path))] = hits[:5]
    assert scanned > 10 and not found, found
    assert not [p for p in (Path(warehouse.build_db).parent / "work").glob("*")]  # no copy outlives the load
