"""The monthly export of petitions and recommendations (phản ánh, kiến nghị: PAKN) about administrative procedures.

One file a month in ``pakn/``, ``pakn_YYYYMM.csv``: the petitions RECEIVED in that month, each with its state at
export time; a later file for the same month replaces the earlier one. UTF-8 with BOM, Vietnamese headers, dates
``dd/mm/yyyy HH:MM:SS`` like the dossier exports. The petitioner's name, phone, e-mail and the free-text content are
personal data: read only to be dropped.

Deadlines (methodology §3.3, 5.2): an answer within 15 working days of reception, a refusal within 2, a request for
more information within 5. The generator of the demo inbox and the reader both use this module.
"""

from __future__ import annotations

import re
from datetime import date

from sources.tthc_format import Column

PETITION_DIR = "pakn"
PETITION_FILE_PATTERN = re.compile(r"^pakn_(\d{4})(\d{2})\.csv$", re.IGNORECASE)


def petition_file_name(month: date) -> str:
    return f"pakn_{month:%Y%m}.csv"


def petition_file_month(name: str) -> date | None:
    """First day of the month a file name stands for, or None when the name is not a PAKN export."""
    match = PETITION_FILE_PATTERN.match(name)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


PETITION_COLUMNS: tuple[Column, ...] = (
    Column("petition_code", "Mã PAKN", "text", aliases=("Mã phản ánh", "Số PAKN")),
    Column("received_at", "Ngày tiếp nhận", "datetime", aliases=("Thời gian tiếp nhận",)),
    Column("unit", "Đơn vị xử lý", "text", aliases=("Cơ quan xử lý", "Đơn vị tiếp nhận xử lý")),
    Column("category", "Phân loại", "category", aliases=("Loại PAKN", "Phân loại PAKN")),
    Column("handling", "Hình thức xử lý", "handling", aliases=("Kết quả xử lý",)),
    Column("completed_at", "Ngày hoàn thành", "datetime", required=False, aliases=("Ngày kết thúc xử lý",)),
    Column("satisfaction", "Đánh giá của người dân", "rating", required=False, aliases=("Đánh giá",)),
    Column("repeated", "Phản ánh lặp lại", "bool", required=False, aliases=("PAKN lặp lại",)),
    Column("petitioner_name", "Họ tên người phản ánh", "text", required=False, personal=True, aliases=("Người phản ánh",)),
    Column("petitioner_phone", "Số điện thoại", "text", required=False, personal=True, aliases=("Điện thoại",)),
    Column("petitioner_email", "Email", "text", required=False, personal=True, aliases=("Thư điện tử",)),
    Column("content", "Nội dung", "text", required=False, personal=True, aliases=("Nội dung PAKN",)),
)

CATEGORIES: dict[str, str] = {"Về quy định hành chính, TTHC": "procedure", "Về hành vi, thái độ của CBCCVC": "staff"}
HANDLINGS: dict[str, str] = {
    "Trả lời, giải quyết": "answer",
    "Từ chối tiếp nhận": "refusal",
    "Yêu cầu bổ sung thông tin": "more_information",
}
DEADLINE_WORKING_DAYS: dict[str, int] = {"answer": 15, "refusal": 2, "more_information": 5}
PETITION_RATINGS: dict[str, str] = {"Hài lòng": "satisfied", "Không hài lòng": "dissatisfied"}
