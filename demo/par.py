"""Demo PAR-index (Chỉ số CCHC) inputs for 2026: every unit's filled self-assessment form, two later re-submissions,
a handful of bad forms, the council's appraisal workbook and the survey results.

    par/tu_danh_gia/tu_danh_gia_2026_<unit code>.xlsx      one per unit (15 agencies, 92 communes and wards)
    par/tu_danh_gia/tu_danh_gia_2026_<unit code>_lan_2.xlsx later re-submissions (supersede, both kept)
    par/tu_danh_gia/tu_danh_gia_loi_*.xlsx                 bad forms (BAD_FILES.md)
    par/tham_dinh/tham_dinh_2026.xlsx                      appraisal of every unit but UNAPPRAISED (provisional)
    par/khao_sat/khao_sat_2026.csv                         SIPAS and leaders' survey points of every unit

Seeded and deterministic (same seed, same bytes); the forms are the blank forms of ``forms/assessment_forms.py``
filled in cell by cell, as a unit would.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
from openpyxl import Workbook

from common.units import RANKING_GROUP, Unit
from forms.assessment_forms import build_form, save_fixed
from scoring.criteria import tree_for
from sources.assessment_forms import APPRAISAL_COLUMNS, APPRAISAL_DIR, FORM_DIR, SURVEY_DIR, self_assessed

YEAR = 2026
UNAPPRAISED = 10  # units the council has not appraised yet: their totals stay provisional
FORM_PREFIX, APPRAISAL_FILE, SURVEY_FILE = "tu_danh_gia_", f"tham_dinh_{YEAR}.xlsx", f"khao_sat_{YEAR}.csv"
SCORE, EVIDENCE, EXPLANATION = 4, 5, 6  # columns of the form
SUBMITTED_CELL = "B8"
DOC_KINDS = ("Quyết định", "Kế hoạch", "Báo cáo", "Công văn")
DOC_SUFFIX = {"Quyết định": "QĐ", "Kế hoạch": "KH", "Báo cáo": "BC", "Công văn": "CV"}
DIFFICULTIES = (
    "Đội ngũ công chức làm công tác CCHC còn kiêm nhiệm, thường xuyên thay đổi sau sắp xếp tổ chức bộ máy.",
    (
        "Hạ tầng công nghệ thông tin chưa đồng bộ; một số phần mềm chuyên ngành chưa kết nối với Hệ thống thông tin giải "
        "quyết TTHC của tỉnh."
    ),
    "Kinh phí cho công tác CCHC, chuyển đổi số còn hạn chế.",
    None,
)
PROPOSALS = (
    "Đề nghị Sở Nội vụ tổ chức tập huấn nghiệp vụ chấm điểm Chỉ số CCHC cho công chức phụ trách.",
    "Đề nghị UBND tỉnh bố trí kinh phí nâng cấp trang thiết bị tại Bộ phận Một cửa.",
    "Đề nghị hướng dẫn cụ thể tài liệu kiểm chứng đối với các tiêu chí mới.",
    None,
)
EXPLANATIONS = (
    ("Đơn vị thực hiện đầy đủ nhiệm vụ theo hướng dẫn chấm điểm; tài liệu lưu tại Văn phòng, sẵn sàng cung cấp khi thẩm định."),
    "Chấm theo tỷ lệ nhiệm vụ hoàn thành trong năm (số liệu tại báo cáo CCHC quý IV).",
)


@dataclass(frozen=True)
class BadForm:
    key: str
    file_name: str
    problem: str
    expected: str


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, 876])  # a stream of its own: the other demo files are unaffected


def _evidence(rng: np.random.Generator, unit: Unit, name: str) -> str:
    kind = DOC_KINDS[int(rng.integers(len(DOC_KINDS)))]
    issuer = "UBND" if unit.group != "agency" else unit.code.split(".")[-1]
    day, month = int(rng.integers(1, 29)), int(rng.integers(1, 11))
    topic = name[0].lower() + name[1:]
    return f"{kind} số {int(rng.integers(1, 400))}/{DOC_SUFFIX[kind]}-{issuer} ngày {day}/{month}/{YEAR} về {topic}"


def _fill(unit: Unit, tree, rng: np.random.Generator, submitted: date) -> tuple[Workbook, dict[str, int], dict]:
    """A unit's filled form: scores mostly 70-95 % of the maximum in quarter points, evidence on most rows, an
    explanation only on about one in ten."""
    wb, rows = build_form(tree, unit, YEAR)
    ws = wb.active
    ws[SUBMITTED_CELL] = datetime.combine(submitted, datetime.min.time())
    level = rng.uniform(0.72, 0.9)
    scores = {}
    for node in self_assessed(tree, unit.group):
        share = float(np.clip(rng.normal(level, 0.08), 0.5, 1.0))
        points = min(float(node.max_points), round(node.max_points * share * 4) / 4)
        scores[node.code] = points
        row = rows[node.code]
        ws.cell(row, SCORE, points)
        if rng.random() < 0.1:
            ws.cell(row, EXPLANATION, EXPLANATIONS[int(rng.integers(len(EXPLANATIONS)))])
        else:
            ws.cell(row, EVIDENCE, _evidence(rng, unit, node.name))
    after = max(rows.values()) + 3
    ws.cell(after, 2, DIFFICULTIES[int(rng.integers(len(DIFFICULTIES)))])
    ws.cell(after + 3, 2, PROPOSALS[int(rng.integers(len(PROPOSALS)))])
    return wb, rows, scores


def _form_name(unit: Unit, suffix: str = "") -> str:
    return f"{FORM_PREFIX}{YEAR}_{unit.code.replace('.', '_')}{suffix}.xlsx"


def clear(inbox: Path) -> None:
    """Remove what an earlier run wrote (and nothing else)."""
    for path in (inbox / FORM_DIR).glob(f"{FORM_PREFIX}*.xlsx"):
        path.unlink()
    (inbox / APPRAISAL_DIR / APPRAISAL_FILE).unlink(missing_ok=True)
    (inbox / SURVEY_DIR / SURVEY_FILE).unlink(missing_ok=True)


def write_par_inbox(inbox: Path, units: tuple[Unit, ...], seed: int = 2026, bad_files: bool = True) -> dict:
    """Write ``par/`` under ``inbox``; returns written paths, bad-file entries (for BAD_FILES.md) and counts."""
    inbox = Path(inbox)
    clear(inbox)
    rng = _rng(seed)
    ranked = [u for u in units if u.group in RANKING_GROUP]
    trees = {g: tree_for("par", YEAR, g) for g in ("agency", "local")}
    forms_dir = inbox / FORM_DIR
    written: list[Path] = []
    bad: list[dict] = []
    scores: dict[str, dict[str, float]] = {}
    agencies = [u for u in ranked if u.group == "agency"]
    locals_ = [u for u in ranked if u.group != "agency"]
    # A unit whose first form is flawed (rows rejected) and re-submits it corrected after the quality report (the
    # current forms of the year are then clean and the scorecards publish), a unit whose only form has layout
    # problems that load with notes, and units with a later re-submission.
    flawed_rows, flawed_layout = agencies[3], locals_[7]
    resubmit = (agencies[5], locals_[20], flawed_rows)
    for i, unit in enumerate(ranked):
        tree = trees[RANKING_GROUP[unit.group]]
        submitted = date(YEAR, 11, 3 + i % 12)
        wb, rows, unit_scores = _fill(unit, tree, rng, submitted)
        if bad_files and unit is flawed_rows:
            unit_scores = _damage_rows(wb, rows, tree, unit)
        elif bad_files and unit is flawed_layout:
            unit_scores = _damage_layout(wb, rows, tree, unit)
        scores[unit.code] = unit_scores
        written.append(save_fixed(wb, forms_dir / _form_name(unit)))
        if unit in resubmit:
            wb, rows, unit_scores = _fill(unit, tree, rng, date(YEAR, 11, 25))
            scores[unit.code] = unit_scores
            written.append(save_fixed(wb, forms_dir / _form_name(unit, "_lan_2")))
    if bad_files:
        bad += _bad_forms(forms_dir, ranked, trees, rng, written, flawed_rows, flawed_layout)
    unappraised = {ranked[int(i)].code for i in sorted(rng.choice(len(ranked), UNAPPRAISED, replace=False))}
    appraisal_path, appraisal_bad = _write_appraisal(
        inbox / APPRAISAL_DIR / APPRAISAL_FILE, ranked, trees, scores, unappraised, rng, bad_files
    )
    written.append(appraisal_path)
    bad += appraisal_bad
    survey_path, survey_rows, survey_bad = _write_survey(inbox / SURVEY_DIR / SURVEY_FILE, ranked, trees, rng, bad_files)
    written.append(survey_path)
    bad += survey_bad
    return {
        "written": written,
        "bad": bad,
        "par_forms": sum(1 for p in written if p.parent == forms_dir),
        "par_unappraised": sorted(unappraised),
        "par_survey_rows": survey_rows,
    }


# --- bad forms -----------------------------------------------------------------------------------------------


def _damage_rows(wb: Workbook, rows: dict[str, int], tree, unit: Unit) -> dict[str, float]:
    """Row-level problems in one agency's form: the other rows load."""
    ws = wb.active
    leaves = self_assessed(tree, unit.group)
    over, negative, word, formula, bare, comma = leaves[:6]
    ws.cell(rows[over.code], SCORE, over.max_points + 1)
    ws.cell(rows[negative.code], SCORE, -0.5)
    ws.cell(rows[word.code], SCORE, "đạt")
    ws.cell(rows[formula.code], SCORE, f"={over.max_points:g}/2")
    ws.cell(rows[bare.code], SCORE, bare.max_points)
    ws.cell(rows[bare.code], EVIDENCE).value = None
    ws.cell(rows[bare.code], EXPLANATION).value = None
    ws.cell(rows[comma.code], SCORE, f"{comma.max_points * 0.75:g}".replace(".", ","))
    extra = max(rows.values()) + 1  # the blank line before "Khó khăn, vướng mắc"
    for col, value in enumerate(["LV9.1", "Tiêu chí tự thêm", 2, 2, "Báo cáo số 5/BC-X ngày 2/3/2026 về kết quả"], 1):
        ws.cell(extra, col, value)
    return {}


