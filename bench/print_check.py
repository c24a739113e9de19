"""Print check of the workbooks: each is printed to PDF with LibreOffice, and every page is read back with poppler's
``pdftotext -bbox-layout`` to check that it is A4, that no word lies beyond the paper, and how large the smallest
text is after the fit-to-width scaling (a sheet squeezed onto one page width can print at 3 pt: not cut, unreadable).

The page header of every sheet is its name (``&A``, set by ``workbooks.excel``), so each page is attributed to its
sheet by its first line. Needs ``soffice`` and ``pdftotext`` (neither is a Python dependency; ``available()`` says
whether both are on the PATH). Run as ``python -m bench.print_check [folder or workbooks…]`` (default: data/reports).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

A4 = (595.28, 841.89)  # points
MIN_FONT_PT = 6.0  # smallest legible text after scaling
EM_HEIGHT = 1.3  # height of a word's box per point of font size (Times New Roman 12 pt at 100 %: 15.6 pt boxes)
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>', re.S)


@dataclass
class Page:
    number: int
    width: float
    height: float
    sheet: str  # the page header's text (the sheet name)
    words: int
    outside: list[str] = field(default_factory=list)  # words beyond the paper
    min_font: float | None = None  # smallest text on the page in points, after scaling (chart labels included)
    body_font: float | None = None  # the median size of the page's words: the table's text

    @property
    def is_a4(self) -> bool:
        return all(abs(a - b) < 2 for a, b in zip(sorted((self.width, self.height)), A4, strict=True))

    @property
    def landscape(self) -> bool:
        return self.width > self.height


def available() -> bool:
    return shutil.which("soffice") is not None and shutil.which("pdftotext") is not None


def to_pdf(xlsx: Path, out_dir: Path) -> Path:
    """``soffice --headless --convert-to pdf`` with its own throwaway profile (a running LibreOffice is not reused)."""
    profile = out_dir / "lo_profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    pdf = out_dir / f"{xlsx.stem}.pdf"
    if not pdf.exists():
        raise RuntimeError(f"LibreOffice wrote no PDF for {xlsx}")
    return pdf


def read_pages(pdf: Path) -> list[Page]:
    """Every page's size, words beyond the paper and smallest text, from ``pdftotext -bbox-layout``."""
    text = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=600
    ).stdout
    pages = []
    for number, match in enumerate(_PAGE.finditer(text), start=1):
        width, height = float(match[1]), float(match[2])
        words = [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in _WORD.findall(match[3])]
        page = Page(number, width, height, _first_line(words), len(words))
        tol = 0.5
        page.outside = [w for x0, y0, x1, y1, w in words if x0 < -tol or y0 < -tol or x1 > width + tol or y1 > height + tol]
        sizes = [(y1 - y0) / EM_HEIGHT for _, y0, _, y1, w in words if w.strip()]
        page.min_font = round(min(sizes), 1) if sizes else None
        page.body_font = round(sorted(sizes)[len(sizes) // 2], 1) if sizes else None
        pages.append(page)
    return pages


def _first_line(words: list[tuple[float, float, float, float, str]]) -> str:
    if not words:
        return ""
    top = min(w[1] for w in words)
    return " ".join(w[4] for w in sorted(words, key=lambda w: w[0]) if abs(w[1] - top) < 1.0)


@dataclass
class SheetPrint:
    sheet: str
    pages: list[Page]

    @property
    def problems(self) -> list[str]:
        out = []
        if not all(p.is_a4 for p in self.pages):
            out.append("not A4")
        outside = [w for p in self.pages for w in p.outside]
        if outside:
            out.append(f"{len(outside)} words beyond the paper, e.g. {outside[:3]}")
        body = self.body_font
        if body is not None and body < MIN_FONT_PT:
            out.append(f"text at {body} pt after scaling (< {MIN_FONT_PT} pt)")
        return out

    @property
    def body_font(self) -> float | None:
        sizes = [p.body_font for p in self.pages if p.body_font is not None]
        return min(sizes) if sizes else None

    @property
    def min_font(self) -> float | None:
        sizes = [p.min_font for p in self.pages if p.min_font is not None]
        return min(sizes) if sizes else None


def check_workbook(xlsx: Path, work_dir: Path | None = None) -> list[SheetPrint]:
    """Print ``xlsx`` to PDF and group its pages by sheet (consecutive pages with the same header)."""
    with tempfile.TemporaryDirectory(prefix="print_check_") as tmp:
        out_dir = Path(work_dir or tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        pages = read_pages(to_pdf(Path(xlsx), out_dir))
    sheets: list[SheetPrint] = []
    for page in pages:
        if sheets and sheets[-1].sheet == page.sheet:
            sheets[-1].pages.append(page)
        else:
            sheets.append(SheetPrint(page.sheet, [page]))
    return sheets


def report(paths: list[Path]) -> int:
    """Print one line per sheet and a verdict per workbook; return the number of sheets with a problem."""
    bad = 0
    for xlsx in paths:
        sheets = check_workbook(xlsx)
        n_pages = sum(len(s.pages) for s in sheets)
        fonts = [s.min_font for s in sheets if s.min_font is not None]
        print(f"{xlsx.name}: {len(sheets)} sheets, {n_pages} pages, smallest text {min(fonts) if fonts else '—'} pt")
        for s in sheets:
            first = s.pages[0]
            problems = s.problems
            bad += bool(problems)
            mark = "LỖI " + "; ".join(problems) if problems else "ok"
            orientation = "ngang" if first.landscape else "dọc"
            print(
                f"  {s.sheet[:40]:<40} {len(s.pages):4d} trang, {orientation:<4} chữ bảng {s.body_font} pt, "
                f"nhỏ nhất {s.min_font} pt  {mark}"
            )
    return bad


def main(argv: list[str]) -> int:
    if not available():
        print("print check skipped: soffice (LibreOffice) or pdftotext (poppler) is not installed")
        return 0
    targets = [Path(a) for a in argv] or [Path("data/reports")]
    paths = sorted(p for t in targets for p in ([t] if t.is_file() else t.glob("*.xlsx")) if not p.name.startswith("."))
    bad = report(paths)
    print(f"{len(paths)} workbooks, {bad} sheets with a print problem")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


# --- what officials must not see ----------------------------------------------------------------------------

# A raw rule or column code: lower-case snake_case words (completed_before_received), not a file name
# (tu_danh_gia_stc.xlsx, whose extension follows) and not inside a longer word or path.
RULE_CODE = re.compile(r"(?<![\w./\\-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/\\-]|\.\w)")
YAML_NAME = re.compile(r"\.ya?ml\b", re.I)


def raw_codes(xlsx: Path) -> list[tuple[str, str, str]]:
    """(sheet, cell, text) of every cell that shows a raw rule code or a methodology file name (.yaml)."""
    import openpyxl

    found = []
    book = openpyxl.load_workbook(xlsx, read_only=True)
    try:
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if isinstance(value, str) and (RULE_CODE.search(value) or YAML_NAME.search(value)):
                        found.append((ws.title, cell.coordinate, value))
    finally:
        book.close()
    return found
