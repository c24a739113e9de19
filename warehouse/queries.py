"""The warehouse's SQL, one statement per file under ``warehouse/sql/``, loaded by name (see ``common/sql_files.py``).

``sql("qd766/dossier_measures")`` is the text of ``warehouse/sql/qd766/dossier_measures.sql``.
"""

from __future__ import annotations

from pathlib import Path

from common.sql_files import SqlFiles

sql = SqlFiles(Path(__file__).with_name("sql"))