def _damage_layout(wb: Workbook, rows: dict[str, int], tree, unit: Unit) -> dict[str, float]:
    """Layout problems that still load: two rows swapped, one deleted, a merged and a hidden cell, '7,5'."""
    ws = wb.active
    ws.protection.sheet = False
    leaves = self_assessed(tree, unit.group)
    a, b, merged, hidden, gone = leaves[1], leaves[2], leaves[6], leaves[8], leaves[10]
    ra, rb = rows[a.code], rows[b.code]
    for col in range(1, 7):
        va, vb = ws.cell(ra, col).value, ws.cell(rb, col).value
        ws.cell(ra, col).value, ws.cell(rb, col).value = vb, va
    ws.merge_cells(start_row=rows[merged.code], start_column=EVIDENCE, end_row=rows[merged.code], end_column=EXPLANATION)
    ws.row_dimensions[rows[hidden.code]].hidden = True
    ws.cell(rows[hidden.code], SCORE, f"{hidden.max_points * 0.5:g}".replace(".", ","))
    last = max(rows.values())
    for r in range(rows[gone.code], last):  # delete the row: the rows below move up (merged ranges stay put)
        for col in range(1, 7):
            ws.cell(r, col).value = ws.cell(r + 1, col).value
        ws.row_dimensions[r].hidden = ws.row_dimensions[r + 1].hidden
    for col in range(1, 7):
        ws.cell(last, col).value = None
    return {}


