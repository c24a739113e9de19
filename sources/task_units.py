"""Lead and collaborating units of plan tasks, as written in the plan, resolved to unit codes.

A cell may name several units and collective phrases, separated by ";" or line breaks ("Các sở, ban, ngành; UBND
cấp xã"), and within a part by "," or " và ". Commas also occur inside names and phrases ("Các phòng, đơn vị thuộc
Sở", "Sở Văn hóa, Thể thao và Du lịch"), so a part is read left to right taking, at each place, the longest run of
pieces that is a collective phrase (``masterdata/collective_units.csv``), an office of the department or a unit of
the master data; matching ignores case, diacritics' tone marks, spacing and prefixes (``UnitMatcher``). An office
named with its own department is the office ("Phòng Chuyển đổi số - Sở KH&CN", "… (Sở KH&CN)", and with a comma when
the two are the whole part); "P." before an office's name is "Phòng" unless a ward has that name too. What matches
nothing is kept verbatim, with the closest official name as a suggestion for the quality message, never as a code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from common.settings import PROJECT_ROOT
from common.units import Unit, UnitMatcher, master_csv_rows
from common.vntext import match_key, nfc

COLLECTIVE_CSV = PROJECT_ROOT / "masterdata" / "collective_units.csv"
_SELECTOR_FIELDS = ("group", "kind", "parent")
COLLECTIVE_COLUMNS = ("phrase", "aliases", "expands_to")


@dataclass(frozen=True)
class CollectivePhrase:
    phrase: str  # canonical wording, e.g. "Các sở, ban, ngành"
    aliases: tuple[str, ...]
    selectors: tuple[tuple[tuple[str, str], ...], ...]  # any of: all of (field, value)

    def selects(self, unit: Unit) -> bool:
        return any(all(getattr(unit, f) == v for f, v in selector) for selector in self.selectors)


@dataclass(frozen=True)
class UnitResolution:
    codes: tuple[str, ...]  # in order of appearance; a collective phrase adds its units in master-data order
    unmatched: tuple[str, ...]  # parts naming no known unit, verbatim (NFC)
    collective: tuple[str, ...]  # canonical collective phrases found, in order of appearance
    suggestions: tuple[str | None, ...] = field(default=())  # closest official name for each unmatched part
    empty: tuple[str, ...] = field(default=())  # collective phrases that name no unit of the master data

    def messages(self) -> tuple[str, ...]:
        """Vietnamese quality messages, one per unmatched part and per collective phrase that names no unit."""
        out = []
        for i, part in enumerate(self.unmatched):
            hint = self.suggestions[i] if i < len(self.suggestions) else None
            text = f"Không xác định được đơn vị '{part}' trong danh mục đơn vị"
            out.append(f"{text} (có phải '{hint}'?)." if hint else f"{text}.")
        # A province without an office list: "Các phòng chuyên môn" would otherwise expand to nothing, silently.
        out += [
            f"Cụm từ '{phrase}' không ứng với đơn vị nào trong danh mục (thiếu danh sách phòng, đơn vị thuộc Sở?)."
            for phrase in self.empty
        ]
        return tuple(out)


def _parse_selectors(text: str, path: Path, line: int) -> tuple[tuple[tuple[str, str], ...], ...]:
    selectors = []
    for alternative in text.split("|"):
        terms = []
        for term in alternative.split("&"):
            key, sep, value = (t.strip() for t in term.partition("="))
            if not sep or key not in _SELECTOR_FIELDS or not value:
                raise ValueError(
                    f"{path.name} dòng {line}: điều kiện '{term.strip()}' không hợp lệ "
                    f"(dạng trường=giá trị, trường là {', '.join(_SELECTOR_FIELDS)})."
                )
            terms.append((key, value))
        selectors.append(tuple(terms))
    return tuple(selectors)


@lru_cache(maxsize=4)
def load_collective_phrases(path: Path = COLLECTIVE_CSV) -> tuple[CollectivePhrase, ...]:
    """Collective phrases of plans and what they expand to: ``expands_to`` is ``|``-separated alternatives, each
    ``&``-joined ``field=value`` terms on the unit (group, kind, parent), e.g. ``group=commune|group=ward``. Read as
    every master-data CSV (``master_csv_rows``: separator and encoding as Excel saves them)."""
    phrases = []
    for line, row in master_csv_rows(path, COLLECTIVE_COLUMNS, ("phrase", "expands_to")):
        phrase = nfc(row.get("phrase") or "")
        if not phrase:
            raise ValueError(f"{path.name} dòng {line}: thiếu cụm từ.")
        aliases = tuple(nfc(a) for a in (row.get("aliases") or "").split("|") if a.strip())
        phrases.append(CollectivePhrase(phrase, aliases, _parse_selectors(row.get("expands_to") or "", path, line)))
    return tuple(phrases)


_HARD = re.compile(r"\s*(?:;|\n|\r)\s*")
_SOFT = re.compile(r"\s*,\s*|\s+và\s+", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-+•*]\s+)+")


def _pieces(part: str) -> list[tuple[int, int]]:
    """(start, end) of the pieces of a part between soft separators."""
    spans, start = [], 0
    for sep in _SOFT.finditer(part):
        spans.append((start, sep.start()))
        start = sep.end()
    spans.append((start, len(part)))
    return [(s, e) for s, e in spans if part[s:e].strip()]


# "P. Chuyển đổi số", "P Chuyển đổi số": "P." before an office's name is "Phòng" (``_Resolver.office``).
_P_OFFICE = re.compile(r"^P(?:\.\s*|\s+)(?=\w)", re.IGNORECASE)
# Where an office's name ends and its department's begins: "Phòng Chuyển đổi số - Sở KH&CN", "… (Sở KH&CN)", "… thuộc
# Sở KH&CN", "… Sở KHCN"; a comma only when the two make up the whole part (``_Resolver.qualified``).
_QUALIFIER = re.compile(r"\s*[-–—(/]\s*|\s+")
_COMMA = re.compile(r"\s*,\s*")
_DEPARTMENT_LEAD = re.compile(r"^(?:(?:trực\s+)?thuộc|của)\s+", re.IGNORECASE)


def _office_spellings(office: Unit, department: Unit | None) -> Unit:
    """The office with its names written with the department's other spellings too: "Văn phòng Sở" is also "Văn phòng
    Sở KH&CN" and "Văn phòng Sở Khoa học và Công nghệ" when its department is spelt so (abbreviations work as for the
    department itself)."""
    if department is None:
        return office
    spellings = (department.name, *department.aliases)
    extra = []
    for name in (office.name, *office.aliases):
        if re.search(r"\bSở$", name):
            extra += [f"{name[:-3].rstrip()} {s}" for s in spellings if s.startswith("Sở ")]
        for own in spellings:
            if own in name:
                extra += [name.replace(own, other) for other in spellings if other != own]
    extra += [short for name in (office.name, *office.aliases, *extra) if (short := _short_name(name))]
    aliases = tuple(dict.fromkeys(a for a in (*office.aliases, *extra) if a != office.name))
    return replace(office, aliases=aliases)


_OFFICE_WORD = re.compile(r"^(Văn phòng|Phòng)\s+(.+)$", re.IGNORECASE)


def _short_name(name: str) -> str | None:
    """How offices shorten their names in plans and reports: "Văn phòng Sở" is "VP Sở", "Phòng Chuyển đổi số" is
    "Phòng CĐS" (the first letter of every syllable, "Đ" kept), "Phòng Bưu chính - Viễn thông" is "Phòng BCVT". Two
    offices with one short name match neither (``UnitMatcher``)."""
    found = _OFFICE_WORD.match(nfc(name).strip())
    if found is None:
        return None
    kind, rest = found.groups()
    if kind.casefold() == "văn phòng":
        return f"VP {rest}"
    letters = "".join(word[0].upper() for word in re.findall(r"\w+", rest) if word.casefold() != "và")
    return f"Phòng {letters}" if len(letters) >= 2 else None


class _Resolver:
    def __init__(self, units: tuple[Unit, ...], offices: tuple[Unit, ...], phrases: tuple[CollectivePhrase, ...]):
        self.everything = offices + tuple(u for u in units if u.code not in {o.code for o in offices})
        by_code = {u.code: u for u in units}
        spelt = tuple(_office_spellings(o, by_code.get(o.parent or "")) for o in offices)
        self.offices = UnitMatcher(spelt) if offices else None
        self.units = UnitMatcher(units) if units else None
        self.matchers = tuple(m for m in (self.offices, self.units) if m is not None)
        self.parent = {o.code: o.parent for o in offices}
        self.phrases: dict[str, CollectivePhrase] = {}
        for phrase in phrases:
            for wording in (phrase.phrase, *phrase.aliases):
                self.phrases.setdefault(match_key(wording), phrase)

    def name(self, text: str, whole: bool = False) -> tuple[str, ...] | CollectivePhrase | None:
        """What a run of pieces names: a collective phrase, one office or unit, or an office named with its own
        department ("Phòng Chuyển đổi số - Sở Khoa học và Công nghệ"); ``whole``: the run is the whole part."""
        phrase = self.phrases.get(match_key(text))
        if phrase is not None:
            return phrase
        office, ambiguous = self.office(text)
        if office is not None:
            return (office,)
        unit = self.units.match(text) if self.units is not None else None
        if unit is not None and not ambiguous:
            return (unit,)
        qualified = self.qualified(text, whole)
        return (qualified,) if qualified is not None else None

    def office(self, text: str) -> tuple[str | None, bool]:
        """(the office a name is, whether the name is also another unit's): by its name, or by "P." read as "Phòng"
        ("P. Chuyển đổi số") when that reading is an office; a name that is an office so read and a ward as "Phường"
        is neither (not guessed)."""
        if self.offices is None:
            return None, False
        code = self.offices.match(text)
        if code is not None:
            return code, False
        reading = _P_OFFICE.match(text)
        if reading is None:
            return None, False
        code = self.offices.match("Phòng " + text[reading.end() :])
        if code is not None and self.units is not None and self.units.match(text) is not None:
            return None, True
        return code, False

    def qualified(self, text: str, whole: bool) -> str | None:
        """The office of a name that is an office followed by its own department ("Phòng Chuyển đổi số (Sở KH&CN)",
        "Văn phòng Sở, Sở Khoa học và Công nghệ" as a whole part), or its department followed by it ("Sở KH&CN - Phòng
        Chuyển đổi số", "Sở KHCN / Phòng QLKH"); None when no split or more than one office fits."""
        if self.offices is None or self.units is None:
            return None
        found = set()
        splits = [*_QUALIFIER.finditer(text), *(_COMMA.finditer(text) if whole else ())]
        for split in splits:
            if not whole and text[: split.start()].rstrip().endswith(","):  # "Văn phòng Sở, Sở KH&CN" in a list
                continue
            before, after = text[: split.start()], text[split.end() :].rstrip(" .)")
            office, _ = self.office(before)
            if office is not None:
                department = _DEPARTMENT_LEAD.sub("", after)
                if department and self.units.match(department) == self.parent[office]:
                    found.add(office)
                continue
            office, _ = self.office(after)
            if office is not None and self.units.match(before.rstrip(" ,")) == self.parent[office]:
                found.add(office)
        return found.pop() if len(found) == 1 else None

    def suggest(self, text: str) -> str | None:
        for matcher in self.matchers:
            hint = matcher.suggest(text)
            if hint is not None:
                return hint
        return None

    def resolve(self, text: str | None) -> UnitResolution:
        """Units one per line ("Văn phòng Sở⏎Phòng Chuyển đổi số") or one name wrapped over two lines ("Trung tâm Phục
        vụ hành chính công⏎tỉnh"): whichever reading leaves fewer parts unknown (the lines on a tie)."""
        by_lines = self._resolve(_nfc_lines(text or ""))
        if not by_lines.unmatched or "\n" not in (text or ""):
            return by_lines
        joined = self._resolve(nfc(text or ""))
        return joined if len(joined.unmatched) < len(by_lines.unmatched) else by_lines

    def _resolve(self, text: str) -> UnitResolution:
        codes: dict[str, None] = {}
        collective: dict[str, None] = {}
        empty: dict[str, None] = {}
        unmatched: list[str] = []
        for raw in _HARD.split(text):
            part = _BULLET.sub("", raw).strip(" .")
            if not part:
                continue
            pieces = _pieces(part)
            i, pending = 0, None  # pending: start of a run of pieces that match nothing
            while i < len(pieces):
                for j in range(len(pieces), i, -1):
                    found = self.name(part[pieces[i][0] : pieces[j - 1][1]], whole=i == 0 and j == len(pieces))
                    if found is not None:
                        break
                else:
                    pending = pieces[i][0] if pending is None else pending
                    i += 1
                    continue
                if pending is not None:
                    unmatched.append(part[pending : pieces[i - 1][1]].strip())
                    pending = None
                if isinstance(found, CollectivePhrase):
                    collective[found.phrase] = None
                    selected = [u.code for u in self.everything if found.selects(u)]
                    if not selected:
                        empty[found.phrase] = None
                    codes.update((c, None) for c in selected)
                else:
                    codes.update((c, None) for c in found)
                i = j
            if pending is not None:
                unmatched.append(part[pending:].strip())
        unique = tuple(dict.fromkeys(unmatched))
        return UnitResolution(tuple(codes), unique, tuple(collective), tuple(self.suggest(u) for u in unique), tuple(empty))


def _nfc_lines(text: str) -> str:
    """NFC per line, keeping the line breaks (they separate units like ';')."""
    return "\n".join(nfc(line) for line in str(text).splitlines())


@lru_cache(maxsize=8)
def _resolver(units: tuple[Unit, ...], offices: tuple[Unit, ...], phrases: tuple[CollectivePhrase, ...]) -> _Resolver:
    return _Resolver(units, offices, phrases)


def resolve_units(
    text: str | None, units: Iterable[Unit], offices: Iterable[Unit], phrases: Iterable[CollectivePhrase] | None = None
) -> UnitResolution:
    """Unit codes named by a lead or collaborator cell of a plan (see the module docstring).

    ``units`` are the province's agencies and communes/wards (``load_units``), ``offices`` the department's own
    offices (``load_offices``); ``phrases`` default to ``masterdata/collective_units.csv``.
    """
    chosen = load_collective_phrases() if phrases is None else tuple(phrases)
    return _resolver(tuple(units), tuple(offices), tuple(chosen)).resolve(text)
