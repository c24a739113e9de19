"""Demo DTI (Chỉ số chuyển đổi số) inputs for 2026: the units' filled self-assessment forms (but three units that do
not submit), one later re-submission, a few bad forms, the values other provincial systems supply and last year's
published results.

    dti/tu_danh_gia/tu_danh_gia_dti_2026_<unit code>.xlsx        one per unit but MISSING (codes with "_" for ".")
    dti/tu_danh_gia/tu_danh_gia_dti_2026_<unit code>_lan_2.xlsx  a later re-submission (supersedes, both kept)
    dti/tu_danh_gia/tu_danh_gia_dti_loi_*.xlsx                   a PAR form sent to the DTI folder (BAD_FILES.md)
    dti/he_thong_khac/<system>_2026.csv                          one file per system supplying external components
    dti/ket_qua_nam_truoc/dti_2025.csv                           the 2025 ranking under the names of the time

Every unit has a "maturity" (0..1) drawn from the seed: strong units more often have the head of the unit lead the
steering committee, answer "Có" more often, report higher percentages and more meetings, and other systems measure
higher values for them; weak units leave a few answers blank. Each unit's answers come from a stream of its own (the
seed and the unit code), a fixed number of draws per criterion, so a re-submission drawn with a higher maturity is at
least as good on every row. Seeded and deterministic (same seed, same bytes); the forms are the blank forms of
``forms/assessment_forms.py`` filled in cell by cell, as a unit would.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from statistics import NormalDist

import numpy as np
from openpyxl import Workbook

from common.units import AGENCY, COMMUNE, RANKING_GROUP, WARD, Unit
from forms.assessment_forms import FIRST_ROW, build_form, save_fixed
from scoring.criteria import answer_points, tree_for
from sources.assessment_forms import HEADER_LABELS, folder_of, form_columns, scored_by_answer, self_assessed
from sources.dti_inputs import EXTERNAL_COLUMNS, EXTERNAL_DIR, PREVIOUS_COLUMNS, PREVIOUS_DIR

YEAR, PREVIOUS_YEAR = 2026, 2025
INDEX = "dti"
FORM_DIR = folder_of("dti", "form")  # under the inbox, beside EXTERNAL_DIR and PREVIOUS_DIR
FORM_PREFIX = f"tu_danh_gia_{INDEX}_"
PREVIOUS_FILE = f"dti_{PREVIOUS_YEAR}.csv"
STREAM = 922  # QĐ 922: the DTI streams of a seed, apart from the PAR demo's (876) and the other demo files
MISSING_FORMS = 3  # units that send no form: "missing form" downstream
MISSING_COMPONENTS = 4  # (unit, external component) pairs no system supplies a value for
BOM = b"\xef\xbb\xbf"

# File stem of each system supplying external components (the tree's ``source``); another source gets a slug.
SYSTEM_FILES = {
    "Hệ thống giám sát an toàn thông tin mạng (SOC) của tỉnh": "giam_sat_attt_soc",
    "Hệ thống quản lý văn bản và điều hành của tỉnh": "quan_ly_van_ban",
    "Hệ thống thông tin báo cáo của tỉnh": "he_thong_bao_cao",
    "Công an tỉnh (hệ thống định danh và xác thực điện tử)": "dinh_danh_dien_tu_vneid",
}
# How each system names units in its export: master-data code, portal code (H55.xx) or the name only.
SYSTEM_UNIT_KEY = {
    "quan_ly_van_ban": "code",
    "giam_sat_attt_soc": "code",
    "he_thong_bao_cao": "portal",
    "dinh_danh_dien_tu_vneid": "name",
}
SYSTEM_NOTES = ("Số liệu đến hết ngày 31/10/2026.", "Số liệu trích xuất tự động từ hệ thống.", "")

# Old names of the agencies merged or renamed in 2025, as the 2025 ranking published them (masterdata aliases).


def old_names(units) -> dict[str, tuple[str, ...]]:
    """Agency code → the official names of the agencies it continues (masterdata `predecessors`), for the
    agencies restructured in 2025: last year's ranking lists them under those names."""
    return {u.code: tuple(names[0] for names in u.predecessors) for u in units if u.predecessors}


UNKNOWN_OLD_NAME = "Thị xã Phổ Yên"  # a 2025 name the master data does not know (documented, rejected)
UNKNOWN_SYSTEM_UNIT = "UBND huyện Đồng Hỷ"  # a district abolished in 2025, still in a system's unit list
UNKNOWN_COMPONENT = ("AT.5", "Tỷ lệ máy chủ được giám sát an toàn thông tin tập trung (%)")
PREVIOUS_SHARE = 0.88  # communes and wards with a published 2025 result

