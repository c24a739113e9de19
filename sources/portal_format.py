"""How captures of the national portal's QĐ 766 API lie in the inbox: light, imported by the sensor too.

A capture is the answer ``{endpoint}_{period}_{YYYYmmddTHHMM}.json`` (period ``2026-M10``, ``2026-Q3``, ``2026-Y``)
and, when the collector made it, its sidecar ``{same stem}.request.json`` with the request, the period and the
capture time, which the answer itself does not carry. A file dropped by hand may have any name ending in ``.json``.
"""

from __future__ import annotations

import re
from pathlib import Path

PORTAL_DIR = "portal"
FILE_PATTERN = re.compile(r"^(?P<endpoint>[a-z-]+)_(?P<period>\d{4}-(?:M\d{2}|Q[1-4]|Y))_(?P<captured>\d{8}T\d{4})\.json$")
SIDECAR_SUFFIX = ".request.json"


def snapshot_files(folder: Path) -> list[Path]:
    """The answers of a folder, by name: every ``*.json`` except sidecars and hidden (temporary) files."""
    if not folder.exists():
        return []
    return sorted(p for p in folder.glob("*.json") if not p.name.endswith(SIDECAR_SUFFIX) and not p.name.startswith("."))


def sidecar_of(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".json") + SIDECAR_SUFFIX)
