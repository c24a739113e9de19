"""Master data of units: provincial agencies (one reviewed CSV per province, or the documented default list) and
communes/wards (vietnam-provinces), for any of the 34 provinces (``CCHC_PROVINCE``).

Names from any source are matched to unit codes through ``UnitMatcher``: NFC, case, diacritics, spacing and
the usual prefixes ("UBND", "Ủy ban nhân dân", "- Tỉnh Thái Nguyên") do not matter. A name that does not match
is reported, never turned into a new unit; a close spelling is only offered as a suggestion. An agency is matched by
its current name, its aliases (other spellings of it) and every spelling of its predecessors (the agencies of last
year it continues, ``Unit.predecessors``), so an old name in any file still maps to the agency of today; so does the
name of a former province's agency ("Sở Khoa học và Công nghệ tỉnh Bắc Kạn", ``masterdata/former_provinces.csv``:
the provinces merged into this one in 2025). "P.", "X.", "TT." read "Phường", "Xã", "Thị trấn" at the start of a name
or after "UBND"; a "P" without its dot reads "Phường" only before a ward's name.

Matching stays inside the province served: a portal code with another province's prefix (H44.132 while serving
Thái Nguyên, H55) or a name with another province's suffix ("UBND xã Văn Lang - Tỉnh Phú Thọ") matches nothing,
even when a unit of this province has the same name (``UnitMatcher.other_province`` says which province it is).
Portal codes come only from master data: the agencies' CSV and, for communes and wards (whose codes are the portal's
own running sequence, not derived from the ward code), ``masterdata/portal_codes/<province>.csv``; without them a
unit has no portal code and is matched by its name.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from common.settings import PROJECT_ROOT
from common.text_encoding import LegacyEncoding, decode_text
from common.vntext import match_key, nfc, sort_key, strip_diacritics, tone_free_key, tone_key

MASTERDATA = PROJECT_ROOT / "masterdata"

AGENCY, COMMUNE, WARD = "agency", "commune", "ward"
OFFICE = "office"  # an office or unit inside a department (Văn phòng Sở, Phòng Chuyển đổi số, …): never ranked
GROUP_LABELS = {AGENCY: "Cơ quan cấp tỉnh", COMMUNE: "Xã", WARD: "Phường", OFFICE: "Phòng, đơn vị thuộc Sở"}
OFFICE_KINDS = {"van_phong": "Văn phòng", "phong": "Phòng chuyên môn", "don_vi": "Đơn vị thuộc Sở"}
# Ranking groups: provincial agencies are ranked apart from communes and wards (offices are not ranked).
RANKING_GROUP = {AGENCY: "agency", COMMUNE: "local", WARD: "local"}
RANKING_GROUP_LABELS = {"agency": "Sở, ban, ngành", "local": "Xã, phường"}  # the two groups ranked separately

_ABBREVIATIONS = {"p": "phuong", "x": "xa", "tt": "thitran"}

# Where a unit's master data comes from (Unit.master_source, dim_unit.master_source).
REVIEWED_CSV = "reviewed_csv"  # masterdata/agencies/<province>.csv (or offices/), reviewed for the province
DEFAULT_LIST = "default_list"  # masterdata/agencies/_default.csv: to be replaced by the province's reviewed CSV
PACKAGE = "vietnam-provinces"  # communes and wards
DEFAULT_AGENCIES = "_default"  # file stem of the default agency list


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    group: str  # agency | commune | ward | office
    province: str
    portal_code: str | None  # code on the national portal (Cổng DVCQG); None when master data gives none
    aliases: tuple[str, ...] = field(default=())
    parent: str | None = None  # offices: the code of their department (19.SKHCN)
    kind: str | None = None  # offices: van_phong | phong | don_vi
    # Agencies: the agencies of last year (before the 2025 restructuring) this one continues, each as its spellings,
    # the official name first; empty when the agency is its own only predecessor (and for communes, wards, offices).
    predecessors: tuple[tuple[str, ...], ...] = field(default=())
    master_source: str | None = None  # reviewed_csv | default_list | vietnam-provinces (None: built by hand)
    department_id: str | None = None  # the portal's opaque departmentId (evaluation endpoints), from the mapping file

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


class MasterDataError(ValueError):
    """A master-data file that cannot be used: the message names the file and line, in Vietnamese."""


def _bare_province(text: str) -> str:
    # (match_key drops spaces and dots: "TP. Hà Nội" and "Tp Hà Nội" are "tphanoi")
    return match_key(text).removeprefix("tinh").removeprefix("thanhpho").removeprefix("tp")


def _province(name: str):
    from vietnam_provinces import Province

    for province in Province.iter_all():
        if _bare_province(province.name) == _bare_province(name):
            return province
    merged = former_province_in_name(name if match_key(name).startswith(("tinh", "thanhpho")) else f"tỉnh {name}")
    if merged is not None:
        raise ValueError(
            f"Tỉnh '{merged[0]}' đã hợp nhất vào {merged[1]} từ 01/7/2025: đặt CCHC_PROVINCE='{merged[1]}' (đơn vị của "
            f"{merged[0]} cũ là đơn vị của {merged[1]})."
        )
    raise ValueError(
        f"Không tìm thấy tỉnh/thành phố '{name}' trong danh mục 34 tỉnh, thành phố sau sắp xếp năm 2025 (vietnam-provinces): "
        "kiểm tra CCHC_PROVINCE, ví dụ 'Thái Nguyên' hoặc 'Hà Nội'."
    )


def province_codes() -> list[str]:
    """Two-digit codes of Viet Nam's provinces and centrally-run cities (34 since 1 July 2025): the province
    partitions of the national job."""
    from vietnam_provinces import Province

    return sorted(f"{int(p.code):02d}" for p in Province.iter_all())


def province_codename(province_name: str) -> str:
    """'Thái Nguyên' -> 'thai_nguyen': the stem of the province's master-data files."""
    return _province(province_name).codename


def _is_city(province) -> bool:
    from vietnam_provinces import VietNamDivisionType

    return province.division_type == VietNamDivisionType.THANH_PHO_TRUNG_UONG


@dataclass(frozen=True)
class ProvinceName:
    """How official documents name a province: its kind ('tỉnh', or 'thành phố' for a centrally-run city) and its
    short name ('Thái Nguyên', 'Hà Nội'), from vietnam-provinces."""

    kind: str
    short: str

    @property
    def full(self) -> str:
        """'tỉnh Thái Nguyên', 'thành phố Hà Nội' (after "Sở Nội vụ", "các đơn vị")."""
        return f"{self.kind} {self.short}"

    @property
    def committee(self) -> str:
        """'UBND TỈNH THÁI NGUYÊN', 'UBND THÀNH PHỐ HÀ NỘI': the governing body above a department (NĐ 30/2020)."""
        return f"UBND {self.full.upper()}"


