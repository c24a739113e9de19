"""One unit's DTI (Chỉ số chuyển đổi số) of a year as a Word scorecard in the NĐ 30/2020 layout: rank (with its
5–95 % interval), total and level, change from last year, the pillars, the main indices with their points lost. It
reads what the DTI workbook reads (``workbooks.dti.read_dti_data``: mart_dti_unit, mart_dti_index, mart_dti_pillar)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from docx import Document

from common.files import write_atomically
from common.vntext import nfc
from documents.nd30 import CENTER, page_setup, paragraph, sentence
from documents.par_scorecard import agency_header, simple_table
from scoring.ranking import group_label, rank_label
from workbooks.dti import DtiData, _signed, interval_text, level_label, unit_note
from workbooks.excel import code_key, decimal_text, frame_records


def dti_scorecard_name(year: int, unit_code: str) -> str:
    """'chi_so_chuyen_doi_so_2026_19.SKHCN.docx'."""
    return f"chi_so_chuyen_doi_so_{year}_{unit_code}.docx"


def _lines(unit: dict) -> list[str]:
    rank = rank_label(unit.get("rank"), unit.get("is_tied"), unit.get("units_in_group"))
    interval = interval_text(unit)
    lines = [
        f"Nhóm xếp hạng: {group_label(unit.get('ranking_group'))}",
        f"Xếp hạng: {rank}" + (f" (khoảng hạng 5–95 %: {interval})" if interval else ""),
        f"Tổng điểm: {decimal_text(unit.get('total'))}; Chỉ số: {decimal_text(unit.get('index_value'))}",
        f"Mức độ: {level_label(unit) or '—'}",
        f"Trung bình nhóm: {decimal_text(unit.get('group_average'))}",
        f"So với năm trước: {_signed(unit.get('change'))} (năm trước {decimal_text(unit.get('previous_total'))})",
    ]
    note = unit_note(unit)
    if note:
        lines.append(f"Ghi chú: {note}")
    return lines


def write_dti_scorecard(
    path: Path,
    data: DtiData,
    unit_code: str,
    *,
    made_on: date,
    province: str = "Thái Nguyên",
    agency: str = "Sở Khoa học và Công nghệ",
) -> Path:
    units = [u for u in frame_records(data.units) if u["unit_code"] == unit_code]
    if not units:
        raise ValueError(f"Không có kết quả DTI năm {data.year} của đơn vị {unit_code}.")
    unit = units[0]
    pillars = [p for p in frame_records(data.pillars) if p["unit_code"] == unit_code]
    indices = sorted(
        (i for i in frame_records(data.indices) if i["unit_code"] == unit_code), key=lambda i: code_key(i["main_index"])
    )

    doc = Document()
    page_setup(doc)
    agency_header(doc, province, agency, made_on)
    paragraph(doc, "", indent=False)
    paragraph(doc, f"KẾT QUẢ CHỈ SỐ CHUYỂN ĐỔI SỐ (DTI) NĂM {data.year}", 14, bold=True, align=CENTER, indent=False, after=0)
    paragraph(doc, nfc(unit.get("unit_name") or unit_code), 14, bold=True, align=CENTER, indent=False, after=12)

    doc.add_heading("I. KẾT QUẢ CHUNG", level=1)
    for line in _lines(unit):
        paragraph(doc, sentence(f"- {line}"))

    doc.add_heading("II. TRỤ CỘT", level=1)
    for p in pillars or []:
        paragraph(doc, f"- {p.get('name') or p['pillar']}: {decimal_text(p.get('value'))}.")
    if not pillars:
        paragraph(doc, "Chưa có giá trị theo trụ cột.")

    doc.add_heading("III. CHỈ SỐ CHÍNH", level=1)
    rows = [
        [
            str(i["main_index"]),
            str(i.get("name") or ""),
            decimal_text(i.get("weight")),
            decimal_text(i.get("max_points")),
            decimal_text(i.get("points")),
            decimal_text(i.get("points_lost")),
        ]
        for i in indices
    ]
    if rows:
        simple_table(
            doc, ["Mã", "Chỉ số chính", "Trọng số", "Điểm tối đa", "Điểm đạt", "Điểm mất"], [16, 73, 19, 19, 19, 19], rows
        )
    else:
        paragraph(doc, "Chưa có điểm theo chỉ số chính.")
    lost = sorted((i for i in indices if (i.get("points_lost") or 0) > 0), key=lambda i: -(i.get("points_lost") or 0))
    doc.add_heading("IV. NỘI DUNG CẦN CẢI THIỆN", level=1)
    for i in lost[:5]:
        paragraph(doc, f"- {i['main_index']} {i.get('name') or ''}: mất {decimal_text(i.get('points_lost'))} điểm.")
    if not lost:
        paragraph(doc, "Không có chỉ số chính nào bị mất điểm.")

    doc.core_properties.title = f"Kết quả DTI năm {data.year}: {unit.get('unit_name') or unit_code}"
    doc.core_properties.language = "vi-VN"
    # A temporary file renamed over the old report: a full disk or a kill never leaves a broken .docx.
    return write_atomically(path, lambda tmp: doc.save(str(tmp)), application="Word")