DOC_SUFFIX = {"Quyết định": "QĐ", "Kế hoạch": "KH", "Báo cáo": "BC", "Công văn": "CV", "Thông báo": "TB"}
# (kind of document, what it is about) of the evidence of each criterion; LOCAL_TOPICS where communes differ.
TOPICS = {
    "NT.1": ("Quyết định", "việc thành lập Ban chỉ đạo chuyển đổi số"),
    "NT.2": ("Kế hoạch", f"chuyển đổi số năm {YEAR}"),
    "NT.3": ("Thông báo", "kết luận các cuộc họp chuyên đề về chuyển đổi số"),
    "NT.4": ("Báo cáo", f"kết quả công tác tuyên truyền về chuyển đổi số năm {YEAR}"),
    "TC.1": ("Quyết định", "ban hành Quy chế quản lý, vận hành, khai thác các hệ thống thông tin"),
    "TC.2": ("Quyết định", "ban hành Quy chế bảo đảm an toàn thông tin mạng"),
    "TC.3": ("Báo cáo", f"tình hình thực hiện dự toán chi cho chuyển đổi số năm {YEAR}"),
    "HT.1": ("Báo cáo", "hiện trạng hạ tầng công nghệ thông tin và trang thiết bị"),
    "HT.2": ("Báo cáo", "kết nối Mạng truyền số liệu chuyên dùng"),
    "HT.3": ("Công văn", "đăng ký điểm cầu hội nghị truyền hình trực tuyến"),
    "HT.4": ("Công văn", "kết nối hệ thống thông tin với nền tảng tích hợp, chia sẻ dữ liệu LGSP"),
    "NL.1": ("Quyết định", "phân công công chức phụ trách công nghệ thông tin, chuyển đổi số"),
    "NL.2": ("Báo cáo", "kết quả tập huấn kỹ năng số cho cán bộ, công chức"),
    "NL.3": ("Báo cáo", "kết quả học tập trên nền tảng học tập trực tuyến mở"),
    "AT.1": ("Quyết định", "phê duyệt hồ sơ đề xuất cấp độ an toàn hệ thống thông tin"),
    "AT.4": ("Báo cáo", "kết quả tham gia diễn tập ứng cứu sự cố an toàn thông tin mạng"),
    "HD.9": ("Công văn", "chia sẻ cơ sở dữ liệu chuyên ngành qua nền tảng LGSP"),
    "KH.1": ("Báo cáo", f"kết quả thực hiện kế hoạch chuyển đổi số năm {YEAR}"),
    "KT.1": ("Báo cáo", "tình hình sử dụng hóa đơn điện tử của hộ kinh doanh trên địa bàn"),
    "KT.2": ("Báo cáo", "kết quả đưa sản phẩm OCOP lên sàn thương mại điện tử"),
    "KT.3": ("Báo cáo", "kết quả triển khai thanh toán không dùng tiền mặt tại chợ"),
    "XH.2": ("Quyết định", "thành lập Tổ công nghệ số cộng đồng"),
    "XH.3": ("Báo cáo", "hiện trạng kết nối Internet băng rộng cáp quang của hộ gia đình"),
}
LOCAL_TOPICS = {"HT.4": ("Báo cáo", "hiện trạng phủ sóng di động băng rộng trên địa bàn")}
COMPUTED_TOPIC = ("Báo cáo", f"kết quả giải quyết thủ tục hành chính và cung cấp dịch vụ công trực tuyến năm {YEAR}")
EXPLANATIONS = (
    "Đơn vị đã thực hiện; hồ sơ lưu tại bộ phận văn phòng, sẵn sàng cung cấp khi thẩm định.",
    "Số liệu tổng hợp từ báo cáo chuyển đổi số quý IV của đơn vị.",
)
NOT_DONE = f"Đơn vị chưa thực hiện trong năm {YEAR}; đã đưa vào kế hoạch chuyển đổi số năm {YEAR + 1}."
DIFFICULTIES = (
    "Hạ tầng mạng, máy tính đã cũ, chưa đáp ứng yêu cầu kết nối các nền tảng dùng chung của tỉnh.",
    "Công chức phụ trách chuyển đổi số kiêm nhiệm, chưa được đào tạo chuyên sâu về an toàn thông tin.",
    "Kinh phí cho chuyển đổi số còn hạn chế; nhiều phần mềm chuyên ngành chưa kết nối, chia sẻ dữ liệu.",
    None,
)
PROPOSALS = (
    "Đề nghị Sở Khoa học và Công nghệ tổ chức tập huấn về an toàn thông tin mạng cho công chức phụ trách.",
    "Đề nghị UBND tỉnh bố trí kinh phí nâng cấp máy tính, đường truyền kết nối Mạng truyền số liệu chuyên dùng.",
    "Đề nghị hướng dẫn cụ thể tài liệu kiểm chứng đối với các tiêu chí chuyển đổi số mới.",
    None,
)
DRAWS = 9  # random numbers per criterion, whatever the answer: the streams stay aligned between fills
_NORMAL = NormalDist()


