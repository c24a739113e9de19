"""Master data of units: provincial agencies (one reviewed CSV per province) and communes/wards (vietnam-provinces).

Names from any source are matched to unit codes through ``UnitMatcher``: NFC, case, diacritics, spacing and
the usual prefixes ("UBND", "Ủy ban nhân dân", "- Tỉnh Thái Nguyên") do not matter. A name that does not match
is reported, never turned into a new unit; a close spelling is only offered as a suggestion. An agency is matched by
its current name, its aliases (other spellings of it) and every spelling of its predecessors (the agencies of last
year it continues, ``Unit.predecessors``), so an old name in any file still maps to the agency of today.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from common.settings import PROJECT_ROOT
from common.vntext import match_key, nfc, sort_key, tone_free_key

AGENCY, COMMUNE, WARD = "agency", "commune", "ward"
OFFICE = "office"  # an office or unit inside a department (Văn phòng Sở, Phòng Chuyển đổi số, …): never ranked
GROUP_LABELS = {AGENCY: "Cơ quan cấp tỉnh", COMMUNE: "Xã", WARD: "Phường", OFFICE: "Phòng, đơn vị thuộc Sở"}
OFFICE_KINDS = {"van_phong": "Văn phòng", "phong": "Phòng chuyên môn", "don_vi": "Đơn vị thuộc Sở"}
# Ranking groups: provincial agencies are ranked apart from communes and wards (offices are not ranked).
RANKING_GROUP = {AGENCY: "agency", COMMUNE: "local", WARD: "local"}
RANKING_GROUP_LABELS = {"agency": "Sở, ban, ngành", "local": "Xã, phường"}  # the two groups ranked separately

_ABBREVIATIONS = {"p": "phuong", "x": "xa", "tt": "thitran"}


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    group: str  # agency | commune | ward | office
    province: str
    portal_code: str
    aliases: tuple[str, ...] = field(default=())
    parent: str | None = None  # offices: the code of their department (19.SKHCN)
    kind: str | None = None  # offices: van_phong | phong | don_vi
    # Agencies: the agencies of last year (before the 2025 restructuring) this one continues, each as its spellings,
    # the official name first; empty when the agency is its own only predecessor (and for communes, wards, offices).
    predecessors: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def ranking_group(self) -> str | None:
        """'agency' or 'local'; None for offices, which are not ranked."""
        return RANKING_GROUP.get(self.group)

    @property
    def last_year_units(self) -> tuple[tuple[str, ...], ...]:
        """The units of last year this unit continues, each as its spellings (official name first): the predecessors,
        or the unit itself (current name and aliases) when the master data lists none."""
        return self.predecessors or ((self.name, *self.aliases),)

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every name the unit is matched by: current name, aliases and every spelling of every predecessor."""
        names = (self.name, *self.aliases, *(s for predecessor in self.predecessors for s in predecessor))
        return tuple(dict.fromkeys(names))


def _split_names(text: str | None) -> tuple[str, ...]:
    """'a|b' -> ('a', 'b'), NFC, blanks dropped."""
    return tuple(nfc(a) for a in (text or "").split("|") if a.strip())


def _split_predecessors(text: str | None) -> tuple[tuple[str, ...], ...]:
    """'A;a1|B' -> (('A', 'a1'), ('B',)): agencies separated by '|', spellings of one agency by ';'."""
    groups = (tuple(nfc(s) for s in part.split(";") if s.strip()) for part in (text or "").split("|"))
    return tuple(g for g in groups if g)


def _province(name: str):
    from vietnam_provinces import Province

    def bare(text: str) -> str:
        return match_key(text).removeprefix("tinh").removeprefix("thanhpho")

    for province in Province.iter_all():
        if bare(province.name) == bare(name):
            return province
    raise ValueError(f"Không tìm thấy tỉnh/thành phố '{name}' trong danh mục đơn vị hành chính.")