@lru_cache(maxsize=64)
def province_name(name: str) -> ProvinceName:
    """'Thái Nguyên' / 'Tỉnh Thái Nguyên' -> tỉnh Thái Nguyên; 'Hà Nội' / 'Thành phố Hà Nội' -> thành phố Hà Nội. A name
    vietnam-provinces does not know is taken as a province ('tỉnh') with any 'Tỉnh'/'Thành phố' prefix removed."""
    bare = re.sub(r"^\s*(tỉnh|thành phố)\s+", "", nfc(name).strip(), flags=re.IGNORECASE)
    try:
        province = _province(name)
    except ValueError:
        return ProvinceName("tỉnh", bare)
    short = re.sub(r"^(Tỉnh|Thành phố)\s+", "", nfc(province.name))
    return ProvinceName("thành phố" if _is_city(province) else "tỉnh", short)


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
    with (MASTERDATA / "portal_provinces.csv").open(encoding="utf-8", newline="") as fh:
        rows = [
            PortalProvince(r["province_codename"], r["portal_code"], r["root_department_id"], nfc(r["portal_name"]))
            for r in csv.DictReader(fh)
        ]
    return {r.codename: r for r in rows}


def portal_province(province_name: str) -> PortalProvince | None:
    """The portal's code and root department of a province; None when the table does not list it."""
    return portal_provinces().get(_province(province_name).codename)


@lru_cache(maxsize=1)
def _province_names_by_prefix() -> dict[str, str]:
    """Portal prefix (H44) -> the province's name in vietnam-provinces (Phú Thọ)."""
    from vietnam_provinces import Province

    names = {p.codename: p.name for p in Province.iter_all()}
    return {pp.portal_code.upper(): names[pp.codename] for pp in portal_provinces().values() if pp.codename in names}


@lru_cache(maxsize=1)
def _province_names_by_root() -> dict[str, str]:
    """Root department id (lower case) -> the province's name in vietnam-provinces (Lạng Sơn)."""
    from vietnam_provinces import Province

    names = {p.codename: p.name for p in Province.iter_all()}
    return {
        pp.root_department_id.strip().lower(): names[pp.codename]
        for pp in portal_provinces().values()
        if pp.codename in names and pp.root_department_id.strip()
    }


def province_of_portal_root(department_id: str) -> str | None:
    """The province whose ``rootDepartmentId`` (masterdata/portal_provinces.csv) this is; None for any other id."""
    return _province_names_by_root().get(department_id.strip().lower())


def _agency_csv(codename: str) -> Path:
    return MASTERDATA / "agencies" / f"{codename}.csv"


def _office_csv(codename: str) -> Path:
    return MASTERDATA / "offices" / f"{codename}.csv"


def _portal_codes_csv(codename: str) -> Path:
    return MASTERDATA / "portal_codes" / f"{codename}.csv"


FORMER_PROVINCES_CSV = MASTERDATA / "former_provinces.csv"
FORMER_PROVINCE_COLUMNS = ("province_codename", "former_province")


@lru_cache(maxsize=1)
def _former_provinces() -> dict[str, tuple[str, ...]]:
    """Province codename -> the provinces merged into it on 1 July 2025 (Nghị quyết 202/2025/QH15), as named before."""
    from vietnam_provinces import Province

    codenames = {p.codename for p in Province.iter_all()}
    out: dict[str, tuple[str, ...]] = {}
    for line, row in master_csv_rows(FORMER_PROVINCES_CSV, FORMER_PROVINCE_COLUMNS, FORMER_PROVINCE_COLUMNS):
        codename, former = (row.get("province_codename") or "").strip(), nfc(row.get("former_province") or "")
        if codename not in codenames or not former:
            raise MasterDataError(
                f"{_shown(FORMER_PROVINCES_CSV)} dòng {line}: tỉnh '{codename}' hoặc tỉnh cũ '{former}' không hợp lệ."
            )
        out[codename] = (*out.get(codename, ()), former)
    return out


def former_provinces(province_name: str) -> tuple[str, ...]:
    """The provinces merged into this one in 2025 ('Thái Nguyên' -> ('Bắc Kạn',)); () for one that absorbed none."""
    return _former_provinces().get(_province(province_name).codename, ())


# The communes and wards of the 63 provinces before the reorganisation of 1 July 2025, from vietnam-provinces 0.6.0
# (its data of January 2025, the last release before it): a clerk still writes a ward by its old name, which may now
# be only another province's ("Phường Quang Trung" of TP Thái Nguyên, today a ward of Thanh Hóa).
FORMER_LOCAL_UNITS_CSV = MASTERDATA / "former_local_units.csv"
FORMER_LOCAL_UNIT_COLUMNS = ("former_province", "name")


@lru_cache(maxsize=1)
def _former_local_units() -> tuple[tuple[str, str], ...]:
    """(province before 2025, commune's or ward's name) of every row of FORMER_LOCAL_UNITS_CSV, read once."""
    rows = master_csv_rows(FORMER_LOCAL_UNITS_CSV, FORMER_LOCAL_UNIT_COLUMNS, FORMER_LOCAL_UNIT_COLUMNS)
    return tuple((row["former_province"], nfc(row["name"])) for _, row in rows)


@lru_cache(maxsize=1)
def _former_local_names() -> dict[str, frozenset[str]]:
    """A province before 2025 (``_bare_province`` of its name) -> its communes' and wards' names (``local_name_key``,
    both with their letters and written without any diacritics)."""
    out: dict[str, set[str]] = {}
    for province, name in _former_local_units():
        out.setdefault(_bare_province(province), set()).update((tone_free_key(name), tone_free_key(strip_diacritics(name))))
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def place_name_keys() -> frozenset[str]:
    """Every commune's, ward's and province's name of Viet Nam, today's and before 2025, without its kind word and
    without diacritics, in lower case ('tran phu', 'la hien', 'ho chi minh'): what ``common.pii.mask_names`` never
    takes for a citizen's name."""
    from vietnam_provinces import Province, Ward

    provinces = [re.sub(r"^(tỉnh|thành phố)\s+", "", p.name, flags=re.IGNORECASE) for p in Province.iter_all()]
    names = [w.name for w in Ward.iter_all()] + provinces + [name for _, name in _former_local_units()]
    return frozenset(" ".join(strip_diacritics(_KIND_WORD.sub("", nfc(n))).casefold().split()) for n in names)


def former_local_name(province_name: str, name: str) -> bool:
    """Whether ``name`` ("UBND phường Quang Trung") was a commune or ward of this province, or of one merged into it,
    before 1 July 2025."""
    key = tone_free_key(_COUNCIL_WORD.sub("", nfc(name).strip()))
    names = _former_local_names()
    return any(key in names.get(_bare_province(p), frozenset()) for p in (province_name, *former_provinces(province_name)))


def _shown(path: Path) -> str:
    """The path as a message shows it: relative to the project when inside it."""
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def agency_list_source(province_name: str) -> str:
    """REVIEWED_CSV when the province has its own agency list, else DEFAULT_LIST."""
    return REVIEWED_CSV if _agency_csv(province_codename(province_name)).exists() else DEFAULT_LIST


