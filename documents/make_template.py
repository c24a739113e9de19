"""Writes the Word template of the progress report (``documents/templates/bao_cao_tien_do.docx``): the NĐ 30/2020
layout with docxtpl tags ({{ … }}, {%p for %} paragraph loops, {%tr for %} table-row loops). The committed file is
the department's to edit in Word (wording, recipients, signer); regenerate it with
``python -m documents.make_template`` (this overwrites their edits).

Variables: see ``documents.task_report.context``."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.shared import Mm, Pt

from documents.nd30 import (
    CENTER,
    LEFT,
    TEXT_MM,
    cell_paragraph,
    fixed_widths,
    no_borders,
    no_cell_padding,
    page_setup,
    paragraph,
    repeat_header,
    rule,
    run,
    top_border,
)

TEMPLATES = Path(__file__).parent / "templates"
TASK_REPORT_TEMPLATE = TEMPLATES / "bao_cao_tien_do.docx"

GROUP_COLUMNS = (
    ("STT", "no", 12),
    ("Nhóm nhiệm vụ", "name", 45),
    ("Tổng số", "tasks", 14),
    ("Đã đến hạn hoặc đã hoàn thành", "due", 15),
    ("Hoàn thành đúng hạn", "on_time", 17),
    ("Hoàn thành quá hạn", "late", 17),
    ("Quá hạn chưa hoàn thành", "overdue", 17),
    ("Tỷ lệ đúng hạn (%)", "rate", 28),
)
UNIT_COLUMNS = (
    ("STT", "no", 12),
    ("Đơn vị chủ trì", "name", 49),
    ("Số nhiệm vụ", "tasks", 16),
    ("Đã đến hạn hoặc đã hoàn thành", "due", 15),
    ("Hoàn thành đúng hạn", "on_time", 17),
    ("Hoàn thành quá hạn", "late", 17),
    ("Quá hạn", "overdue", 14),
    ("Tỷ lệ đúng hạn (%)", "rate", 25),
)


def _loop(doc, items: str, *, size: float = 14, indent: bool = True) -> None:
    paragraph(doc, f"{{%p for text in {items} %}}", indent=False, after=0)
    paragraph(doc, "{{ text }}", size, indent=indent)
    paragraph(doc, "{%p endfor %}", indent=False, after=0)


def _table(doc, columns: tuple, items: str, total: str | None) -> None:
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for c, (title, _, _) in zip(table.rows[0].cells, columns, strict=True):
        p = cell_paragraph(c, first=True)
        p.alignment = CENTER
        run(p, title, 12, bold=True)
    repeat_header(table.rows[0])
    rows = [
        [f"{{%tr for r in {items} %}}"] + [""] * (len(columns) - 1),
        [f"{{{{ r.{key} }}}}" for _, key, _ in columns],
        ["{%tr endfor %}"] + [""] * (len(columns) - 1),
    ]
    if total:
        rows.append(["", f"{{{{ {total}.name }}}}", *[f"{{{{ {total}.{key} }}}}" for _, key, _ in columns[2:]]])
    for i, texts in enumerate(rows):
        cells = table.add_row().cells
        for j, (c, text) in enumerate(zip(cells, texts, strict=True)):
            p = cell_paragraph(c, first=True)
            p.alignment = LEFT if j == 1 else CENTER
            run(p, text, 12, bold=total is not None and i == len(rows) - 1)
    fixed_widths(table, [w for _, _, w in columns])


def _caption(doc, text: str) -> None:
    p = paragraph(doc, text, 13, italic=True, align=CENTER, indent=False, after=3)
    p.paragraph_format.keep_with_next = True


def build_template(path: Path = TASK_REPORT_TEMPLATE) -> Path:
    doc = Document()
    page_setup(doc)
    # the header is 9 mm wider than the text, centred (4.5 mm into each margin), without cell padding: the Quốc hiệu
    # at 12 pt bold needs about 96 mm, the agency's name at 13 pt bold about 72 mm
    left_mm, right_mm = 74, 100

    # header: parent agency and issuing agency (left), Quốc hiệu and Tiêu ngữ (right); number and place-date below
    head = doc.add_table(rows=2, cols=2)
    no_borders(head)
    fixed_widths(head, [left_mm, right_mm])
    no_cell_padding(head)
    left, right = head.cell(0, 0), head.cell(0, 1)
    p = cell_paragraph(left, first=True)
    p.alignment = CENTER
    run(p, "{{ parent_agency }}", 13)
    p = cell_paragraph(left)
    p.alignment = CENTER
    run(p, "{{ agency }}", 13, bold=True)
    rule(left, left_mm / 3, left_mm)
    p = cell_paragraph(right, first=True)
    p.alignment = CENTER
    run(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
    p = cell_paragraph(right)
    p.alignment = CENTER
    run(p, "Độc lập - Tự do - Hạnh phúc", 13, bold=True)
    rule(right, 58, right_mm)
    p = cell_paragraph(head.cell(1, 0), first=True)
    p.alignment = CENTER
    p.paragraph_format.space_before = Pt(6)
    run(p, "Số: {{ number }}/BC-{{ abbreviation }}", 13)
    p = cell_paragraph(head.cell(1, 1), first=True)
    p.alignment = CENTER
    run(p, "{{ place }}, ngày {{ day }} tháng {{ month }} năm {{ year }}", 14, italic=True)

    # title and subject, with a short rule below; addressee
    paragraph(doc, "", indent=False)
    paragraph(doc, "BÁO CÁO", 14, bold=True, align=CENTER, indent=False, after=0)
    paragraph(doc, "{{ subject }}", 14, bold=True, align=CENTER, indent=False, after=0)
    line = paragraph(doc, "", indent=False, after=6)
    line.paragraph_format.left_indent = line.paragraph_format.right_indent = Mm((TEXT_MM - 40) / 2)
    line.paragraph_format.space_before = Pt(3)
    top_border(line)
    paragraph(doc, "Kính gửi: {{ recipient_to }}", 14, align=CENTER, indent=False, after=12)

    paragraph(doc, "{{ intro }}")
    paragraph(doc, "{{ as_of_text }}", italic=True)

    doc.add_heading("I. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", level=1)
    _loop(doc, "results")
    _caption(doc, "Bảng 1. Kết quả thực hiện theo nhóm nhiệm vụ")
    _table(doc, GROUP_COLUMNS, "groups", "total")
    paragraph(doc, "", indent=False, after=0)
    _caption(doc, "Bảng 2. Kết quả thực hiện theo đơn vị chủ trì")
    _table(doc, UNIT_COLUMNS, "units", None)
    # (as the annex's sheet says it: without it Bảng 2's columns, 7 due against Bảng 1's 4, read as a contradiction)
    paragraph(
        doc,
        "Nhiệm vụ có nhiều đơn vị chủ trì được tính cho từng đơn vị, theo báo cáo của chính đơn vị đó; Bảng 1 tính mỗi "
        "nhiệm vụ một lần.",
        italic=True,
    )
    _loop(doc, "reporting")

    doc.add_heading("II. NHIỆM VỤ QUÁ HẠN VÀ NGUYÊN NHÂN", level=1)
    _loop(doc, "overdue")

    doc.add_heading("III. KHÓ KHĂN, VƯỚNG MẮC VÀ ĐỀ XUẤT, KIẾN NGHỊ", level=1)
    paragraph(doc, "1. Khó khăn, vướng mắc", bold=True)
    _loop(doc, "difficulties")
    paragraph(doc, "2. Đề xuất, kiến nghị", bold=True)
    _loop(doc, "proposals")

    doc.add_heading("IV. NHIỆM VỤ TRỌNG TÂM {{ next_period_upper }}", level=1)
    _loop(doc, "next_tasks")

    paragraph(doc, "{{ annex_text }}")
    paragraph(doc, "{{ closing }}")

    # Nơi nhận (left: 12 bold italic, list 11) and the signature block (right, bold), without borders
    paragraph(doc, "", indent=False, after=0)
    sign = doc.add_table(rows=1, cols=2)
    no_borders(sign)
    fixed_widths(sign, [75, TEXT_MM - 75])
    left, right = sign.cell(0, 0), sign.cell(0, 1)
    p = cell_paragraph(left, first=True)
    run(p, "Nơi nhận:", 12, bold=True, italic=True)
    p = cell_paragraph(left)
    run(p, "{%p for r in recipients %}", 11)
    p = cell_paragraph(left)
    run(p, "- {{ r }};", 11)
    p = cell_paragraph(left)
    run(p, "{%p endfor %}", 11)
    p = cell_paragraph(left)
    run(p, "- Lưu: VT, {{ archive_unit }}.", 11)
    for i, text in enumerate(("{{ signer_authority }}", "{{ signer_title }}")):
        p = cell_paragraph(right, first=i == 0)
        p.alignment = CENTER
        run(p, text, 14, bold=True)
    p = cell_paragraph(right)
    p.alignment = CENTER
    run(p, "{{ signer_note }}", 14, italic=True)
    for _ in range(3):
        cell_paragraph(right)
    p = cell_paragraph(right)
    p.alignment = CENTER
    run(p, "{{ signer_name }}", 14, bold=True)

    doc.core_properties.title = "Báo cáo kết quả thực hiện nhiệm vụ cải cách hành chính"
    doc.core_properties.language = "vi-VN"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    print(build_template())