@dataclass(frozen=True)
class PortalProvince:
    """A province as the national portal (Cổng DVCQG) knows it: its department code (the prefix of its units' codes,
    e.g. H55) and the ``rootDepartmentId`` its evaluation API is asked with."""

    codename: str
    portal_code: str
    root_department_id: str
    portal_name: str


@lru_cache(maxsize=1)
def portal_provinces() -> dict[str, PortalProvince]:
    """Every province of ``masterdata/portal_provinces.csv``, by its vietnam-provinces codename."""
    with (PROJECT_ROOT / "masterdata" / "portal_provinces.csv").open(encoding="utf-8", newline="") as fh:
        rows = [PortalProvince(r["province_codename"], r["portal_code"], r["root_department_id"], nfc(r["portal_name"]))
                for r in csv.DictReader(fh)]
    return {r.codename: r for r in rows}


def portal_province(province_name: str) -> PortalProvince | None:
    """The portal's code and root department of a province; None when the table does not list it."""
    return portal_provinces().get(_province(province_name).codename)


def _agency_csv(codename: str):
    return PROJECT_ROOT / "masterdata" / "agencies" / f"{codename}.csv"


@lru_cache(maxsize=8)
def load_units(province_name: str) -> tuple[Unit, ...]:
    """All units of a province, agencies first, each group in Vietnamese order."""
    from vietnam_provinces import VietNamDivisionType, Ward

    province = _province(province_name)
    path = _agency_csv(province.codename)
    if not path.exists():
        raise FileNotFoundError(f"Thiếu danh sách cơ quan cấp tỉnh: {path}")
    agencies = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            agencies.append(Unit(row["code"], nfc(row["name"]), AGENCY, province.name, row["portal_code"],
                                 _split_names(row.get("aliases")),
                                 predecessors=_split_predecessors(row.get("predecessors"))))
    locals_ = []
    for ward in Ward.iter_all():
        if ward.province_code != province.code:
            continue
        group = WARD if ward.division_type == VietNamDivisionType.PHUONG else COMMUNE
        code = f"{int(ward.code):05d}"
        locals_.append(Unit(code, nfc(ward.name), group, province.name, f"H55.{code}"))
    agencies.sort(key=lambda u: sort_key(u.name))
    locals_.sort(key=lambda u: sort_key(u.name))
    return tuple(agencies + locals_)


def _office_csv(codename: str):
    return PROJECT_ROOT / "masterdata" / "offices" / f"{codename}.csv"


@lru_cache(maxsize=8)
def load_offices(province_name: str) -> tuple[Unit, ...]:
    """Offices and units inside the province's departments (group "office"), in the order of the reviewed CSV.

    They are units of their own kind for task tracking: not in ``load_units``, not ranked. Every office names its
    department (``parent``, a code of the province's agency list) and its kind (van_phong, phong, don_vi).
    """
    province = _province(province_name)
    path = _office_csv(province.codename)
    if not path.exists():
        raise FileNotFoundError(f"Thiếu danh sách phòng, đơn vị thuộc Sở: {path}")
    with _agency_csv(province.codename).open(encoding="utf-8-sig", newline="") as fh:
        agencies = {row["code"] for row in csv.DictReader(fh)}
    offices: list[Unit] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            code, name, kind, parent = (nfc(row.get(k) or "") for k in ("code", "name", "kind", "parent"))
            if not code or not name:
                raise ValueError(f"{path.name} dòng {line}: thiếu mã hoặc tên phòng, đơn vị.")
            if kind not in OFFICE_KINDS:
                raise ValueError(f"{path.name} dòng {line}: loại '{kind}' không hợp lệ (chỉ {', '.join(OFFICE_KINDS)}).")
            if parent not in agencies:
                raise ValueError(f"{path.name} dòng {line}: cơ quan cấp trên '{parent}' không có trong danh sách cơ quan cấp tỉnh.")
            if any(o.code == code for o in offices):
                raise ValueError(f"{path.name} dòng {line}: mã '{code}' bị trùng.")
            aliases = _split_names(row.get("aliases"))
            offices.append(Unit(code, name, OFFICE, province.name, "", aliases, parent=parent, kind=kind))
    return tuple(offices)