def _portal_prefix_problem(portal_code: str, own_prefix: str | None) -> str | None:
    """Why a portal code cannot be one of this province's units (another province's prefix, or none), else None."""
    if own_prefix is None:
        return None
    prefix = portal_code.split(".")[0].strip().upper()
    if prefix == own_prefix.upper() and "." in portal_code:
        return None
    other = _province_names_by_prefix().get(prefix)
    if other is not None and prefix != own_prefix.upper():
        return f"mã Cổng '{portal_code}' mang tiền tố {prefix} của {other}, không phải {own_prefix} của tỉnh đang phục vụ"
    return f"mã Cổng '{portal_code}' không có dạng {own_prefix}.<số> của tỉnh đang phục vụ"


def _csv_text(path: Path) -> io.StringIO:
    """A master-data CSV's text, for ``csv.DictReader``: UTF-8 (with or without BOM), UTF-16 or Windows-1258 (Excel's
    "CSV (Comma delimited)" on a Vietnamese Windows). TCVN3 / VNI or broken bytes raise ``MasterDataError``."""
    save_as = "lưu lại bằng Excel, chọn kiểu 'CSV UTF-8 (Comma delimited)'"
    try:
        decoded = decode_text(path.read_bytes())
    except LegacyEncoding as exc:
        raise MasterDataError(f"{_shown(path)}: {exc} Hãy {save_as}.") from None
    if decoded.stray_bytes:
        raise MasterDataError(f"{_shown(path)}: có {decoded.stray_bytes} ký tự không đọc được (lỗi mã hoá); hãy {save_as}.")
    return io.StringIO(unicodedata.normalize("NFC", decoded.text), newline="")


# The column separators Excel writes for "CSV": a comma, a semicolon where the list separator is ';' (Vietnamese and
# European regional settings), a tab for "Text (Tab delimited)"; a pipe from some programs.
CSV_DELIMITERS = {",": "dấu phẩy", ";": "dấu chấm phẩy", "\t": "dấu tab", "|": "dấu gạch đứng"}


