"""Source profiles: how each source system writes its files (column headers and their aliases, date formats, the
words of its code lists), one YAML file per system and format under ``profiles/<system>/<name>.yaml``.

The warehouse's side is fixed in code (``Field``: canonical name, kind, required, personal data, which code list);
the system's side is configuration, so a province whose system exports other headers or other words adds a profile
and sets ``CCHC_PROFILE_<SYSTEM>`` (e.g. ``CCHC_PROFILE_TTHC=vnpt_igate``), without touching code. The project's
demo format is the profile ``demo`` of each system. A profile is validated when it is read: unknown keys, a missing
column, a code the warehouse does not know, a date format that cannot read its own dates are errors naming the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from common.settings import PROJECT_ROOT
from common.vntext import match_key, nfc

if TYPE_CHECKING:
    from sources.tthc_format import Column

PROFILES_DIR = PROJECT_ROOT / "profiles"
DEFAULT_PROFILE = "demo"


class ProfileError(ValueError):
    """A profile that cannot be used; the message names the file and what is wrong, in Vietnamese."""


@dataclass(frozen=True)
class Field:
    """A column as the warehouse knows it, whatever a system calls it."""

    name: str
    kind: str  # text | datetime | date | int | bool | money | channel | status | rating | category | handling
    required: bool = True
    personal: bool = False  # citizen's personal data: read only to hash or drop, never stored
    values: str | None = None  # the code list its raw words map to (a key of the profile's ``values``)


@dataclass(frozen=True)
class SourceProfile:
    system: str
    name: str
    title: str
    path: Path
    date_formats: tuple[str, ...]
    columns: Mapping[str, tuple[Column, ...]]  # by file kind (dossiers, catalogue, …), in the warehouse's order
    values: Mapping[str, Mapping[str, Mapping[str, Any]]]  # file kind -> code list -> raw word -> code

    def vocabulary(self, file: str, name: str) -> dict[str, Any]:
        return dict(self.values[file].get(name, {}))


_TOP_KEYS = {"system", "title", "date_formats", "files"}
_FILE_KEYS = {"columns", "values"}
_COLUMN_KEYS = {"header", "aliases"}


def _mapping(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise ProfileError(f"{where}: cần một bảng khóa: giá trị")
    return value


def _unknown(keys: Iterable[object], allowed: set[str], where: str) -> None:
    extra = sorted(str(k) for k in keys if k not in allowed)
    if extra:
        raise ProfileError(f"{where}: khóa không hợp lệ {', '.join(extra)} (chỉ có {', '.join(sorted(allowed))})")


def load_profile(
    path: Path, system: str, fields: Mapping[str, tuple[Field, ...]], codes: Mapping[str, frozenset]
) -> SourceProfile:
    """Read and validate one profile of ``system`` against the warehouse's fields and code lists."""
    where = f"{path.parent.name}/{path.name}"
    try:
        raw = _mapping(yaml.safe_load(path.read_text(encoding="utf-8")), where)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise ProfileError(f"{where}: không đọc được tệp ({err})") from None
    _unknown(raw, _TOP_KEYS, where)
    if raw.get("system") != system:
        raise ProfileError(f"{where}: system phải là '{system}' (đang là '{raw.get('system')}')")
    formats = _date_formats(raw.get("date_formats") or [], where)
    files = _mapping(raw.get("files"), f"{where}, files")
    _unknown(files, set(fields), f"{where}, files")
    columns: dict[str, tuple[Column, ...]] = {}
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for kind, expected in fields.items():
        at = f"{where}, files.{kind}"
        spec = _mapping(files.get(kind), at)
        _unknown(spec, _FILE_KEYS, at)
        columns[kind] = _columns(_mapping(spec.get("columns"), f"{at}.columns"), expected, at)
        values[kind] = _values(_mapping(spec.get("values") or {}, f"{at}.values"), expected, codes, at)
    return SourceProfile(
        system=system,
        name=path.stem,
        title=str(raw.get("title") or path.stem),
        path=path,
        date_formats=formats,
        columns=columns,
        values=values,
    )


def _date_formats(formats: object, where: str) -> tuple[str, ...]:
    """The profile's date formats, each one that reads back the day it writes."""
    if not isinstance(formats, list) or not formats:
        raise ProfileError(f"{where}: date_formats cần ít nhất một định dạng ngày (ví dụ '%d/%m/%Y')")
    sample = datetime(2026, 3, 5, 14, 7, 9)
    for fmt in formats:
        try:
            back: datetime | None = datetime.strptime(sample.strftime(str(fmt)), str(fmt))
        except (ValueError, re.error):  # strptime compiles the format: a repeated directive is a regex error
            back = None
        if back is None or back.date() != sample.date():
            raise ProfileError(f"{where}: định dạng ngày '{fmt}' không đọc lại được chính ngày nó viết")
        # the time it writes reads back too: '%I' without '%p' reads 14:07 as 02:07 (a deadline 12 hours early)
        written = [(d, part) for d, part in (("%H", "hour"), ("%I", "hour"), ("%M", "minute"), ("%S", "second")) if d in str(fmt)]
        if any(getattr(back, part) != getattr(sample, part) for _, part in written):
            raise ProfileError(
                f"{where}: định dạng ngày '{fmt}' không đọc lại được chính giờ nó viết (giờ 12 tiếng '%I' cần '%p' SA/CH)"
            )
    return tuple(str(f) for f in formats)


