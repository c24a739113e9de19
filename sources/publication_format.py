"""The register of procedure publication (công bố TTHC): which decision published which procedure, when it was made
public on the national TTHC database (CSDLQG), and whether the published content has the seven parts.

One file, ``tthc/cong_bo_tthc.csv``, one row per procedure per publication decision, UTF-8 with BOM, Vietnamese
headers, dates ``dd/mm/yyyy``. QĐ 766 1.1-1.3 (methodology §3.3) for a province: a decision is on time when dated at
least 5 working days before the legal basis takes effect; the publication is updated on time when made public at
most 5 working days after the decision; the content is full when all seven parts of NĐ 63/2010 k.2 Đ.8 are there.
"""

from __future__ import annotations

from typing import Any

from sources.profiles import Field, SourceProfile, profile_for

PUBLICATION_FILE_NAME = "cong_bo_tthc.csv"
PUBLISH_LEAD_WORKING_DAYS = 5  # provincial decision: at least this many working days before the legal basis applies
PUBLIC_UPDATE_WORKING_DAYS = 5  # made public on the CSDLQG at most this many working days after the decision

# The seven parts of a procedure (NĐ 63/2010, khoản 2 Điều 8), in the order the register lists them.
PART_NAMES = ("part_name", "part_sequence", "part_method", "part_dossier", "part_time_limit", "part_applicant", "part_agency")

# The warehouse's side of the register; headers and the yes/no words are the system's profile (profiles/cong_bo/).
PUBLICATION_FIELDS: tuple[Field, ...] = (
    Field("decision_number", "text"),
    Field("decision_date", "date"),
    Field("procedure_code", "text"),
    Field("legal_effective_date", "date"),
    Field("made_public_date", "date", required=False),
    *(Field(name, "bool", values="bool") for name in PART_NAMES),
)
CONG_BO_FIELDS = {"register": PUBLICATION_FIELDS}
CONG_BO_CODES: dict[str, frozenset] = {"bool": frozenset({True, False})}


def publication_profile(name: str | None = None) -> SourceProfile:
    """The register's profile (default: CCHC_PROFILE_CONG_BO, else the demo format)."""
    return profile_for("cong_bo", CONG_BO_FIELDS, CONG_BO_CODES, name)


_FROM_PROFILE = {
    "PUBLICATION_COLUMNS": lambda p: p.columns["register"],
    "CONTENT_PARTS": lambda p: tuple(c for c in p.columns["register"] if c.name in PART_NAMES),
    "PUBLICATION_BOOLEANS": lambda p: p.vocabulary("register", "bool"),
}


def __getattr__(name: str) -> Any:  # the profile in use, read on first use
    if name in _FROM_PROFILE:
        return _FROM_PROFILE[name](publication_profile())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