@dataclass(frozen=True)
class BadItem:
    key: str
    file: str  # relative to the inbox
    problem: str
    expected: str


def _stream(seed: int, *parts: int) -> np.random.Generator:
    return np.random.default_rng([seed, STREAM, *parts])


def _unit_key(unit: Unit) -> int:
    return zlib.crc32(unit.code.encode())


def maturities(units: tuple[Unit, ...], seed: int = 2026) -> dict[str, float]:
    """Each ranked unit's digital maturity, 0.1..0.97 (mean about 0.6; agencies and wards a little ahead)."""
    out = {}
    for unit in units:
        if unit.group not in RANKING_GROUP:
            continue
        level = float(_stream(seed, 0, _unit_key(unit)).beta(3.0, 2.2))
        level += 0.05 if unit.group in (AGENCY, WARD) else 0.0
        out[unit.code] = float(np.clip(level, 0.1, 0.97))
    return out


def _form_name(unit: Unit, suffix: str = "") -> str:
    return f"{FORM_PREFIX}{YEAR}_{unit.code.replace('.', '_')}{suffix}.xlsx"


def _system_stem(source: str) -> str:
    if source in SYSTEM_FILES:
        return SYSTEM_FILES[source]
    bare = unicodedata.normalize("NFD", source.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in bare if not unicodedata.combining(c)).lower()
    return "_".join("".join(c if c.isalnum() else " " for c in bare).split())[:40]


def clear(inbox: Path) -> None:
    """Remove what an earlier run wrote (and nothing else)."""
    inbox = Path(inbox)
    for path in (inbox / FORM_DIR).glob(f"{FORM_PREFIX}*.xlsx"):
        path.unlink()
    for stem in {*SYSTEM_FILES.values(), *(_system_stem(n.source or "") for n in _external_nodes())}:
        (inbox / EXTERNAL_DIR / f"{stem}_{YEAR}.csv").unlink(missing_ok=True)
    (inbox / PREVIOUS_DIR / PREVIOUS_FILE).unlink(missing_ok=True)


def _external_nodes() -> list:
    seen: dict[str, object] = {}
    for group in ("agency", "local"):
        for node in tree_for(INDEX, YEAR, group).leaves:
            if node.method == "external":
                seen.setdefault(node.code, node)
    return list(seen.values())


# --- the forms -----------------------------------------------------------------------------------------------


def _submitted_cell(ws) -> tuple[int, int]:
    """The cell right of 'Ngày lập phiếu:' (the signing date), found by its label."""
    label = HEADER_LABELS["submitted_on"][0]
    row = next(r for r in range(1, FIRST_ROW) if ws.cell(r, 1).value == label)
    return row, 2


def _normal(u: float) -> float:
    return _NORMAL.inv_cdf(min(max(u, 1e-6), 1 - 1e-6))


def _number(value: float, decimals: int) -> float | int:
    value = round(value, decimals)
    return int(value) if float(value).is_integer() else value


def _answer(node, level: float, d: np.ndarray):
    """The unit's answer to a criterion scored by its rule; monotone in ``level`` for the same draws ``d``."""
    rule = node.rule
    if rule.kind == "yes_no":
        return "Có" if d[1] < 0.25 + 0.72 * level else "Không"
    if rule.kind == "choice":
        wanted = 0.15 + level + 0.2 * _normal(d[1])  # strong units: the head of the unit leads
        return min(rule.options, key=lambda o: (abs(o[1] - wanted), -o[1]))[0]
    low, high = rule.value_range
    if rule.kind == "thresholds":  # a count: strong units reach the top step
        top = max(at for at, _ in rule.steps)
        count = top * (0.25 + 1.1 * level) * float(np.exp(0.35 * _normal(d[1])))
        return int(min(high, max(low, round(count))))
    target = float(rule.target or 100)
    share = 0.35 + 0.75 * level + 0.1 * _normal(d[1])
    value = min(high, 100.0, max(low, target * share))
    return _number(value, 2 if target < 10 else 1) if value < 99.5 or target < 10 else 100


