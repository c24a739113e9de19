"""The monthly export of petitions and recommendations (phản ánh, kiến nghị: PAKN) about administrative procedures.

One file a month in ``pakn/``, ``pakn_YYYYMM.csv`` (other spellings of the month are read, see
``petition_file_month``): the petitions RECEIVED in that month, each with its state at
export time; a later file for the same month replaces the earlier one. UTF-8 with BOM, Vietnamese headers, dates
``dd/mm/yyyy HH:MM:SS`` like the dossier exports. The petitioner's name, phone, e-mail and the free-text content are
personal data: read only to be dropped.

Deadlines (methodology §3.3, 5.2): an answer within 15 working days of reception, a refusal within 2, a request for
more information within 5. The generator of the demo inbox and the reader both use this module.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sources.profiles import Field, SourceProfile, profile_for

PETITION_DIR = "pakn"
PETITION_FILE_PATTERN = re.compile(r"^pakn_(\d{4})(\d{2})\.csv$", re.IGNORECASE)


def petition_file_name(month: date) -> str:
    return f"pakn_{month:%Y%m}.csv"


# How offices write the month in a name: pakn_202601, pakn_2026_01, pakn_01_2026, PAKN_T01_2026, pakn_thang_1_2026.
_NUMBER = re.compile(r"([a-z]*)(\d+)")
_MONTH_PREFIXES = ("", "t", "th", "thang")
_COPY_MARK = re.compile(r"\s*\(\d+\)$")  # a browser's second download: "pakn_202601 (1).csv"


def petition_file_month(name: str) -> date | None:
    """First day of the month a file name stands for, or None when it cannot be told: the year and month as one
    number (``pakn_202601``), or a four-digit year and a month of one or two digits in either order, the month
    perhaps written T01 or thang_01 (``pakn_01_2026``, ``pakn_2026_01``, ``PAKN_T01_2026``), in any letter case and
    with any extension (the loader judges the kind). A name with no such period, or with several numbers that could
    be it (``pakn_q1_2026``, ``pakn_01_2026_v2``), has no month: the file is refused, never guessed."""
    stem = _COPY_MARK.sub("", name.rsplit(".", 1)[0] if "." in name else name).lower()
    numbers = [(m.group(1), m.group(2)) for m in _NUMBER.finditer(stem)]
    if len(numbers) == 1 and len(numbers[0][1]) == 6:
        year, month = int(numbers[0][1][:4]), int(numbers[0][1][4:])
    elif len(numbers) == 2:
        years = [n for _, n in numbers if len(n) == 4]
        months = [n for prefix, n in numbers if len(n) <= 2 and prefix in _MONTH_PREFIXES]
        if len(years) != 1 or len(months) != 1:
            return None
        year, month = int(years[0]), int(months[0])
    else:
        return None
    if not 2000 <= year <= 2099 or not 1 <= month <= 12:
        return None
    return date(year, month, 1)


# The warehouse's side of the export; headers and the words of the code lists are the system's profile
# (profiles/pakn/<name>.yaml).
PETITION_FIELDS: tuple[Field, ...] = (
    Field("petition_code", "text"),
    Field("received_at", "datetime"),
    Field("unit", "text"),
    Field("category", "category", values="category"),
    Field("handling", "handling", values="handling"),
    Field("completed_at", "datetime", required=False),
    Field("satisfaction", "rating", required=False, values="rating"),
    Field("repeated", "bool", required=False, values="bool"),
    Field("petitioner_name", "text", required=False, personal=True),
    Field("petitioner_phone", "text", required=False, personal=True),
    Field("petitioner_email", "text", required=False, personal=True),
    Field("content", "text", required=False, personal=True),
)
PAKN_FIELDS = {"petitions": PETITION_FIELDS}
PAKN_CODES: dict[str, frozenset] = {
    "category": frozenset({"procedure", "staff"}),
    "handling": frozenset({"answer", "refusal", "more_information"}),
    "rating": frozenset({"satisfied", "dissatisfied"}),
    "bool": frozenset({True, False}),
}


def pakn_profile(name: str | None = None) -> SourceProfile:
    """The PAKN system's profile (default: CCHC_PROFILE_PAKN, else the demo format)."""
    return profile_for("pakn", PAKN_FIELDS, PAKN_CODES, name)


_FROM_PROFILE = {
    "PETITION_COLUMNS": lambda p: p.columns["petitions"],
    "CATEGORIES": lambda p: p.vocabulary("petitions", "category"),
    "HANDLINGS": lambda p: p.vocabulary("petitions", "handling"),
    "PETITION_RATINGS": lambda p: p.vocabulary("petitions", "rating"),
    "PETITION_BOOLEANS": lambda p: p.vocabulary("petitions", "bool"),
}


def __getattr__(name: str) -> Any:  # the profile in use, read on first use (the sensor imports this module)
    if name in _FROM_PROFILE:
        return _FROM_PROFILE[name](pakn_profile())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DEADLINE_WORKING_DAYS: dict[str, int] = {"answer": 15, "refusal": 2, "more_information": 5}