_PREFIX_TEXTS = ("Ủy ban nhân dân", "Uỷ ban nhân dân", "UBND")


def _core_key(name: str, key: Callable[[str], str], province: str) -> str:
    """Key without the administrative prefixes and the province suffix."""
    text = re.sub(r"^(P|X|TT)\.\s*", lambda m: _ABBREVIATIONS[m.group(1).lower()] + " ", nfc(name), flags=re.IGNORECASE)
    value = key(text)
    for prefix in _PREFIX_TEXTS:
        value = value.removeprefix(key(prefix))
    for suffix in (key("tỉnh " + province), key(province)):
        if value.endswith(suffix) and len(value) > len(suffix):
            value = value[: -len(suffix)]
    return value


class _Index:
    """Key -> unit code; a key two units share is ambiguous and matches neither."""

    def __init__(self, key: Callable[[str], str], province: str):
        self.key, self.province = key, province
        self.codes: dict[str, str] = {}
        self.ambiguous: set[str] = set()

    def add(self, name: str, code: str, weak: bool = False) -> None:
        k = _core_key(name, self.key, self.province)
        existing = self.codes.get(k)
        if existing is None and k not in self.ambiguous:
            self.codes[k] = code
        elif existing is not None and existing != code and not weak:
            self.ambiguous.add(k)
            del self.codes[k]

    def get(self, name: str) -> str | None:
        return self.codes.get(_core_key(name, self.key, self.province))


class UnitMatcher:
    """Match names and portal codes from any source to unit codes.

    Tone marks, case, spacing and prefixes never matter; letters with a breve, circumflex or horn decide first
    (Xã Văn Lang and Xã Văn Lăng are two communes), and a name written without any diacritics matches when only
    one unit fits.
    """

    def __init__(self, units: Iterable[Unit]):
        self.units = {u.code: u for u in units}
        provinces = {u.province for u in self.units.values()}
        province = next(iter(provinces)) if provinces else ""
        self._indexes = (_Index(tone_free_key, province), _Index(match_key, province))
        for index in self._indexes:
            for unit in self.units.values():
                for name in unit.spellings:  # old names too: "Sở KHĐT" in any file is Sở Tài chính
                    index.add(name, unit.code)
            for unit in self.units.values():
                if unit.group != AGENCY:  # the bare name ("Phan Đình Phùng") when no other unit shares it
                    index.add(re.sub(r"^(Xã|Phường|Đặc khu)\s+", "", unit.name), unit.code, weak=True)
        self._by_portal = {u.portal_code: u.code for u in self.units.values() if u.portal_code}

    def match(self, name: str | None) -> str | None:
        """Unit code for a name, or None when it matches no unit (or more than one)."""
        if not name or not name.strip():
            return None
        for index in self._indexes:
            code = index.get(name)
            if code is not None:
                return code
        return None

    def match_portal(self, portal_code: str | None, name: str | None = None) -> str | None:
        if portal_code and portal_code in self._by_portal:
            return self._by_portal[portal_code]
        return self.match(name)

    def suggest(self, name: str) -> str | None:
        """Closest official name, offered in a quality message; never used to load data."""
        from rapidfuzz import fuzz, process, utils

        loose = self._indexes[-1]
        choices = {code: _core_key(u.name, match_key, loose.province) for code, u in self.units.items()}
        best = process.extractOne(_core_key(name, match_key, loose.province), choices, scorer=fuzz.ratio,
                                  processor=utils.default_process, score_cutoff=80)
        return self.units[best[2]].name if best else None


@lru_cache(maxsize=8)
def matcher_for(province_name: str) -> UnitMatcher:
    return UnitMatcher(load_units(province_name))
