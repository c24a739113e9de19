"""One unit's PAR index (Chỉ số CCHC) of a year as a Word scorecard in the NĐ 30/2020 layout: the agency header, the
unit's rank, total, index and band, the points per domain beside its group's average, the criteria that lost points
(largest loss first) and the unit's difficulties and proposals. It reads what the PAR workbook reads
(``workbooks.par.read_par_data``: mart_par_unit, mart_par_domain, mart_par_criterion), so the two agree."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from docx import Document

from common.files import write_atomically
from common.units import province_name
from common.vntext import nfc, official_date
from documents.nd30 import (
    CENTER,
    LEFT,
    cell_paragraph,
    fixed_widths,
    no_borders,
    no_cell_padding,
    page_setup,
    paragraph,
    repeat_header,
    rule,
    run,
    sentence,
)
from workbooks.excel import code_key, decimal_text, frame_records
from workbooks.par import ParData, _domain_averages, improvement_rows, unit_subtitles


def par_scorecard_name(year: int, unit_code: str) -> str:
    """'chi_so_cchc_2026_19.SKHCN.docx'."""
    return f"chi_so_cchc_{year}_{unit_code}.docx"


def simple_table(doc, header: list[str], widths: list[float], rows: list[list[str]], bold_last: bool = False) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for c, text in zip(table.rows[0].cells, header, strict=True):
        p = cell_paragraph(c, first=True)
        p.alignment = CENTER
        run(p, text, 12, bold=True)
    repeat_header(table.rows[0])
    for i, values in enumerate(rows):
        cells = table.add_row().cells
        for j, (c, text) in enumerate(zip(cells, values, strict=True)):
            p = cell_paragraph(c, first=True)
            p.alignment = LEFT if j == 1 else CENTER
            run(p, text, 12, bold=bold_last and i == len(rows) - 1)
    fixed_widths(table, widths)


def agency_header(doc, province: str, agency: str, made_on: date) -> None:
    head = doc.add_table(rows=2, cols=2)
    no_borders(head)
    fixed_widths(head, [74, 100])
    no_cell_padding(head)
    left, right = head.cell(0, 0), head.cell(0, 1)
    for i, (cell, text, size, bold) in enumerate(
        (
            (left, province_name(province).committee, 13, False),
            (left, agency.upper(), 13, True),
            (right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, True),
            (right, "Độc lập - Tự do - Hạnh phúc", 13, True),
        )
    ):
        p = cell_paragraph(cell, first=i in (0, 2))
        p.alignment = CENTER
        run(p, text, size, bold=bold)
        if i == 1:
            rule(left, 25, 74)
        if i == 3:
            rule(right, 58, 100)
    p = cell_paragraph(head.cell(1, 1), first=True)
    p.alignment = CENTER
    run(p, f"{province_name(province).short}, {official_date(made_on)}", 14, italic=True)


def write_par_scorecard(
    path: Path,
    data: ParData,
    unit_code: str,
    *,
    made_on: date,
    province: str = "Thái Nguyên",
    agency: str = "Sở Khoa học và Công nghệ",
) -> Path:
    units = [u for u in frame_records(data.units) if u["unit_code"] == unit_code]
    if not units:
        raise ValueError(f"Không có kết quả Chỉ số CCHC năm {data.year} của đơn vị {unit_code}.")
    unit = units[0]
    domains = sorted((d for d in frame_records(data.domains) if d["unit_code"] == unit_code), key=lambda d: code_key(d["domain"]))
    criteria = [c for c in frame_records(data.criteria) if c["unit_code"] == unit_code]
    averages = _domain_averages(data)

    doc = Document()
    page_setup(doc)
    agency_header(doc, province, agency, made_on)
    paragraph(doc, "", indent=False)
    paragraph(doc, f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {data.year}", 14, bold=True, align=CENTER, indent=False, after=0)
    paragraph(doc, nfc(unit.get("unit_name") or unit_code), 14, bold=True, align=CENTER, indent=False, after=12)

    doc.add_heading("I. KẾT QUẢ CHUNG", level=1)
    for line in unit_subtitles(unit)[:-1]:  # the last line is the workbook's "generated at"
        paragraph(doc, sentence(f"- {line}"))

    doc.add_heading("II. ĐIỂM THEO LĨNH VỰC", level=1)
    group = unit.get("ranking_group")
    rows = [
        [
            str(d["domain"]),
            str(d.get("name") or ""),
            decimal_text(d.get("max_points")),
            decimal_text(d.get("points")),
            decimal_text(d.get("points_lost")),
            decimal_text(averages.get((str(group), str(d["domain"])))),
        ]
        for d in domains
    ]
    rows.append(
        [
            "",
            "Cộng",
            decimal_text(unit.get("max_applicable")),
            decimal_text(unit.get("total")),
            decimal_text(sum(d.get("points_lost") or 0 for d in domains)),
            "",
        ]
    )
    simple_table(doc, ["Mã", "Lĩnh vực", "Điểm tối đa", "Điểm đạt", "Điểm mất", "TB nhóm"], [14, 71, 20, 20, 20, 20], rows, True)

    doc.add_heading("III. TIÊU CHÍ CÓ THỂ CẢI THIỆN", level=1)
    lost = improvement_rows(criteria)
    if lost:
        simple_table(
            doc,
            ["Mã", "Tiêu chí", "Điểm tối đa", "Điểm đạt", "Điểm mất"],
            [18, 87, 20, 20, 20],
            [
                [
                    str(c["code"]),
                    str(c.get("name") or ""),
                    decimal_text(c.get("max_points")),
                    decimal_text(c.get("points")),
                    decimal_text(c.get("points_lost")),
                ]
                for c in lost
            ],
        )
    else:
        paragraph(doc, "Không có tiêu chí nào bị mất điểm.")

    doc.add_heading("IV. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT CỦA ĐƠN VỊ", level=1)
    paragraph(doc, sentence(f"- Khó khăn, vướng mắc: {unit.get('difficulties') or 'Không nêu'}"))
    paragraph(doc, sentence(f"- Đề xuất, kiến nghị: {unit.get('proposals') or 'Không nêu'}"))

    doc.core_properties.title = f"Kết quả Chỉ số CCHC năm {data.year}: {unit.get('unit_name') or unit_code}"
    doc.core_properties.language = "vi-VN"
    # A temporary file renamed over the old report: a full disk or a kill never leaves a broken .docx.
    return write_atomically(path, lambda tmp: doc.save(str(tmp)), application="Word")