def master_csv_rows(path: Path, columns: tuple[str, ...], required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The records of a master-data CSV as (line, row) with row keyed by ``columns``: decoded as ``_csv_text`` does,
    the column separator taken from the header (the one under which it names the most columns: a comma, a semicolon
    or a tab as Excel saves "CSV" by the regional settings), column names matched whatever their case and spaces.
    Raises ``MasterDataError`` naming the file, the missing columns and, when the header holds another separator than
    the one read, the separator."""
    with _csv_text(path) as fh:
        text = fh.read()
    header = text.split("\n", 1)[0].rstrip("\r")
    best: tuple[str, list[str]] = (",", [])
    for delimiter in CSV_DELIMITERS:
        names = [h.strip(" \ufeff").lower() for h in next(csv.reader([header], delimiter=delimiter), [])]
        if len(set(names) & set(columns)) > len(set(best[1]) & set(columns)):
            best = (delimiter, names)
    delimiter, names = best
    missing = [c for c in required if c not in names]
    if missing:
        others = [name for d, name in CSV_DELIMITERS.items() if d != delimiter and d in header]
        hint = (
            f"; dòng tiêu đề '{header[:120]}' có {', '.join(others)}: kiểm tra dấu phân cách cột (dấu phẩy, dấu chấm "
            "phẩy hoặc tab) và tên cột"
            if others
            else ""
        )
        raise MasterDataError(
            f"{_shown(path)}: thiếu cột {', '.join(missing)} (các cột: {', '.join(columns)}){hint}; lưu lại bằng Excel, "
            "chọn kiểu 'CSV UTF-8 (Comma delimited)'."
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    next(reader, None)
    return [(line, dict(zip(names, values, strict=False))) for line, values in enumerate(reader, start=2) if values]


def _portal_code_taken(path: Path, line: int, code: str, portal_code: str | None, seen: dict[str, tuple[str, int]]) -> None:
    """Refuse a portal code already given to another agency of the file (the portal's rows would go to one of them)."""
    if portal_code is None:
        return
    if portal_code in seen:
        other, other_line = seen[portal_code]
        raise MasterDataError(
            f"{_shown(path)} dòng {line}: mã Cổng '{portal_code}' của '{code}' đã dùng cho cơ quan '{other}' "
            f"(dòng {other_line}); mỗi cơ quan một mã Cổng riêng."
        )
    seen[portal_code] = (code, line)


def _own_prefix(province) -> str | None:
    found = portal_provinces().get(province.codename)
    return found.portal_code if found else None


AGENCY_COLUMNS = ("code", "name", "kind", "portal_code", "aliases", "predecessors")
OFFICE_COLUMNS = ("code", "name", "kind", "parent", "aliases")


def _read_agencies(path: Path, province, default: bool) -> list[Unit]:
    """Agencies of a CSV (reviewed or the default list). In the default list the code is the abbreviation alone
    (prefixed here with the province code, 25.SKHCN) and "tỉnh" reads "thành phố" for a centrally-run city."""
    city = default and _is_city(province)

    def local(text: str) -> str:  # "Văn phòng UBND tỉnh" -> "Văn phòng UBND thành phố" in Hà Nội, Huế, …
        return re.sub(r"\btỉnh\b", "thành phố", text) if city else text

    own_prefix = _own_prefix(province)
    agencies: list[Unit] = []
    portal_codes: dict[str, tuple[str, int]] = {}
    for line, row in master_csv_rows(path, AGENCY_COLUMNS, ("code", "name")):
        code, name = nfc(row.get("code") or ""), local(nfc(row.get("name") or ""))
        if not code or not name:
            raise MasterDataError(f"{_shown(path)} dòng {line}: thiếu mã hoặc tên cơ quan.")
        if default:
            code = f"{int(province.code):02d}.{code}"
        if any(a.code == code for a in agencies):
            raise MasterDataError(f"{_shown(path)} dòng {line}: mã '{code}' bị trùng.")
        portal_code = nfc(row.get("portal_code") or "") or None
        problem = None if portal_code is None else _portal_prefix_problem(portal_code, own_prefix)
        if problem:
            raise MasterDataError(f"{_shown(path)} dòng {line}: {problem}.")
        _portal_code_taken(path, line, code, portal_code, portal_codes)
        agencies.append(
            Unit(
                code,
                name,
                AGENCY,
                province.name,
                portal_code,
                tuple(local(a) for a in _split_names(row.get("aliases"))),
                predecessors=tuple(tuple(local(s) for s in p) for p in _split_predecessors(row.get("predecessors"))),
                master_source=DEFAULT_LIST if default else REVIEWED_CSV,
            )
        )
    return agencies


def _agencies(province) -> list[Unit]:
    path = _agency_csv(province.codename)
    if path.exists():
        return _read_agencies(path, province, default=False)
    return _read_agencies(_agency_csv(DEFAULT_AGENCIES), province, default=True)


PORTAL_CODE_COLUMNS = ("unit_code", "portal_code", "department_id")


def _portal_code_problem(unit: Unit, portal_code: str, own_prefix: str | None, taken: Mapping[str, str]) -> str | None:
    """Why a mapping line's portal code cannot be the unit's: missing, of another province, given in the agencies' CSV
    as another code, or already another unit's."""
    if not portal_code:
        return f"thiếu mã Cổng (portal_code) của đơn vị '{unit.code}'"
    problem = _portal_prefix_problem(portal_code, own_prefix)
    if problem:
        return problem
    if unit.portal_code and unit.portal_code != portal_code:
        return (
            f"'{unit.code}' đã có mã Cổng '{unit.portal_code}' trong danh sách cơ quan, khác '{portal_code}'; chỉ ghi ở một nơi"
        )
    owner = taken.get(portal_code)
    if owner is not None and owner != unit.code:
        return f"mã Cổng '{portal_code}' đã dùng cho đơn vị '{owner}'"
    return None


def _department_id_problem(code: str, department_id: str, taken_ids: Mapping[str, str]) -> str | None:
    """Why a mapping line's department id (optional) cannot be the unit's: already another unit's."""
    owner = taken_ids.get(department_id) if department_id else None
    if owner is not None and owner != code:
        return f"departmentId '{department_id}' đã dùng cho đơn vị '{owner}'"
    return None


def apply_portal_codes(units: Iterable[Unit], path: Path) -> tuple[Unit, ...]:
    """The units with the portal codes of a mapping file (``unit_code,portal_code,department_id``, the last optional):
    the province fills it with the codes the national portal gives its communes and wards (its own running sequence,
    H44.100 …) and, where the agencies' CSV has none, its agencies. Raises ``MasterDataError`` naming the file and line
    for a unit code the province does not have, a unit or portal code given twice, a code of another province (or not
    in the province's ``H..`` form), or an agency code that contradicts the agencies' CSV."""
    units = tuple(units)
    by_code = {u.code: u for u in units}
    province = _province(units[0].province) if units else None
    own_prefix = _own_prefix(province) if province is not None else None
    where = _shown(path)
    taken = {u.portal_code: u.code for u in units if u.portal_code}
    taken_ids = {u.department_id: u.code for u in units if u.department_id}
    changes: dict[str, dict[str, str]] = {}
    for line, row in master_csv_rows(path, PORTAL_CODE_COLUMNS, PORTAL_CODE_COLUMNS[:2]):
        code, portal_code, department_id = (nfc(row.get(k) or "") for k in PORTAL_CODE_COLUMNS)
        if not code and not portal_code and not department_id:
            continue  # a blank line
        if code not in by_code:
            raise MasterDataError(
                f"{where} dòng {line}: mã đơn vị '{code}' không có trong danh mục đơn vị"
                f"{f' của {province.name}' if province else ''}."
            )
        if code in changes:
            raise MasterDataError(f"{where} dòng {line}: đơn vị '{code}' đã có dòng trước đó (dòng {changes[code]['line']}).")
        problem = _portal_code_problem(by_code[code], portal_code, own_prefix, taken) or _department_id_problem(
            code, department_id, taken_ids
        )
        if problem:
            raise MasterDataError(f"{where} dòng {line}: {problem}.")
        taken[portal_code] = code
        if department_id:
            taken_ids[department_id] = code
        changes[code] = {"line": str(line), "portal_code": portal_code, "department_id": department_id}
    out = []
    for u in units:
        change = changes.get(u.code)
        if change is None:
            out.append(u)
        else:
            out.append(replace(u, portal_code=change["portal_code"], department_id=change["department_id"] or u.department_id))
    return tuple(out)


@lru_cache(maxsize=40)
def load_units(province_name: str) -> tuple[Unit, ...]:
    """All units of a province, agencies first, each group in Vietnamese order.

    Agencies: ``masterdata/agencies/<province>.csv`` when the province has one, else the default list (marked
    ``master_source = default_list``). Communes and wards: vietnam-provinces, with the portal codes of
    ``masterdata/portal_codes/<province>.csv`` when there is one (none otherwise: never derived from the ward code).
    """
    from vietnam_provinces import VietNamDivisionType, Ward

    province = _province(province_name)
    agencies = _agencies(province)
    locals_ = []
    for ward in Ward.iter_all():
        if ward.province_code != province.code:
            continue
        group = WARD if ward.division_type == VietNamDivisionType.PHUONG else COMMUNE
        locals_.append(Unit(f"{int(ward.code):05d}", nfc(ward.name), group, province.name, None, master_source=PACKAGE))
    agencies.sort(key=lambda u: sort_key(u.name))
    locals_.sort(key=lambda u: sort_key(u.name))
    units = tuple(agencies + locals_)
    mapping = _portal_codes_csv(province.codename)
    return apply_portal_codes(units, mapping) if mapping.exists() else units


def master_data_notes(province_name: str) -> tuple[str, ...]:
    """What a reader of the ``units`` asset must know about the province's master data (Vietnamese): a default agency
    list, communes and wards without portal codes."""
    province = _province(province_name)
    notes = []
    if agency_list_source(province_name) == DEFAULT_LIST:
        notes.append(
            f"Danh sách cơ quan cấp tỉnh của {province.name} là danh sách MẶC ĐỊNH "
            f"({_shown(_agency_csv(DEFAULT_AGENCIES))}, các sở, ban, ngành sau sắp xếp năm 2025), chưa có mã "
            f"trên Cổng DVCQG: cần thay bằng danh sách đã rà soát của tỉnh "
            f"({_shown(_agency_csv(province.codename))})."
        )
    if not _portal_codes_csv(province.codename).exists():
        notes.append(
            f"Chưa có bảng mã xã, phường trên Cổng DVCQG ({_shown(_portal_codes_csv(province.codename))}): "
            "xã, phường trên Cổng được đối chiếu theo tên, trong phạm vi tỉnh."
        )
    return tuple(notes)


@lru_cache(maxsize=40)
def load_offices(province_name: str) -> tuple[Unit, ...]:
    """Offices and units inside the province's departments (group "office"), in the order of the reviewed CSV.

    They are units of their own kind for task tracking: not in ``load_units``, not ranked. Every office names its
    department (``parent``, a code of the province's agency list) and its kind (van_phong, phong, don_vi). A province
    without an office list has none (empty): ``offices_missing_message`` says so to the task-tracking steps.
    """
    province = _province(province_name)
    path = _office_csv(province.codename)
    if not path.exists():
        return ()
    agencies = {u.code for u in load_units(province_name) if u.group == AGENCY}
    offices: list[Unit] = []
    for line, row in master_csv_rows(path, OFFICE_COLUMNS, OFFICE_COLUMNS[:4]):
        code, name, kind, parent = (nfc(row.get(k) or "") for k in ("code", "name", "kind", "parent"))
        if not code or not name:
            raise MasterDataError(f"{path.name} dòng {line}: thiếu mã hoặc tên phòng, đơn vị.")
        if kind not in OFFICE_KINDS:
            raise MasterDataError(f"{path.name} dòng {line}: loại '{kind}' không hợp lệ (chỉ {', '.join(OFFICE_KINDS)}).")
        if parent not in agencies:
            raise MasterDataError(
                f"{path.name} dòng {line}: cơ quan cấp trên '{parent}' không có trong danh sách cơ quan cấp tỉnh."
            )
        if any(o.code == code for o in offices):
            raise MasterDataError(f"{path.name} dòng {line}: mã '{code}' bị trùng.")
        aliases = _split_names(row.get("aliases"))
        offices.append(
            Unit(code, name, OFFICE, province.name, None, aliases, parent=parent, kind=kind, master_source=REVIEWED_CSV)
        )
    return tuple(offices)


def offices_missing_message(province_name: str) -> str | None:
    """Vietnamese message when the province has no office list (task tracking cannot name the department's offices)."""
    province = _province(province_name)
    path = _office_csv(province.codename)
    if path.exists():
        return None
    return (
        f"Chưa có danh sách phòng, đơn vị thuộc Sở của {province.name} ({_shown(path)}): nhiệm vụ giao cho các "
        "phòng, đơn vị thuộc Sở không xác định được đơn vị chủ trì, phối hợp và được báo là đơn vị không xác định."
    )


_PREFIX_TEXTS = ("Ủy ban nhân dân", "Uỷ ban nhân dân", "UBND", "UB")  # (UB last: "UBND" first)


@lru_cache(maxsize=64)
def _own_suffixes(province: str, key: Callable[[str], str]) -> tuple[str, ...]:
    """Keys of the province's own suffixes: "tỉnh Thái Nguyên", "thành phố Huế", "TP Huế", "Thái Nguyên"."""
    bare = re.sub(r"^(tỉnh|thành phố)\s+", "", nfc(province), flags=re.IGNORECASE)
    return tuple(key(text) for text in (f"tỉnh {bare}", f"thành phố {bare}", f"tp {bare}", bare))


# "P. Phan Đình Phùng", "UBND X. Đại Phúc": an abbreviated "Phường", "Xã", "Thị trấn" at the start of the name or after
# the council's prefix.
_ABBREVIATED = re.compile(r"^((?:ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+)?(P|X|TT)\.\s*", re.IGNORECASE)
# "P Phan Đình Phùng": a "P" without its dot, read as "Phường" only when what follows is a ward (``UnitMatcher.match``).
_BARE_P = re.compile(r"^((?:ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+)?P\s+(?=\w)", re.IGNORECASE)


# "Phường Phan Đình Phùng (TP Thái Nguyên cũ)": where the unit was before the 2025 restructuring, not its name.
_FORMERLY = re.compile(r"\s*\([^()]*\bcũ\)\s*$", re.IGNORECASE)
# "Sở Khoa học và Công nghệ", "Sở Khoa học & Công nghệ", "Sở Khoa học - Công nghệ", "Sở KH và CN" (for "Sở KH&CN"):
# clerks join a name's two halves either way, so a connector between words counts for nothing (inside an
# abbreviation, "KH&CN", "LĐ-TB&XH", the key drops the sign anyway).
_CONNECTOR = re.compile(r"\s+(?:v[aà]|&|[-–])\s+", re.IGNORECASE)  # "và", or "va" as typed without diacritics


def _core_key(name: str, key: Callable[[str], str], province: str) -> str:
    """Key without the administrative prefixes and the province suffix (a connector "và", "&", " - " between words
    and a "(… cũ)" note dropped)."""
    text = _CONNECTOR.sub(" ", _FORMERLY.sub("", nfc(name)))
    text = _ABBREVIATED.sub(lambda m: (m.group(1) or "") + _ABBREVIATIONS[m.group(2).lower()] + " ", text)
    value = key(text)
    for prefix in _PREFIX_TEXTS:
        value = value.removeprefix(key(prefix))
    for suffix in _own_suffixes(province, key):
        if value.endswith(suffix) and len(value) > len(suffix):
            value = value[: -len(suffix)]
    return value


def _exact_key(text: str) -> str:
    """Key that ignores only case, spacing and punctuation: tone marks decide (Xã Cẩm Giang ≠ Xã Cẩm Giàng, both
    in Hải Phòng), so an official name always finds its unit even where the looser keys are ambiguous."""
    return re.sub(r"[\W_]+", "", nfc(text).casefold())


_WORDS = re.compile(r"[0-9a-z]+")


def _words(text: str) -> str:
    """'UBND xã Lâm Thao - Tỉnh Phú Thọ' -> 'ubnd xa lam thao tinh phu tho' (word boundaries kept)."""
    return " ".join(_WORDS.findall(strip_diacritics(nfc(text)).casefold()))


@lru_cache(maxsize=1)
def _province_forms() -> tuple[tuple[str, str], ...]:
    """(form in words, province name) for every province, longest form first: 'tinh phu tho', 'thanh pho phu tho',
    'tp phu tho'. The bare name alone is not a form: communes are named after provinces (Phường Phú Thọ is in
    Thành phố Hồ Chí Minh too)."""
    from vietnam_provinces import Province

    forms = []
    for province in Province.iter_all():
        bare = _words(re.sub(r"^Thành phố\s+", "", province.name))
        forms += [(f"{word} {bare}", province.name) for word in ("tinh", "thanh pho", "tp")]
    return tuple(sorted(forms, key=lambda f: -len(f[0])))


@lru_cache(maxsize=65536)
def province_in_name(name: str) -> str | None:
    """The province a name says it belongs to, by a "- Tỉnh X" / "tỉnh X" / "Thành phố X" / "TP X" suffix or prefix
    ("UBND xã Lâm Thao - Tỉnh Phú Thọ" -> "Phú Thọ"); None when it names none."""
    words = re.sub(r"^(ubnd|uy ban nhan dan)\s+", "", _words(name))
    for form, province in _province_forms():
        if words == form or words.endswith(" " + form) or words.startswith(form + " "):
            return province
    return None


@lru_cache(maxsize=1)
def _bare_province_words() -> dict[str, str]:
    """'lang son' -> 'Lạng Sơn': a province's name alone, without its kind, in words."""
    from vietnam_provinces import Province

    return {_words(re.sub(r"^(Tỉnh|Thành phố)\s+", "", p.name)): p.name for p in Province.iter_all()}


def province_named(text: str) -> str | None:
    """The province a province-level name names: 'UBND tỉnh Lạng Sơn', 'Tỉnh Lạng Sơn' or the bare 'Lạng Sơn'. Only
    for a text that names a province as a whole (a portal answer's province row, a capture's record): a bare name
    elsewhere may be a commune's (Phường Phú Thọ)."""
    words = re.sub(r"^(ubnd|uy ban nhan dan)\s+", "", _words(text))
    return province_in_name(text) or _bare_province_words().get(words)


def province_of_portal_code(portal_code: str) -> str | None:
    """The province whose portal prefix a code carries ('H44.132' -> 'Phú Thọ'); None for an unknown prefix."""
    return _province_names_by_prefix().get(portal_code.split(".")[0].strip().upper())


_HEADING_LINE = re.compile(r"^(ubnd|uy ban nhan dan|hdnd|hoi dong nhan dan|so|tinh|thanh pho|tp)( |$)")


@lru_cache(maxsize=1)
def _former_forms() -> tuple[tuple[str, str, str], ...]:
    """(form in words, former province, the province it is part of since 2025) for every former province, longest
    form first: ('tinh bac kan', 'Bắc Kạn', 'Thái Nguyên')."""
    from vietnam_provinces import Province

    names = {p.codename: p.name for p in Province.iter_all()}
    forms = [
        (f"{word} {_words(former)}", former, names[codename])
        for codename, formers in _former_provinces().items()
        for former in formers
        for word in ("tinh", "thanh pho", "tp")
    ]
    return tuple(sorted(forms, key=lambda f: -len(f[0])))


def former_province_in_name(name: str) -> tuple[str, str] | None:
    """(the former province, the province it is part of since 2025) a unit's name says it belonged to ('Sở Tài chính
    tỉnh Bắc Kạn' -> ('Bắc Kạn', 'Thái Nguyên')); None when it names no former province."""
    return _former_form_in(_words(name), anywhere=True)


def _former_form_in(words: str, *, anywhere: bool) -> tuple[str, str] | None:
    """(former province, today's province) of the first former province's form ('tinh bac kan') that ``words`` are,
    begin or end with, or (``anywhere``) hold between two words."""
    for form, former, today in _former_forms():
        if words == form or words.endswith(" " + form) or words.startswith(form + " ") or (anywhere and f" {form} " in words):
            return former, today
    return None


def heading_province(line: str) -> tuple[str, str] | None:
    """The province a heading line of a document names ("UBND TỈNH THÁI NGUYÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ TỈNH BẮC
    KẠN"): (the province as written, the province it is today: 'Bắc Kạn' -> 'Thái Nguyên', merged in 2025); None for a
    line that is no heading of an authority ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Đơn vị: …") or names no province."""
    words = _words(line)
    if not _HEADING_LINE.match(words):
        return None
    found = province_in_name(line)
    if found is not None:
        return found, found
    return _former_form_in(re.sub(r"^(ubnd|uy ban nhan dan)\s+", "", words), anywhere=False)


def other_province_heading(texts: Iterable[object], province: str) -> tuple[str, str] | None:
    """The first heading line among ``texts`` (the cells above a table, each line of a cell apart) naming a province
    other than ``province`` and its former provinces (a Bắc Giang heading is Bắc Ninh's own): (the province, as a
    message names it: 'Tuyên Quang', 'Hà Giang (nay thuộc Tuyên Quang)'; the line); None when every heading is this
    province's or none names a province. Diacritics, case and spacing do not matter."""
    if not province or not province.strip():
        return None
    own = _bare_province(province)
    for text in texts:
        if not isinstance(text, str):
            continue
        for line in text.splitlines():
            named = heading_province(line)
            if named is None or _bare_province(named[1]) == own:
                continue
            written, today = named
            shown = written if written == today else f"{written} (nay thuộc {today})"
            return shown, " ".join(line.split())
    return None


@lru_cache(maxsize=1)
def _local_name_provinces() -> dict[str, frozenset[str]]:
    """Every commune's and ward's name (``tone_free_key``, as written and without any diacritics: "Phuong Dong Kinh"
    from a system without Vietnamese letters) -> the provinces having one of that name."""
    from vietnam_provinces import Province, Ward

    names = {int(p.code): p.name for p in Province.iter_all()}
    out: dict[str, set[str]] = {}
    for ward in Ward.iter_all():
        for key in {tone_free_key(ward.name), tone_free_key(strip_diacritics(ward.name))}:
            out.setdefault(key, set()).add(names[int(ward.province_code)])
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _local_tone_names() -> dict[str, frozenset[str]]:
    """Every commune's and ward's name without its kind word, with its tones (``tone_key``: "văn0 lang2" for Văn Lãng)
    -> the provinces having one of that name (``_bare_province``)."""
    from vietnam_provinces import Province, Ward

    names = {int(p.code): _bare_province(p.name) for p in Province.iter_all()}
    out: dict[str, set[str]] = {}
    for ward in Ward.iter_all():
        out.setdefault(tone_key(_KIND_WORD.sub("", nfc(ward.name))), set()).add(names[int(ward.province_code)])
    return {k: frozenset(v) for k, v in out.items()}


def province_of_local_name(name: str | None) -> str | None:
    """The one province with a commune or ward of this name ("UBND xã Đại Phúc" -> its province); None when no
    province or several have one (2,658 of the 2,934 names are one province's)."""
    bare = re.sub(r"^(ubnd|ủy ban nhân dân|uỷ ban nhân dân)\s+", "", nfc(name or "").strip(), flags=re.IGNORECASE)
    found = _local_name_provinces().get(tone_free_key(bare)) if bare else None
    return next(iter(found)) if found is not None and len(found) == 1 else None


@lru_cache(maxsize=1)
def _province_names_by_code() -> dict[str, str]:
    """Two-digit province code ('19') -> the province's name; and each commune's or ward's code -> its province."""
    from vietnam_provinces import Province, Ward

    names = {int(p.code): p.name for p in Province.iter_all()}
    out = {f"{code:02d}": name for code, name in names.items()}
    out.update({f"{int(w.code):05d}": names[int(w.province_code)] for w in Ward.iter_all() if int(w.province_code) in names})
    return out


def province_of_unit_code(code: str | None) -> str | None:
    """The province a unit code of master data belongs to: an agency's by its prefix ('19.SCT' -> 'Thái Nguyên'), a
    commune's or ward's by the administrative code (05533; 5533 when Excel dropped the zero); None when unknown."""
    text = (code or "").strip()
    agency = re.fullmatch(r"(\d{1,2})\.\S+", text)
    if agency:
        return _province_names_by_code().get(agency.group(1).zfill(2))
    if text.isascii() and text.isdigit() and len(text) <= 5:
        return _province_names_by_code().get(text.zfill(5))
    return None


class _Index:
    """Key -> unit code; a key two units share is ambiguous and matches neither. A weak (short) name never takes a
    key from a full name, but two weak names of different units under one key make it ambiguous too: bare 'Van Lang'
    is neither Xã Văn Lang nor Xã Văn Lăng."""

    def __init__(self, key: Callable[[str], str], province: str):
        self.key, self.province = key, province
        self.codes: dict[str, str] = {}
        self.ambiguous: set[str] = set()
        self.weak: set[str] = set()  # keys held by a weak name only

    def add(self, name: str, code: str, weak: bool = False) -> None:
        k = _core_key(name, self.key, self.province)
        existing = self.codes.get(k)
        if k in self.ambiguous:
            return
        if existing is None:
            self.codes[k] = code
            if weak:
                self.weak.add(k)
        elif existing == code:
            if not weak:
                self.weak.discard(k)
        elif not weak or k in self.weak:
            self.ambiguous.add(k)
            del self.codes[k]

    def get(self, name: str) -> str | None:
        return self.codes.get(_core_key(name, self.key, self.province))


class UnitMatcher:
    """Match names and portal codes from any source to unit codes, inside the units' province.

    Case, spacing and prefixes never matter. A name spelt exactly (tone marks included) matches first: some provinces
    have communes whose names differ only by a tone mark (Xã Tân Thành, Xã Tân Thạnh). Otherwise tone marks do not
    matter, letters with a breve, circumflex or horn decide (Xã Văn Lang and Xã Văn Lăng are two communes), and a name
    written without any diacritics matches when only one unit fits. A code or name of another province never matches
    (``other_province``).
    """

    def __init__(self, units: Iterable[Unit]):
        self.units = {u.code: u for u in units}
        provinces = {u.province for u in self.units.values()}
        self.province = next(iter(provinces)) if provinces else ""
        self._own = _bare_province(self.province)
        self._indexes = tuple(_Index(key, self.province) for key in (_exact_key, tone_free_key, match_key))
        self._letter_key_cache: dict[str, tuple[str, ...]] = {}
        try:
            formers = former_provinces(self.province) if self.province else ()
        except ValueError:  # units built by hand for a province that is no province's name
            formers = ()
        for index in self._indexes:
            for unit in self.units.values():
                for name in unit.spellings:  # old names too: "Sở KHĐT" in any file is Sở Tài chính
                    index.add(name, unit.code)
            provinces = {_bare_province(p) for p in (self.province, *formers)}
            for unit in self.units.values():
                if unit.group != AGENCY:
                    _index_local_unit(index, unit, formers, provinces)
                else:
                    _index_agency(index, unit, formers)
        self._by_portal = {u.portal_code: u.code for u in self.units.values() if u.portal_code}
        self._by_department_id = {u.department_id: u.code for u in self.units.values() if u.department_id}

    def other_province(self, portal_code: str | None = None, name: str | None = None) -> str | None:
        """The other province a portal code (its prefix: H44.132 is Phú Thọ's) or a name ("… - Tỉnh Phú Thọ") points
        to, for a caller to report; None when both are this province's or say nothing of a province."""
        for found in (province_of_portal_code(portal_code) if portal_code else None, province_in_name(name) if name else None):
            if found is not None and _bare_province(found) != self._own:
                return found
        return None

    def is_own_province(self, province: str) -> bool:
        """Whether a province's name ('Thái Nguyên', 'Tỉnh Thái Nguyên') is this matcher's province."""
        return _bare_province(province) == self._own

    def other_province_of_code(self, code: str | None) -> str | None:
        """The other province a unit code written in a file belongs to ('19.SCT' while serving Bắc Ninh: Thái
        Nguyên), for a caller to refuse the file; None for a code of this province's units, of this province or of
        no known province."""
        if not code or not self.province or self.code(code) is not None:
            return None
        found = province_of_unit_code(code)
        return found if found is not None and _bare_province(found) != self._own else None

    def other_province_of_row(self, code: str | None, name: str | None) -> str | None:
        """The other province a row's unit points to when it is none of this province's units: its unit code ('19.STC'
        while serving Bắc Ninh), portal code ('H55.04'), a name saying its province ("Sở Y tế tỉnh Thái Nguyên") or the
        name of a commune or ward only another province has; None otherwise, and for a unit of this province."""
        code, name = (code or "").strip(), (name or "").strip()
        if code and (self.code(code) or code in self._by_portal):
            return None
        if code and (found := self.other_province_of_code(code) or self.other_province(code, None)):
            return found  # the code decides, as in every reader: '19.STC | Sở Tài chính' is Thái Nguyên's
        if name and not self.match(name) and (found := self.other_province(None, name) or self._other_local(name)):
            return found if _bare_province(found) != self._own else None
        return None

    def _other_local(self, name: str) -> str | None:
        """The one other province with a commune or ward of this name, unless the name without "xã"/"phường" is one
        of this province's units ("Xã Linh Sơn" written for Phường Linh Sơn is a slip here, not Thanh Hóa's commune),
        or the name was one of this province's before the 2025 reorganisation ("Phường Quang Trung" of TP Thái
        Nguyên: an old name, unknown today, not Thanh Hóa's ward)."""
        bare = _KIND_WORD.sub("", _COUNCIL_WORD.sub("", nfc(name).strip()))
        if bare and self.match(bare) is not None:
            return None
        if self.province and former_local_name(self.province, name):
            return None
        return province_of_local_name(name)

    def other_province_heading(self, texts: Iterable[object]) -> tuple[str, str] | None:
        """``other_province_heading`` for this matcher's province."""
        return other_province_heading(texts, self.province)

    def code(self, text: str | None) -> str | None:
        """The unit code written in a file: as it is, or a commune's numeric code that lost its leading zeros in Excel
        (5533 for 05533, as a CSV re-saved by Excel or a number cell writes it); None when no unit has it."""
        if not text or not text.strip():
            return None
        text = text.strip()
        if text in self.units:
            return text
        if text.isascii() and text.isdigit():
            padded = text.zfill(5)  # commune and ward codes: 5 digits (Decision 124/2004, Tổng cục Thống kê)
            return padded if padded in self.units else None
        return None

    def match(self, name: str | None) -> str | None:
        """Unit code for a name, or None when it matches no unit (or more than one) or names another province. A
        leading "P" without its dot ("P Phan Đình Phùng", "UBND P Phan Đình Phùng") is read as "Phường" only when the
        name matches nothing as written and the reading is a ward."""
        if not name or not name.strip():
            return None
        code = self._match(name)
        if code is None and (bare_p := _BARE_P.match(nfc(name))):
            ward = self._match("Phường " + nfc(name)[bare_p.end() :])
            code = ward if ward is not None and self.units[ward].group == WARD else None
        return code

    def _match(self, name: str) -> str | None:
        for index in self._indexes:
            code = index.get(name)
            if code is not None:
                if index is self._indexes[-1] and not self._letters_agree(name, code):
                    return None
                if index is not self._indexes[0] and self._tones_name_another_provinces(name):
                    return None
                return None if self.other_province(None, name) else code
        return None

    def _tones_name_another_provinces(self, name: str) -> bool:
        """Whether a name matched without its tones is, with the tones written, exactly a commune's or ward's of other
        provinces and none of this one's ("Xã Văn Lãng" of Lạng Sơn is not Xã Văn Lang; "Xã Tân Thanh" of Tuyên Quang
        is not Xã Tân Thành): then it matches nothing (the caller offers ours as a suggestion), as it may be that
        province's unit or ours with a tone left out; nor is it said to be the other province's. A tone typed wrong
        that names no unit anywhere still matches."""
        bare = _KIND_WORD.sub("", _COUNCIL_WORD.sub("", nfc(name).strip()))
        found = _local_tone_names().get(tone_key(bare))
        return found is not None and self._own not in found

    def _letters_agree(self, name: str, code: str) -> bool:
        """A name matched without its diacritics: the letters it does mark (ă â đ ê ô ơ ư) are the unit's ("Xã Xuân
        Đường", a commune of Đồng Nai, is not Xã Xuân Dương; "Xã Lâm Vỹ" is not Xã Lam Vỹ), its unmarked letters
        match any ("xa dai phuc", "Xa Dai Phuc"). Compared with the spellings of the unit that have the same letters."""
        written = _core_key(name, tone_free_key, self.province)
        plain = strip_diacritics(written)
        same = [o for o in self._letter_keys(code) if len(o) == len(written) and strip_diacritics(o) == plain]
        return not same or any(all(x == y or strip_diacritics(x) == x for x, y in zip(written, o, strict=True)) for o in same)

    def _letter_keys(self, code: str) -> tuple[str, ...]:
        """The unit's spellings as ``_letters_agree`` compares them: computed once per unit, not for every row read."""
        keys = self._letter_key_cache.get(code)
        if keys is None:
            unit = self.units[code]
            keys = tuple(_core_key(s, tone_free_key, self.province) for s in (*unit.spellings, *_bare_names(unit)))
            self._letter_key_cache[code] = keys
        return keys

    def match_portal(self, portal_code: str | None, name: str | None = None, department_id: str | None = None) -> str | None:
        """Unit code of a portal row: by its code (or departmentId) when master data has it, else by its name; None
        for a row of another province (``other_province``), whatever its name."""
        if self.other_province(portal_code, name) is not None:
            return None
        if portal_code and portal_code.strip() in self._by_portal:
            return self._by_portal[portal_code.strip()]
        if department_id and department_id.strip() in self._by_department_id:
            return self._by_department_id[department_id.strip()]
        return self.match(name)

    def suggest(self, name: str) -> str | None:
        """Closest official name, offered in a quality message; never used to load data (nor for another province)."""
        from rapidfuzz import fuzz, process, utils

        if self.other_province(None, name):
            return None
        loose = self._indexes[-1]
        # Compared without "xã"/"phường" (a ward written as a commune is the ward: "Xã Vạn Xuân" is Phường Vạn Xuân);
        # two units as close as each other ("xa van lang": Văn Lang, Văn Lăng) get no suggestion.
        choices = {code: _bare_key(_core_key(u.name, match_key, loose.province)) for code, u in self.units.items()}
        best = process.extract(
            _bare_key(_core_key(name, match_key, loose.province)),
            choices,
            scorer=fuzz.ratio,
            processor=utils.default_process,
            score_cutoff=80,
            limit=2,
        )
        if not best or (len(best) == 2 and best[0][1] == best[1][1]):
            return None
        return self.units[best[0][2]].name


_COUNCIL_WORD = re.compile(r"^(?:ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+", re.IGNORECASE)
_KIND_WORD = re.compile(r"^(?:xã|phường|đặc khu|thị trấn|x\.|p\.|tt\.)\s*", re.IGNORECASE)


def _index_local_unit(index: _Index, unit: Unit, formers: Sequence[str], provinces: set[str]) -> None:
    """A commune's or ward's weak names: its bare name ("Phan Đình Phùng") when no other unit shares it and no province
    has it ("Bắc Kạn" alone is the former province as often as Phường Bắc Kạn), a commune's name as a town's ("Thị trấn
    Chợ Rã"), and "Xã Ba Bể - Tỉnh Bắc Kạn", a commune of a former province, now this one's."""
    if _bare_province(_bare_name(unit.name)) not in provinces:
        index.add(_bare_name(unit.name), unit.code, weak=True)
    if unit.group == COMMUNE:  # no town is left since 2025: "Thị trấn Chợ Rã" is the commune that continues it
        index.add(f"Thị trấn {_bare_name(unit.name)}", unit.code, weak=True)
    for former in formers:
        index.add(f"{unit.name} tỉnh {former}", unit.code, weak=True)


def _index_agency(index: _Index, unit: Unit, formers: Sequence[str]) -> None:
    """An agency's weak names: "Thanh tra tỉnh Phú Thọ" once its suffix is dropped is "Thanh tra"; a former province's
    agency of last year ("Sở Khoa học và Công nghệ tỉnh Bắc Kạn") is continued by the agency its own province's
    namesake is (merged provinces merged their agencies alike)."""
    for name in unit.spellings:
        short = re.sub(r"\s+(tỉnh|thành phố)$", "", name, flags=re.IGNORECASE)
        if short != name:
            index.add(short, unit.code, weak=True)
    for name in (s for spellings in unit.last_year_units for s in spellings):
        short = re.sub(r"\s+(tỉnh|thành phố)$", "", name, flags=re.IGNORECASE)
        for former in formers:
            index.add(f"{short} tỉnh {former}", unit.code, weak=True)
            index.add(f"{short} {former}", unit.code, weak=True)


def _bare_name(name: str) -> str:
    """A commune's or ward's name without its "Xã"/"Phường" (the matcher's weak names)."""
    return re.sub(r"^(Xã|Phường|Đặc khu)\s+", "", name)


def _bare_names(unit: Unit) -> tuple[str, ...]:
    """The bare name of a commune or ward (``_bare_name``); none for an agency."""
    return () if unit.group == AGENCY else (_bare_name(unit.name),)


def _bare_key(key: str) -> str:
    return re.sub(r"^(xa|phuong|dackhu)", "", key)


@lru_cache(maxsize=40)
def matcher_for(province_name: str) -> UnitMatcher:
    return UnitMatcher(load_units(province_name))


DEPARTMENT_NAME = "Sở Khoa học và Công nghệ"  # the department whose plan is tracked and whose offices are listed


def department_code(province_name: str) -> str:
    """Code of the province's Sở Khoa học và Công nghệ (19.SKHCN in Thái Nguyên, 25.SKHCN from the default list in Phú
    Thọ): the department whose plan the task steps follow."""
    code = matcher_for(province_name).match(DEPARTMENT_NAME)
    if code is None:
        raise MasterDataError(f"Danh sách cơ quan cấp tỉnh của {_province(province_name).name} không có {DEPARTMENT_NAME}.")
    return code


# What a unit's name begins with, written without diacritics (a committee's "UBND" first, a province's "tỉnh" after;
# not "Đoàn", "Quan", "Trường", surnames as much as bodies):
# a value of a unit column beginning otherwise ("Lê Hoa", "nguyễn văn bình", "Tổ 3 phường …, nhà ông Bình") is text
# typed there, a citizen's name or address as often as not, and is not quoted back.
_UNIT_NAME_START = re.compile(
    r"(?:(?:ubnd|uy ban nhan dan|ub)\W*)?(?:tinh\W+)?(?:xa|phuong|thi tran|dac khu|so|ban|van phong|trung tam|chi cuc|cuc|"
    r"thanh tra|cong an|bo chi huy|bao hiem|kho bac|dai|bao|benh vien|vien|hoi|uy ban|lien doan|phong|"
    r"tp|thanh pho|thi xa|bo|ubnd|huyen|p|x|tt|bhxh|kbnn|dang uy|tinh uy|tram|hdnd|mttq|mat tran)\b"
)


def looks_like_a_unit_name(text: str) -> bool:
    """Whether ``text`` begins as a unit's name does ("UBND xã …", "Sở …", "So Khoa hoc …", "Phường …")."""
    return _UNIT_NAME_START.match(strip_diacritics(nfc(text)).lower().strip()) is not None