def _evidence(unit: Unit, node, answer, d: np.ndarray) -> str:
    topics = LOCAL_TOPICS if unit.group != AGENCY else {}
    kind, topic = (
        topics.get(node.code)
        or TOPICS.get(node.code)
        or (COMPUTED_TOPIC if node.method == "computed" else ("Báo cáo", node.name[0].lower() + node.name[1:]))
    )
    issuer = "UBND" if unit.group != AGENCY else unit.code.split(".")[-1]
    early = node.code == "NT.2" and answer == "Có"  # the plan was issued before 31/3
    month = 1 + int(d[6] * (3 if early else 10))
    day = 1 + int(d[5] * 28)
    return f"{kind} số {1 + int(d[4] * 399)}/{DOC_SUFFIX[kind]}-{issuer} ngày {day}/{month}/{YEAR} về {topic}"


def _fill(unit: Unit, tree, level: float, rng: np.random.Generator, submitted: date) -> tuple[Workbook, dict[str, int]]:
    """A unit's filled form: an answer on every criterion the unit answers (a few left blank by weak units),
    evidence on most answers worth points and an explanation on the others, a self-score on some computed rows."""
    wb, rows = build_form(tree, unit, YEAR)
    ws = wb.active
    col = {c.name: i for i, c in enumerate(form_columns(tree), start=1)}
    ws.cell(*_submitted_cell(ws), datetime.combine(submitted, datetime.min.time()))
    for node in self_assessed(tree, unit.group):
        d = rng.random(DRAWS)
        row = rows[node.code]
        if scored_by_answer(node):
            if d[0] < 0.06 * (1 - level):
                continue  # left blank: the reader notes it
            answer = _answer(node, level, d)
            ws.cell(row, col["answer"], answer)
            points = answer_points(node, answer)[1] or 0.0
        elif node.method == "computed" or node.rule is None:
            # Computed rows: the official points come from the data, a third of the units self-score them anyway.
            # A tree without answers (PAR) has every row scored in points.
            if node.method == "computed" and d[0] > 0.35:
                continue
            share = float(np.clip(0.35 + 0.7 * level + 0.1 * _normal(d[1]), 0.0, 1.0))
            points = min(float(node.max_points), round(node.max_points * share * 4) / 4)
            answer = None
            ws.cell(row, col["score"], points)
        else:
            continue
        if points > 0:
            if d[3] < 0.9:
                ws.cell(row, col["evidence"], _evidence(unit, node, answer, d))
            else:
                ws.cell(row, col["explanation"], EXPLANATIONS[int(d[7] * len(EXPLANATIONS))])
        elif d[3] < 0.3:
            ws.cell(row, col["explanation"], NOT_DONE)
    d = rng.random(2)
    after = max(rows.values()) + 3
    ws.cell(after, 2, DIFFICULTIES[int(d[0] * len(DIFFICULTIES))])
    ws.cell(after + 3, 2, PROPOSALS[int(d[1] * len(PROPOSALS))])
    return wb, rows


def _roles(ranked: list[Unit], seed: int) -> dict[str, Unit | list[Unit] | None]:
    """Which units do not submit, submit twice, or send the bad forms (deterministic for the seed)."""
    rng = _stream(seed, 1)
    by_group = {g: [u for u in ranked if u.group == g] for g in (AGENCY, COMMUNE, WARD)}
    missing: list[Unit] = []
    for group in (AGENCY, COMMUNE, WARD):
        if by_group[group] and len(missing) < MISSING_FORMS:
            missing.append(by_group[group][int(rng.integers(len(by_group[group])))])
    rest = [u for u in ranked if u not in missing]
    while len(missing) < min(MISSING_FORMS, len(ranked) - 1) and rest:
        missing.append(rest.pop(int(rng.integers(len(rest)))))
    taken = set(missing)

    def pick(*groups: str) -> Unit | None:
        pool = [u for g in groups for u in by_group[g] if u not in taken] or [u for u in ranked if u not in taken]
        if not pool:
            return None
        unit = pool[int(rng.integers(len(pool)))]
        taken.add(unit)
        return unit

    return {
        "missing": missing,
        "bad_answer": pick(AGENCY),
        "out_of_range": pick(COMMUNE),
        "missing_evidence": pick(WARD, COMMUNE),
        "wrong_index": pick(AGENCY),
        "resubmit": pick(COMMUNE, WARD),
    }