def _bad_forms(
    forms_dir: Path,
    ranked: list[Unit],
    trees: dict,
    rng: np.random.Generator,
    written: list[Path],
    flawed_rows: Unit,
    flawed_layout: Unit,
) -> list[dict]:
    agencies = [u for u in ranked if u.group == "agency"]
    locals_ = [u for u in ranked if u.group != "agency"]
    out: list[BadForm] = []

    def form(unit: Unit, name: str, submitted: date = date(YEAR, 10, 20)) -> tuple[Workbook, dict[str, int]]:
        wb, rows, _ = _fill(unit, trees[RANKING_GROUP[unit.group]], rng, submitted)
        return wb, rows

    out.append(
        BadForm(
            "par_form_rows",
            _form_name(flawed_rows),
            f"{flawed_rows.name}'s first form (a corrected form follows as _lan_2): score above the maximum, a negative score, 'đạt' as a score, a formula in a "
            "score cell, a full score with neither evidence nor explanation, a score written '0,75'-style with a decimal "
            "comma, and an extra row with the unknown code LV9.1.",
            "Reject those rows with sheet 'Tự đánh giá', the score cell and rules score_above_max, negative_score, "
            "not_a_number, uncalculated_formula (a formula saved without its value), missing_evidence, unknown_criterion; note decimal_comma (read as a number); "
            "load the other rows; the corrected later form supersedes it, so the year's forms are clean.",
        )
    )
    out.append(
        BadForm(
            "par_form_layout",
            _form_name(flawed_layout),
            f"{flawed_layout.name}'s only form: two criteria rows swapped, one criterion row deleted, evidence and "
            "explanation cells merged on one row, a hidden row whose score is written with a decimal comma.",
            "Load every remaining row by its code; notes merged_cells, hidden_cells, decimal_comma and missing_criterion "
            "(the deleted criterion counts as not self-assessed).",
        )
    )
    wb, _ = form(agencies[7], "year")
    wb.active["B6"] = YEAR - 1
    path = save_fixed(wb, forms_dir / f"{FORM_PREFIX}loi_nam_{YEAR - 1}.xlsx")
    written.append(path)
    out.append(
        BadForm(
            "par_form_wrong_year",
            path.name,
            f"{agencies[7].name}: 'Năm đánh giá:' {YEAR - 1}.",
            "Reject the file (wrong_year, cell B6); the unit's 2026 form is unaffected.",
        )
    )
    wb, _ = form(locals_[30], "index")
    wb.active["B7"] = "Chỉ số hài lòng về sự phục vụ hành chính (SIPAS)"
    path = save_fixed(wb, forms_dir / f"{FORM_PREFIX}loi_bo_chi_so_khac.xlsx")
    written.append(path)
    out.append(
        BadForm(
            "par_form_wrong_index",
            path.name,
            f"{locals_[30].name}: 'Bộ chỉ số:' names SIPAS.",
            "Reject the file (wrong_index, cell B7).",
        )
    )
    wb, _ = form(locals_[40], "unit")
    wb.active["B4"], wb.active["B5"] = "Xã Không Tồn Tại", None
    path = save_fixed(wb, forms_dir / f"{FORM_PREFIX}loi_don_vi_khong_ton_tai.xlsx")
    written.append(path)
    out.append(
        BadForm(
            "par_form_unknown_unit",
            path.name,
            "'Đơn vị:' Xã Không Tồn Tại (no such unit).",
            "Reject the whole file (unknown_unit, cell B4).",
        )
    )
    blank, _ = build_form(trees["local"], locals_[50], YEAR)
    path = save_fixed(blank, forms_dir / f"{FORM_PREFIX}loi_phieu_trong.xlsx")
    written.append(path)
    out.append(
        BadForm(
            "par_form_empty",
            path.name,
            f"{locals_[50].name}: the blank form sent back without scores.",
            "Reject the file (empty_form); the unit's filled form is unaffected.",
        )
    )
    path = forms_dir / f"{FORM_PREFIX}loi_khong_phai_excel.xlsx"
    path.write_bytes("Phiếu tự đánh giá gửi kèm email, xem tệp đính kèm.\n".encode())
    written.append(path)
    out.append(
        BadForm(
            "par_form_not_workbook",
            path.name,
            "A text file named .xlsx.",
            "Reject the file (wrong_file_kind: text, not a workbook); nothing crashes.",
        )
    )
    return [
        {"file": f"{FORM_DIR}/{b.file_name}", "kind": b.key, "problem": b.problem, "expected": b.expected, "dossier_codes": []}
        for b in out
    ]


