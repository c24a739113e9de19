"""One unit's PAR index and DTI as Word scorecards (NĐ 30/2020 layout): hand-made mart rows to the .docx read back."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from docx import Document

from common.vntext import official_date
from documents.par_scorecard import par_scorecard_name, write_par_scorecard
from workbooks.par import ParData


def _data(**unit_values) -> ParData:
    unit = {
        "year": 2026,
        "ranking_group": "commune",
        "tree": "par_2026",
        "max_applicable": 20.0,
        "band": "Tốt",
        "provisional": False,
        "has_form": True,
        "is_tied": False,
        "units_in_group": 2,
        "difficulties": "Thiếu cán bộ <CNTT> & kinh phí",
        "proposals": None,
        "form_refused": None,
        **unit_values,
    }
    units = pd.DataFrame(
        [
            {
                **unit,
                "unit_code": "X1",
                "unit_name": "Xã Na Rì",
                "total": 17.0,
                "index_pct": 85.0,
                "rank": 1,
                "group_average_pct": 77.5,
            },
            {
                **unit,
                "unit_code": "X2",
                "unit_name": "Xã Côn Minh",
                "total": 14.0,
                "index_pct": 70.0,
                "rank": 2,
                "group_average_pct": 77.5,
            },
        ]
    )
    domains = pd.DataFrame(
        [
            {"year": 2026, "unit_code": u, "domain": d, "name": n, "max_points": 10.0, "points": p, "points_lost": 10.0 - p}
            for u, d, n, p in (
                ("X1", "LV1", "Công tác chỉ đạo, điều hành CCHC", 9.0),
                ("X1", "LV2", "Cải cách thể chế", 8.0),
                ("X2", "LV1", "Công tác chỉ đạo, điều hành CCHC", 7.0),
                ("X2", "LV2", "Cải cách thể chế", 7.0),
            )
        ]
    )
    criteria = pd.DataFrame(
        [
            {
                "unit_code": "X1",
                "code": c,
                "name": n,
                "max_points": m,
                "points": p,
                "points_lost": m - p,
                "applicable": True,
                "source": "self",
            }
            for c, n, m, p in (
                ("LV1.1", "Ban hành kế hoạch CCHC", 4.0, 4.0),
                ("LV2.1", "Rà soát văn bản QPPL", 5.0, 3.0),
                ("LV1.2", "Kiểm tra CCHC", 6.0, 5.0),
            )
        ]
    )
    return ParData(year=2026, units=units, domains=domains, criteria=criteria)


def test_par_scorecard(tmp_path):
    path = write_par_scorecard(tmp_path / par_scorecard_name(2026, "X1"), _data(), "X1", made_on=date(2026, 12, 3))
    assert path.name == "chi_so_cchc_2026_X1.docx"
    doc = Document(str(path))
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    head = doc.tables[0]
    assert [p.text for p in head.cell(0, 0).paragraphs if p.text] == ["UBND TỈNH THÁI NGUYÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"]
    assert head.cell(1, 1).text == "Thái Nguyên, ngày 03 tháng 12 năm 2026"
    texts = [p.text for p in doc.paragraphs]
    assert "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2026" in texts and "Xã Na Rì" in texts
    headings = [p.text.split(".")[0] for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["I", "II", "III", "IV"]
    domains = [[c.text for c in r.cells] for r in doc.tables[1].rows]
    assert domains[1][:5] == ["LV1", "Công tác chỉ đạo, điều hành CCHC", "10,00", "9,00", "1,00"]
    assert domains[1][5] == "8,00"  # the group's average in the domain: (9 + 7) / 2
    assert domains[-1][1:5] == ["Cộng", "20,00", "17,00", "3,00"]
    lost = [[c.text for c in r.cells] for r in doc.tables[2].rows][1:]
    assert [r[0] for r in lost] == ["LV2.1", "LV1.2"]  # largest loss first; LV1.1 lost nothing
    assert "- Khó khăn, vướng mắc: Thiếu cán bộ <CNTT> & kinh phí." in texts
    assert "- Đề xuất, kiến nghị: Không nêu." in texts


def _dti_data(**unit_values):
    from workbooks.dti import DtiData

    unit = {
        "year": 2026,
        "unit_code": "P1",
        "unit_name": "Phường Đức Xuân",
        "ranking_group": "commune",
        "tree": "dti_2026",
        "total": 90.71,
        "index_value": 0.91,
        "band": "Tốt",
        "provisional": True,
        "has_form": True,
        "missing_components": 0,
        "rank": 2,
        "is_tied": False,
        "units_in_group": 90,
        "group_average": 72.41,
        "previous_total": 82.13,
        "change": 8.58,
        "rank_p05": 2,
        "rank_p95": 7,
        **unit_values,
    }
    indices = pd.DataFrame(
        [
            {"unit_code": "P1", "main_index": c, "name": n, "weight": w, "max_points": w, "points": p, "points_lost": w - p}
            for c, n, w, p in (
                ("HT", "Hạ tầng số", 10.0, 9.45),
                ("AT", "An toàn thông tin mạng", 10.0, 10.0),
                ("HD", "Hoạt động chính quyền số", 27.0, 19.88),
            )
        ]
    )
    pillars = pd.DataFrame([{"unit_code": "P1", "pillar": "CQS", "name": "Chính quyền số", "value": 0.89}])
    empty = pd.DataFrame()
    return DtiData(
        year=2026,
        units=pd.DataFrame([unit]),
        indices=indices,
        pillars=pillars,
        components=empty,
        problems=empty,
        file_issues=empty,
    )


def test_dti_scorecard(tmp_path):
    from documents.dti_scorecard import dti_scorecard_name, write_dti_scorecard

    data = _dti_data()
    path = write_dti_scorecard(tmp_path / dti_scorecard_name(2026, "P1"), data, "P1", made_on=date(2026, 12, 3))
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert "KẾT QUẢ CHỈ SỐ CHUYỂN ĐỔI SỐ (DTI) NĂM 2026" in texts and "Phường Đức Xuân" in texts
    assert "- Xếp hạng: 2/90 (khoảng hạng 5–95 %: 2–7)." in texts
    assert "- So với năm trước: +8,58 (năm trước 82,13)." in texts
    assert "- Chính quyền số: 0,89." in texts
    rows = [[c.text for c in r.cells] for r in doc.tables[1].rows][1:]
    assert [r[0] for r in rows] == ["AT", "HD", "HT"]
    assert rows[1][2:] == ["27,00", "27,00", "19,88", "7,12"]
    # what to improve: the main indices that lost points, largest loss first
    assert texts[-3:] == [
        "IV. NỘI DUNG CẦN CẢI THIỆN",
        "- HD Hoạt động chính quyền số: mất 7,12 điểm.",
        "- HT Hạ tầng số: mất 0,55 điểm.",
    ]


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 1, 1), "ngày 01 tháng 01 năm 2026"),
        (date(2026, 7, 6), "ngày 06 tháng 7 năm 2026"),
        (date(2026, 12, 15), "ngày 15 tháng 12 năm 2026"),
        (date(2026, 2, 9), "ngày 09 tháng 02 năm 2026"),
        (date(2026, 10, 20), "ngày 20 tháng 10 năm 2026"),
    ],
)
def test_the_date_line_writes_the_month_as_nd30_says(day, text):
    """NĐ 30/2020, Phụ lục I: a day below 10 and the months 1 and 2 take a leading 0, other months do not. The
    scorecards wrote 'ngày 06 tháng 07 năm 2026'."""
    assert official_date(day) == text


def test_the_scorecards_date_line_has_no_leading_zero_on_july(tmp_path):
    from documents.dti_scorecard import write_dti_scorecard

    made_on = date(2026, 7, 6)
    par = Document(str(write_par_scorecard(tmp_path / "par.docx", _data(), "X1", made_on=made_on)))
    dti = Document(str(write_dti_scorecard(tmp_path / "dti.docx", _dti_data(), "P1", made_on=made_on)))
    for doc in (par, dti):
        assert doc.tables[0].cell(1, 1).text == "Thái Nguyên, ngày 06 tháng 7 năm 2026"


def test_scorecard_lines_end_with_one_full_stop(tmp_path):
    """A provisional PAR result read '- Kết quả (tạm tính): còn tiêu chí tự chấm chưa được thẩm định..' (the line has
    its own full stop, the scorecard added one); a unit's difficulties written with a stop did the same. The DTI
    scorecard builds its lines the same way."""
    from documents.dti_scorecard import write_dti_scorecard

    data = _data(provisional=True, difficulties="Thiếu cán bộ CNTT.", proposals="Bổ sung kinh phí!")
    par = [
        p.text
        for p in Document(str(write_par_scorecard(tmp_path / "par.docx", data, "X1", made_on=date(2026, 12, 3)))).paragraphs
    ]
    assert "- Kết quả (tạm tính): còn tiêu chí tự chấm chưa được thẩm định hoặc chưa có điểm điều tra xã hội học." in par
    assert "- Khó khăn, vướng mắc: Thiếu cán bộ CNTT." in par and "- Đề xuất, kiến nghị: Bổ sung kinh phí!" in par
    dti = [
        p.text
        for p in Document(
            str(write_dti_scorecard(tmp_path / "dti.docx", _dti_data(), "P1", made_on=date(2026, 12, 3)))
        ).paragraphs
    ]
    assert "- Mức độ: Tốt (tạm tính)." in dti
    assert not [t for t in par + dti if t.endswith("..") or t.endswith("!.")]


# python-docx leaves its zip open when a write fails; the close at garbage collection fails too, harmlessly.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("kind", ["par", "dti"])
def test_a_failed_save_keeps_the_previous_scorecard_whole(tmp_path, kind):
    """A full disk while saving leaves the previous .docx that officials open, not half of the new one."""
    from documents.dti_scorecard import write_dti_scorecard
    from tests.disk_limits import disk_full_after

    path = tmp_path / f"{kind}.docx"

    def write(made_on: date):
        if kind == "par":
            return write_par_scorecard(path, _data(), "X1", made_on=made_on)
        return write_dti_scorecard(path, _dti_data(), "P1", made_on=made_on)

    write(date(2026, 12, 3))
    before = path.read_bytes()
    with disk_full_after(4096), pytest.raises(OSError):
        write(date(2026, 12, 4))
    assert path.read_bytes() == before
    assert "ngày 03 tháng 12 năm 2026" in Document(str(path)).tables[0].cell(1, 1).text
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left to fill the disk


def test_a_scorecard_open_in_word_says_so_in_vietnamese(tmp_path):
    from tests.disk_limits import locked

    path = write_par_scorecard(tmp_path / "par.docx", _data(), "X1", made_on=date(2026, 12, 3))
    with locked(path), pytest.raises(PermissionError, match=r"đang mở trong Word.*Đóng tệp"):
        write_par_scorecard(path, _data(), "X1", made_on=date(2026, 12, 4))
    assert [p.name for p in tmp_path.iterdir()] == ["par.docx"]