def _write_forms(
    inbox: Path, ranked: list[Unit], levels: dict[str, float], roles: dict, seed: int, bad_files: bool
) -> tuple[list[Path], list[BadItem]]:
    trees = {g: tree_for(INDEX, YEAR, g) for g in ("agency", "local")}
    forms_dir = inbox / FORM_DIR
    written: list[Path] = []
    bad: list[BadItem] = []
    for i, unit in enumerate(ranked):
        if unit in roles["missing"]:
            continue
        tree = trees[RANKING_GROUP[unit.group]]
        submitted = date(YEAR, 11, 5 + i % 14)
        wb, rows = _fill(unit, tree, levels[unit.code], _stream(seed, 2, _unit_key(unit)), submitted)
        if bad_files:
            item = _damage(wb, rows, tree, unit, roles)
            if item is not None:
                bad.append(item)
        written.append(save_fixed(wb, forms_dir / _form_name(unit)))
        if unit is roles["resubmit"]:
            # The same draws with a higher maturity: every answer at least as good, a later signing date.
            better = min(0.97, levels[unit.code] + 0.25)
            wb, _ = _fill(unit, tree, better, _stream(seed, 2, _unit_key(unit)), date(YEAR, 11, 24))
            written.append(save_fixed(wb, forms_dir / _form_name(unit, "_lan_2")))
    wrong = roles["wrong_index"]
    if bad_files and wrong is not None:
        par_tree = tree_for("par", YEAR, RANKING_GROUP[wrong.group])
        wb, _ = _fill(wrong, par_tree, levels[wrong.code], _stream(seed, 3), date(YEAR, 11, 10))
        path = save_fixed(wb, forms_dir / f"{FORM_PREFIX}loi_phieu_cchc.xlsx")
        written.append(path)
        bad.append(
            BadItem(
                "dti_form_wrong_index",
                f"{FORM_DIR}/{path.name}",
                f"{wrong.name}'s PAR-index (Chỉ số CCHC) self-assessment form put into the DTI folder ('Bộ chỉ số:' "
                "names the PAR index).",
                f"Reject the whole file (wrong_index, cell B7); {wrong.name}'s DTI form "
                f"{_form_name(wrong)} is unaffected and loads.",
            )
        )
    return written, bad


def _damage(wb: Workbook, rows: dict[str, int], tree, unit: Unit, roles: dict) -> BadItem | None:
    """A row-level problem in a unit's only form: that row is rejected, the others load."""
    ws = wb.active
    col = {c.name: i for i, c in enumerate(form_columns(tree), start=1)}
    letter = {name: chr(64 + i) for name, i in col.items()}
    path = f"{FORM_DIR}/{_form_name(unit)}"
    if unit is roles["bad_answer"]:
        row = rows["NT.1"]
        ws.cell(row, col["answer"], "Trưởng phòng")
        ws.cell(
            row,
            col["evidence"],
            "Quyết định số 15/QĐ-" + unit.code.split(".")[-1] + f" ngày 20/2/{YEAR} về việc "
            "phân công Trưởng phòng phụ trách chuyển đổi số",
        )
        ws.cell(row, col["explanation"]).value = None
        return BadItem(
            "dti_form_bad_answer",
            path,
            f"{unit.name}'s only form: NT.1 (Trưởng Ban chỉ đạo chuyển đổi số) answered 'Trưởng phòng', "
            f"not one of the listed answers (cell {letter['answer']}{row}).",
            "Reject row NT.1 (bad_answer); load the other rows; NT.1 counts as not self-assessed. The unit has a usable form.",
        )
    if unit is roles["out_of_range"]:
        row = rows["HT.1"]
        ws.cell(row, col["answer"], 120)
        return BadItem(
            "dti_form_out_of_range",
            path,
            f"{unit.name}'s only form: HT.1 (tỷ lệ cán bộ, công chức được trang bị máy tính) answered 120 "
            f"(%), above 100 (cell {letter['answer']}{row}).",
            "Reject row HT.1 (value_out_of_range, never clipped); load the other rows; HT.1 counts as not "
            "self-assessed. The unit has a usable form.",
        )
    if unit is roles["missing_evidence"]:
        row = rows["TC.1"]
        ws.cell(row, col["answer"], "Có")
        ws.cell(row, col["evidence"]).value = None
        ws.cell(row, col["explanation"]).value = None
        return BadItem(
            "dti_form_missing_evidence",
            path,
            f"{unit.name}'s only form: TC.1 answered 'Có' (3 points) with neither evidence nor an explanation (row {row}).",
            f"Reject row TC.1 (missing_evidence, cell {letter['evidence']}{row}); load the other rows. The "
            "unit has a usable form.",
        )
    return None