# --- appraisal and surveys -----------------------------------------------------------------------------------


def _write_appraisal(
    path: Path,
    ranked: list[Unit],
    trees: dict,
    scores: dict[str, dict[str, float]],
    unappraised: set[str],
    rng: np.random.Generator,
    bad_files: bool,
) -> tuple[Path, list[dict]]:
    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả thẩm định"
    ws["A1"] = f"KẾT QUẢ THẨM ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {YEAR}"
    ws["A2"] = "Hội đồng thẩm định Chỉ số CCHC tỉnh Thái Nguyên"
    ws.append([])
    ws.append([c.header for c in APPRAISAL_COLUMNS])
    for unit in ranked:
        if unit.code in unappraised:
            continue
        own = scores.get(unit.code, {})
        for node in self_assessed(trees[RANKING_GROUP[unit.group]], unit.group):
            claimed = own.get(node.code)
            comment = None
            if claimed is None:
                points, comment = 0.0, "Đơn vị không tự chấm hoặc điểm tự chấm không hợp lệ."
            elif rng.random() < 0.25 and claimed > 0:
                points = max(0.0, claimed - round(claimed * rng.uniform(0.1, 0.5) * 4) / 4)
                comment = f"Tài liệu kiểm chứng chưa đầy đủ; trừ {claimed - points:g} điểm."
            else:
                points = claimed
            ws.append([unit.name, node.code, points, comment])
    bad: list[dict] = []
    if bad_files:
        first = ws.max_row + 1
        ws.append(["Sở Không Tồn Tại", "LV1.2", 1, None])
        ws.append([ranked[0].name, "LV1.2", "chưa chấm", None])
        ws.append([ranked[1].name, "LV1.2", 99, "Nhập nhầm"])
        bad.append(
            {
                "file": f"{APPRAISAL_DIR}/{APPRAISAL_FILE}",
                "kind": "par_appraisal_rows",
                "problem": f"Rows {first}-{first + 2} of sheet 'Kết quả thẩm định': an unknown unit, a "
                "non-numeric appraised score, a score of 99 above the criterion's maximum (the latter two are "
                f"extra rows for units already appraised). {UNAPPRAISED} units have no appraisal at all.",
                "expected": "Reject those rows (unknown_unit, not_a_number, score_above_max with the trees); the units without appraisal stay provisional.",
                "dossier_codes": [],
            }
        )
    ws.column_dimensions["A"].width = 45
    ws.column_dimensions["D"].width = 50
    return save_fixed(wb, path), bad


