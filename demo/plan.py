"""The department's 2026 administrative-reform plan as Excel files of the demo inbox: the plan register
(``ke_hoach/``, first issue and one revision), the offices' quarterly progress reports (``tien_do/``, Q1-Q3 2026),
and the deliberately bad register and reports (documented in BAD_FILES.md).

The 13 focus tasks are transcribed exactly from the plan (seed text: ke-hoach-cchc-2026-so-khcn-thai-nguyen.txt,
including its spellings "Phòng Chuyên đổi số" and "Phòng quản lý Chuyên ngành"); section IV's responsibilities of
the named offices are tasks IV.1-IV.6. Expected results and responsible persons are job titles, never names; a few
are left blank on purpose, so the "6 rõ" check has something to find. The revision (lần 2, 15/06/2026) moves task 9
from "Quý II/2026" to "Quý III/2026" and adds task 14.

Each office reports the tasks it leads. Task 4's lead "Các phòng chuyên môn" is the four professional offices
(Chuyển đổi số, Quản lý Khoa học, Quản lý Chuyên ngành, Bưu chính - Viễn thông): each reports its own part, three finish
in May 2026, Phòng Quản lý Khoa học (no Q2 report) only on 14/08/2026, so the task is completed late; Văn phòng Sở,
a collaborator of task 4, does not report it.

The files do not depend on the seed (the plan is a fixed document); a file dated after the end of the range has not
been sent yet and is not written. Workbooks are saved with fixed document properties and zip timestamps, so the
same range gives byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from common.units import province_name
from forms.assessment_forms import save_fixed
from sources.task_formats import PLAN_COLUMNS, PLAN_DIR, PLAN_SHEET, REPORT_COLUMNS, REPORT_DIR, STATUS_LABELS

PLAN_NUMBER = "123/KH-SKHCN"
PLAN_TITLE = "Kế hoạch cải cách hành chính của Sở Khoa học và Công nghệ năm 2026"
ISSUED = date(2025, 12, 30)  # after Kế hoạch 188/KH-UBND of 27/12/2025, which the plan cites
REVISED = date(2026, 6, 15)
REGISTER_FILE = "ke_hoach_cchc_2026.xlsx"
REVISION_FILE = "ke_hoach_cchc_2026_sua_doi_1.xlsx"
BAD_REGISTER_FILE = "ke_hoach_thu_nghiem_loi.xlsx"

VP, CDS, QLKH, QLCN, BCVT = (
    "Văn phòng Sở",
    "Phòng Chuyển đổi số",
    "Phòng Quản lý Khoa học",
    "Phòng Quản lý Chuyên ngành",
    "Phòng Bưu chính - Viễn thông",
)
ALL_OFFICES, AGENCIES_COMMUNES = "Các phòng, đơn vị thuộc Sở", "Các sở, ban, ngành; UBND cấp xã"
UNKNOWN_OFFICE = "Phòng Kế hoạch - Tài chính"  # not an office of the department (since the 2025 reorganisation)


@dataclass(frozen=True)
class Task:
    no: str  # as written in the register ("1.", "IV.1")
    content: str
    lead: str
    collaborators: str
    deadline: str
    result: str = ""
    responsible: str = ""


# The plan's list of focus tasks, as written (number, content, lead, collaborators, completion time).
SEED_TASKS: tuple[Task, ...] = (
    Task(
        "1.",
        "Xây dựng Kế hoạch tuyên truyền CCHC; kế hoạch kiểm tra CCHC, kiểm tra công vụ năm 2026 và tổ chức triển khai thực hiện",
        VP,
        ALL_OFFICES,
        "Sau khi có Kế hoạch của UBND tỉnh (dự kiến quý I/2026)",
        "Kế hoạch tuyên truyền CCHC; Kế hoạch kiểm tra CCHC, kiểm tra công vụ năm 2026",
        "Chánh Văn phòng",
    ),
    Task(
        "2.",
        "Xây dựng kế hoạch nâng cao chất lượng kiểm soát TTHC, cải cách TTHC gắn với chuyển đổi số trên địa bàn tỉnh Thái Nguyên",
        VP,
        ALL_OFFICES,
        "Sau khi có Kế hoạch của UBND tỉnh (dự kiến tháng 01/2026)",
        "Kế hoạch nâng cao chất lượng kiểm soát TTHC gắn với chuyển đổi số",
        "Chánh Văn phòng",
    ),
    Task(
        "3.",
        "Xây dựng và triển khai kế hoạch đánh giá, xác định Chỉ số CCHC; đo lường mức độ hài lòng của người dân, tổ chức đối với sự phục vụ hành chính năm 2026 của Sở và tổ chức thực hiện",
        VP,
        ALL_OFFICES,
        "Sau khi có Kế hoạch của UBND tỉnh (dự kiến quý III/2026)",
        "Báo cáo tự đánh giá Chỉ số CCHC; kết quả đo lường sự hài lòng năm 2026",
        "Phó Chánh Văn phòng",
    ),
    Task(
        "4.",
        "Tổ chức triển khai xử lý các văn bản QPPL chịu sự tác động của việc sắp xếp tổ chức bộ máy đối với các văn bản do cơ quan, đơn vị mình tham mưu tại Danh mục văn bản QPPL chịu sự tác động của việc sắp xếp tổ chức bộ máy nhà nước (kèm theo Báo cáo số 287/BC-BTP ngày 16/6/2025 của Bộ Tư pháp về kết quả rà soát hệ thống hóa văn bản QPPL chịu sự tác động của việc sắp xếp tổ chức bộ máy quy định tại Nghị quyết số 190/2025/QH15 QH15 ngày 10/02/2025 của Quốc hội)",
        "Các phòng chuyên môn",
        VP,
        "Trước 01/6/2026",
        "Văn bản QPPL được sửa đổi, bổ sung, thay thế hoặc bãi bỏ; báo cáo kết quả xử lý",
        "",
    ),
    Task(
        "5.",
        "Xây dựng Kế hoạch nâng cao Chỉ số CCHC, Chỉ số hài lòng về sự phục vụ hành chính, nâng cao hiệu quả quản trị và hành chính công tỉnh Thái Nguyên năm 2026 và tổ chức thực hiện.",
        VP,
        ALL_OFFICES,
        "Quý II/2026 (sau khi UBND tỉnh công bố)",
        "Kế hoạch nâng cao Chỉ số CCHC, SIPAS, PAPI năm 2026 của Sở",
        "Chánh Văn phòng",
    ),
    Task(
        "6.",
        "Nâng cấp phần mềm đánh giá mức độ chuyển đổi số các cơ quan nhà nước trên địa bàn tỉnh",
        "Phòng Chuyên đổi số",
        AGENCIES_COMMUNES,
        "Quý III/2026",
        "Phần mềm đánh giá mức độ chuyển đổi số được nâng cấp, đưa vào sử dụng",
        "Trưởng phòng Chuyển đổi số",
    ),
    Task(
        "7.",
        "Triển khai phần mềm Hệ thống báo cáo ngày",
        "Phòng Chuyên đổi số",
        AGENCIES_COMMUNES,
        "Năm 2026",
        "Hệ thống báo cáo ngày vận hành tại các cơ quan, đơn vị",
        "Phó Trưởng phòng Chuyển đổi số",
    ),
    Task(
        "8.",
        "Triển khai hệ thống thông tin giải quyết TTHC tỉnh phù hợp với chỉ đạo của Trung ương",
        "Phòng Chuyên đổi số",
        AGENCIES_COMMUNES,
        "Năm 2026",
        "Hệ thống thông tin giải quyết TTHC tỉnh kết nối Cổng Dịch vụ công quốc gia",
        "Trưởng phòng Chuyển đổi số",
    ),
    Task(
        "9.",
        "Triển khai thí điểm Trung tâm giám sát, điều hành thông minh tỉnh Thái Nguyên",
        "Phòng Chuyên đổi số",
        AGENCIES_COMMUNES,
        "Quý II/2026",
        "Trung tâm giám sát, điều hành thông minh (IOC) vận hành thí điểm",
        "Trưởng phòng Chuyển đổi số",
    ),
    Task(
        "10.",
        "Nâng cấp, cập nhật tính năng của Nền tảng tích hợp, chia sẻ dữ liệu tỉnh (LGSP)",
        "Phòng Chuyên đổi số",
        AGENCIES_COMMUNES,
        "Quý IV/2026",
        "",
        "Phó Trưởng phòng Chuyển đổi số",
    ),
    Task(
        "11.",
        "Tham mưu UBND tỉnh đánh giá, công bố kết quả đánh giá, xếp hạng mức độ chuyển đổi số các cơ quan nhà nước trên địa bàn tỉnh",
        "Phòng Chuyên đổi số",
        AGENCIES_COMMUNES,
        "Quý IV/2026",
        "Quyết định công bố kết quả xếp hạng mức độ chuyển đổi số",
        "Trưởng phòng Chuyển đổi số",
    ),
    Task("12.", "Rà soát, cập nhật kiến trúc số tỉnh Thái Nguyên", "Phòng Chuyên đổi số", AGENCIES_COMMUNES, "Quý IV/2026"),
    Task(
        "13.",
        "Hướng dẫn, hỗ trợ các sở, ban, ngành, UBND cấp xã thực hiện các quy trình đề nghị công nhận sáng kiến trong lĩnh vực CCHC năm 2026.",
        "Phòng quản lý Chuyên ngành",
        AGENCIES_COMMUNES,
        "Năm 2026",
        "Văn bản hướng dẫn; hồ sơ sáng kiến CCHC được đề nghị công nhận",
        "Trưởng phòng Quản lý Chuyên ngành",
    ),
)

# Section IV (Tổ chức thực hiện): the responsibilities of the named offices, as tasks of those offices.
SECTION_IV_TASKS: tuple[Task, ...] = (
    Task(
        "IV.1",
        "Trưởng các phòng, đơn vị thuộc Sở căn cứ nhiệm vụ được phân công tại Kế hoạch này phổ biến, quán triệt đến công chức, viên chức thuộc phòng, đơn vị để nắm bắt, tổ chức thực hiện đảm bảo chất lượng, tiến độ công việc; phối hợp với Văn phòng đăng tải thông tin tuyên truyền trên cổng thông tin điện tử của Sở; định kỳ phối hợp với Văn phòng Sở báo cáo (quý, năm) nhiệm vụ được giao thực hiện.",
        ALL_OFFICES,
        VP,
        "Hằng quý",
        "Báo cáo kết quả thực hiện nhiệm vụ CCHC hằng quý của phòng, đơn vị",
        "Trưởng các phòng, đơn vị thuộc Sở",
    ),
    Task(
        "IV.2",
        "Chủ trì, tham mưu triển khai nội dung xây dựng, phát triển Chính quyền điện tử, Chính quyền số.",
        CDS,
        "",
        "Năm 2026",
        "Các nhiệm vụ xây dựng Chính quyền điện tử, Chính quyền số năm 2026 được triển khai",
        "Trưởng phòng Chuyển đổi số",
    ),
    Task(
        "IV.3",
        "Tham mưu đổi mới cơ chế tài chính cho hoạt động khoa học, công nghệ và cơ chế tự chủ, tự chịu trách nhiệm của các tổ chức khoa học và công nghệ công lập. Ưu tiên tuyển chọn, giao nhiệm vụ đối với các Đề tài nghiên cứu khoa học về CCHC, chuyển đổi số.",
        QLKH,
        "",
        "Năm 2026",
        "",
        "Trưởng phòng Quản lý Khoa học",
    ),
    Task(
        "IV.4",
        "Tổ chức triển khai tìm kiếm, phát hiện, đề xuất cấp có thẩm quyền công nhận theo quy định đối với các mô hình hay, cách làm mới, sáng tạo, hiệu quả, những sáng kiến trong triển khai CCHC.",
        QLCN,
        "",
        "Năm 2026",
        "Danh sách mô hình, sáng kiến CCHC được đề xuất công nhận",
        "Trưởng phòng Quản lý Chuyên ngành",
    ),
    Task(
        "IV.5",
        "Chủ trì tham mưu triển khai và hoàn thiện mạng truyền số liệu chuyên dùng, hệ thống hội nghị truyền hình đến cấp xã và kết nối với hệ thống của Chính phủ, phục vụ hoạt động chỉ đạo, điều hành của Tỉnh ủy, HĐND, UBND tỉnh; tiếp tục triển khai thực hiện các nhiệm vụ về giải quyết TTHC thông qua dịch vụ bưu chính công ích.",
        BCVT,
        "",
        "Năm 2026",
        "Mạng truyền số liệu chuyên dùng, hội nghị truyền hình đến cấp xã vận hành thông suốt",
        "Trưởng phòng Bưu chính - Viễn thông",
    ),
    Task(
        "IV.6",
        "Chủ trì theo dõi, đôn đốc các phòng, đơn vị trực thuộc Sở thực hiện công tác CCHC theo kế hoạch này; xây dựng kế hoạch và tham mưu triển khai công tác tự kiểm tra công vụ, cải cách hành chính năm 2026 trong nội bộ đơn vị; định kỳ xây dựng báo cáo quý, 6 tháng, hàng năm hoặc đột xuất theo yêu cầu của UBND tỉnh về kết quả thực hiện về CCHC (qua Sở Nội vụ) theo quy định; phối hợp với các phòng, đơn vị xây dựng dự toán, đảm bảo kinh phí ngân sách nhà nước thực hiện nhiệm vụ CCHC theo quy định.",
        VP,
        ALL_OFFICES,
        "Hằng quý",
        "Báo cáo CCHC quý, 6 tháng, năm gửi Sở Nội vụ; Kế hoạch tự kiểm tra công vụ, CCHC năm 2026",
        "Chánh Văn phòng",
    ),
)

TASK_14 = Task(
    "14.",
    "Rà soát, chuẩn hóa quy trình nội bộ, quy trình điện tử giải quyết TTHC lĩnh vực khoa học và công nghệ sau sắp xếp tổ chức bộ máy",
    VP,
    "Các phòng chuyên môn",
    "Quý IV/2026",
    "Quyết định phê duyệt quy trình nội bộ giải quyết TTHC được cập nhật",
    "Chánh Văn phòng",
)


def register_tasks(revision: int = 1) -> tuple[Task, ...]:
    """The tasks of the register's first issue (1) or of the revision (2)."""
    if revision == 1:
        return SEED_TASKS + SECTION_IV_TASKS
    revised = tuple(replace(t, deadline="Quý III/2026") if t.no == "9." else t for t in SEED_TASKS)
    return (*revised, TASK_14, *SECTION_IV_TASKS)