# --- values supplied by other systems ------------------------------------------------------------------------


def _csv_bytes(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return BOM + out.getvalue().encode("utf-8")


def _comma(value: float) -> str:
    return f"{value:g}".replace(".", ",")


@dataclass
class _Value:
    """A line of a system's export: the unit, the component, the value, and what is planted on it (if anything)."""

    unit: Unit | None
    unit_text: str
    code: str
    value: float
    source: str
    note: str
    planted: str | None = None  # out_of_range | unknown_component | unknown_unit | duplicate

    def cells(self, key: str) -> list:
        unit_code = "" if self.unit is None else {"code": self.unit.code, "portal": self.unit.portal_code, "name": ""}[key]
        return [YEAR, unit_code, self.unit_text, self.code, _comma(self.value), self.source, self.note]


def _write_external(
    inbox: Path, ranked: list[Unit], levels: dict[str, float], seed: int, bad_files: bool
) -> tuple[list[Path], int, list[BadItem], list[str]]:
    """One CSV per system; returns (paths, lines that load, bad items, notes on the missing components)."""
    rng = _stream(seed, 4)
    trees = {g: tree_for(INDEX, YEAR, g) for g in ("agency", "local")}
    files: dict[str, list[_Value]] = {}  # file stem -> lines, in file order
    for node in _external_nodes():
        source = node.source or node.code
        lines = files.setdefault(_system_stem(source), [])
        target = float(node.rule.target or 100) if node.rule is not None else 100.0
        low, high = node.rule.value_range if node.rule is not None else (0.0, 100.0)
        for unit in ranked:
            if node.code not in trees[RANKING_GROUP[unit.group]].applicable(unit.group):
                continue
            value = target * (0.45 + 0.6 * levels[unit.code]) + rng.normal(0, 6)
            note = SYSTEM_NOTES[int(rng.integers(len(SYSTEM_NOTES)))] if rng.random() < 0.15 else ""
            lines.append(_Value(unit, unit.name, node.code, float(np.clip(round(value, 1), low, min(high, 100.0))), source, note))
    for lines in files.values():  # unit by unit, as the systems export them
        order = {u.code: i for i, u in enumerate(ranked)}
        lines.sort(key=lambda v: order[v.unit.code])
    everything = [(stem, i) for stem, lines in files.items() for i in range(len(lines))]
    gaps = sorted(
        everything[int(i)] for i in rng.choice(len(everything), min(len(everything), MISSING_COMPONENTS), replace=False)
    )
    notes = [
        f"`{EXTERNAL_DIR}/{stem}_{YEAR}.csv` has no value of {files[stem][i].code} for {files[stem][i].unit_text} "
        f"({files[stem][i].unit.code}): the component is missing for that unit."
        for stem, i in gaps
    ]
    if bad_files and files and all(len(lines) >= 8 for lines in files.values()):
        _plant(files, gaps, rng)
    for stem, i in sorted(gaps, reverse=True):
        del files[stem][i]
    paths: list[Path] = []
    bad: list[BadItem] = []
    good = 0
    for stem, lines in files.items():
        key = SYSTEM_UNIT_KEY.get(stem, "code")
        path = inbox / EXTERNAL_DIR / f"{stem}_{YEAR}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_csv_bytes([c.header for c in EXTERNAL_COLUMNS], [v.cells(key) for v in lines]))
        paths.append(path)
        good += sum(1 for v in lines if v.planted is None)
        if any(v.planted for v in lines):
            bad.append(_external_bad_item(stem, lines, files))
    return paths, good, bad, notes


def _plant(files: dict[str, list[_Value]], gaps: list[tuple[str, int]], rng: np.random.Generator) -> None:
    """The bad lines, beside good ones: a value of 130 instead of a good value, an unknown component code, an
    unknown unit, a (unit, component) given twice in one file and one given by two files (each second copy is
    appended at the end; the first copy stays where it was, so both are rejected)."""
    stems = list(files)
    soc = "giam_sat_attt_soc" if "giam_sat_attt_soc" in files else stems[0]
    docs = "quan_ly_van_ban" if "quan_ly_van_ban" in files else stems[min(1, len(stems) - 1)]
    reports = "he_thong_bao_cao" if "he_thong_bao_cao" in files else stems[-1]
    people = "dinh_danh_dien_tu_vneid" if "dinh_danh_dien_tu_vneid" in files else stems[-1]
    taken = set(gaps)  # the lines planted on: distinct, none of them a gap

    def line_of(stem: str, draw: int) -> _Value:
        free = [i for i in range(len(files[stem])) if (stem, i) not in taken]
        i = free[draw % len(free)]
        taken.add((stem, i))
        return files[stem][i]

    draws = [int(x) for x in rng.integers(0, 10_000, 4)]
    over = line_of(soc, draws[0])
    over.value, over.planted = 130.0, "out_of_range"
    known = line_of(soc, draws[1])
    files[soc].append(
        _Value(
            known.unit,
            known.unit_text,
            UNKNOWN_COMPONENT[0],
            known.value,
            known.source,
            UNKNOWN_COMPONENT[1],
            "unknown_component",
        )
    )
    twice = line_of(docs, draws[2])
    twice.planted = "duplicate"
    files[docs].append(
        _Value(
            twice.unit,
            twice.unit_text,
            twice.code,
            min(100.0, twice.value + 2.5),
            twice.source,
            "Cập nhật lại số liệu",
            "duplicate",
        )
    )
    shared = line_of(docs, draws[3])
    shared.planted = "duplicate"
    system = files[reports][0].source if files[reports] else shared.source
    files[reports].append(
        _Value(
            shared.unit,
            shared.unit_text,
            shared.code,
            shared.value,
            system,
            "Tổng hợp từ Hệ thống quản lý văn bản và điều hành",
            "duplicate",
        )
    )
    template = files[people][0]
    files[people].append(_Value(None, UNKNOWN_SYSTEM_UNIT, template.code, template.value, template.source, "", "unknown_unit"))


def _external_bad_item(stem: str, lines: list[_Value], files: dict[str, list[_Value]]) -> BadItem:
    problems, expected = [], []
    for line, v in enumerate(lines, start=2):
        if v.planted == "out_of_range":
            problems.append(f"line {line}: {v.code} of {v.unit_text} is 130 (%)")
            expected.append(f"line {line} out_of_range")
        elif v.planted == "unknown_component":
            problems.append(f"line {line}: component code {v.code}, in no tree ({v.unit_text})")
            expected.append(f"line {line} unknown_component")
        elif v.planted == "unknown_unit":
            problems.append(f"line {line}: unit '{v.unit_text}' (a district abolished in 2025, no code)")
            expected.append(f"line {line} unknown_unit")
        elif v.planted == "duplicate":
            others = [
                f"line {n}" if other == stem else f"`{other}_{YEAR}.csv` line {n}"
                for other, rows in files.items()
                for n, w in enumerate(rows, start=2)
                if w is not v and w.planted == "duplicate" and w.unit is v.unit and w.code == v.code
            ]
            problems.append(f"line {line}: {v.code} of {v.unit_text} also given at {', '.join(others)}")
            expected.append(f"line {line} duplicate")
    duplicates = any(v.planted == "duplicate" for v in lines)
    return BadItem(
        f"dti_external_{stem}",
        f"{EXTERNAL_DIR}/{stem}_{YEAR}.csv",
        "; ".join(problems) + ".",
        "Reject "
        + "; ".join(expected)
        + (
            " (every copy of a duplicate, within or across files: the component is then missing for that unit)"
            if duplicates
            else ""
        )
        + "; load every other line.",
    )


# --- last year's published results ---------------------------------------------------------------------------


def _no_diacritics(text: str) -> str:
    bare = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in bare if not unicodedata.combining(c)))