def _columns(given: dict, expected: tuple[Field, ...], at: str) -> tuple[Column, ...]:
    """The columns of one file kind: every field named, with its header and aliases, no header used twice."""
    from sources.tthc_format import Column

    _unknown(given, {f.name for f in expected}, f"{at}.columns")
    missing = [f.name for f in expected if f.name not in given]
    if missing:
        raise ProfileError(f"{at}.columns: thiếu cột {', '.join(missing)} (ghi tên cột hệ thống dùng cho mỗi cột)")
    built = []
    for f in expected:
        col = _mapping(given[f.name], f"{at}.columns.{f.name}")
        _unknown(col, _COLUMN_KEYS, f"{at}.columns.{f.name}")
        header = col.get("header")
        if not isinstance(header, str) or not header.strip():
            raise ProfileError(f"{at}.columns.{f.name}: thiếu header (tên cột trong tệp)")
        aliases = tuple(nfc(str(a)) for a in col.get("aliases") or ())
        built.append(Column(f.name, nfc(header), f.kind, required=f.required, personal=f.personal, aliases=aliases))
    keys = [match_key(t) for c in built for t in (c.header, *c.aliases)]
    clashes = sorted({k for k in keys if keys.count(k) > 1})
    if clashes:
        raise ProfileError(f"{at}.columns: một tên cột dùng cho hai cột ({', '.join(clashes)})")
    return tuple(built)


def _values(lists: dict, expected: tuple[Field, ...], codes: Mapping[str, frozenset], at: str) -> dict[str, dict[str, Any]]:
    """The system's words for each coded field of one file kind, every word mapped to a code the warehouse has."""
    needed = {f.values for f in expected if f.values}
    _unknown(lists, needed, f"{at}.values")
    values: dict[str, dict[str, Any]] = {}
    for name in sorted(needed):
        words = _mapping(lists.get(name), f"{at}.values.{name}")
        bad = sorted(str(v) for v in words.values() if v not in codes[name])
        if bad:
            allowed = ", ".join(sorted(str(c) for c in codes[name]))
            raise ProfileError(f"{at}.values.{name}: mã {', '.join(bad)} không có trong kho (chỉ có {allowed})")
        values[name] = {nfc(str(word)): code for word, code in words.items()}
    return values


def readable_format(fmt: str) -> str:
    """'%d/%m/%Y %H:%M' -> 'dd/mm/yyyy HH:MM': a date format as a message to a unit shows it."""
    for code, text in (("%d", "dd"), ("%m", "mm"), ("%Y", "yyyy"), ("%y", "yy"), ("%H", "HH"), ("%M", "MM"), ("%S", "SS")):
        fmt = fmt.replace(code, text)
    return fmt


def profile_names(system: str) -> list[str]:
    return sorted(p.stem for p in (PROFILES_DIR / system).glob("*.yaml"))


def profile_setting(system: str) -> str:
    """The profile a system's files are read with: ``CCHC_PROFILE_<SYSTEM>``, else the demo format."""
    return os.environ.get(f"CCHC_PROFILE_{system.upper()}", "").strip() or DEFAULT_PROFILE


@lru_cache(maxsize=32)
def _cached(system: str, name: str, fields: tuple, codes: tuple) -> SourceProfile:
    path = PROFILES_DIR / system / f"{name}.yaml"
    if not path.exists():
        known = ", ".join(profile_names(system)) or "không có"
        raise ProfileError(
            f"Không có hồ sơ định dạng '{name}' cho {system} (profiles/{system}/{name}.yaml); các hồ sơ có: {known}."
        )
    return load_profile(path, system, dict(fields), dict(codes))


def profile_for(
    system: str, fields: Mapping[str, tuple[Field, ...]], codes: Mapping[str, frozenset], name: str | None = None
) -> SourceProfile:
    """The profile ``name`` (default: the system's setting) of a system, read once per process."""
    return _cached(system, name or profile_setting(system), tuple(fields.items()), tuple(codes.items()))


def matching_profiles(
    system: str, fields: Mapping[str, tuple[Field, ...]], codes: Mapping[str, frozenset], file: str, headers: list[str]
) -> list[str]:
    """The profiles of a system whose required columns of ``file`` all appear in ``headers``: what to suggest when
    a file does not fit the profile in use."""
    keys = {match_key(h) for h in headers}
    found = []
    for name in profile_names(system):
        try:
            profile = profile_for(system, fields, codes, name)
        except ProfileError:
            continue
        required = [c for c in profile.columns[file] if c.required]
        if required and all(any(match_key(t) in keys for t in (c.header, *c.aliases)) for c in required):
            found.append(name)
    return found


def profile_hint(
    system: str,
    fields: Mapping[str, tuple[Field, ...]],
    codes: Mapping[str, frozenset],
    file: str,
    headers: list[str],
    current: str,
) -> str:
    """A sentence for a file whose header does not fit the profile in use but fits another one, else ''."""
    others = [n for n in matching_profiles(system, fields, codes, file, headers) if n != current]
    if not others:
        return ""
    return (
        f" Dòng tiêu đề khớp hồ sơ định dạng '{others[0]}' (profiles/{system}/{others[0]}.yaml), không phải "
        f"'{current}' đang dùng: nếu hệ thống của tỉnh xuất theo định dạng đó, đặt CCHC_PROFILE_{system.upper()}="
        f"{others[0]}."
    )