def _write_survey(
    path: Path, ranked: list[Unit], trees: dict, rng: np.random.Generator, bad_files: bool
) -> tuple[Path, int, list[dict]]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Mã đơn vị", "Đơn vị", "Loại khảo sát", "Mã tiêu chí", "Điểm"])
    labels = {"survey_sipas": "SIPAS", "survey_leaders": "Lãnh đạo, quản lý"}
    rows = 0
    for unit in ranked:
        tree = trees[RANKING_GROUP[unit.group]]
        applicable = tree.applicable(unit.group)
        level = rng.uniform(0.65, 0.92)
        for node in tree.nodes:
            if node.method in labels and node.code in applicable:
                share = float(np.clip(rng.normal(level, 0.05), 0.4, 1.0))
                writer.writerow([unit.code, unit.name, labels[node.method], node.code, f"{node.max_points * share:.2f}"])
                rows += 1
    bad: list[dict] = []
    if bad_files:
        writer.writerow(["99.KHONGCO", "Sở Không Tồn Tại", "SIPAS", "LV8.1", "5.00"])
        writer.writerow([ranked[2].code, ranked[2].name, "Khảo sát doanh nghiệp", "LV8.1", "5.00"])
        bad.append(
            {
                "file": f"{SURVEY_DIR}/{SURVEY_FILE}",
                "kind": "par_survey_rows",
                "problem": f"The last two lines ({rows + 2}, {rows + 3}): an unknown unit code, an unknown survey type.",
                "expected": "Reject those two lines (unknown_unit, unknown_survey); load the others.",
                "dossier_codes": [],
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return path, rows, bad