def _variant(name: str, kind: int) -> str:
    """The name as the 2025 ranking spelt it: as is, without diacritics, with a double space, or lower case."""
    if kind == 1:
        return _no_diacritics(name)
    if kind == 2:
        return name.replace(" ", "  ", 1)
    if kind == 3:
        return name[:1] + name[1:].lower()
    return name


def _write_previous(
    inbox: Path, ranked: list[Unit], levels: dict[str, float], seed: int, bad_files: bool
) -> tuple[Path, int, list[BadItem]]:
    rng = _stream(seed, 5)
    trees = {g: tree_for(INDEX, YEAR, g) for g in ("agency", "local")}
    published: dict[str, list[tuple[str, float]]] = {"agency": [], "local": []}

    def total(level: float) -> float:
        return float(np.clip(round(100 * (0.27 + 0.62 * level) + rng.normal(0, 5), 2), 0, 100))

    for unit in ranked:
        level = levels[unit.code]
        if unit.group == AGENCY:
            for name in old_names((unit,)).get(unit.code, ()):
                published["agency"].append((name, total(float(np.clip(level + rng.normal(0, 0.08), 0.05, 0.97)))))
            if not unit.predecessors:
                kind = int(rng.choice(4, p=[0.6, 0.15, 0.15, 0.1]))
                published["agency"].append((_variant(unit.name, kind), total(level)))
            continue
        draw = rng.random(3)
        if draw[0] > PREVIOUS_SHARE:
            continue
        name = unit.name if draw[1] > 0.2 else ("UBND " + unit.name if draw[1] > 0.05 else _variant(unit.name, 2))
        published["local"].append((name, total(level)))
    if bad_files and published["local"]:
        published["local"].append((UNKNOWN_OLD_NAME, total(0.5)))
    rows: list[list] = []
    for group, entries in published.items():
        order = sorted(range(len(entries)), key=lambda i: (-entries[i][1], i))
        rank = {i: r for r, i in enumerate(order, start=1)}
        for i, (name, points) in enumerate(entries):
            rows.append([PREVIOUS_YEAR, name, _comma(points), rank[i], trees[group].band_for(points) or ""])
    path = inbox / PREVIOUS_DIR / PREVIOUS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_csv_bytes([c.header for c in PREVIOUS_COLUMNS], rows))
    bad: list[BadItem] = []
    good = len(rows)
    if bad_files and published["local"]:
        line = next(n for n, r in enumerate(rows, start=2) if r[1] == UNKNOWN_OLD_NAME)
        good -= 1
        merged = "; ".join(
            f"{' + '.join(names)} → {next(u.name for u in ranked if u.code == code)}" for code, names in old_names(ranked).items()
        )
        bad.append(
            BadItem(
                "dti_previous_unknown_name",
                f"{PREVIOUS_DIR}/{PREVIOUS_FILE}",
                f"The {PREVIOUS_YEAR} ranking under the names of the time: line {line} '{UNKNOWN_OLD_NAME}', an old name "
                f"the master data does not know. The agencies merged or renamed in 2025 appear under their old names "
                f"({merged}); some current names are spelt without diacritics, with a double space or in lower case.",
                f"Reject line {line} (unknown_unit); map the other lines: merged agencies take the mean of their old "
                "totals, Ban Dân tộc is the renamed Sở Dân tộc và Tôn giáo, spelling variants match their units.",
            )
        )
    return path, good, bad


