"""The NĐ 30/2020/NĐ-CP (Phụ lục I) layout with python-docx: A4, margins, Times New Roman in every font slot, header
table without borders, short rules as paragraph borders, page number in the header from page 2, fixed table widths
(LibreOffice ignores widths unless the grid, every cell and a fixed layout agree)."""

from __future__ import annotations

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
TEXT_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 165 mm
CENTER, LEFT, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.JUSTIFY
INDENT = Cm(1.27)


def set_font(target, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    """Times New Roman in the ascii, hAnsi, complex-script and east-Asian slots (else Word may fall back for
    Vietnamese), and the theme fonts removed (they override w:ascii)."""
    font = target.font
    font.name = FONT
    rpr = target.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic


def sentence(text: str) -> str:
    """``text`` ended by one full stop: one is added unless it ends with '.', '!', '?' or '…' already (a line built
    from a text that has its own, such as "… chưa được thẩm định." or a unit's proposal, read "..")."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def run(paragraph, text: str, size: float = 14, *, bold: bool = False, italic: bool = False):
    r = paragraph.add_run(text)
    set_font(r, size, bold, italic)
    # keep runs of spaces (the number placeholder "Số:      /BC-…")
    for t in r._r.findall(qn("w:t")):
        t.set(qn("xml:space"), "preserve")
    return r


def paragraph(
    container,
    text: str = "",
    size: float = 14,
    *,
    bold: bool = False,
    italic: bool = False,
    align=JUSTIFY,
    indent: bool = True,
    after: float = 6,
    style: str | None = None,
):
    p = container.add_paragraph(style=style)
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(after), 1.0
    if indent:
        fmt.first_line_indent = INDENT
    if text:
        run(p, text, size, bold=bold, italic=italic)
    return p


def cell_paragraph(cell, first: bool = False):
    """The cell's first (empty) paragraph, or a new one."""
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    return p


def top_border(p) -> None:
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    ppr.append(borders)


def rule(container, width_mm: float, total_mm: float):
    """A short solid line centred under the previous paragraph: an empty paragraph with a top border, indented so
    that the line is width_mm long."""
    p = container.add_paragraph()
    side = Mm((total_mm - width_mm) / 2)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = side
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    top_border(p)
    set_font(p.add_run(""), 2)
    return p


def page_number_header(section) -> None:
    """Page number centred in the top margin, not on page 1 (Phụ lục I)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = CENTER
    r = p.add_run()
    set_font(r, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        r._r.append(el)


def fixed_widths(table, widths_mm: list[float]) -> None:
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=False):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for c, width in zip(row.cells, widths_mm, strict=False):
            c.width = Mm(width)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)


def no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    table._tbl.tblPr.append(borders)


def no_cell_padding(table) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:w"), "0")
        e.set(qn("w:type"), "dxa")
        margins.append(e)
    table._tbl.tblPr.append(margins)


def repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)


def page_setup(doc) -> None:
    """A4 portrait, the margins of Phụ lục I, Normal and heading styles in Times New Roman, black headings."""
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    s.top_margin, s.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    s.left_margin, s.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    s.header_distance = Mm(10)
    page_number_header(s)
    set_font(doc.styles["Normal"], 14)
    for name in ("Heading 1", "Heading 2"):
        style = doc.styles[name]
        set_font(style, 14, bold=True, italic=False)
        style.font.color.rgb = None
        fmt = style.paragraph_format
        fmt.space_before, fmt.space_after = Pt(6), Pt(6)
        fmt.first_line_indent = INDENT
        fmt.keep_with_next = True