# --- writing workbooks ---------------------------------------------------------------------------------------

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
BOLD = Font(bold=True)


def _title_block(ws, left: tuple[str, str], width: int, titles: list[str]) -> None:
    half = max(2, width // 2 - 1)
    ws.cell(1, 1, left[0])
    ws.cell(2, 1, left[1]).font = BOLD
    ws.cell(1, half + 2, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").font = BOLD
    ws.cell(2, half + 2, "Độc lập - Tự do - Hạnh phúc").font = BOLD
    for row in (1, 2):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=half)
        ws.merge_cells(start_row=row, start_column=half + 2, end_row=row, end_column=width)
        for col in (1, half + 2):
            ws.cell(row, col).alignment = CENTRE
    for offset, text in enumerate(titles):
        row = 4 + offset
        ws.cell(row, 1, text).alignment = CENTRE
        ws.cell(row, 1).font = BOLD if offset < len(titles) - 1 else Font(italic=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _labels(ws, first_row: int, label_col: int, items: list[tuple[str, object, str | None]]) -> None:
    for offset, (label, value, number_format) in enumerate(items):
        ws.cell(first_row + offset, label_col, label).font = BOLD
        cell = ws.cell(first_row + offset, label_col + 1, value)
        cell.alignment = Alignment(horizontal="left")
        if number_format:
            cell.number_format = number_format


def _header(ws, row: int, headers: list[str], widths: list[float]) -> None:
    for col, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = ws.cell(row, col, text)
        cell.font, cell.alignment, cell.border = BOLD, CENTRE, BOX
        ws.column_dimensions[cell.column_letter].width = width


def _body_row(ws, row: int, values: list[object], formats: dict[int, str] | None = None) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col, value if value != "" else None)
        cell.alignment, cell.border = WRAP, BOX
        if formats and col in formats:
            cell.number_format = formats[col]


@dataclass
class RegisterSpec:
    file_name: str
    plan_number: str
    issued: date
    plan_year: int
    revision: int
    title: str
    attachment: str  # the "(Kèm theo Kế hoạch số …)" line
    tasks: tuple[Task, ...]
    issued_as_text: bool = False
    notes: dict[str, str] = field(default_factory=dict)  # task no -> "Ghi chú" (an extra column, ignored)
    merge_lead: tuple[int, int] | None = None  # (first, last) task index whose lead cells are merged
    blank_after: int | None = None  # task index after which a blank row is left
    blank_content: frozenset[int] = frozenset()  # task indexes written without content
    blank_number: frozenset[int] = frozenset()  # task indexes written without number


HEADER_ROW = 14
PLAN_WIDTHS = [8, 62, 22, 24, 24, 36, 26]


def write_register(path: Path, spec: RegisterSpec, province: str = "Thái Nguyên") -> dict[str, int]:
    """Write a register headed by ``province``'s people's committee; returns the sheet row of every task written (by
    its index in spec.tasks)."""
    wb = Workbook()
    ws = wb.active
    ws.title = PLAN_SHEET
    headers = [c.header for c in PLAN_COLUMNS] + (["Ghi chú"] if spec.notes else [])
    widths = PLAN_WIDTHS + ([24] if spec.notes else [])
    _title_block(
        ws,
        (province_name(province).committee, "SỞ KHOA HỌC VÀ CÔNG NGHỆ"),
        len(headers),
        [
            "DANH MỤC",
            f"Nhiệm vụ trọng tâm thực hiện Cải cách hành chính Sở Khoa học và Công nghệ năm {spec.plan_year}",
            spec.attachment,
        ],
    )
    issued = f"{spec.issued:%d/%m/%Y}" if spec.issued_as_text else datetime.combine(spec.issued, time())
    _labels(
        ws,
        8,
        2,
        [
            ("Số kế hoạch:", spec.plan_number, None),
            ("Ngày ban hành:", issued, "DD/MM/YYYY"),
            ("Năm kế hoạch:", spec.plan_year, "0"),
            ("Lần ban hành/sửa đổi:", spec.revision, "0"),
            ("Tên kế hoạch:", spec.title, None),
        ],
    )
    _header(ws, HEADER_ROW, headers, widths)
    _body_row(ws, HEADER_ROW + 1, [f"({i})" for i in range(1, len(headers) + 1)])
    for col in range(1, len(headers) + 1):
        ws.cell(HEADER_ROW + 1, col).alignment = CENTRE
    rows: dict[int, int] = {}
    row = HEADER_ROW + 2
    for index, t in enumerate(spec.tasks):
        values: list[object] = [
            "" if index in spec.blank_number else t.no,
            "" if index in spec.blank_content else t.content,
            t.lead,
            t.collaborators,
            t.deadline,
            t.result,
            t.responsible,
        ]
        if spec.notes:
            values.append(spec.notes.get(t.no, ""))
        _body_row(ws, row, values)
        rows[index] = row
        row += 1
        if spec.blank_after == index:
            row += 1
    if spec.merge_lead:
        first, last = spec.merge_lead
        for index in range(first + 1, last + 1):
            ws.cell(rows[index], 3).value = None
        ws.merge_cells(start_row=rows[first], start_column=3, end_row=rows[last], end_column=3)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    save_fixed(wb, path, datetime.combine(spec.issued, time(16, 30)))
    return rows


def register_specs() -> tuple[RegisterSpec, RegisterSpec]:
    first = RegisterSpec(
        REGISTER_FILE,
        PLAN_NUMBER,
        ISSUED,
        2026,
        1,
        PLAN_TITLE,
        f"(Kèm theo Kế hoạch số {PLAN_NUMBER} ngày {ISSUED:%d/%m/%Y} của Giám đốc Sở Khoa học và Công nghệ)",
        register_tasks(1),
    )
    revision = RegisterSpec(
        REVISION_FILE,
        PLAN_NUMBER,
        REVISED,
        2026,
        2,
        f"{PLAN_TITLE} (sửa đổi, bổ sung lần 1)",
        f"(Kèm theo Kế hoạch số {PLAN_NUMBER} ngày {ISSUED:%d/%m/%Y}, sửa đổi, bổ sung ngày {REVISED:%d/%m/%Y} của "
        "Giám đốc Sở Khoa học và Công nghệ)",
        register_tasks(2),
        issued_as_text=True,
        notes={"9.": "Sửa đổi thời gian hoàn thành (trước đây: Quý II/2026)", "14.": "Bổ sung nhiệm vụ"},
    )
    return first, revision


# The bad register: another plan (2025), so it does not disturb the 2026 plan.
BAD_REGISTER_TASKS: tuple[Task, ...] = (
    Task(
        "1.",
        "Xây dựng chuyên mục cải cách hành chính trên Cổng thông tin điện tử của Sở",
        VP,
        ALL_OFFICES,
        "Quý II/2025",
        "Chuyên mục CCHC được cập nhật hằng tháng",
        "Chánh Văn phòng",
    ),
    Task(
        "2.",
        "Tổ chức hội nghị tập huấn nghiệp vụ cải cách hành chính cho công chức, viên chức",
        VP,
        ALL_OFFICES,
        "Quý III/2025",
        "Hội nghị tập huấn",
        "Phó Chánh Văn phòng",
    ),
    Task(
        "3.",
        "Phát hành tờ rơi hướng dẫn nộp hồ sơ trực tuyến lĩnh vực khoa học và công nghệ",
        VP,
        CDS,
        "Quý III/2025",
        "Tờ rơi hướng dẫn",
        "Phó Chánh Văn phòng",
    ),
    Task(
        "4.",
        "Tổ chức cuộc thi tìm hiểu về cải cách hành chính trong công chức, viên chức của Sở",
        VP,
        ALL_OFFICES,
        "Quý IV/2025",
        "Cuộc thi được tổ chức",
        "Chánh Văn phòng",
    ),
    Task(
        "5.",
        "Tuyên truyền chuyển đổi số, dịch vụ công trực tuyến trên các nền tảng số",
        CDS,
        VP,
        "Năm 2025",
        "Tin, bài tuyên truyền",
        "Trưởng phòng Chuyển đổi số",
    ),
    Task(
        "5.",
        "Đưa tin kết quả cải cách hành chính trên Báo và Phát thanh, Truyền hình Thái Nguyên",
        QLCN,
        VP,
        "Năm 2025",
        "Tin, bài đăng tải",
        "Trưởng phòng Quản lý Chuyên ngành",
    ),
    Task("6.", "Khảo sát nhu cầu tuyên truyền về cải cách hành chính", VP, "", "Quý IV/2025"),
    Task(
        "7.",
        "Tổng kết công tác tuyên truyền cải cách hành chính năm 2025",
        VP,
        ALL_OFFICES,
        "Tháng 12/2025",
        "Báo cáo tổng kết",
        "Chánh Văn phòng",
    ),
)


def bad_register_spec() -> RegisterSpec:
    return RegisterSpec(
        BAD_REGISTER_FILE,
        "52/KH-SKHCN",
        date(2025, 3, 10),
        2025,
        1,
        "Kế hoạch tuyên truyền cải cách hành chính năm 2025 (bản nhập thử)",
        "(Kèm theo Kế hoạch số 52/KH-SKHCN ngày 10/03/2025 của Giám đốc Sở Khoa học và Công nghệ)",
        BAD_REGISTER_TASKS,
        merge_lead=(1, 3),
        blank_after=3,
        blank_content=frozenset({6}),
        blank_number=frozenset({7}),
    )


# --- progress reports ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One row of a progress report, as the office writes it."""

    task: str
    status: str  # code
    percent: object = None  # a number, or text as written ("50%")
    completed: date | None = None
    doc: str = ""
    doc_date: date | None = None
    difficulties: str = ""
    proposals: str = ""


@dataclass(frozen=True)
class Report:
    file_name: str
    unit: str
    period: str  # as written: "Quý I/2026"
    report_date: date
    lines: tuple[Line, ...]
    bad: str | None = None  # key of the bad case it carries, if any


D = date
CONTENT = {t.no.rstrip("."): t.content for t in register_tasks(2)}
Q1, Q2, Q3 = "Quý I/2026", "Quý II/2026", "Quý III/2026"
WAITING_UBND = "Chờ Kế hoạch của UBND tỉnh"

REPORTS: tuple[Report, ...] = (
    # --- Quý I ---
    Report(
        "bao_cao_tien_do_van_phong_so_quy_1_2026.xlsx",
        VP,
        Q1,
        D(2026, 4, 3),
        (
            Line("1", "completed", 100, D(2026, 2, 27), "Kế hoạch số 52/KH-SKHCN; Kế hoạch số 53/KH-SKHCN", D(2026, 2, 27)),
            Line("2", "completed", 100, D(2026, 1, 20), "Kế hoạch số 45/KH-SKHCN", D(2026, 1, 20)),
            Line("3", "not_started", 0, difficulties="UBND tỉnh chưa ban hành Kế hoạch đánh giá Chỉ số CCHC năm 2026"),
            Line("5", "not_started", 0, difficulties="UBND tỉnh chưa công bố Chỉ số CCHC năm 2025"),
            Line("IV.1", "in_progress", 25),
            Line("IV.6", "in_progress", 25, doc="Báo cáo số 58/BC-SKHCN", doc_date=D(2026, 3, 12)),
        ),
    ),
    Report(
        "bao_cao_tien_do_phong_cds_quy_1_2026.xlsx",
        CDS,
        Q1,
        D(2026, 4, 6),
        (
            Line("6", "in_progress", 20),
            Line("7", "in_progress", 30),
            Line("8", "in_progress", 10, difficulties="Chờ hướng dẫn của Văn phòng Chính phủ về hệ thống dùng chung"),
            Line("9", "in_progress", 35),
            Line("10", "not_started", 0),
            Line("11", "not_started", 0),
            Line("12", "not_started", 0),
            Line("IV.2", "in_progress", 25),
            Line("15", "in_progress", 50, proposals="Đề nghị bổ sung nhiệm vụ triển khai nền tảng ký số vào Kế hoạch"),
            Line("4", "in_progress", 50),
        ),
        bad="unknown_task",
    ),
    Report(
        "bao_cao_tien_do_phong_qlkh_quy_1_2026.xlsx",
        QLKH,
        Q1,
        D(2026, 4, 3),
        (
            Line("IV.3", "in_progress", 30),
            Line(
                "4",
                "in_progress",
                20,
                difficulties="Quyết định quy định quản lý nhiệm vụ KH&CN cấp tỉnh cần chờ hướng "
                "dẫn mới của Bộ Khoa học và Công nghệ",
            ),
        ),
    ),
    Report(
        "bao_cao_tien_do_phong_qlcn_quy_1_2026.xlsx",
        QLCN,
        Q1,
        D(2026, 4, 7),
        (
            Line("13", "in_progress", 20),
            Line("IV.4", "in_progress", 20),
            Line("4", "in_progress", 40, difficulties="Một số văn bản cần ý kiến của Sở Tư pháp"),
        ),
    ),
    Report(
        "bao_cao_tien_do_phong_bcvt_quy_1_2026.xlsx",
        BCVT,
        Q1,
        D(2026, 4, 20),
        (  # sent late
            Line("IV.5", "in_progress", 40),
            Line("4", "in_progress", 60),
        ),
    ),
    # --- Quý II (Phòng Quản lý Khoa học sends none) ---
    Report(
        "bao_cao_tien_do_van_phong_so_quy_2_2026.xlsx",
        VP,
        Q2,
        D(2026, 7, 3),
        (
            Line("3", "in_progress", 30, difficulties=WAITING_UBND + " về đo lường sự hài lòng"),
            Line(
                "5",
                "in_progress",
                60,
                difficulties="UBND tỉnh công bố Chỉ số CCHC năm 2025 ngày 12/6/2026",
                proposals="Đề nghị gia hạn đến hết tháng 7/2026",
            ),
            Line("IV.1", "in_progress", 50),
            Line("IV.6", "in_progress", "50%", doc="Báo cáo số 131/BC-SKHCN", doc_date=D(2026, 6, 12)),
        ),
        bad="percent_as_text",
    ),
    Report(
        "bao_cao_tien_do_phong_cds_quy_2_2026.xlsx",
        CDS,
        Q2,
        D(2026, 7, 2),
        (
            Line("6", "in_progress", 50),
            Line("7", "in_progress", 60),
            Line("8", "in_progress", 30),
            Line("9", "in_progress", 70, difficulties="Thời hạn đã điều chỉnh sang Quý III/2026"),
            Line("10", "in_progress", 20),
            Line("11", "not_started", 0),
            Line("12", "in_progress", 10),
            Line("IV.2", "in_progress", 50),
            Line("4", "completed", 100, D(2026, 5, 20), "Quyết định số 1102/QĐ-UBND", D(2026, 5, 20)),
        ),
        bad="first_submission",
    ),
    Report(
        "bao_cao_tien_do_phong_cds_quy_2_2026_bo_sung.xlsx",
        CDS,
        Q2,
        D(2026, 7, 8),
        (
            Line("6", "in_progress", 60),
            Line("7", "in_progress", 100, difficulties="Đã vận hành tại 15 sở, ngành; đang triển khai cấp xã"),
            Line("8", "in_progress", 35),
            Line("9", "in_progress", 85, difficulties="Thời hạn đã điều chỉnh sang Quý III/2026"),
            Line("10", "in_progress", 30),
            Line("11", "not_started", 0, difficulties="Chờ Bộ Khoa học và Công nghệ ban hành bộ chỉ số DTI năm 2026"),
            Line("12", "in_progress", 20),
            Line("IV.2", "in_progress", 50),
            Line("4", "completed", 100, D(2026, 5, 20), "Quyết định số 1102/QĐ-UBND", D(2026, 5, 20)),
        ),
        bad="second_submission",
    ),
    Report(
        "bao_cao_tien_do_phong_qlcn_quy_2_2026.xlsx",
        QLCN,
        Q2,
        D(2026, 7, 6),
        (
            Line("13", "in_progress", 50),
            Line("IV.4", "in_progress", 45),
            Line("4", "completed", 100, D(2026, 5, 28), "Quyết định số 1187/QĐ-UBND", D(2026, 5, 28)),
        ),
    ),
    Report(
        "bao_cao_tien_do_phong_bcvt_quy_2_2026.xlsx",
        BCVT,
        Q2,
        D(2026, 7, 3),
        (
            Line("IV.5", "in_progress", 120),
            Line("4", "completed", 100, D(2026, 5, 29), "Quyết định số 1190/QĐ-UBND", D(2026, 5, 29)),
        ),
        bad="percent_out_of_range",
    ),
    Report(
        "bao_cao_tien_do_phong_ke_hoach_tai_chinh_quy_2_2026.xlsx",
        UNKNOWN_OFFICE,
        Q2,
        D(2026, 7, 3),
        (Line("IV.1", "in_progress", 50),),
        bad="unknown_office",
    ),
    # --- Quý III ---
    Report(
        "bao_cao_tien_do_van_phong_so_quy_3_2026.xlsx",
        VP,
        Q3,
        D(2026, 10, 5),
        (
            Line(
                "3",
                "in_progress",
                80,
                difficulties="Kết quả đo lường sự hài lòng chưa được công bố",
                proposals="Đề nghị UBND tỉnh sớm công bố kết quả đo lường",
            ),
            Line("5", "completed", 100, D(2026, 7, 15), "Kế hoạch số 160/KH-SKHCN", D(2026, 7, 15)),
            Line("14", "in_progress", 20),
            Line("IV.1", "in_progress", 75),
            Line("IV.6", "in_progress", 75, doc="Báo cáo số 205/BC-SKHCN", doc_date=D(2026, 9, 14)),
        ),
    ),
    Report(
        "bao_cao_tien_do_phong_cds_quy_3_2026.xlsx",
        CDS,
        Q3,
        D(2026, 10, 5),
        (
            Line("6", "completed", 100, D(2026, 9, 28), "Báo cáo số 215/BC-SKHCN", D(2026, 9, 28)),
            Line("7", "completed", 100, D(2026, 8, 14), "Quyết định số 1650/QĐ-UBND", D(2026, 8, 14)),
            Line("8", "in_progress", 60),
            Line("9", "completed", 100, D(2026, 9, 25), "Quyết định số 2015/QĐ-UBND", D(2026, 9, 25)),
            Line("10", "in_progress", 65),
            Line("11", "in_progress", 40),
            Line(
                "12",
                "suspended",
                20,
                difficulties="Chờ Bộ Khoa học và Công nghệ ban hành Khung kiến trúc số mới",
                proposals="Đề nghị điều chỉnh thời hạn sang năm 2027",
            ),
            Line("IV.2", "in_progress", 75),
        ),
    ),
    Report(
        "bao_cao_tien_do_phong_qlkh_quy_3_2026.xlsx",
        QLKH,
        Q3,
        D(2026, 10, 2),
        (
            Line("IV.3", "completed", 100, None, "Quyết định số 245/QĐ-SKHCN", D(2026, 9, 18)),
            Line(
                "4",
                "completed",
                100,
                D(2026, 8, 14),
                "Quyết định số 1702/QĐ-UBND",
                D(2026, 8, 14),
                difficulties="Hoàn thành chậm: chờ hướng dẫn của Bộ Khoa học và Công nghệ đến tháng 7/2026",
            ),
        ),
        bad="completed_without_date",
    ),
    Report(
        "bao_cao_tien_do_phong_qlcn_quy_3_2026.xlsx",
        QLCN,
        Q3,
        D(2026, 10, 6),
        (
            Line("13", "completed", 100, D(2026, 10, 15), "Công văn số 1520/SKHCN-QLCN", D(2026, 9, 15)),
            Line("IV.4", "in_progress", 70),
        ),
        bad="completed_after_report",
    ),
    Report("bao_cao_tien_do_phong_bcvt_quy_3_2026.xlsx", BCVT, Q3, D(2026, 10, 2), (Line("IV.5", "in_progress", 90),)),
)

REPORT_HEADER_ROW = 9
REPORT_WIDTHS = [10, 50, 18, 12, 14, 30, 14, 34, 30]


def report_row(report: Report, task: str) -> int:
    """Sheet row of a task's line in a report."""
    return REPORT_HEADER_ROW + 1 + [line.task for line in report.lines].index(task)


def _day(value: date | None) -> datetime | None:
    return datetime.combine(value, time()) if value else None


def write_report(path: Path, report: Report) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo tiến độ"
    headers = [REPORT_COLUMNS[0].header, "Nội dung công việc", *(c.header for c in REPORT_COLUMNS[1:])]
    _title_block(
        ws,
        ("SỞ KHOA HỌC VÀ CÔNG NGHỆ", report.unit.upper()),
        len(headers),
        [
            "BÁO CÁO TIẾN ĐỘ THỰC HIỆN NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH NĂM 2026",
            f"(Theo Kế hoạch số {PLAN_NUMBER} ngày {ISSUED:%d/%m/%Y} của Sở Khoa học và Công nghệ)",
        ],
    )
    _labels(
        ws,
        6,
        2,
        [
            ("Đơn vị báo cáo:", report.unit, None),
            ("Kỳ báo cáo:", report.period, None),
            ("Ngày báo cáo:", f"{report.report_date:%d/%m/%Y}", None),
        ],
    )
    _header(ws, REPORT_HEADER_ROW, headers, REPORT_WIDTHS)
    for offset, line in enumerate(report.lines):
        _body_row(
            ws,
            REPORT_HEADER_ROW + 1 + offset,
            [
                line.task,
                CONTENT.get(line.task, ""),
                STATUS_LABELS[line.status],
                "" if line.percent is None else line.percent,
                _day(line.completed),
                line.doc,
                _day(line.doc_date),
                line.difficulties,
                line.proposals,
            ],
            formats={5: "DD/MM/YYYY", 7: "DD/MM/YYYY"},
        )
    save_fixed(wb, path, datetime.combine(report.report_date, time(16, 0)))


# --- the inbox -----------------------------------------------------------------------------------------------

BAD_CASES: dict[str, tuple[str, str]] = {
    "unknown_task": (
        "Progress report of Phòng Chuyển đổi số, Quý I/2026: row {row} reports task '15', which is not in the register.",
        (
            "Reject row {row} (rule unknown_task, reason 'Nhiệm vụ số '15' không có trong sổ kế hoạch.') when read with "
            "the register's task numbers; the other rows load."
        ),
    ),
    "percent_as_text": (
        "Progress report of Văn phòng Sở, Quý II/2026: row {row} (task IV.6) writes the percent as text '50%'.",
        "Load the row with percent 50 and a non-blocking note (rule percent_as_text) naming row {row}.",
    ),
    "first_submission": (
        "Phòng Chuyển đổi số sent its Quý II/2026 report twice: this first submission is dated 02/07/2026.",
        "Load it as history only: the submission dated 08/07/2026 (…_bo_sung.xlsx) supersedes it for 2026-Q2.",
    ),
    "second_submission": (
        (
            "The later Quý II/2026 report of Phòng Chuyển đổi số (dated 08/07/2026); row {row} (task 7) says 100% but "
            "'Đang triển khai'."
        ),
        (
            "Use this submission for 2026-Q2 (later report date); load row {row} with a non-blocking note "
            "(rule percent_status_mismatch)."
        ),
    ),
    "percent_out_of_range": (
        "Progress report of Phòng Bưu chính - Viễn thông, Quý II/2026: row {row} (task IV.5) has percent 120.",
        "Reject row {row} (rule bad_percent, 'Tỷ lệ hoàn thành 120% ngoài khoảng 0-100.').",
    ),
    "unknown_office": (
        f"Progress report whose header names '{UNKNOWN_OFFICE}', not an office of the department.",
        (
            "Reject the whole file (blocking file issue, rule unknown_unit); load none of its rows. The unit comes from the "
            "header, never from the file name."
        ),
    ),
    "completed_without_date": (
        (
            "Progress report of Phòng Quản lý Khoa học, Quý III/2026 (it sent no Quý II/2026 report): row {row} "
            "(task IV.3) is 'Hoàn thành' without a completion date."
        ),
        (
            "Load row {row} with a non-blocking note (rule completed_without_date); report the missing 2026-Q2 report of "
            "Phòng Quản lý Khoa học."
        ),
    ),
    "completed_after_report": (
        (
            "Progress report of Phòng Quản lý Chuyên ngành, Quý III/2026 (dated 06/10/2026): row {row} (task 13) gives the "
            "completion date 15/10/2026, after the report date."
        ),
        "Reject row {row} (rule date_after_report:completed_on); the other rows load.",
    ),
}
BAD_REGISTER = (
    (
        "Plan register of another plan (52/KH-SKHCN, year 2025): the lead-unit cells of tasks 2-4 are merged (C17:C19), "
        "row 20 is blank, task number 5 appears twice (rows 21 and 22), row 23 (task 6) has no content, row 24 no number."
    ),
    (
        "Read the merged lead 'Văn phòng Sở' for tasks 2, 3 and 4 and report the range C17:C19 (merged_cells, "
        "non-blocking); skip and report blank row 20 (blank_row); reject row 22 (duplicate_task, record key '5'), row 23 "
        "(missing_content) and row 24 (missing_task_no); load tasks 1-5. The 2026 plan is not affected."
    ),
)


def clean_report(report: Report) -> Report | None:
    """The report as a careful office would have sent it (for an inbox without bad files); None: not sent."""
    fixes = {
        "unknown_task": lambda line: None if line.task == "15" else line,
        "percent_as_text": lambda line: replace(line, percent=50) if line.percent == "50%" else line,
        "second_submission": lambda line: replace(line, percent=90) if line.task == "7" else line,
        "percent_out_of_range": lambda line: replace(line, percent=95) if line.task == "IV.5" else line,
        "completed_without_date": lambda line: replace(line, completed=D(2026, 9, 18)) if line.task == "IV.3" else line,
        "completed_after_report": lambda line: replace(line, completed=D(2026, 9, 15)) if line.task == "13" else line,
    }
    if report.bad in ("first_submission", "unknown_office"):
        return None
    if report.bad not in fixes:
        return report
    lines = tuple(fixed for fixed in map(fixes[report.bad], report.lines) if fixed is not None)
    return replace(report, lines=lines, bad=None)


def _first_bad_row(report: Report) -> int:
    task = {
        "unknown_task": "15",
        "percent_as_text": "IV.6",
        "second_submission": "7",
        "percent_out_of_range": "IV.5",
        "completed_without_date": "IV.3",
        "completed_after_report": "13",
    }.get(report.bad or "")
    return report_row(report, task) if task else 0


def all_file_names() -> list[str]:
    """Every file this module may write, relative to the inbox (to clear an earlier run's files)."""
    specs = [*register_specs(), bad_register_spec()]
    return [f"{PLAN_DIR}/{s.file_name}" for s in specs] + [f"{REPORT_DIR}/{r.file_name}" for r in REPORTS]


def write_plan_inbox(inbox: Path, end: date, bad_files: bool = True, province: str = "Thái Nguyên") -> dict:
    """Write the registers (headed by ``province``) and the reports dated up to `end`; returns written paths, bad-file
    entries, counts and notes for BAD_FILES.md."""
    inbox = Path(inbox)
    for name in all_file_names():
        (inbox / name).unlink(missing_ok=True)
    written: list[Path] = []
    bad: list[dict] = []
    registers = 0
    for spec in register_specs():
        if spec.issued <= end:
            write_register(inbox / PLAN_DIR / spec.file_name, spec, province)
            written.append(inbox / PLAN_DIR / spec.file_name)
            registers += 1
    if bad_files:
        spec = bad_register_spec()
        write_register(inbox / PLAN_DIR / spec.file_name, spec, province)
        written.append(inbox / PLAN_DIR / spec.file_name)
        bad.append(
            {
                "file": f"{PLAN_DIR}/{spec.file_name}",
                "kind": "plan_register_bad",
                "problem": BAD_REGISTER[0],
                "expected": BAD_REGISTER[1],
                "dossier_codes": [],
            }
        )
    reports = 0
    for report in REPORTS if bad_files else (r for r in map(clean_report, REPORTS) if r is not None):
        if report.report_date > end:
            continue
        path = inbox / REPORT_DIR / report.file_name
        write_report(path, report)
        written.append(path)
        reports += 1
        if bad_files and report.bad in BAD_CASES:
            problem, expected = (text.format(row=_first_bad_row(report)) for text in BAD_CASES[report.bad])
            bad.append(
                {
                    "file": f"{REPORT_DIR}/{report.file_name}",
                    "kind": f"task_report_{report.bad}",
                    "problem": problem,
                    "expected": expected,
                    "dossier_codes": [],
                }
            )
    notes = []
    if bad_files and end >= D(2026, 4, 20):
        notes.append(
            "`tien_do/`: Phòng Bưu chính - Viễn thông sent its Quý I/2026 report late, on 20/04/2026 (the others "
            "by 07/04/2026); it loads normally."
        )
    if bad_files and end >= D(2026, 7, 8):
        notes.append(
            "`tien_do/`: Phòng Quản lý Khoa học sent no report for Quý II/2026: the pipeline should show its tasks "
            "IV.3 and 4 without a 2026-Q2 report (their status comes from the deadline and the Q1 report), so "
            "task 4 (lead: the four professional offices, 'Trước 01/6/2026') is not complete by 31/05/2026 "
            "although the other three offices completed their part in May."
        )
    return {"written": written, "bad": bad, "plan_registers": registers, "progress_reports": reports, "notes": notes}