# --- everything ----------------------------------------------------------------------------------------------


def write_dti_inbox(inbox: Path, units: tuple[Unit, ...], seed: int = 2026, bad_files: bool = True) -> dict:
    """Write ``dti/`` under ``inbox``; returns written paths, bad-file entries (for BAD_FILES.md), notes (what is
    wrong without a bad file: the units that sent no form, the components no system supplies) and counts."""
    inbox = Path(inbox)
    clear(inbox)
    ranked = [u for u in units if u.group in RANKING_GROUP]
    levels = maturities(tuple(ranked), seed)
    roles = _roles(ranked, seed)
    written, bad = _write_forms(inbox, ranked, levels, roles, seed, bad_files)
    forms = len(written)
    external, external_rows, external_bad, gaps = _write_external(inbox, ranked, levels, seed, bad_files)
    written += external
    bad += external_bad
    previous, previous_rows, previous_bad = _write_previous(inbox, ranked, levels, seed, bad_files)
    written.append(previous)
    bad += previous_bad
    missing = sorted(u.code for u in roles["missing"])
    notes = [
        f"{u.name} ({u.code}) sent no DTI self-assessment form for {YEAR} (no file in `{FORM_DIR}/`): "
        "report it as a missing form."
        for u in roles["missing"]
    ] + gaps
    return {
        "written": written,
        "bad": [{"file": b.file, "kind": b.key, "problem": b.problem, "expected": b.expected, "dossier_codes": []} for b in bad],
        "notes": notes,
        "dti_forms": forms,
        "dti_missing_units": missing,
        "dti_external_rows": external_rows,
        "dti_previous_rows": previous_rows,
    }
