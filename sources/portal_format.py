"""How captures of the national portal's QĐ 766 API lie in the inbox: light, imported by the sensor too.

A capture is the answer ``{endpoint}_{period}_{YYYYmmddTHHMM}.json`` (period ``2026-M10``, ``2026-Q3``, ``2026-Y``)
and, when the collector made it, its sidecar ``{same stem}.request.json`` with the request, the period and the
capture time, which the answer itself does not carry. A file dropped by hand may have any name ending in ``.json``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

PORTAL_DIR = "portal"
FILE_PATTERN = re.compile(r"^(?P<endpoint>[a-z-]+)_(?P<period>\d{4}-(?:M\d{2}|Q\d|Y))_(?P<captured>\d{8}T\d{4})\.json$")
SIDECAR_SUFFIX = ".request.json"


# The ``code`` of a successful answer, in any letter case; an answer without one is taken for data (the portal's
# shape without it was seen): the collector and the reader of saved files judge alike.
OK_CODES = frozenset({"OK", "200", "0", "SUCCESS"})


def is_ok_code(code: object) -> bool:
    """Whether an answer's ``code`` says success (a boolean is no code: True == 1 in Python)."""
    if code is None:
        return True
    return not isinstance(code, bool) and str(code).strip().upper() in OK_CODES


# An answer of the portal's gateway instead of data: Spring's error body ({"status": 401, "error": "Unauthorized"}) or
# an OK code with no data and a message about the session ("Phiên đăng nhập hết hạn").
_ACCESS_STATUSES = {401, 403, 419, 440}
_ACCESS_WORDS = re.compile(r"unauthori[sz]ed|forbidden|authentication|token|đăng nhập|phiên|quyền truy cập", re.IGNORECASE)


def refusal_message(payload: dict) -> str | None:
    """The portal's own words when an answer is a refusal of access rather than data, else None: said with what to do
    (sign in again, check the account), not as a change of format."""
    status, error, message = payload.get("status"), payload.get("error"), payload.get("message")
    said = " ".join(str(v) for v in (error, message) if v not in (None, ""))
    by_status = isinstance(status, int) and not isinstance(status, bool) and status in _ACCESS_STATUSES
    if by_status or (payload.get("data") is None and _ACCESS_WORDS.search(said)):
        shown = f" (HTTP {status})" if by_status else ""
        return f"Cổng từ chối truy cập{shown}: «{said[:200] or 'không có thông báo'}»"
    return None


def snapshot_files(folder: Path) -> list[Path]:
    """The files of a folder, by name: the answers, every ``*.json`` in any letter case (ANSWER.JSON, as Windows may
    keep a saved answer), and every other file (a .json.txt, a .jsonl, a saved page), which the reader refuses
    naming it, never passed over; sidecars, lock and hidden (temporary) files left out."""
    if not folder.exists():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.lower().endswith(SIDECAR_SUFFIX) and not p.name.startswith((".", "~$"))
    )


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".json") + SIDECAR_SUFFIX)


# --- keys written twice in one JSON object ----------------------------------------------------------------------


class JsonObject(dict):
    """A JSON object that remembers the keys it carried twice with different values (``json`` keeps the last one
    silently): ``duplicates[key]`` lists the distinct values in order. A key repeated with the same value is no
    ambiguity and is not listed."""

    def __init__(self) -> None:
        super().__init__()
        self.duplicates: dict[str, list[object]] = {}


def json_object(pairs: list[tuple[str, object]]) -> JsonObject:
    """``object_pairs_hook`` for ``json.loads``: a JsonObject holding the last value of each key, as json does."""
    obj = JsonObject()
    for key, value in pairs:
        if key in obj:
            seen = obj.duplicates.get(key) or [obj[key]]
            if not any(same_value(value, v) for v in seen):
                obj.duplicates[key] = [*seen, value]
        obj[key] = value
    return obj


def same_value(a: object, b: object) -> bool:
    """Equal as JSON values: 6 and 6.0 are, true and 1 are not, a text and its NFC form are."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, str) and isinstance(b, str):
        return unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)
    return a == b


def duplicates_of(value: object) -> dict[str, list[object]]:
    """The keys a parsed JSON object carried twice with different values; {} for anything else."""
    return value.duplicates if isinstance(value, JsonObject) else {}


def dumps_keeping_duplicates(value: object) -> str:
    """JSON text of a value parsed with ``json_object``, every differing value of a repeated key written again (the
    collector re-writes merged pages: the ambiguity stays for the reader to report, instead of the last value winning)."""
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            for each in duplicates_of(value).get(key) or [item]:
                parts.append(f"{json.dumps(str(key), ensure_ascii=False)}: {dumps_keeping_duplicates(each)}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dumps_keeping_duplicates(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)
