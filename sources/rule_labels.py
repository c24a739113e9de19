"""Short Vietnamese names of the quality rules, for summaries (the full reason with the value is per row)."""

from sources.petition_format import PETITION_COLUMNS
from sources.publication_format import PUBLICATION_COLUMNS
from sources.task_formats import PLAN_COLUMNS, REPORT_COLUMNS
from sources.tthc_format import COLUMN_HEADERS

# The dossier and catalogue headers first; the other sources only add the columns those do not have.
_HEADERS = {
    **{c.name: c.header for c in (*PETITION_COLUMNS, *PUBLICATION_COLUMNS, *PLAN_COLUMNS, *REPORT_COLUMNS)},
    **COLUMN_HEADERS,
}

RULE_LABELS = {
    "missing_dossier_code": "Thiếu mã hồ sơ",
    "unknown_unit": "Đơn vị không có trong danh mục",
    "unknown_procedure": "Mã TTHC không có trong danh mục",
    "bad_count": "Số lần bổ sung không hợp lệ",
    "bad_amount": "Phí, lệ phí không hợp lệ",
    "completed_before_received": "Hoàn thành trước tiếp nhận",
    "due_before_received": "Hẹn trả trước tiếp nhận",
    "updated_before_received": "Cập nhật trước tiếp nhận",
    "finished_without_completion": "Đã hoàn thành nhưng thiếu ngày hoàn thành",
    "duplicate_in_file": "Mã hồ sơ trùng trong tệp",
    "duplicate_conflict": "Mã hồ sơ trùng, cùng thời điểm cập nhật",
    "malformed_line": "Dòng sai cấu trúc CSV",
    "missing_procedure_code": "Thiếu mã TTHC",
    "duplicate_procedure": "Mã TTHC trùng",
    "missing_petition_code": "Thiếu mã PAKN",
    "duplicate_petition": "Mã PAKN trùng trong tệp",
    "received_outside_month": "PAKN tiếp nhận ngoài tháng của tệp",
    "missing_decision_number": "Thiếu số quyết định công bố",
    "duplicate_publication": "Thủ tục lặp lại trong cùng quyết định công bố",
    "public_before_decision": "Công khai trước ngày quyết định công bố",
    # files as offices send them (sources/intake.py, csvfiles.py, excel_intake.py, warehouse/landing.py)
    "bad_workbook": "Tệp Excel hỏng hoặc chép chưa xong",
    "wrong_file_kind": "Loại tệp không đúng (tên một đằng, nội dung một nẻo)",
    "empty_file": "Tệp rỗng",
    "password_protected": "Tệp Excel đặt mật khẩu",
    "still_copying": "Tệp đang được chép, để lần chạy sau",
    "redelivery_refused": "Tệp giao lại bị từ chối, giữ dữ liệu đã nạp",
    "extension_mismatch": "Đuôi tệp không khớp nội dung",
    "html_table": "Trang HTML lưu đuôi .xls",
    "old_format": "Định dạng Excel cũ (.xls)",
    "uncalculated_formula": "Công thức chưa được tính",
    "excel_error": "Ô lỗi của Excel (#DIV/0!, #REF!…)",
    "no_year_in_name": "Tên tệp không có năm",
    "missing_columns": "Thiếu cột bắt buộc",
    "missing_metadata": "Thiếu thông tin đầu trang",
    "bad_metadata": "Thông tin đầu trang không hợp lệ",
    "no_rows": "Không có nhiệm vụ nào",
    "merged_cells": "Ô gộp trong bảng",
    "blank_row": "Dòng trống giữa bảng",
    "trial_register": "Sổ kế hoạch nhập thử, không theo dõi",
    "missing_task_no": "Thiếu số thứ tự nhiệm vụ",
    "missing_content": "Thiếu nội dung công việc",
    "duplicate_task": "Số thứ tự nhiệm vụ trùng",
    "unknown_task": "Nhiệm vụ không có trong sổ kế hoạch",
    "bad_percent": "Tỷ lệ hoàn thành ngoài 0-100",
    "percent_as_text": "Tỷ lệ hoàn thành ghi dạng chữ",
    "percent_status_mismatch": "Tỷ lệ hoàn thành không khớp tình trạng",
    "completed_without_date": "Hoàn thành nhưng thiếu ngày hoàn thành",
    "date_without_completion": "Có ngày hoàn thành nhưng chưa hoàn thành",
    "date_after_report": "Ngày sau ngày báo cáo",
    "future_report_date": "Ngày báo cáo sau ngày hiện tại",
    "future_date": "Ngày sau ngày hiện tại",
    "legacy_encoding": "Bảng mã cũ TCVN3/VNI",
    "encoding_converted": "Đã chuyển bảng mã sang UTF-8",
    "delimiter_converted": "Dấu phân cách cột khác dấu phẩy (đã nhận diện)",
    "line_ends_converted": "Ký tự xuống dòng CR (đã chuyển)",
    "unrecognised_header": "Không nhận ra dòng tiêu đề",
    "truncated": "Tệp bị cắt cụt",
    "file_gone": "Tệp không còn trong hộp thư, giữ dữ liệu cũ",
    "duplicate_rows": "Dòng lặp lại y nguyên (giữ một bản)",
    "lossy_encoding": "Mất dấu tiếng Việt",
}


def rule_label(rule: str | None) -> str | None:
    """Label of a known rule; None for an unknown one, so callers fall back to the row's reason."""
    if not rule:
        return None
    kind, _, column = rule.partition(":")
    if kind == "bad_date":
        return f"Sai định dạng ngày: {_HEADERS.get(column, column)}"
    if kind == "bad_value":
        return f"Giá trị không hợp lệ: {_HEADERS.get(column, column)}"
    if column and kind in RULE_LABELS:  # "date_after_report:completed_on": the rule on one column
        return f"{RULE_LABELS[kind]}: {_HEADERS.get(column, column)}"
    return RULE_LABELS.get(rule)
