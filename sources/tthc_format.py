"""The daily dossier export of the provincial TTHC system: columns, headers and value vocabularies.

One file a day, ``ho_so_YYYYMMDD.csv``; a dossier appears again in a later day's file whenever its status changes
and the latest ``updated_at`` wins. Headers, date formats and the words of the code lists are the system's profile
(``profiles/tthc/``); the demo format (UTF-8 with BOM, Vietnamese headers, ``dd/mm/yyyy HH:MM:SS``) is the profile
``demo``, which the generator of the demo inbox and the reader both use, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sources.profiles import Field, SourceProfile, profile_for

DOSSIER_FILE_PATTERN = re.compile(r"^ho_so_(\d{8})\.csv$", re.IGNORECASE)
CATALOGUE_FILE_NAME = "danh_muc_tthc.csv"


def dossier_file_name(day: date) -> str:
    return f"ho_so_{day:%Y%m%d}.csv"


# A day's export as offices and browsers also name it: HO_SO_20260105.CSV (Windows), ho_so_2026-01-05.csv,
# ho_so_2026_01_05.csv, a second download 'ho_so_20260105 (1).csv', or another kind (ho_so_20260105.xlsx).
EXPORT_NAME = re.compile(r"ho_so[_\- ]?(\d{4})[-_]?(\d{2})[-_]?(\d{2})(?:\s*\(\d+\))?\.(\w+)", re.IGNORECASE)
EXPORT_PREFIX = "ho_so"


# Days after today an export's name may give (a system's clock ahead, a time zone): beyond, a mistyped year.
FUTURE_NAME_DAYS = 31


def far_future_day(day: date, today: date) -> bool:
    """Whether an export's day is so far after ``today`` that its name must be mistyped (``FUTURE_NAME_DAYS``)."""
    return (day - today).days > FUTURE_NAME_DAYS


def export_day(name: str) -> date | None:
    """The day whose export a file name gives (see EXPORT_NAME), whatever its kind; None when it names no real day."""
    match = EXPORT_NAME.fullmatch(name.strip())
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


@dataclass(frozen=True)
class Column:
    name: str  # canonical name in the warehouse
    header: str  # header the export uses
    kind: str  # text | datetime | int | bool | money | channel | status | rating
    required: bool = True
    personal: bool = False  # citizen's personal data: read only to hash or drop, never stored
    aliases: tuple[str, ...] = ()  # other headers seen for the same column (older exports, other systems)


# The warehouse's side of the two files; how the system names the columns and writes its values is its profile
# (profiles/tthc/<name>.yaml, sources/profiles.py).
DOSSIER_FIELDS: tuple[Field, ...] = (
    Field("dossier_code", "text"),
    Field("procedure_code", "text"),
    Field("receiving_centre", "text"),
    Field("resolving_unit", "text"),
    Field("channel", "channel", values="channel"),
    Field("received_at", "datetime"),
    Field("due_at", "datetime"),
    Field("completed_at", "datetime", required=False),
    Field("status", "status", values="status"),
    Field("supplement_requests", "int"),
    Field("digitised", "bool", values="bool"),
    Field("electronic_result", "bool", values="bool"),
    Field("fee_due", "money"),
    Field("paid_online", "bool", values="bool"),
    Field("reused_data", "bool", values="bool"),
    Field("citizen_data_used", "bool", values="bool"),
    # Optional: exports made before the column existed still load, the flag is then unknown (NULL), never false.
    Field("synced_to_portal", "bool", required=False, values="bool"),
    Field("satisfaction", "rating", required=False, values="rating"),
    Field("updated_at", "datetime"),
    Field("applicant_name", "text", required=False, personal=True),
    Field("applicant_id", "text", required=False, personal=True),
    Field("applicant_phone", "text", required=False, personal=True),
    Field("applicant_address", "text", required=False, personal=True),
)
CATALOGUE_FIELDS: tuple[Field, ...] = (
    Field("procedure_code", "text"),
    Field("procedure_name", "text"),
    Field("field", "text"),
    Field("authority_level", "text", values="authority_level"),
    Field("online_level", "text", values="online_level"),
    Field("fee_bearing", "bool", values="bool"),
    # Optional: the owning provincial agency (a unit name, matched to a code), the generic COMMUNE_OWNER for
    # commune-level procedures; whether online payment is wired up on the national portal (QĐ 766 3.5a).
    Field("owner_unit", "text", required=False),
    Field("payment_integrated", "bool", required=False, values="bool"),
)
TTHC_FIELDS = {"dossiers": DOSSIER_FIELDS, "catalogue": CATALOGUE_FIELDS}
# Codes the warehouse knows; a profile maps its system's words onto them. Channels follow the national portal's
# KenhThucHien: 1 in person, 2 online, 3 public postal service.
TTHC_CODES: dict[str, frozenset] = {
    "channel": frozenset({"direct", "online", "postal"}),
    "status": frozenset({"received", "processing", "awaiting_supplement", "completed", "returned", "refused", "withdrawn"}),
    "rating": frozenset({"very_satisfied", "satisfied", "dissatisfied"}),
    "bool": frozenset({True, False}),
    "authority_level": frozenset({"province", "commune"}),
    "online_level": frozenset({"full", "partial", "none"}),
}
FINISHED_STATUSES = frozenset({"completed", "returned", "refused", "withdrawn"})
RESULT_STATUSES = frozenset({"completed", "returned"})  # finished with a result: must carry a completion time
COMMUNE_OWNER = "UBND cấp xã"  # owner of commune-level procedures: every commune/ward, not one unit


def tthc_profile(name: str | None = None) -> SourceProfile:
    """The TTHC system's profile (default: CCHC_PROFILE_TTHC, else the demo format)."""
    return profile_for("tthc", TTHC_FIELDS, TTHC_CODES, name)


# The profile in use, as module constants for the demo generator and the readers' defaults; read on first use, so
# importing this module (the sensor does) reads no file.
_FROM_PROFILE = {
    "DOSSIER_COLUMNS": lambda p: p.columns["dossiers"],
    "CATALOGUE_COLUMNS": lambda p: p.columns["catalogue"],
    "CHANNELS": lambda p: p.vocabulary("dossiers", "channel"),
    "STATUSES": lambda p: p.vocabulary("dossiers", "status"),
    "RATINGS": lambda p: p.vocabulary("dossiers", "rating"),
    "BOOLEANS": lambda p: p.vocabulary("dossiers", "bool"),
    "AUTHORITY_LEVELS": lambda p: p.vocabulary("catalogue", "authority_level"),
    "ONLINE_LEVELS": lambda p: p.vocabulary("catalogue", "online_level"),
    "DATETIME_FORMAT": lambda p: p.date_formats[0],
    "COLUMN_HEADERS": lambda p: {c.name: c.header for c in (*p.columns["dossiers"], *p.columns["catalogue"])},
}


def __getattr__(name: str) -> Any:
    if name in _FROM_PROFILE:
        return _FROM_PROFILE[name](tthc_profile())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
