"""Warehouse tables with their comments: the one place their shape is defined.

Times are local (Asia/Ho_Chi_Minh) TIMESTAMPs, as the source systems write them.
"""

from __future__ import annotations

import duckdb

TABLES: dict[str, tuple[str, str, dict[str, str]]] = {
    # name: (column DDL, table comment, column comments)
    "dim_unit": (
        """unit_code VARCHAR PRIMARY KEY, unit_name VARCHAR NOT NULL, unit_group VARCHAR NOT NULL,
        group_label VARCHAR NOT NULL, ranking_group VARCHAR NOT NULL, province VARCHAR NOT NULL,
        portal_code VARCHAR, aliases VARCHAR[], sort_order INTEGER NOT NULL""",
        "Đơn vị: cơ quan cấp tỉnh (CSV đã rà soát) và xã/phường (gói vietnam-provinces, sau 1/7/2025).",
        {"unit_group": "agency | commune | ward", "ranking_group": "agency | local: nhóm xếp hạng",
         "sort_order": "thứ tự theo bảng chữ cái tiếng Việt", "portal_code": "mã đơn vị trên Cổng DVCQG"},
    ),
    "dim_procedure": (
        """procedure_code VARCHAR PRIMARY KEY, procedure_name VARCHAR NOT NULL, field VARCHAR,
        authority_level VARCHAR NOT NULL, online_level VARCHAR NOT NULL, fee_bearing BOOLEAN NOT NULL,
        source_file VARCHAR, source_row INTEGER""",
        "Danh mục thủ tục hành chính.",
        {"authority_level": "province | commune", "online_level": "full (toàn trình) | partial (một phần) | none"},
    ),
    "landed_files": (
        """source VARCHAR NOT NULL, file_name VARCHAR NOT NULL, partition_date DATE, sha256 VARCHAR,
        size_bytes BIGINT, encoding VARCHAR, status VARCHAR NOT NULL, rows_read BIGINT, rows_loaded BIGINT,
        rows_rejected BIGINT, first_loaded_at TIMESTAMP, loaded_at TIMESTAMP""",
        "Mỗi tệp nguồn đã nhận (hoặc ngày thiếu tệp): dòng dõi dữ liệu.",
        {"status": "loaded | partly_loaded | rejected | missing",
         "first_loaded_at": "lần nạp đầu tiên của nội dung này (sha256); nạp lại cùng tệp không đổi giá trị"},
    ),
    "stg_dossier_versions": (
        """export_date DATE NOT NULL, source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL,
        dossier_code VARCHAR NOT NULL, procedure_code VARCHAR NOT NULL, receiving_centre VARCHAR,
        resolving_unit_code VARCHAR NOT NULL, channel VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL,
        due_at TIMESTAMP NOT NULL, completed_at TIMESTAMP, status VARCHAR NOT NULL, supplement_requests INTEGER NOT NULL,
        digitised BOOLEAN, electronic_result BOOLEAN, fee_due BIGINT, paid_online BOOLEAN, reused_data BOOLEAN,
        citizen_data_used BOOLEAN, satisfaction VARCHAR, updated_at TIMESTAMP NOT NULL, applicant_hash VARCHAR""",
        "Mọi phiên bản hồ sơ trong các tệp xuất hằng ngày, đã bỏ dữ liệu cá nhân; phân vùng theo export_date.",
        {"applicant_hash": "SHA-256 có muối của số giấy tờ người nộp, chỉ để đếm người nộp khác nhau",
         "channel": "direct | online | postal", "source_row": "số dòng trong tệp nhận được (dòng tiêu đề = 1)"},
    ),
    "fct_dossier": (
        """dossier_code VARCHAR NOT NULL, procedure_code VARCHAR NOT NULL, receiving_centre VARCHAR,
        resolving_unit_code VARCHAR NOT NULL, channel VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL,
        due_at TIMESTAMP NOT NULL, completed_at TIMESTAMP, status VARCHAR NOT NULL, is_finished BOOLEAN NOT NULL,
        finished_on_time BOOLEAN, supplement_requests INTEGER NOT NULL, digitised BOOLEAN, electronic_result BOOLEAN,
        fee_due BIGINT, paid_online BOOLEAN, reused_data BOOLEAN, citizen_data_used BOOLEAN, satisfaction VARCHAR,
        updated_at TIMESTAMP NOT NULL, applicant_hash VARCHAR, first_export_date DATE NOT NULL,
        last_export_date DATE NOT NULL, version_count INTEGER NOT NULL""",
        "Trạng thái hiện tại của mỗi hồ sơ: phiên bản có ngày cập nhật mới nhất (mã duy nhất: kiểm tra chặn current_state_unique).",
        {"finished_on_time": "đã kết thúc và completed_at ≤ due_at; NULL khi chưa kết thúc"},
    ),
    "quarantine": (
        """source VARCHAR NOT NULL, file_name VARCHAR NOT NULL, partition_date DATE, row_number INTEGER,
        unit_code VARCHAR, unit_name VARCHAR, record_key VARCHAR, rule VARCHAR NOT NULL, reason VARCHAR NOT NULL,
        value VARCHAR, loaded_at TIMESTAMP""",
        "Dòng bị loại, kèm tệp, dòng, quy tắc và lý do bằng tiếng Việt. Không chứa dữ liệu cá nhân.",
        {"value": "giá trị vi phạm (không bao giờ là cột dữ liệu cá nhân)"},
    ),
    "file_issues": (
        """source VARCHAR NOT NULL, file_name VARCHAR NOT NULL, partition_date DATE, rule VARCHAR NOT NULL,
        reason VARCHAR NOT NULL, blocking BOOLEAN NOT NULL, loaded_at TIMESTAMP""",
        "Vấn đề ở mức tệp: tệp rỗng, thiếu cột, sai mã hóa, đổi tên cột…; blocking = cả tệp không nạp được.",
        {},
    ),
}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables and (re)write their comments; never drops data."""
    for name, (columns, comment, column_comments) in TABLES.items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
        con.execute(f"COMMENT ON TABLE {name} IS {_quote(comment)}")
        for column, text in column_comments.items():
            con.execute(f"COMMENT ON COLUMN {name}.{column} IS {_quote(text)}")
