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

# The national portal's QĐ 766 responses: short lower-case labels of the summarised issue lines (sources/portal_qd766.py).
PORTAL_ISSUE_LABELS = {
    "missing_field": "thiếu trường số liệu",
    "null_value": "giá trị null (Cổng chưa đánh giá; không coi là 0)",
    "missing_score": "không có điểm",
    "missing_metric": "thiếu chỉ tiêu",
    "unknown_metric": "chỉ tiêu không có trong phương pháp",
    "changed_max_score": "điểm tối đa khác phương pháp",
    "unknown_department": "đơn vị không khớp danh mục",
    "other_province": "đơn vị của tỉnh khác",
    "conflicting_department": "mã của Cổng ứng với hai đơn vị",
    "duplicate_row": "dòng trùng lặp (giữ một dòng)",
    "conflicting_rows": "một đơn vị có nhiều dòng khác nhau (không dùng dòng nào)",
    "bad_number": "giá trị không phải số",
    "bad_row": "dòng không đọc được",
    "incomplete_pages": "thiếu trang dữ liệu",
    "capture_time_from_file": "thời điểm chụp lấy theo thời gian sửa tệp",
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
    "line_ends_converted": "Ký tự xuống dòng CR hoặc lẫn CRLF/LF (đã chuyển)",
    "same_day_other_name": "Cùng ngày có tệp trùng tên khác chữ hoa/thường",
    "repeated_header": "Dòng lặp lại dòng tiêu đề",
    "unrecognised_header": "Không nhận ra dòng tiêu đề",
    "truncated": "Tệp bị cắt cụt",
    "file_gone": "Tệp không còn trong hộp thư, giữ dữ liệu cũ",
    "duplicate_rows": "Dòng lặp lại y nguyên (giữ một bản)",
    "applicant_id_unshaped": "Số giấy tờ người nộp không đúng dạng (không tính người nộp)",
    "lossy_encoding": "Mất dấu tiếng Việt",
    "renamed_columns": "Tên cột khác mẫu (đã nhận diện)",
    "unknown_columns": "Cột không có trong mẫu (bỏ qua)",
    "missing_optional_columns": "Thiếu cột không bắt buộc",
    "unreadable_file": "Tệp không đọc được",
    "broken_zip": "Tệp Excel hỏng (nén zip lỗi)",
    "cell_fault": "Ô dữ liệu lỗi",
    "hidden_cells": "Dòng, cột hoặc trang tính bị ẩn",
    "bad_date": "Ngày không đúng định dạng",
    "bad_value": "Giá trị không hợp lệ",
    "missing_deadline": "Thiếu thời gian hoàn thành",
    "unparsed_deadline": "Không đọc được thời gian hoàn thành",
    "conflicting_plans": "Hai sổ kế hoạch mâu thuẫn",
    "superseded_report": "Báo cáo đã được thay bằng báo cáo sau",
    "not_lead_unit": "Đơn vị không chủ trì nhiệm vụ",
    # PAR and DTI self-assessment, appraisal and survey forms (sources/assessment_forms.py)
    "wrong_index": "Phiếu thuộc bộ chỉ số khác",
    "decision_mismatch": "Phiếu theo quyết định khác bộ tiêu chí của năm",
    "unit_code_mismatch": "Mã đơn vị không khớp tên đơn vị",
    "empty_form": "Phiếu chưa có điểm nào",
    "missing_code": "Thiếu mã tiêu chí",
    "duplicate_criterion": "Tiêu chí lặp lại trong phiếu",
    "unknown_criterion": "Tiêu chí không có trong bộ tiêu chí",
    "missing_criterion": "Thiếu tiêu chí của bộ tiêu chí",
    "not_leaf_criterion": "Chấm ở nhóm tiêu chí thay vì tiêu chí thành phần",
    "not_self_assessed": "Tiêu chí không tự chấm (điểm không tính)",
    "blank_score": "Tiêu chí chưa chấm điểm",
    "formula_in_score": "Ô điểm chứa công thức",
    "negative_score": "Điểm âm",
    "score_above_max": "Điểm vượt điểm tối đa",
    "missing_points": "Thiếu điểm thẩm định",
    "missing_evidence": "Thiếu tài liệu kiểm chứng",
    "bad_answer": "Câu trả lời không thuộc các lựa chọn",
    "value_out_of_range": "Giá trị ngoài khoảng cho phép",
    "not_a_number": "Giá trị không phải số",
    "decimal_comma": "Số ghi dấu phẩy thập phân (đã đọc)",
    "number_as_text": "Số ghi dạng chữ (đã đọc)",
    "duplicate_appraisal": "Tiêu chí thẩm định lặp lại",
    "duplicate_survey": "Kết quả khảo sát lặp lại",
    "unknown_survey": "Loại khảo sát không hợp lệ",
    "not_survey_criterion": "Tiêu chí không chấm bằng khảo sát",
    # DTI results of other bodies and last year's results (sources/dti_inputs.py)
    "unit_mismatch": "Mã đơn vị và tên đơn vị không khớp",
    "unknown_component": "Thành phần không có trong bộ chỉ số",
    "not_applicable": "Thành phần không áp dụng cho đơn vị",
    "out_of_range": "Giá trị ngoài khoảng cho phép",
    "wrong_year": "Năm của số liệu không đúng hoặc chưa có bộ tiêu chí của năm",
    "duplicate": "Đơn vị, thành phần lặp lại",
    # the national portal's QĐ 766 responses (sources/portal_qd766.py, portal_client.py)
    **{rule: label[0].upper() + label[1:] for rule, label in PORTAL_ISSUE_LABELS.items()},
    "bad_encoding": "Tệp không phải văn bản UTF-8/UTF-16",
    "html_not_json": "Trang HTML thay vì phản hồi JSON của Cổng",
    "bad_json": "JSON hỏng",
    "not_json": "Không phải phản hồi JSON của Cổng",
    "bad_shape": "Không có dạng phản hồi của Cổng",
    "bad_sidecar": "Tệp thông tin kèm theo hỏng",
    "missing_period": "Thiếu kỳ số liệu",
    "bad_period": "Kỳ số liệu không hợp lệ",
    "unknown_endpoint": "Nhóm chỉ số không có trong phương pháp",
    "endpoint_mismatch": "Nhóm chỉ số không khớp tên tệp",
    "portal_error": "Cổng trả về lỗi",
    "no_methodology": "Chưa có phương pháp tính cho kỳ số liệu",
    "same_content": "Tệp giống hệt một tệp khác (các dòng bị loại)",
    "file_name_year": "Tên tệp ghi năm khác năm tổng hợp",
    "file_name": "Tên tệp không theo mẫu",
    "sheet_name": "Bảng nằm ở trang tính khác tên mẫu",
    "percent_cell": "Ô định dạng phần trăm (đã đổi ra %)",
    "percent_format_lost": "Số từ 0 đến 1 ở cột phần trăm, tệp không giữ định dạng % (kiểm tra lại)",
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
