"""Warehouse tables with their comments: the one place their shape is defined.

Times are local (Asia/Ho_Chi_Minh) TIMESTAMPs, as the source systems write them.
"""

from __future__ import annotations

from functools import lru_cache

import duckdb

from scoring.task_status import STATUS_LABELS as TASK_STATUS_LABELS
from warehouse.queries import sql

# The only trace of an applicant's ID number (common/pii.py): not reversible without the secret, not linkable across years.
APPLICANT_KEY_COMMENT = (
    "khóa ẩn danh người nộp theo năm tiếp nhận: HMAC-SHA256 số giấy tờ với khóa bí mật của năm "
    "(không dò ngược được khi không có khóa, không nối được giữa các năm); chỉ để đếm người nộp "
    "khác nhau trong một năm"
)
_PETITION_COLUMNS = """petition_code VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL,
    category VARCHAR NOT NULL, handling VARCHAR NOT NULL, due_at TIMESTAMP NOT NULL, completed_at TIMESTAMP,
    satisfaction VARCHAR, repeated BOOLEAN, source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL"""
# (the petitions as loaded, stg_petition, and as counted, fct_petition: one shape)
_PETITION_COMMENTS = {
    "unit_code": "đơn vị xử lý (mã trong dim_unit)",
    "category": "procedure (về quy định hành chính, TTHC) | staff (về hành vi, thái độ của CBCCVC): chỉ tiêu 5.1",
    "handling": "answer (trả lời, giải quyết) | refusal (từ chối tiếp nhận) | more_information (yêu cầu bổ sung thông tin)",
    "due_at": (
        "hạn xử lý: cuối ngày làm việc thứ 15 (trả lời), 2 (từ chối) hoặc 5 (yêu cầu bổ sung) sau ngày tiếp "
        "nhận, trừ nghỉ lễ Việt Nam; đúng hạn khi completed_at ≤ due_at (chỉ tiêu 5.2)"
    ),
    "completed_at": "NULL khi đang xử lý",
    "satisfaction": "satisfied | dissatisfied | NULL (chưa đánh giá)",
    "repeated": "PAKN lặp lại (chỉ tiêu 5.3); NULL khi tệp không ghi",
    "source_row": "số dòng trong tệp nhận được (dòng tiêu đề = 1)",
}


TABLES: dict[str, tuple[str, str, dict[str, str]]] = {
    # name: (column DDL, table comment, column comments)
    "dim_unit": (
        """unit_code VARCHAR PRIMARY KEY, unit_name VARCHAR NOT NULL, unit_group VARCHAR NOT NULL,
        group_label VARCHAR NOT NULL, ranking_group VARCHAR NOT NULL, province VARCHAR NOT NULL,
        portal_code VARCHAR, aliases VARCHAR[], sort_order INTEGER NOT NULL, master_source VARCHAR,
        portal_department_id VARCHAR, sort_key VARCHAR, search_name VARCHAR""",
        "Đơn vị: cơ quan cấp tỉnh (CSV đã rà soát của tỉnh, hoặc danh sách mặc định) và xã/phường (gói vietnam-provinces, sau 1/7/2025).",
        {
            "unit_group": "agency (sở, ban, ngành) | commune (xã) | ward (phường)",
            "ranking_group": "agency | local: nhóm xếp hạng",
            "sort_order": (
                "thứ tự của danh mục: cơ quan cấp tỉnh trước, rồi xã, phường; trong mỗi nhóm theo bảng chữ cái tiếng "
                "Việt. Chỉ theo bảng chữ cái: ORDER BY sort_key"
            ),
            "portal_code": "mã đơn vị trên Cổng DVCQG, chỉ lấy từ dữ liệu danh mục (CSV cơ quan, masterdata/portal_codes); "
            "NULL khi chưa có: đơn vị được đối chiếu theo tên",
            "master_source": "nguồn danh mục: reviewed_csv (CSV đã rà soát của tỉnh) | default_list (danh sách cơ quan "
            "mặc định, cần thay bằng CSV đã rà soát) | vietnam-provinces (xã, phường)",
            "portal_department_id": "departmentId của đơn vị trên Cổng DVCQG (masterdata/portal_codes), nếu có",
            "search_name": (
                "tên đơn vị để tìm không dấu: chữ thường, bỏ dấu, đ thành d, một dấu cách giữa các từ ('xa dai phuc'): "
                "WHERE search_name LIKE '%dai phuc%' (strip_accents của DuckDB giữ nguyên chữ Đ)"
            ),
        },
    ),
    "dim_procedure": (
        """procedure_code VARCHAR PRIMARY KEY, procedure_name VARCHAR NOT NULL, field VARCHAR,
        authority_level VARCHAR NOT NULL, online_level VARCHAR NOT NULL, fee_bearing BOOLEAN NOT NULL,
        owner_unit_code VARCHAR, payment_integrated BOOLEAN, source_file VARCHAR, source_row INTEGER""",
        "Danh mục thủ tục hành chính.",
        {
            "authority_level": "province (thẩm quyền cấp tỉnh) | commune (thẩm quyền cấp xã)",
            "online_level": "full (toàn trình) | partial (một phần) | none",
            "owner_unit_code": "cơ quan chủ quản (mã trong dim_unit); NULL với thủ tục cấp xã ('UBND cấp xã') hoặc khi danh mục không ghi",
            "payment_integrated": "đã tích hợp thanh toán trực tuyến trên Cổng DVCQG (chỉ tiêu 3.5a); NULL khi danh mục không ghi",
        },
    ),
    "landed_files": (
        """source VARCHAR NOT NULL, file_name VARCHAR NOT NULL, partition_date DATE, sha256 VARCHAR,
        size_bytes BIGINT, encoding VARCHAR, status VARCHAR NOT NULL, rows_read BIGINT, rows_loaded BIGINT,
        rows_rejected BIGINT, first_loaded_at TIMESTAMP, loaded_at TIMESTAMP, pii_secret VARCHAR""",
        "Mỗi tệp nguồn đã nhận (hoặc ngày thiếu tệp): dòng dõi dữ liệu.",
        {
            "pii_secret": (
                "dấu nhận dạng (16 ký tự hex, HMAC) của khóa bí mật dùng để ẩn danh người nộp khi nạp tệp hồ sơ: hai "
                "khóa khác nhau cho hai dấu khác nhau, không suy ra được khóa; NULL ở nguồn khác và tệp nạp trước khi có cột"
            ),
            "status": (
                "loaded | partly_loaded | rejected | missing | deferred (tệp đang được chép, để lần chạy sau); một "
                "tệp giao lại rỗng, chỉ có tiêu đề hay bị cắt cụt không thay dòng của lần nạp tốt trước (xem file_issues)"
            ),
            "first_loaded_at": "lần nạp đầu tiên của nội dung này (sha256); nạp lại cùng tệp không đổi giá trị",
        },
    ),
    "stg_dossier_versions": (
        """export_date DATE NOT NULL, source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL,
        dossier_code VARCHAR NOT NULL, procedure_code VARCHAR NOT NULL, receiving_centre VARCHAR,
        resolving_unit_code VARCHAR NOT NULL, channel VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL,
        due_at TIMESTAMP NOT NULL, completed_at TIMESTAMP, status VARCHAR NOT NULL, supplement_requests INTEGER NOT NULL,
        digitised BOOLEAN, electronic_result BOOLEAN, fee_due BIGINT, paid_online BOOLEAN, reused_data BOOLEAN,
        citizen_data_used BOOLEAN, synced_to_portal BOOLEAN, satisfaction VARCHAR, updated_at TIMESTAMP NOT NULL,
        applicant_key VARCHAR""",
        "Mọi phiên bản hồ sơ trong các tệp xuất hằng ngày, đã bỏ dữ liệu cá nhân; phân vùng theo export_date.",
        {
            "applicant_key": APPLICANT_KEY_COMMENT,
            "channel": "direct (trực tiếp) | online (trực tuyến) | postal (qua bưu chính)",
            "source_row": "số dòng trong tệp nhận được (dòng tiêu đề = 1)",
            "synced_to_portal": "hồ sơ đã đồng bộ lên Cổng DVCQG (chỉ tiêu 1.4 QĐ 766); NULL khi tệp xuất không có cột này",
        },
    ),
    "fct_dossier": (
        """dossier_code VARCHAR NOT NULL, procedure_code VARCHAR NOT NULL, receiving_centre VARCHAR,
        resolving_unit_code VARCHAR NOT NULL, channel VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL,
        due_at TIMESTAMP NOT NULL, completed_at TIMESTAMP, status VARCHAR NOT NULL, is_finished BOOLEAN NOT NULL,
        finished_on_time BOOLEAN, supplement_requests INTEGER NOT NULL, digitised BOOLEAN, electronic_result BOOLEAN,
        fee_due BIGINT, paid_online BOOLEAN, reused_data BOOLEAN, citizen_data_used BOOLEAN, synced_to_portal BOOLEAN,
        satisfaction VARCHAR, updated_at TIMESTAMP NOT NULL, applicant_key VARCHAR, first_export_date DATE NOT NULL,
        last_export_date DATE NOT NULL, version_count INTEGER NOT NULL, supplement_requested_at TIMESTAMP,
        refused_at TIMESTAMP""",
        "Trạng thái hiện tại của mỗi hồ sơ: phiên bản có ngày cập nhật mới nhất (mã duy nhất: kiểm tra chặn current_state_unique).",
        {
            "applicant_key": APPLICANT_KEY_COMMENT,
            "finished_on_time": (
                "đã kết thúc và completed_at ≤ due_at; NULL khi chưa kết thúc hoặc công dân đã rút hồ sơ (withdrawn: "
                "is_finished nhưng không đúng hạn cũng không trễ hạn). Chỉ so hai thời điểm: chỉ tiêu 2.1 "
                "của QĐ 766 còn tính là trễ hạn hồ sơ yêu cầu bổ sung quá 1 lần và hồ sơ chưa xong đã quá hạn, nên số "
                "hồ sơ trễ hạn theo QĐ 766 (mart_qd766_indicator, 2.1: mẫu số − tử số) lớn hơn số đếm theo cột này"
            ),
            "synced_to_portal": "đã đồng bộ lên Cổng DVCQG theo phiên bản mới nhất (chỉ tiêu 1.4 QĐ 766); NULL khi không rõ",
            "refused_at": (
                "ngày cập nhật của phiên bản đầu tiên ở trạng thái từ chối giải quyết: hồ sơ từ chối không ghi ngày hoàn "
                "thành được tính kết thúc lúc này (chỉ tiêu 2.1); NULL khi chưa từng bị từ chối"
            ),
            "supplement_requested_at": (
                "ngày cập nhật của phiên bản đầu tiên ở trạng thái chờ bổ sung (lúc yêu cầu bổ sung); NULL khi chưa "
                "từng chờ bổ sung. Thời gian chờ bổ sung không tính vào thời hạn (QĐ 766, 2.1): hồ sơ đang chờ bổ sung "
                "là đúng hạn khi được yêu cầu bổ sung trước hạn"
            ),
        },
    ),
    "stg_petition": (
        _PETITION_COLUMNS,
        (
            "Mọi dòng PAKN đã nạp từ các tệp tháng (pakn_YYYYMM.csv), kể cả mã có trong tệp của hai tháng; fct_petition "
            "tính mỗi mã một lần (ở tháng sau). Không lưu họ tên, điện thoại, email, nội dung."
        ),
        _PETITION_COMMENTS,
    ),
    "fct_petition": (
        _PETITION_COLUMNS,
        (
            "Phản ánh, kiến nghị (PAKN) về TTHC theo tệp xuất hằng tháng (pakn_YYYYMM.csv, tháng tiếp nhận), trạng thái tại "
            "thời điểm xuất; không lưu họ tên, điện thoại, email, nội dung."
        ),
        _PETITION_COMMENTS,
    ),
    "fct_procedure_publication": (
        """decision_number VARCHAR NOT NULL, decision_date DATE NOT NULL, procedure_code VARCHAR NOT NULL,
        legal_effective_date DATE NOT NULL, made_public_date DATE, parts_complete INTEGER NOT NULL,
        missing_parts VARCHAR, source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL""",
        (
            "Công bố TTHC: mỗi thủ tục trong mỗi quyết định công bố (tệp tthc/cong_bo_tthc.csv), ngày công khai trên "
            "CSDLQG và số bộ phận tạo thành được công khai (chỉ tiêu 1.1-1.3 QĐ 766, chung cho cả tỉnh)."
        ),
        {
            "decision_number": "số quyết định công bố, ví dụ 1234/QĐ-UBND",
            "legal_effective_date": (
                "ngày có hiệu lực của văn bản quy định TTHC; công bố đúng hạn khi decision_date ≤ "
                "ngày này − 5 ngày làm việc (chỉ tiêu 1.1)"
            ),
            "made_public_date": (
                "ngày công khai trên CSDLQG; NULL = chưa công khai; đúng hạn khi ≤ decision_date + 5 ngày làm việc (chỉ tiêu 1.2)"
            ),
            "parts_complete": "số bộ phận tạo thành được công khai (0-7, k.2 Đ.8 NĐ 63/2010); đầy đủ khi = 7 (chỉ tiêu 1.3)",
            "missing_parts": "tên các bộ phận còn thiếu, cách nhau bởi '; '; NULL khi đủ 7",
            "source_row": "số dòng trong tệp nhận được (dòng tiêu đề = 1)",
        },
    ),
    "dim_office": (
        """office_code VARCHAR PRIMARY KEY, office_name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
        parent_unit_code VARCHAR NOT NULL, aliases VARCHAR[], sort_order INTEGER NOT NULL, sort_key VARCHAR""",
        "Phòng, đơn vị thuộc Sở (masterdata/offices): chủ trì hoặc phối hợp nhiệm vụ của kế hoạch; không xếp hạng.",
        {
            "kind": "van_phong (Văn phòng) | phong (phòng chuyên môn) | don_vi (đơn vị trực thuộc)",
            "parent_unit_code": "cơ quan chủ quản (dim_unit)",
            "sort_order": (
                "thứ tự của phòng, đơn vị trong danh sách đã rà soát (masterdata/offices), từ 0: thứ tự Sở tự sắp "
                "(Văn phòng Sở trước), không theo bảng chữ cái; báo cáo tiến độ nhiệm vụ xếp các phòng theo thứ tự này. "
                "Xếp theo bảng chữ cái tiếng Việt: ORDER BY sort_key"
            ),
        },
    ),
    "plan_task_history": (
        """plan_number VARCHAR NOT NULL, plan_year INTEGER NOT NULL, revision INTEGER NOT NULL, issued_on DATE,
        source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL, task_no VARCHAR NOT NULL, content VARCHAR NOT NULL,
        lead_text VARCHAR, collaborators_text VARCHAR, deadline_text VARCHAR, deadline_kind VARCHAR, due_date DATE,
        effective_due_date DATE, provisional BOOLEAN, deadline_condition VARCHAR, expected_result VARCHAR,
        responsible VARCHAR, loaded_at TIMESTAMP, sha256 VARCHAR, lead_codes VARCHAR[], collaborator_codes VARCHAR[],
        trial BOOLEAN, unknown_leads VARCHAR[]""",
        (
            "Mọi phiên bản của mọi nhiệm vụ trong các sổ kế hoạch (mỗi lần ban hành/sửa đổi): lịch sử thay đổi được giữ, "
            "kể cả khi tệp sau đó bị gửi lại lỗi hoặc được chuyển khỏi hộp thư đến."
        ),
        {
            "revision": "lần ban hành/sửa đổi (1 = ban hành lần đầu)",
            "deadline_text": "thời gian hoàn thành như văn bản ghi",
            "due_date": "hạn theo văn bản (NULL khi không đọc được)",
            "effective_due_date": "hạn thực tế: nếu rơi vào ngày nghỉ thì là hết ngày làm việc tiếp theo (BLDS 2015 Đ.148 k.5)",
            "provisional": "hạn dự kiến, phụ thuộc điều kiện (deadline_condition)",
        },
    ),
    "fct_plan_task": (
        """plan_number VARCHAR NOT NULL, plan_year INTEGER NOT NULL, revision INTEGER NOT NULL, task_no VARCHAR NOT NULL,
        content VARCHAR NOT NULL, lead_text VARCHAR, collaborators_text VARCHAR, lead_codes VARCHAR[],
        collaborator_codes VARCHAR[], deadline_text VARCHAR, deadline_kind VARCHAR, due_date DATE,
        effective_due_date DATE, provisional BOOLEAN, deadline_condition VARCHAR, expected_result VARCHAR,
        responsible VARCHAR, first_revision INTEGER NOT NULL, changed_in_revision INTEGER NOT NULL,
        previous_deadline_text VARCHAR, source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL, unknown_leads VARCHAR[]""",
        "Nhiệm vụ hiện hành của mỗi kế hoạch (theo lần ban hành/sửa đổi mới nhất), với đơn vị chủ trì/phối hợp đã quy về mã.",
        {
            "lead_codes": "mã đơn vị chủ trì (dim_office hoặc dim_unit); cụm từ tập hợp đã được mở rộng",
            "changed_in_revision": "lần sửa đổi gần nhất làm thay đổi nhiệm vụ này",
            "previous_deadline_text": "thời gian hoàn thành trước lần sửa đổi gần nhất (nếu thay đổi)",
        },
    ),
    "plan_revision": (
        """plan_year INTEGER NOT NULL, plan_number VARCHAR NOT NULL, revision INTEGER NOT NULL, register_number VARCHAR NOT NULL,
        issued_on DATE, in_force_from DATE NOT NULL, source_file VARCHAR NOT NULL""",
        (
            "Các lần ban hành/sửa đổi của kế hoạch mỗi năm, theo thứ tự lần sửa đổi (không theo ngày): sổ kế hoạch được "
            "dùng cho mỗi lần (một sổ mỗi lần; bản nhập thử và bản trùng bị thay không có ở đây) và ngày bắt đầu áp dụng. "
            "Tình trạng nhiệm vụ, fct_plan_task, phụ lục và báo cáo Word đều theo bảng này."
        ),
        {
            "plan_number": "số của kế hoạch (của lần ban hành đầu tiên), như fct_plan_task.plan_number",
            "revision": "lần ban hành/sửa đổi (1 = ban hành lần đầu)",
            "register_number": "số văn bản sổ kế hoạch ghi (văn bản sửa đổi có thể có số riêng, ví dụ 245/KH-SKHCN)",
            "issued_on": "ngày ban hành sổ ghi (NULL khi để trống hoặc không đọc được)",
            "in_force_from": (
                "ngày bắt đầu áp dụng: ngày ban hành; ban hành lần đầu không ghi ngày: đầu năm; lần sửa đổi không ghi "
                "ngày: ngày nhận tệp; không sớm hơn lần trước đó"
            ),
            "source_file": "sổ kế hoạch (ke_hoach/…) của lần này",
        },
    ),
    "stg_task_report": (
        """source_file VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, period_label VARCHAR NOT NULL, report_date DATE NOT NULL,
        plan_year INTEGER NOT NULL, task_no VARCHAR NOT NULL, status VARCHAR NOT NULL, percent DOUBLE, completed_on DATE,
        result_doc_number VARCHAR, result_doc_date DATE, difficulties VARCHAR, proposals VARCHAR, source_row INTEGER NOT NULL,
        superseded BOOLEAN NOT NULL, loaded_at TIMESTAMP""",
        "Mọi báo cáo tiến độ đã nhận (kể cả dòng bị thay thế): superseded = có bản gửi sau cho cùng đơn vị, kỳ, nhiệm vụ.",
        {
            "status": "not_started (chưa thực hiện) | in_progress (đang thực hiện) | completed (hoàn thành) | suspended (tạm dừng)",
            "superseded": "bản gửi sau (ngày báo cáo muộn hơn) của cùng đơn vị và kỳ báo cáo lại nhiệm vụ này; vẫn giữ làm lịch sử",
        },
    ),
    "mart_task_status": (
        """plan_year INTEGER NOT NULL, task_no VARCHAR NOT NULL, as_of DATE NOT NULL, status VARCHAR NOT NULL,
        status_label VARCHAR NOT NULL, effective_due_date DATE, completed_on DATE, percent DOUBLE, days_to_due INTEGER,
        task_order INTEGER""",
        "Tình trạng mỗi nhiệm vụ vào mỗi ngày của năm kế hoạch (đến ngày dữ liệu): chỉ dùng báo cáo đã gửi đến ngày đó.",
        {
            "status": (
                "on_track (đang thực hiện, còn hạn) | due_soon (sắp đến hạn) | overdue (quá hạn) | completed_on_time "
                "(hoàn thành đúng hạn) | completed_late (hoàn thành trễ hạn) | no_deadline (không có thời hạn)"
            ),
            "days_to_due": "số ngày đến hạn thực tế (âm = đã quá hạn)",
            "task_order": "thứ tự nhiệm vụ trong sổ kế hoạch: ORDER BY task_order (task_no là chữ, xếp 1, 10, 2)",
        },
    ),
    "mart_task_completion": (
        """plan_year INTEGER NOT NULL, period_label VARCHAR NOT NULL, as_of DATE NOT NULL, unit_code VARCHAR NOT NULL,
        unit_name VARCHAR NOT NULL, tasks INTEGER NOT NULL, due INTEGER NOT NULL, completed_on_time INTEGER NOT NULL,
        completed_late INTEGER NOT NULL, overdue INTEGER NOT NULL, on_time_rate DOUBLE, sort_key VARCHAR""",
        (
            "Tỷ lệ nhiệm vụ hoàn thành đúng hạn lũy kế từ đầu năm kế hoạch đến cuối kỳ (as_of), cho từng đơn vị chủ trì "
            "(theo báo cáo của chính đơn vị) và cả Sở (unit_code của Sở); dùng cho Chỉ số CCHC và DTI."
        ),
        {
            "due": "nhiệm vụ đã đến hạn hoặc đã hoàn thành tính đến as_of",
            "on_time_rate": "completed_on_time / due (%); NULL khi chưa có nhiệm vụ đến hạn",
        },
    ),
    "stg_assessment_submission": (
        """source_file VARCHAR NOT NULL, sha256 VARCHAR, unit_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        index_code VARCHAR NOT NULL, submitted_at TIMESTAMP, difficulties VARCHAR, proposals VARCHAR,
        hard_errors INTEGER NOT NULL, superseded BOOLEAN NOT NULL, loaded_at TIMESTAMP""",
        (
            "Mọi phiếu tự đánh giá đã nhận, Chỉ số CCHC và DTI (kể cả bản bị thay thế bởi bản gửi sau của cùng đơn vị, "
            "chỉ số, năm)."
        ),
        {
            "index_code": "par (Chỉ số CCHC) | dti (Chỉ số chuyển đổi số)",
            "hard_errors": "số lỗi làm phiếu không dùng được hoặc dòng bị loại",
            "superseded": "có bản gửi sau thay thế",
        },
    ),
    "stg_assessment_self": (
        """source_file VARCHAR NOT NULL, index_code VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        code VARCHAR NOT NULL, self_answer VARCHAR, self_points DOUBLE, evidence VARCHAR, explanation VARCHAR,
        superseded BOOLEAN NOT NULL, not_applicable BOOLEAN""",
        "Điểm tự đánh giá theo tiêu chí, kèm câu trả lời (DTI), tài liệu kiểm chứng và giải trình.",
        {
            "self_answer": "câu trả lời của đơn vị (Có/Không, lựa chọn, số); điểm tính theo quy tắc của bộ chỉ số",
            "not_applicable": "đơn vị ghi 'Không áp dụng': tiêu chí ra khỏi mẫu số (tạm tính đến khi thẩm định)",
        },
    ),
    "stg_assessment_appraisal": (
        """source_file VARCHAR NOT NULL, index_code VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        code VARCHAR NOT NULL, appraised_points DOUBLE, comment VARCHAR, delivery_order INTEGER, not_applicable BOOLEAN""",
        "Điểm thẩm định của Hội đồng theo chỉ số, đơn vị và tiêu chí.",
        {
            "not_applicable": "Hội đồng ghi 'Không áp dụng': tiêu chí không áp dụng cho đơn vị, ra khỏi mẫu số",
            "delivery_order": "thứ tự gửi đến của tệp trong năm (1 = sớm nhất); hai tệp cùng cho một tiêu chí: dùng tệp gửi sau",
        },
    ),
    "stg_assessment_survey": (
        """source_file VARCHAR NOT NULL, index_code VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        survey VARCHAR NOT NULL, code VARCHAR NOT NULL, points DOUBLE, delivery_order INTEGER""",
        "Điểm điều tra xã hội học (SIPAS; lãnh đạo, quản lý) theo đơn vị và tiêu chí.",
        {
            "survey": "sipas (khảo sát người dân, tổ chức) | leaders (khảo sát lãnh đạo, quản lý)",
            "delivery_order": "thứ tự gửi đến của tệp trong năm (1 = sớm nhất); hai tệp cùng cho một tiêu chí: dùng tệp gửi sau",
        },
    ),
    "stg_dti_external": (
        """source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL, year INTEGER NOT NULL, unit_code VARCHAR NOT NULL,
        code VARCHAR NOT NULL, value DOUBLE NOT NULL, system VARCHAR, note VARCHAR""",
        (
            "Giá trị thành phần DTI do hệ thống khác cung cấp (quản lý văn bản, giám sát an toàn thông tin, báo cáo…), "
            "đã kiểm tra; dòng lỗi, trùng hoặc ngoài khoảng nằm trong quarantine."
        ),
        {},
    ),
    "stg_dti_previous": (
        """source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL, year INTEGER NOT NULL, published_name VARCHAR NOT NULL,
        unit_code VARCHAR NOT NULL, total DOUBLE NOT NULL, rank INTEGER, level VARCHAR""",
        "Kết quả DTI đã công bố của năm trước, theo tên đơn vị khi đó, quy về mã đơn vị hiện nay qua tên cũ (aliases).",
        {"year": "năm của kết quả", "published_name": "tên đơn vị như đã công bố (có thể là đơn vị trước sắp xếp 2025)"},
    ),
    "mart_dti_component": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, tree VARCHAR NOT NULL, code VARCHAR NOT NULL,
        main_index VARCHAR NOT NULL, name VARCHAR NOT NULL, method VARCHAR NOT NULL, rule_kind VARCHAR,
        data_source VARCHAR, max_points DOUBLE NOT NULL, applicable BOOLEAN NOT NULL, self_answer VARCHAR,
        self_points DOUBLE, appraised_points DOUBLE, external_value DOUBLE, computed_value DOUBLE, points DOUBLE,
        points_lost DOUBLE, source VARCHAR NOT NULL, overclaim BOOLEAN NOT NULL, unit_name VARCHAR, sort_key VARCHAR""",
        "DTI theo đơn vị và thành phần: câu trả lời, giá trị từ hệ thống khác hoặc từ kho, điểm và điểm mất.",
        {
            "source": (
                "appraised (điểm thẩm định) | self_provisional (điểm tự chấm, chưa thẩm định) | computed (tính từ kho) | "
                "external (hệ thống khác) | missing (thiếu: 0 điểm) | not_measured (năm nay chưa đo được: không tính "
                "vào điểm tối đa dù applicable = true) | not_applicable (không áp dụng cho đơn vị)"
            ),
            "data_source": "tự đánh giá, tính từ kho (công thức) hoặc tên hệ thống cung cấp",
        },
    ),
    "mart_dti_index": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, main_index VARCHAR NOT NULL, name VARCHAR NOT NULL,
        weight DOUBLE NOT NULL, max_points DOUBLE NOT NULL, points DOUBLE, value DOUBLE, points_lost DOUBLE,
        missing_components INTEGER NOT NULL, unit_name VARCHAR, sort_key VARCHAR""",
        "DTI theo đơn vị và chỉ số chính: điểm, giá trị chuẩn hóa 0..1 (điểm / tối đa của các thành phần áp dụng), trọng số.",
        {"value": "NULL khi không thành phần nào áp dụng (chỉ số chính rời khỏi bình quân gia quyền)"},
    ),
    "mart_dti_pillar": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, pillar VARCHAR NOT NULL, name VARCHAR NOT NULL,
        value DOUBLE, unit_name VARCHAR, sort_key VARCHAR""",
        "DTI theo đơn vị và trụ cột (chính quyền số, kinh tế số, xã hội số): bình quân gia quyền các chỉ số chính.",
        {},
    ),
    "mart_dti_unit": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, unit_name VARCHAR NOT NULL, ranking_group VARCHAR NOT NULL,
        tree VARCHAR NOT NULL, total DOUBLE NOT NULL, index_value DOUBLE, band VARCHAR, provisional BOOLEAN NOT NULL,
        has_form BOOLEAN NOT NULL, missing_components INTEGER NOT NULL, rank INTEGER, is_tied BOOLEAN NOT NULL,
        units_in_group INTEGER NOT NULL, group_average DOUBLE, previous_total DOUBLE, previous_names VARCHAR,
        previous_merged BOOLEAN, previous_renamed BOOLEAN, previous_missing VARCHAR, change DOUBLE, rank_median DOUBLE, rank_p05 INTEGER, rank_p95 INTEGER,
        rank_best INTEGER, rank_worst INTEGER, share_same_rank DOUBLE, form_refused VARCHAR, sort_key VARCHAR""",
        (
            "DTI theo đơn vị và năm: tổng điểm (thang 100), xếp loại, xếp hạng trong nhóm, thay đổi so với năm trước và "
            "khoảng xếp hạng của phân tích độ bất định."
        ),
        {
            "total": "Σ trọng số × giá trị chỉ số chính / Σ trọng số × 100",
            "previous_total": "tổng điểm năm trước; đơn vị hợp nhất: trung bình các đơn vị cũ",
            "previous_missing": "đơn vị cũ (trước sắp xếp) chưa có kết quả năm trước: previous_total chỉ tính trên các đơn vị còn lại",
            "rank_p05": "bách phân vị 5 của thứ hạng qua các lần tính lại",
            "rank_p95": "bách phân vị 95",
            "share_same_rank": "tỷ lệ lần tính lại giữ đúng thứ hạng công bố, từ 0 đến 1 (không phải %)",
            "form_refused": (
                "phiếu hiện hành không nạp được (tệp: lý do): đơn vị không xếp hạng, không xếp loại; NULL khi "
                "phiếu dùng được hoặc chưa nộp phiếu"
            ),
        },
    ),
    "mart_par_criterion": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, tree VARCHAR NOT NULL, code VARCHAR NOT NULL,
        domain VARCHAR NOT NULL, name VARCHAR NOT NULL, method VARCHAR NOT NULL, max_points DOUBLE NOT NULL,
        applicable BOOLEAN NOT NULL, self_points DOUBLE, appraised_points DOUBLE, survey_points DOUBLE,
        computed_value DOUBLE, points DOUBLE, points_lost DOUBLE, source VARCHAR NOT NULL, overclaim BOOLEAN NOT NULL,
        unit_name VARCHAR, sort_key VARCHAR""",
        "Chỉ số CCHC theo đơn vị và tiêu chí: điểm tự chấm, thẩm định, khảo sát, tính từ dữ liệu, điểm tính và điểm mất.",
        {
            "source": (
                "appraised (điểm thẩm định) | self_provisional (tự chấm, chưa thẩm định) | survey (khảo sát) | computed "
                "(tính từ kho dữ liệu) | missing (thiếu) | not_applicable (không áp dụng)"
            ),
            "computed_value": "giá trị đo từ kho (%): tỷ lệ hồ sơ đúng hạn, trực tuyến, nhiệm vụ đúng hạn",
            "overclaim": "đơn vị tự chấm cao hơn dữ liệu cho thấy",
        },
    ),
    "mart_par_domain": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, domain VARCHAR NOT NULL, name VARCHAR NOT NULL,
        max_points DOUBLE NOT NULL, points DOUBLE, points_lost DOUBLE, unit_name VARCHAR, sort_key VARCHAR""",
        "Chỉ số CCHC theo đơn vị và lĩnh vực (8 lĩnh vực của QĐ 876/QĐ-BNV).",
        {},
    ),
    "mart_par_unit": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, unit_name VARCHAR NOT NULL, ranking_group VARCHAR NOT NULL,
        tree VARCHAR NOT NULL, total DOUBLE NOT NULL, max_applicable DOUBLE NOT NULL, index_pct DOUBLE, band VARCHAR,
        provisional BOOLEAN NOT NULL, has_form BOOLEAN NOT NULL, rank INTEGER, is_tied BOOLEAN NOT NULL,
        units_in_group INTEGER NOT NULL, group_average_pct DOUBLE, difficulties VARCHAR, proposals VARCHAR,
        form_refused VARCHAR, sort_key VARCHAR""",
        "Chỉ số CCHC theo đơn vị và năm: tổng điểm, chỉ số %, xếp loại, xếp hạng trong nhóm (sở/ban/ngành; xã/phường).",
        {
            "index_pct": "tổng điểm / tổng điểm tối đa của các tiêu chí áp dụng × 100",
            "provisional": "còn tiêu chí tự chấm chưa được thẩm định, hoặc chưa có điểm điều tra xã hội học: kết quả tạm tính",
            "has_form": "đã có phiếu tự đánh giá dùng được",
            "form_refused": (
                "phiếu hiện hành bị từ chối (tệp: lý do); đơn vị được tính điểm không có phiếu, không xếp hạng, "
                "không xếp loại; NULL khi phiếu dùng được hoặc chưa nộp phiếu"
            ),
        },
    ),
    "quarantine": (
        """source VARCHAR NOT NULL, file_name VARCHAR NOT NULL, partition_date DATE, row_number INTEGER,
        unit_code VARCHAR, unit_name VARCHAR, record_key VARCHAR, rule VARCHAR NOT NULL, reason VARCHAR NOT NULL,
        value VARCHAR, loaded_at TIMESTAMP, year INTEGER, period_label VARCHAR, index_code VARCHAR,
        criterion_code VARCHAR, endpoint VARCHAR, captured_at TIMESTAMP""",
        "Dòng bị loại, kèm tệp, dòng, quy tắc và lý do bằng tiếng Việt. Không chứa dữ liệu cá nhân.",
        {"value": "giá trị vi phạm (không bao giờ là cột dữ liệu cá nhân)"},
    ),
    "quality_gate": (
        """check_name VARCHAR NOT NULL, scope VARCHAR NOT NULL, passed BOOLEAN NOT NULL, detail VARCHAR,
        checked_at TIMESTAMP""",
        (
            "Kết quả gần nhất của mỗi kiểm tra chặn (Great Expectations, kiểm tra của Dagster) theo phạm vi: còn một "
            "dòng passed = false thì không lần chạy nào công bố bản chụp, Parquet và trang web cho đến khi chạy lại "
            "phạm vi đó đạt."
        ),
        {
            "check_name": "tên kiểm tra chặn (như trên Dagster UI)",
            "scope": "phạm vi đã kiểm tra: ngày (2026-01-20), kỳ (2026-03, 2026-Q1), năm (2026) hoặc 'kho' (toàn kho)",
            "detail": "kiểm tra nào không đạt và cách xử lý, bằng tiếng Việt",
            "passed": "lần kiểm tra gần nhất của phạm vi đạt",
            "checked_at": "thời điểm kiểm tra (giờ Việt Nam)",
        },
    ),
    "file_issues": (
        """source VARCHAR NOT NULL, file_name VARCHAR NOT NULL, partition_date DATE, rule VARCHAR NOT NULL,
        reason VARCHAR NOT NULL, blocking BOOLEAN NOT NULL, loaded_at TIMESTAMP, unit_code VARCHAR, year INTEGER,
        period_label VARCHAR, index_code VARCHAR, criterion_code VARCHAR, endpoint VARCHAR, captured_at TIMESTAMP""",
        "Vấn đề ở mức tệp: tệp rỗng, thiếu cột, sai mã hóa, đổi tên cột…; blocking = cả tệp không nạp được.",
        {},
    ),
    "dim_criterion": (
        """year INTEGER NOT NULL, index_code VARCHAR NOT NULL, ranking_group VARCHAR, tree VARCHAR NOT NULL,
        tree_sha256 VARCHAR, decision VARCHAR, default_tree BOOLEAN, position INTEGER NOT NULL, kind VARCHAR NOT NULL,
        code VARCHAR NOT NULL, parent_code VARCHAR, group_code VARCHAR, name VARCHAR NOT NULL, max_points DOUBLE,
        method VARCHAR, rule_kind VARCHAR, rule_text VARCHAR, weight DOUBLE, applies_to VARCHAR[], data_source VARCHAR,
        bands STRUCT(label VARCHAR, min_value DOUBLE)[], index_name VARCHAR, valid_from DATE, tolerance DOUBLE,
        numerator VARCHAR, denominator VARCHAR, unit VARCHAR, scope VARCHAR, loaded_at TIMESTAMP""",
        (
            "Bộ tiêu chí đã dùng để chấm, theo năm và chỉ số (par, dti, qd766): nhóm, tiêu chí, điểm tối đa, cách chấm, "
            "quy tắc bằng lời, trọng số, xếp loại; tệp phương pháp và mã băm của nó. Ghi lại mỗi lần tính điểm năm đó."
        ),
        {
            "index_code": "bộ chỉ số: par (Chỉ số CCHC) | dti (Chỉ số chuyển đổi số) | qd766 (Chỉ số 766)",
            "ranking_group": "nhóm đơn vị dùng bộ tiêu chí: agency | local; NULL: mọi đơn vị (Chỉ số 766)",
            "tree": "tệp phương pháp trong methodology/ đã dùng để chấm",
            "tree_sha256": "mã băm SHA-256 của tệp phương pháp lúc chấm: cùng mã = cùng bộ tiêu chí",
            "decision": "văn bản ban hành bộ tiêu chí",
            "default_tree": "bộ tiêu chí mặc định, chờ quyết định của tỉnh",
            "position": "thứ tự của dòng trong bộ tiêu chí (như tệp phương pháp)",
            "kind": "pillar (trụ cột DTI) | group (lĩnh vực, chỉ số chính, nhóm 766) | criterion (tiêu chí, thành phần, chỉ tiêu)",
            "parent_code": "mã của nút cha; NULL ở lĩnh vực, chỉ số chính, nhóm 766, trụ cột",
            "group_code": "mã lĩnh vực / chỉ số chính / nhóm 766 chứa dòng (chính nó ở dòng nhóm); trụ cột: mã trụ cột",
            "method": (
                "cách có điểm: self | computed | survey_* | external | group (PAR, DTI); linear | target | "
                "unresolved | info (quy tắc Chỉ số 766)"
            ),
            "rule_kind": (
                "quy tắc chấm: yes_no | choice | linear | thresholds (PAR, DTI: linear = target, điểm tối đa × min(1, giá trị/chỉ tiêu)); "
                "linear | target | unresolved | info (766: linear = proportional, điểm tối đa × min(1, R/100)); nhóm 766: "
                "tree (tổng điểm chưa làm tròn, làm tròn một lần, như Cổng) | evaluation (tổng các điểm đã làm tròn)"
            ),
            "rule_text": "cách chấm bằng lời (tiếng Việt)",
            "weight": "trọng số dùng khi tính (chỉ số chính DTI; nhóm khác: bằng điểm tối đa); NULL ở tiêu chí",
            "applies_to": "nhóm đơn vị áp dụng (agency, commune, ward); rỗng: mọi đơn vị của bộ",
            "data_source": "nguồn giá trị: công thức tính từ kho, tên hệ thống khác; 766: tử số / mẫu số",
            "bands": "xếp loại của bộ tiêu chí (tên, điểm hoặc % tối thiểu), từ cao xuống thấp; NULL khi không xếp loại",
            "index_name": "tên bộ chỉ số như tệp phương pháp ghi (Chỉ số 766); NULL ở PAR, DTI",
            "valid_from": "ngày bắt đầu áp dụng tệp phương pháp (Chỉ số 766); NULL ở PAR, DTI",
            "tolerance": "độ lệch điểm tối đa coi là khớp khi đối chiếu điểm tính lại với điểm Cổng (Chỉ số 766)",
            "numerator": "tử số của chỉ tiêu 766 (số đếm trong kho, như tệp phương pháp); NULL ở dòng nhóm, PAR, DTI",
            "denominator": "mẫu số của chỉ tiêu 766; NULL ở dòng nhóm, PAR, DTI",
            "unit": "đơn vị của giá trị chỉ tiêu 766: % (tỷ lệ) hoặc đơn vị khác (ngày…); NULL ở dòng nhóm, PAR, DTI",
            "scope": "phạm vi đo chỉ tiêu 766: unit (từng đơn vị) | province (một lần cho toàn tỉnh); NULL ở dòng nhóm, PAR, DTI",
        },
    ),
    "portal_qd766_node": (
        """file_name VARCHAR NOT NULL, endpoint VARCHAR NOT NULL, group_code VARCHAR NOT NULL,
        period_label VARCHAR NOT NULL, captured_at TIMESTAMP NOT NULL, role VARCHAR NOT NULL,
        department_code VARCHAR, department_id VARCHAR, department_name VARCHAR, level VARCHAR, unit_code VARCHAR,
        matched BOOLEAN NOT NULL, score DOUBLE, max_score DOUBLE, ratio DOUBLE, counts MAP(VARCHAR, DOUBLE),
        loaded_at TIMESTAMP, matched_by VARCHAR, capture_source VARCHAR""",
        "Ảnh chụp Chỉ số 766 từ Cổng DVCQG: mỗi dòng là một đơn vị (hoặc toàn tỉnh) trong một tệp JSON. NULL = Cổng chưa đánh giá, không phải 0.",
        {
            "role": "province (dòng tổng của tỉnh) | unit",
            "unit_code": "mã đơn vị trong danh mục; NULL khi không khớp (matched = false)",
            "period_label": "2026-M10 (tháng) | 2026-Q3 (quý) | 2026-Y (lũy kế năm)",
            "counts": "số liệu thô của nhóm dạng cây (trường thiếu thì không có khóa; giá trị NULL giữ nguyên)",
            "score": "điểm nhóm của Cổng (score / totalScore)",
            "max_score": "điểm tối đa theo Cổng (maxScore / totalMaxScore)",
            "matched_by": "code (mã trong danh mục) | name (tên) | learned_code, department_id (mã, mã định danh học từ dòng khác)",
            "capture_source": "kỳ và thời điểm chụp lấy từ: sidecar (tệp kèm của bộ thu thập) | file_name | file_time",
        },
    ),
    "portal_qd766_metric": (
        """file_name VARCHAR NOT NULL, role VARCHAR NOT NULL, department_id VARCHAR, department_name VARCHAR,
        unit_code VARCHAR, metric_code VARCHAR NOT NULL, metric_name VARCHAR, numerator DOUBLE, denominator DOUBLE,
        ratio DOUBLE, score DOUBLE, max_score DOUBLE, data_quality_status VARCHAR, data_quality_message VARCHAR,
        endpoint VARCHAR, period_label VARCHAR, department_code VARCHAR""",
        "Chỉ tiêu (metrics) của các nhóm dạng đánh giá (công khai, hài lòng, số hóa) trong ảnh chụp của Cổng DVCQG.",
        {
            "metric_code": "mã chỉ tiêu của Cổng, ví dụ PUBLISH_ON_TIME",
            "data_quality_status": "cảnh báo của chính Cổng về chỉ tiêu, ví dụ TEMP_NATIONAL_REPORT_DENOMINATOR (mẫu số tạm tính)",
        },
    ),
    "portal_qd766_issue": (
        """file_name VARCHAR NOT NULL, department VARCHAR, field VARCHAR, rule VARCHAR NOT NULL, reason VARCHAR NOT NULL,
        blocking BOOLEAN NOT NULL, loaded_at TIMESTAMP, endpoint VARCHAR, group_code VARCHAR, period_label VARCHAR,
        rows INTEGER, departments VARCHAR[], captured_at TIMESTAMP""",
        (
            "Vấn đề trong ảnh chụp của Cổng, một dòng cho mỗi tệp, quy tắc và trường: thiếu trường, giá trị null, điểm tối đa "
            "thay đổi, đơn vị không khớp danh mục… Chỉ những gì bất thường: trường mà Cổng không bao giờ công bố ở cấp dòng "
            "đó và chỉ tiêu thông tin (điểm tối đa 0) không phải vấn đề."
        ),
        {
            "department": "đơn vị đầu tiên (mã hoặc tên như Cổng ghi)",
            "departments": "mọi đơn vị gặp vấn đề này",
            "rows": "số dòng (đơn vị, chỉ tiêu) gặp vấn đề",
            "blocking": "cả tệp không dùng được",
        },
    ),
    "portal_unit_code": (
        """unit_code VARCHAR NOT NULL, unit_name VARCHAR, portal_code VARCHAR, department_id VARCHAR,
        department_name VARCHAR, source VARCHAR NOT NULL, matched_by VARCHAR, file_name VARCHAR, loaded_at TIMESTAMP""",
        (
            "Mã đơn vị trên Cổng DVCQG (departmentCode, departmentId) đã dùng để khớp ảnh chụp với danh mục: từ danh mục "
            "(source = masterdata) hoặc học được khi khớp theo tên (learned) — cần rà soát rồi ghi vào "
            "masterdata/portal_codes/<tỉnh>.csv."
        ),
        {"source": "masterdata | learned", "matched_by": "code | name | learned_code | department_id"},
    ),
    "mart_qd766_reconciliation": (
        """file_name VARCHAR NOT NULL, endpoint VARCHAR NOT NULL, group_code VARCHAR NOT NULL, period_label VARCHAR NOT NULL,
        captured_at TIMESTAMP NOT NULL, role VARCHAR NOT NULL, department_code VARCHAR, department_name VARCHAR,
        unit_code VARCHAR, matched BOOLEAN NOT NULL, indicator_code VARCHAR, metric_code VARCHAR, numerator DOUBLE,
        denominator DOUBLE, portal_score DOUBLE, recomputed_score DOUBLE, difference DOUBLE, status VARCHAR NOT NULL,
        status_label VARCHAR NOT NULL, department_id VARCHAR, data_quality_status VARCHAR, data_quality_label VARCHAR,
        unit_name VARCHAR, sort_key VARCHAR""",
        (
            "Đối chiếu: điểm tính lại từ số liệu thô của chính ảnh chụp theo công thức (methodology/qd766) so với điểm của Cổng. "
            "Điểm của Cổng là điểm chính thức; bảng này chỉ giải thích và phát hiện sai lệch."
        ),
        {
            "indicator_code": "mã chỉ tiêu; NULL = dòng tổng của nhóm",
            "difference": "recomputed_score − portal_score",
            "status": (
                "match | mismatch | not_evaluated | portal_score_invalid | missing_data | portal_authoritative | computed | "
                "portal_score_without_counts (Cổng có điểm, không công bố tử số/mẫu số: dùng điểm của Cổng)"
            ),
            "data_quality_label": "cảnh báo chất lượng số liệu của Cổng (dataQualityStatus), bằng tiếng Việt",
        },
    ),
    "mart_qd766_indicator": (
        """period_label VARCHAR NOT NULL, period_kind VARCHAR NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
        as_of TIMESTAMP NOT NULL, methodology VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, group_code VARCHAR NOT NULL,
        indicator_code VARCHAR NOT NULL, indicator_name VARCHAR NOT NULL, numerator DOUBLE, denominator DOUBLE,
        ratio DOUBLE, score DOUBLE, max_score DOUBLE NOT NULL, rule VARCHAR NOT NULL, source VARCHAR NOT NULL,
        unit_name VARCHAR, sort_key VARCHAR""",
        "Chỉ số 766 tính từ kho dữ liệu: mỗi đơn vị × kỳ × chỉ tiêu, với tử số, mẫu số, tỷ lệ (%) và điểm.",
        {
            "as_of": "thời điểm dữ liệu (cuối ngày xuất dữ liệu gần nhất); hồ sơ đang xử lý chưa đến hạn tính là đúng hạn",
            "source": "local (tính từ kho) | portal (điểm của Cổng, công thức chưa xác định) | missing | info (không tính điểm)",
            "ratio": "tỷ lệ %, riêng 2.2 là số ngày trung bình",
            "methodology": "tệp phương pháp đã dùng",
        },
    ),
    "mart_qd766_unit": (
        """period_label VARCHAR NOT NULL, period_kind VARCHAR NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
        as_of TIMESTAMP NOT NULL, unit_code VARCHAR NOT NULL, unit_name VARCHAR NOT NULL, ranking_group VARCHAR NOT NULL,
        score_ckmb DOUBLE, score_tdgq DOUBLE, score_dvctt DOUBLE, score_tttt DOUBLE, score_mdhl DOUBLE, score_shhs DOUBLE,
        dvctt_source VARCHAR NOT NULL, total DOUBLE NOT NULL, evaluated_max DOUBLE NOT NULL, complete BOOLEAN NOT NULL,
        rank INTEGER, is_tied BOOLEAN NOT NULL, units_in_group INTEGER NOT NULL, dossiers BIGINT NOT NULL, sort_key VARCHAR""",
        "Chỉ số 766 theo đơn vị và kỳ: điểm 6 nhóm, tổng điểm và thứ hạng trong nhóm xếp hạng (sở/ban/ngành riêng, xã/phường riêng).",
        {
            "rank": "xếp hạng kiểu thi đấu (1, 2, 2, 4) theo tổng điểm làm tròn 2 chữ số; NULL = chưa xếp hạng (thiếu nhóm điểm mà các đơn vị khác cùng nhóm có, hoặc không tiếp nhận hồ sơ nào trong kỳ: điểm khi đó chỉ có các chỉ tiêu PAKN)",
            "is_tied": "đồng hạng với đơn vị khác",
            "dvctt_source": "portal: điểm nhóm DVCTT lấy từ ảnh chụp mới nhất của Cổng cùng kỳ | missing: chưa có ảnh chụp",
            "evaluated_max": "tổng điểm tối đa của các nhóm đã có điểm (100 khi đủ)",
            "complete": "đủ 6 nhóm",
        },
    ),
}


# Columns renamed so that one idea has one name across marts (table: {old: new}); schema `compat` keeps views with
# the old names for one release (README, "For analysts").
RENAMED: dict[str, dict[str, str]] = {
    "mart_qd766_unit": {"total_score": "total"},
    "mart_dti_unit": {"level": "band"},
}
COMPAT_SCHEMA = "compat"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Views over the tables above: (SQL, comment). Created after the tables, replaced on every start. Their SQL is in
# warehouse/sql/views/<name>.sql; the Vietnamese labels they show come from Python data, filled in as fragments.


def _values(pairs: dict[str, str]) -> str:
    """A dict as the rows of a VALUES list: ('key', 'value'), …"""
    return ", ".join(f"({_quote(k)}, {_quote(v)})" for k, v in pairs.items())


def _rule_label_fragments() -> dict[str, str]:
    """The quality rules' labels and the source columns' headers (sources/rule_labels.py) as rows of two VALUES lists."""
    from sources.rule_labels import _HEADERS, RULE_LABELS

    return {"rule_labels": _values(RULE_LABELS), "column_headers": _values(_HEADERS)}


def _status_label_whens() -> str:
    """The Vietnamese words of a unit's reported status (the report's own words): the WHEN arms of a CASE."""
    from sources.task_formats import STATUS_LABELS

    return " ".join(f"WHEN {_quote(k)} THEN {_quote(v)}" for k, v in STATUS_LABELS.items())


VIEWS: dict[str, tuple[str, str]] = {
    "mart_rejected_row": (
        sql("views/mart_rejected_row", **_rule_label_fragments()),
        (
            'Dòng bị loại (quarantine) kèm tên ngắn của quy tắc bằng tiếng Việt, như trang "Tổng hợp" của báo cáo chất '
            "lượng dữ liệu nhóm các dòng."
        ),
    ),
    # Shared by the two task-report views below (created before them).
    "mart_task_report_period": (
        sql("views/mart_task_report_period"),
        "Mọi kỳ có thể báo cáo gửi Sở Nội vụ (tháng, quý, sáu tháng, năm) của các năm kế hoạch có báo cáo tiến độ, với ngày cuối kỳ.",
    ),
    "mart_task_report_current": (
        sql("views/mart_task_report_current"),
        "Báo cáo tiến độ được tính (bỏ bản bị thay thế), kèm ngày cuối kỳ của chính báo cáo (NULL khi không đọc được kỳ).",
    ),
    "mart_task_report_latest": (
        sql("views/mart_task_report_latest", status_label_whens=_status_label_whens()),
        (
            "Báo cáo tiến độ được dùng cho mỗi kỳ báo cáo gửi Sở Nội vụ (for_period), theo nhiệm vụ và đơn vị: bản gần "
            "nhất của kỳ đó hoặc kỳ trước (không tính bản bị thay thế); văn bản kết quả là văn bản gần nhất đơn vị đã "
            "báo cáo cho nhiệm vụ. Đúng như sổ báo cáo tiến độ CCHC (bao_cao_tien_do_cchc_<kỳ>.xlsx)."
        ),
    ),
    "mart_task_report_by_unit": (
        sql("views/mart_task_report_by_unit"),
        (
            "Theo kỳ báo cáo gửi Sở Nội vụ (for_period) và đơn vị: đơn vị đã gửi báo cáo của kỳ chưa, báo cáo gần nhất "
            "(kỳ, ngày gửi). Sổ báo cáo tiến độ liệt kê đơn vị chủ trì chưa gửi báo cáo theo bảng này."
        ),
    ),
    "mart_qd766_local_vs_portal": (
        sql("views/mart_qd766_local_vs_portal"),
        (
            "Điểm nhóm tính từ kho so với điểm nhóm của Cổng (ảnh chụp mới nhất cùng kỳ): giải thích chênh lệch "
            "(thời điểm số liệu as_of khác thời điểm chụp captured_at, hồ sơ chưa đồng bộ…). Điểm của Cổng là điểm chính thức."
        ),
    ),
    # Shared by mart_task_report_missing below and warehouse/tasks.py (created before it).
    "plan_task_removed": (
        sql("views/plan_task_removed"),
        (
            "Mọi phiên bản của các nhiệm vụ bị một lần sửa đổi bỏ khỏi kế hoạch hiện hành của năm (có trong lịch sử "
            "plan_task_history, không còn trong fct_plan_task): vẫn được theo dõi trong các ngày trước lần sửa đổi đó."
        ),
    ),
    "mart_task_report_missing": (
        sql("views/mart_task_report_missing"),
        (
            "Theo kỳ báo cáo gửi Sở Nội vụ (for_period): đơn vị chủ trì nhiệm vụ của kế hoạch (như kế hoạch ở cuối kỳ) "
            'chưa gửi báo cáo của kỳ, với báo cáo gần nhất và hạn gửi báo cáo. Đúng như mục "Đơn vị chủ trì chưa gửi '
            'báo cáo kỳ này" của sổ báo cáo tiến độ CCHC (bao_cao_tien_do_cchc_<kỳ>.xlsx). Kế hoạch chỉ yêu cầu báo '
            "cáo quý, 6 tháng, năm: trong các tháng chỉ tháng cuối quý (M03, M06, M09, M12) có dòng."
        ),
    ),
    "mart_qd766_trend": (
        sql("views/mart_qd766_trend"),
        (
            "Diễn biến Chỉ số 766 theo đơn vị: mỗi tháng và mỗi quý của mart_qd766_unit (điểm 6 nhóm, tổng điểm, thứ "
            "hạng) cạnh kỳ liền trước của cùng đơn vị, với mức thay đổi tổng điểm và thứ hạng. Kỳ chưa có số liệu "
            "không có dòng (không phải điểm 0); kỳ ngay sau đó không có mức thay đổi (chỉ so hai kỳ liền nhau)."
        ),
    ),
    "mart_par_trend": (
        sql("views/mart_par_trend"),
        (
            "Chỉ số CCHC theo đơn vị, năm nay so với năm trước (mart_par_unit của hai năm): tổng điểm, chỉ số %, "
            "thứ hạng, xếp loại và mức thay đổi. Đơn vị năm trước chưa có (mới, hoặc hình thành khi sắp xếp) không "
            "có mức thay đổi."
        ),
    ),
    "mart_dti_trend": (
        sql("views/mart_dti_trend"),
        (
            "DTI theo đơn vị, năm nay so với năm trước: tổng điểm năm trước là previous_total của mart_dti_unit "
            "(kết quả đã công bố, quy về đơn vị hiện nay: đơn vị hợp nhất so với trung bình các đơn vị cũ), thứ "
            "hạng và xếp loại năm trước cùng nguồn, mức thay đổi tổng điểm, thứ hạng, xếp loại."
        ),
    ),
}


@lru_cache(maxsize=1)
def _declared_columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """(column, type) of every table as declared above, read once from an in-memory database."""
    with duckdb.connect() as mem:
        for name, (columns, _, _) in TABLES.items():
            mem.execute(f"CREATE TABLE {name} ({columns})")
        rows = mem.execute("SELECT table_name, column_name, data_type FROM duckdb_columns() ORDER BY column_index").fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        out.setdefault(table, []).append((column, data_type))
    return {k: tuple(v) for k, v in out.items()}


def _first_version_at(column: str, status: str) -> str:
    """The backfill of a fct_dossier column holding when the dossier first had ``status`` (its versions' first
    update time in that status)."""
    return f"""
        UPDATE fct_dossier AS f SET {column} = s.first_at
        FROM (
            SELECT dossier_code, min(updated_at) AS first_at FROM stg_dossier_versions
            WHERE status = '{status}' GROUP BY dossier_code
        ) AS s
        WHERE f.dossier_code = s.dossier_code"""


# A new table a warehouse of an earlier version fills from an existing one (the table it is read from, the insert):
# the petitions as loaded were the counted ones before stg_petition existed (the earlier rows of a code in two months
# were deleted then: they come back when their file is loaded again).
SEEDS = {"stg_petition": ("fct_petition", "INSERT INTO stg_petition BY NAME SELECT * FROM fct_petition")}


# A new column whose old rows can be filled from what the warehouse already holds, so that a warehouse built before
# it gives the same results as one built after (a refresh touches only the days it loads).
BACKFILLS = {
    ("fct_dossier", "supplement_requested_at"): _first_version_at("supplement_requested_at", "awaiting_supplement"),
    ("fct_dossier", "refused_at"): _first_version_at("refused_at", "refused")
    + """;
        UPDATE fct_dossier SET finished_on_time = refused_at <= due_at
        WHERE status = 'refused' AND completed_at IS NULL AND refused_at IS NOT NULL""",
}


def _add_missing_columns(con: duckdb.DuckDBPyConnection, name: str, existing: set[str]) -> None:
    """A warehouse built by an earlier version gains the table's new columns (NULL in old rows, or filled from the
    warehouse: BACKFILLS); loads insert by name."""
    for column, data_type in _declared_columns()[name]:
        if column not in existing:
            con.execute(f"ALTER TABLE {name} ADD COLUMN {column} {data_type}")
            if (name, column) in BACKFILLS:
                con.execute(BACKFILLS[(name, column)])


def _rename_columns(con: duckdb.DuckDBPyConnection, present: dict[str, set[str]]) -> None:
    """A warehouse built before a rename gets the new name (data kept)."""
    for table, renames in RENAMED.items():
        for old, new in renames.items():
            columns = present.get(table, set())
            if old in columns and new not in columns:
                con.execute(f"ALTER TABLE {table} RENAME COLUMN {old} TO {new}")
                columns.discard(old)
                columns.add(new)


def column_comment(table: str, column: str) -> str | None:
    """The comment of a column: the table's own, else the shared one for that column name."""
    own = TABLES[table][2] if table in TABLES else VIEW_COLUMN_COMMENTS.get(table, {})
    return own.get(column) or MORE_COMMENTS.get(table, {}).get(column) or COMMON_COMMENTS.get(column)


def _write_comments(con: duckdb.DuckDBPyConnection) -> None:
    """Every column's comment, written only where it differs (a warm warehouse writes none: COMMENT is a catalog
    write, and this runs at the start of every step)."""
    rows = con.execute(f"""SELECT schema_name, table_name, column_name, comment FROM duckdb_columns()
                           WHERE database_name = current_database() AND NOT internal
                             AND schema_name IN ('main', '{COMPAT_SCHEMA}')""").fetchall()
    for schema, name, column, current in rows:
        if name not in TABLES and name not in VIEWS and name not in RENAMED:
            continue
        text = column_comment(name, column)
        if schema == COMPAT_SCHEMA and column in RENAMED.get(name, {}):
            new = RENAMED[name][column]
            text = f"tên cũ của cột {new} (giữ một phiên bản, sẽ bỏ): {column_comment(name, new)}"
        if text and text != current:
            con.execute(f"COMMENT ON COLUMN {schema}.{name}.{column} IS {_quote(text)}")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables, rename and add columns, (re)create the views and (re)write every comment; never drops
    data. All in one transaction: about 700 catalog writes commit once instead of one by one (a new warehouse file
    0.7 s instead of 2.5 s; this runs at the start of every step), and a failure leaves the schema as it was."""
    try:
        con.execute("BEGIN TRANSACTION")
    except duckdb.TransactionException:  # inside the caller's transaction: it commits
        _update_schema(con)
        return
    try:
        _update_schema(con)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _update_schema(con: duckdb.DuckDBPyConnection) -> None:
    present: dict[str, set[str]] = {}
    for table, column in con.execute("""SELECT table_name, column_name FROM duckdb_columns()
                                        WHERE database_name = current_database() AND schema_name = 'main'
                                          AND NOT internal""").fetchall():
        present.setdefault(table, set()).add(column)
    _rename_columns(con, present)
    table_comments = dict(
        con.execute("""SELECT table_name, comment FROM duckdb_tables()
                                         WHERE database_name = current_database() AND schema_name = 'main'""").fetchall()
    )
    for name, (columns, comment, _) in TABLES.items():
        if name in present:
            _add_missing_columns(con, name, present[name])
        else:
            con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
            if name in SEEDS and SEEDS[name][0] in present:
                con.execute(SEEDS[name][1])
        if table_comments.get(name) != comment:
            con.execute(f"COMMENT ON TABLE {name} IS {_quote(comment)}")
    for name, (query, comment) in VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {query}")
        con.execute(f"COMMENT ON VIEW {name} IS {_quote(comment)}")
    # Old column names, for one release: `SET search_path = 'compat,main'` runs a query written for them unchanged.
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {COMPAT_SCHEMA}")
    for name, renames in RENAMED.items():
        olds = ", ".join(f"{new} AS {old}" for old, new in renames.items())
        con.execute(f"CREATE OR REPLACE VIEW {COMPAT_SCHEMA}.{name} AS SELECT *, {olds} FROM main.{name}")
        con.execute(
            f"COMMENT ON VIEW {COMPAT_SCHEMA}.{name} IS "
            f"{_quote(f'{name} với tên cột cũ ({olds}); chỉ giữ một phiên bản: hãy dùng tên mới.')}"
        )
    _write_comments(con)


# --- comments of the columns that the table definitions above leave without one --------------------------------
# A column takes its table's own comment (TABLES), else MORE_COMMENTS of its table, else COMMON_COMMENTS of its
# name. tests/test_schema.py fails on any column of the snapshot left without a comment.
COMMON_COMMENTS: dict[str, str] = {
    # Structured columns of quarantine and file_issues (issue 13): written by the loaders, so reports never parse
    # file names or reason sentences. NULL where the source does not tell.
    "criterion_code": "mã tiêu chí/thành phần của bộ chỉ số mà dòng hoặc ghi chú nói tới (PAR, DTI); NULL khi không có",
    "unit_code": "mã đơn vị (dim_unit.unit_code)",
    "unit_name": "tên đơn vị hiện hành (dim_unit.unit_name hoặc dim_office.office_name)",
    "sort_key": (
        "khóa sắp xếp theo thứ tự chữ cái tiếng Việt của tên đơn vị (a ă â b c d đ …), số thứ tự 5 chữ số: "
        "ORDER BY sort_key thay cho ORDER BY unit_name (đặt Đ sau D, không sau Y); NULL khi không khớp đơn vị"
    ),
    "ranking_group": "nhóm xếp hạng: agency (sở, ban, ngành cấp tỉnh) | local (xã, phường)",
    "province": "tỉnh, thành phố",
    "year": "năm đánh giá",
    "plan_year": "năm của kế hoạch",
    "source": "nguồn dữ liệu (loại tệp nguồn), ví dụ tthc_dossier, pakn, plan_register, par_form",
    "source_file": "tên tệp nguồn trong hộp thư đến (inbox)",
    "source_row": "số dòng trong tệp hoặc trang tính nguồn (dòng tiêu đề = 1)",
    "file_name": "tên tệp nguồn trong hộp thư đến (inbox)",
    "partition_date": "ngày của phân vùng dữ liệu (ngày xuất tệp hồ sơ, ngày đầu tháng của tệp PAKN…)",
    "loaded_at": "thời điểm nạp vào kho (giờ Việt Nam)",
    "sha256": "mã băm SHA-256 của nội dung tệp: cùng mã = cùng nội dung",
    "rule": "mã quy tắc kiểm tra bị vi phạm (xem README, bảng quy tắc)",
    "reason": "lý do bằng tiếng Việt, để gửi lại cho đơn vị",
    "blocking": "true: cả tệp không nạp được; false: chỉ ghi nhận, tệp vẫn được nạp",
    "period_label": "kỳ: 2026-M03 (tháng) | 2026-Q1 (quý) | 2026-Y (lũy kế năm); báo cáo tiến độ nhiệm vụ có thêm 2026-H1 (6 tháng)",
    "period_kind": "loại kỳ: month (tháng) | quarter (quý) | year (lũy kế từ đầu năm)",
    "period_start": "ngày đầu kỳ",
    "period_end": "ngày cuối kỳ",
    "as_of": "ngày (thời điểm) số liệu được tính đến",
    "rank": "thứ hạng trong nhóm xếp hạng, kiểu thi đấu (1, 2, 2, 4); NULL = chưa xếp hạng",
    "is_tied": "đồng hạng với ít nhất một đơn vị khác cùng nhóm",
    "units_in_group": "số đơn vị trong nhóm xếp hạng của kỳ/năm",
    "tree": "bộ tiêu chí đã dùng (tệp trong methodology/)",
    "code": "mã tiêu chí/thành phần trong bộ tiêu chí",
    "name": "tên tiêu chí/thành phần/lĩnh vực theo bộ tiêu chí",
    "method": "cách có điểm: self (tự đánh giá, thẩm định) | computed (tính từ kho) | survey_* (điều tra) | external (hệ thống khác) | group (nút tổng)",
    "max_points": "điểm tối đa",
    "points": "điểm đạt được (điểm thẩm định, nếu chưa có thì điểm tự chấm; điểm tính từ kho hoặc khảo sát)",
    "points_lost": "điểm mất = điểm tối đa − điểm đạt được",
    "applicable": (
        "tiêu chí áp dụng cho đơn vị; false: không tính vào điểm tối đa (ví dụ tiêu chí chỉ dành cho xã hoặc phường); "
        "DTI: thành phần source = 'not_measured' cũng không tính vào điểm tối đa"
    ),
    "self_points": "điểm đơn vị tự chấm",
    "appraised_points": "điểm Hội đồng thẩm định chấm; NULL khi chưa thẩm định",
    "survey_points": "điểm từ điều tra xã hội học (SIPAS, lãnh đạo quản lý)",
    "computed_value": "giá trị đo từ kho dữ liệu (%)",
    "overclaim": "đơn vị tự chấm cao hơn số liệu của kho cho thấy",
    "domain": "mã lĩnh vực (8 lĩnh vực QĐ 876/QĐ-BNV)",
    "main_index": "mã chỉ số chính của DTI",
    "provisional": "tạm tính: còn phần tự chấm chưa được thẩm định hoặc chưa có điểm điều tra xã hội học",
    "has_form": "đã có phiếu tự đánh giá dùng được",
    "missing_components": "số thành phần áp dụng chưa có giá trị (tính 0 điểm)",
    "difficulties": "khó khăn, vướng mắc đơn vị nêu",
    "proposals": "đề xuất, kiến nghị của đơn vị",
    "superseded": "có bản gửi sau thay thế (vẫn giữ làm lịch sử)",
    "index_code": "bộ chỉ số: par (Chỉ số CCHC) | dti (Chỉ số chuyển đổi số)",
    "plan_number": "số kế hoạch, ví dụ 123/KH-SKHCN",
    "revision": "lần ban hành/sửa đổi (1 = ban hành lần đầu)",
    "issued_on": "ngày ban hành kế hoạch hoặc lần sửa đổi",
    "task_no": "số thứ tự nhiệm vụ như văn bản ghi (ví dụ 9, IV.2)",
    "content": "nội dung nhiệm vụ",
    "lead_text": "đơn vị chủ trì như văn bản ghi",
    "collaborators_text": "đơn vị phối hợp như văn bản ghi",
    "lead_codes": "mã đơn vị chủ trì (dim_office hoặc dim_unit); cụm từ tập hợp đã được mở rộng",
    "collaborator_codes": "mã đơn vị phối hợp (dim_office hoặc dim_unit); cụm từ tập hợp đã được mở rộng",
    "unknown_leads": (
        "phần ô đơn vị chủ trì không khớp đơn vị nào trong danh mục (nguyên văn): nhiệm vụ chưa xác định đủ đơn vị chủ trì"
    ),
    "deadline_text": "thời gian hoàn thành như văn bản ghi",
    "deadline_kind": "loại thời hạn đọc được: date | month | quarter | half | year | recurring; NULL khi không đọc được",
    "due_date": "hạn theo văn bản (NULL khi không đọc được)",
    "effective_due_date": "hạn thực tế: hạn rơi vào ngày nghỉ thì là hết ngày làm việc tiếp theo (BLDS 2015 Đ.148 k.5)",
    "deadline_condition": "điều kiện của hạn dự kiến, ví dụ 'Sau khi có Kế hoạch của UBND tỉnh'",
    "expected_result": "sản phẩm, kết quả dự kiến",
    "responsible": "người chịu trách nhiệm",
    "completed_on": "ngày hoàn thành theo báo cáo của đơn vị",
    "percent": "tỷ lệ khối lượng đã thực hiện theo báo cáo (%)",
    "dossier_code": "mã hồ sơ trên hệ thống thông tin giải quyết TTHC",
    "procedure_code": "mã thủ tục hành chính (dim_procedure)",
    "receiving_centre": "nơi tiếp nhận (Trung tâm Phục vụ hành chính công, bộ phận một cửa)",
    "resolving_unit_code": "đơn vị giải quyết (mã trong dim_unit)",
    "channel": "kênh nộp: direct (trực tiếp) | online (trực tuyến) | postal (bưu chính công ích)",
    "received_at": "thời điểm tiếp nhận (giờ Việt Nam)",
    "due_at": "hạn trả kết quả (giờ Việt Nam)",
    "completed_at": "thời điểm hoàn thành, trả kết quả; NULL khi chưa xong",
    "supplement_requests": "số lần yêu cầu bổ sung hồ sơ (trên 1 lần tính là trễ hạn, chỉ tiêu 2.1 QĐ 766)",
    "digitised": "hồ sơ được số hóa (nhóm 4, chỉ tiêu 4.2 QĐ 766)",
    "electronic_result": "có kết quả điện tử",
    "fee_due": "phí, lệ phí phải nộp (đồng)",
    "paid_online": "đã thanh toán trực tuyến",
    "reused_data": "tái sử dụng dữ liệu đã số hóa",
    "citizen_data_used": "khai thác dữ liệu dân cư (CSDLQG về dân cư)",
    "satisfaction": "đánh giá của người dân: very_satisfied | satisfied | dissatisfied; NULL khi chưa đánh giá",
    "updated_at": "thời điểm cập nhật của phiên bản hồ sơ trong tệp xuất",
    "applicant_hash": "mã hóa một chiều số giấy tờ người nộp, chỉ để đếm người nộp khác nhau; không đảo ngược được",
    "status_label": "tình trạng bằng tiếng Việt",
    "department_code": "mã đơn vị trên Cổng DVCQG (departmentCode), nếu Cổng công bố",
    "department_id": "mã định danh đơn vị trên Cổng DVCQG (departmentId)",
    "department_name": "tên đơn vị như Cổng DVCQG ghi",
    "endpoint": "nhóm API của Cổng đã gọi, ví dụ dvc-progress-tree, transparency",
    "group_code": "mã nhóm Chỉ số 766: CKMB (công khai, minh bạch) | TDGQ (tiến độ) | DVCTT (dịch vụ công trực tuyến) | TTTT (thanh toán trực tuyến) | MDHL (mức độ hài lòng) | SHHS (số hóa hồ sơ)",
    "captured_at": "thời điểm chụp số liệu từ Cổng DVCQG (giờ Việt Nam)",
    "matched": "dòng của Cổng khớp được với một đơn vị trong danh mục",
    "role": "province (dòng tổng của tỉnh) | unit (một đơn vị)",
    "numerator": "tử số",
    "denominator": "mẫu số",
    "ratio": "tỷ lệ (%) = tử số / mẫu số × 100",
    "score": "điểm",
    "max_score": "điểm tối đa",
    "metric_code": "mã chỉ tiêu của Cổng, ví dụ PUBLISH_ON_TIME",
    "metric_name": "tên chỉ tiêu như Cổng ghi",
    "indicator_code": "mã chỉ tiêu QĐ 766 (ví dụ 2.1)",
    "indicator_name": "tên chỉ tiêu QĐ 766",
    "portal_score": "điểm của Cổng DVCQG (điểm chính thức)",
    "recomputed_score": "điểm tính lại từ tử số, mẫu số của chính ảnh chụp theo methodology/qd766",
    "data_quality_status": "cảnh báo của Cổng về số liệu (dataQualityStatus), ví dụ TEMP_NATIONAL_REPORT_DENOMINATOR",
    "data_quality_message": "thông báo kèm cảnh báo của Cổng",
    "status": "tình trạng (giá trị: xem chú thích của bảng)",
    "total": "tổng điểm (thang 100)",
    "band": "xếp loại theo ngưỡng của bộ tiêu chí (Xuất sắc, Tốt, Khá…); NULL khi chưa xếp loại",
    "group_average": "điểm trung bình của nhóm xếp hạng",
    "value": "giá trị",
    "weight": "trọng số",
    "aliases": "các cách viết khác của tên (kể cả tên cũ trước sắp xếp), dùng để khớp tên",
    "sort_order": "thứ tự theo bảng chữ cái tiếng Việt trong danh mục",
    "row_number": "số dòng trong tệp nguồn (dòng tiêu đề = 1); NULL với lỗi cả tệp",
    "record_key": "khóa của bản ghi bị loại (mã hồ sơ, mã PAKN, số nhiệm vụ, mã tiêu chí…)",
    "comment": "nhận xét",
}

MORE_COMMENTS: dict[str, dict[str, str]] = {
    "dim_unit": {
        "unit_code": "mã đơn vị (mã hành chính của xã/phường; mã của tỉnh cho cơ quan)",
        "group_label": (
            "nhóm đơn vị bằng tiếng Việt: Cơ quan cấp tỉnh | Xã | Phường (nhóm xếp hạng là ranking_group: cơ quan "
            "cấp tỉnh là nhóm 'Sở, ban, ngành' trong các bảng xếp hạng, xã và phường chung nhóm 'Xã, phường')"
        ),
    },
    "dim_office": {"office_code": "mã phòng, đơn vị thuộc Sở", "office_name": "tên phòng, đơn vị thuộc Sở"},
    "dim_procedure": {
        "procedure_code": "mã thủ tục hành chính (mã trên CSDLQG về TTHC)",
        "procedure_name": "tên thủ tục hành chính",
        "field": "lĩnh vực",
        "fee_bearing": "thủ tục có thu phí, lệ phí",
    },
    "landed_files": {
        "source": "loại tệp nguồn: tthc_dossier, tthc_catalogue, pakn, cong_bo, plan_register, task_report, par_form…",
        "size_bytes": "kích thước tệp (byte)",
        "encoding": "bảng mã đã nhận biết (utf-8, utf-16, cp1258…)",
        "rows_read": "số dòng dữ liệu đã đọc",
        "rows_loaded": "số dòng đã nạp",
        "rows_rejected": "số dòng bị loại (chi tiết trong quarantine)",
        "partition_date": "ngày của tệp (ngày xuất, tháng, ngày ban hành…); NULL khi tệp không theo ngày",
    },
    "stg_dossier_versions": {
        "export_date": "ngày của tệp xuất chứa phiên bản này (phân vùng)",
        "source_file": "tệp xuất hằng ngày chứa phiên bản (ho_so_YYYYMMDD.csv)",
        "status": "trạng thái hồ sơ (mã; nghĩa: xem fct_dossier.status)",
    },
    "fct_dossier": {
        "status": (
            "trạng thái hiện tại: received (Mới tiếp nhận) | processing (Đang xử lý) | awaiting_supplement (Chờ bổ "
            "sung) | completed (Đã hoàn thành) | returned (Đã trả kết quả cho người nộp, không phải hồ sơ bị trả "
            "lại) | refused (Từ chối giải quyết) | withdrawn (Đã rút hồ sơ)"
        ),
        "is_finished": "đã kết thúc (completed, returned, refused, withdrawn)",
        "first_export_date": "ngày xuất đầu tiên có hồ sơ",
        "last_export_date": "ngày xuất gần nhất có hồ sơ",
        "version_count": "số phiên bản của hồ sơ trong các tệp xuất",
        "updated_at": "thời điểm cập nhật của phiên bản mới nhất",
    },
    "fct_petition": {
        "petition_code": "mã PAKN",
        "received_at": "thời điểm tiếp nhận PAKN",
        "source_file": "tệp xuất PAKN hằng tháng (pakn_YYYYMM.csv)",
    },
    "stg_petition": {
        "petition_code": "mã PAKN",
        "received_at": "thời điểm tiếp nhận PAKN",
        "source_file": "tệp xuất PAKN hằng tháng (pakn_YYYYMM.csv)",
    },
    "fct_procedure_publication": {
        "decision_date": "ngày ký quyết định công bố",
        "procedure_code": "mã thủ tục được công bố (dim_procedure)",
        "source_file": "sổ công bố (tthc/cong_bo_tthc.csv)",
    },
    "plan_task_removed": {
        "plan_number": "số của kế hoạch (của lần ban hành đầu tiên), như fct_plan_task.plan_number",
        "in_force_from": "ngày bắt đầu áp dụng của sổ chứa phiên bản này (plan_revision.in_force_from)",
    },
    "plan_task_history": {
        "source_file": "sổ kế hoạch (ke_hoach/…) chứa phiên bản nhiệm vụ",
        "trial": ("sổ nhập thử (tiêu đề ghi 'nhập thử', 'thử nghiệm'…): giữ làm lịch sử, không đưa vào fct_plan_task"),
    },
    "fct_plan_task": {
        "plan_number": (
            "số của kế hoạch (lần ban hành đầu tiên); lần sửa đổi mang số văn bản riêng vẫn thuộc kế hoạch này "
            "(số riêng ở plan_revision.register_number)"
        ),
        "revision": "lần ban hành/sửa đổi mới nhất của kế hoạch (nhiệm vụ hiện hành theo lần này)",
        "first_revision": "lần ban hành/sửa đổi đầu tiên có nhiệm vụ này",
        "source_file": "sổ kế hoạch của lần ban hành/sửa đổi mới nhất",
        "provisional": "hạn dự kiến, phụ thuộc điều kiện (deadline_condition)",
    },
    "stg_task_report": {
        "unit_code": "phòng, đơn vị báo cáo (dim_office hoặc dim_unit)",
        "period_label": "kỳ báo cáo: 2026-Q1 (quý) | 2026-H1 (6 tháng) | 2026-Y (năm)",
        "report_date": "ngày của báo cáo",
        "result_doc_number": "số văn bản kết quả",
        "result_doc_date": "ngày văn bản kết quả",
        "source_file": "tệp báo cáo tiến độ (tien_do/…)",
    },
    "mart_task_status": {
        "status_label": "tình trạng bằng tiếng Việt: " + " | ".join(TASK_STATUS_LABELS.values()),
        "completed_on": "ngày hoàn thành (báo cáo của các đơn vị chủ trì); NULL khi chưa xong",
        "percent": "tỷ lệ khối lượng thực hiện theo báo cáo mới nhất đã gửi đến ngày as_of (%)",
        "as_of": "ngày tình trạng được xét",
    },
    "mart_task_completion": {
        "as_of": "ngày cuối kỳ (hoặc ngày dữ liệu nếu kỳ chưa kết thúc)",
        "unit_code": "mã phòng/đơn vị chủ trì (dim_office.office_code hoặc dim_unit.unit_code), hoặc mã của Sở cho dòng của cả Sở",
        "unit_name": "tên phòng/đơn vị chủ trì, hoặc tên Sở cho dòng của cả Sở",
        "tasks": "số nhiệm vụ đơn vị chủ trì",
        "completed_on_time": "số nhiệm vụ hoàn thành đúng hạn",
        "completed_late": "số nhiệm vụ hoàn thành muộn",
        "overdue": "số nhiệm vụ quá hạn chưa hoàn thành",
    },
    "stg_assessment_submission": {
        "submitted_at": "thời điểm nộp ghi trên phiếu (hoặc thời điểm tệp)",
        "source_file": "tệp phiếu tự đánh giá (par/tu_danh_gia, dti/tu_danh_gia)",
    },
    "stg_assessment_self": {
        "evidence": "tài liệu kiểm chứng đơn vị nêu",
        "explanation": "giải trình của đơn vị",
        "source_file": "tệp phiếu tự đánh giá",
    },
    "stg_assessment_appraisal": {
        "source_file": "tệp thẩm định (par/tham_dinh, dti/tham_dinh)",
        "comment": "nhận xét của Hội đồng thẩm định",
    },
    "stg_assessment_survey": {"source_file": "tệp kết quả điều tra (par/khao_sat)", "points": "điểm điều tra của tiêu chí"},
    "stg_dti_external": {
        "value": "giá trị do hệ thống khác cung cấp (trong khoảng của thành phần)",
        "system": "hệ thống cung cấp (quản lý văn bản, giám sát an toàn thông tin…)",
        "note": "ghi chú của hệ thống",
        "code": "mã thành phần DTI",
        "year": "năm đánh giá",
    },
    "stg_dti_previous": {
        "unit_code": "đơn vị hiện nay (dim_unit) tương ứng với tên đã công bố",
        "total": "tổng điểm DTI đã công bố của năm trước",
        "rank": "thứ hạng đã công bố",
        "level": "xếp loại đã công bố (như nguồn ghi)",
    },
    "mart_dti_component": {
        "code": "mã thành phần DTI",
        "name": "tên thành phần",
        "rule_kind": (
            "quy tắc chấm: yes_no | choice | linear | thresholds (linear = target: điểm tối đa × min(1, giá trị/chỉ tiêu)); "
            "NULL khi không theo quy tắc"
        ),
        "self_answer": "câu trả lời của đơn vị (Có/Không, lựa chọn, số)",
        "external_value": "giá trị do hệ thống khác cung cấp (stg_dti_external)",
    },
    "mart_dti_index": {
        "name": "tên chỉ số chính",
        "weight": "trọng số của chỉ số chính trong tổng điểm",
        "max_points": "tổng điểm tối đa của các thành phần áp dụng",
        "points": "tổng điểm các thành phần",
        "points_lost": "điểm mất của các thành phần",
    },
    "mart_dti_pillar": {
        "pillar": "trụ cột: chính quyền số | kinh tế số | xã hội số",
        "name": "tên trụ cột",
        "value": "giá trị 0..1: bình quân gia quyền các chỉ số chính của trụ cột",
    },
    "mart_dti_unit": {
        "index_value": "giá trị chỉ số 0..1 = total / 100",
        "group_average": "tổng điểm trung bình của nhóm xếp hạng",
        "previous_names": (
            "tên đơn vị năm trước đã dùng để so sánh (kể cả đơn vị cũ trước hợp nhất), như nguồn công bố ghi (có thể không dấu)"
        ),
        "previous_merged": "đơn vị hình thành do hợp nhất: so với trung bình các đơn vị cũ",
        "previous_renamed": "đơn vị đổi tên so với năm trước",
        "change": "thay đổi tổng điểm so với năm trước (total − previous_total)",
        "rank_median": "trung vị thứ hạng qua 1.000 lần tính lại (trọng số ±25 %, thành phần thiếu 0 hoặc trung bình)",
        "rank_best": "thứ hạng tốt nhất qua các lần tính lại",
        "rank_worst": "thứ hạng kém nhất qua các lần tính lại",
    },
    "mart_par_criterion": {"domain": "lĩnh vực chứa tiêu chí (8 lĩnh vực QĐ 876/QĐ-BNV)"},
    "mart_par_domain": {
        "domain": "mã lĩnh vực",
        "name": "tên lĩnh vực",
        "max_points": "điểm tối đa của lĩnh vực",
        "points": "điểm lĩnh vực",
        "points_lost": "điểm mất của lĩnh vực",
    },
    "mart_par_unit": {
        "total": "tổng điểm Chỉ số CCHC (thang điểm của bộ tiêu chí, tối đa 100)",
        "max_applicable": "tổng điểm tối đa của các tiêu chí áp dụng cho đơn vị",
        "group_average_pct": "chỉ số % trung bình của nhóm xếp hạng",
    },
    "quarantine": {
        "unit_name": "tên đơn vị như tệp ghi (khi đọc được)",
        "unit_code": "mã đơn vị của dòng bị loại, khi đọc được (dim_unit.unit_code)",
        "reason": "lý do loại bằng tiếng Việt",
        "row_number": "số dòng trong tệp nguồn (dòng tiêu đề = 1)",
    },
    "file_issues": {
        "reason": "mô tả vấn đề bằng tiếng Việt và việc cần làm",
        "unit_code": "đơn vị của tệp (phiếu của đơn vị, báo cáo của đơn vị), khi tệp cho biết",
    },
    "portal_qd766_node": {
        "level": "cấp của đơn vị trên Cổng (như Cổng ghi)",
        "ratio": "tỷ lệ (%) của nhóm như Cổng ghi",
        "matched": "khớp được với đơn vị trong danh mục",
    },
    "portal_qd766_metric": {
        "score": "điểm chỉ tiêu của Cổng",
        "max_score": "điểm tối đa của chỉ tiêu theo Cổng",
        "ratio": "tỷ lệ (%) của chỉ tiêu như Cổng ghi",
    },
    "portal_qd766_issue": {"field": "trường JSON có vấn đề"},
    "portal_unit_code": {"portal_code": "mã đơn vị trên Cổng (departmentCode)", "unit_name": "tên đơn vị trong danh mục"},
    "mart_qd766_reconciliation": {
        "unit_name": "tên đơn vị trong danh mục (NULL khi không khớp: xem department_name); dòng toàn tỉnh: tên Cổng ghi",
        "unit_code": "mã đơn vị trong danh mục; NULL khi không khớp (matched = false) và ở dòng toàn tỉnh (role = province)",
        "matched": "true: dòng khớp một đơn vị của danh mục, hoặc là dòng toàn tỉnh (role = province)",
        "sort_key": "khóa sắp xếp tiếng Việt như các mart khác; dòng toàn tỉnh là 00000 (đứng đầu); NULL khi không khớp",
    },
    "mart_qd766_indicator": {
        "score": "điểm chỉ tiêu theo quy tắc (rule)",
        "max_score": "điểm tối đa của chỉ tiêu",
        "rule": (
            "quy tắc chấm: linear (= proportional: điểm tối đa × min(1, R/100)) | target (điểm tối đa × min(1, R/chỉ tiêu)) | "
            "unresolved (dùng điểm của Cổng) | info (không tính điểm)"
        ),
        "numerator": "tử số (số hồ sơ, PAKN, thủ tục… đo từ kho)",
        "denominator": "mẫu số",
    },
    "mart_qd766_unit": {
        "as_of": (
            "ngày (thời điểm) số liệu được tính đến; as_of < period_end: kỳ chưa kết thúc, điểm và thứ hạng là tạm "
            "tính đến as_of (hồ sơ đang xử lý chưa đến hạn tính là đúng hạn)"
        ),
        "score_ckmb": "điểm nhóm công khai, minh bạch (tối đa 18)",
        "score_tdgq": "điểm nhóm tiến độ giải quyết (tối đa 20)",
        "score_dvctt": "điểm nhóm dịch vụ công trực tuyến (tối đa 12; điểm của Cổng)",
        "score_tttt": "điểm nhóm thanh toán trực tuyến (tối đa 10)",
        "score_mdhl": "điểm nhóm mức độ hài lòng (tối đa 18)",
        "score_shhs": "điểm nhóm số hóa hồ sơ (tối đa 22)",
        "total": "tổng điểm Chỉ số 766 (thang 100; thang evaluated_max khi thiếu nhóm)",
        "dossiers": "số hồ sơ tiếp nhận trong kỳ",
    },
}

# Column comments of the views (a view has no column definitions of its own).
_QUARANTINE_COLUMNS = TABLES["quarantine"][2] | MORE_COMMENTS["quarantine"]
_FOR_PERIOD = "kỳ của báo cáo gửi Sở Nội vụ mà dòng này được dùng: 2026-Q1 | 2026-H1 | 2026-Y | 2026-M03"
VIEW_COLUMN_COMMENTS: dict[str, dict[str, str]] = {
    "mart_task_report_period": {
        "plan_year": "năm của kế hoạch",
        "for_period": "kỳ báo cáo gửi Sở Nội vụ: 2026-Q1 | 2026-H1 | 2026-Y | 2026-M03",
        "for_period_end": "ngày cuối của kỳ báo cáo",
    },
    "mart_task_report_current": {
        **TABLES["stg_task_report"][2],
        **MORE_COMMENTS.get("stg_task_report", {}),
        "period_end": "ngày cuối kỳ của chính báo cáo (NULL khi không đọc được kỳ)",
    },
    "mart_rejected_row": {
        **_QUARANTINE_COLUMNS,
        "rule_label": "tên ngắn của quy tắc bằng tiếng Việt; NULL khi quy tắc chưa có tên (xem reason)",
    },
    "mart_task_report_latest": {
        "for_period": _FOR_PERIOD,
        "plan_year": "năm của kế hoạch",
        "task_no": "số thứ tự nhiệm vụ trong kế hoạch",
        "unit_code": "đơn vị báo cáo (dim_office hoặc dim_unit)",
        "period_label": "kỳ của chính báo cáo đơn vị gửi (có thể là kỳ trước for_period)",
        "period_end": "ngày cuối kỳ của báo cáo đơn vị gửi",
        "report_date": "ngày báo cáo",
        "status": "tình trạng đơn vị báo cáo: not_started | in_progress | completed | suspended",
        "status_label": "tình trạng đơn vị báo cáo bằng tiếng Việt (như trong báo cáo gửi Sở Nội vụ)",
        "percent": "tỷ lệ hoàn thành (%) đơn vị báo cáo",
        "completed_on": "ngày hoàn thành đơn vị báo cáo",
        "result_doc_number": "số văn bản kết quả gần nhất đơn vị báo cáo cho nhiệm vụ",
        "result_doc_date": "ngày văn bản kết quả gần nhất",
        "difficulties": "khó khăn, vướng mắc",
        "proposals": "kiến nghị, đề xuất",
        "source_file": "tệp báo cáo",
        "source_row": "dòng trong tệp báo cáo",
    },
    "mart_task_report_by_unit": {
        "for_period": _FOR_PERIOD,
        "plan_year": "năm của kế hoạch",
        "unit_code": "đơn vị báo cáo",
        "reported": "đã gửi báo cáo của kỳ (hoặc của quý, 6 tháng, năm kết thúc cùng ngày)",
        "last_period": "kỳ của báo cáo gần nhất (đến hết for_period)",
        "last_report_date": "ngày gửi báo cáo gần nhất",
    },
    "mart_qd766_local_vs_portal": {
        "local_score": "điểm nhóm tính từ kho (mart_qd766_unit)",
        "portal_score": "điểm nhóm của Cổng, ảnh chụp mới nhất cùng kỳ; NULL khi chưa có ảnh chụp",
        "difference": "local_score − portal_score (làm tròn 2 chữ số)",
        "as_of": "thời điểm số liệu của kho",
    },
    "mart_task_report_missing": {
        "for_period": _FOR_PERIOD,
        "unit_code": "đơn vị chủ trì (dim_office hoặc dim_unit)",
        "tasks": "số nhiệm vụ đơn vị chủ trì trong kế hoạch (như kế hoạch ở cuối kỳ)",
        "last_period": "kỳ của báo cáo gần nhất đơn vị đã gửi (đến hết for_period); NULL: chưa gửi báo cáo nào",
        "last_report_date": "ngày gửi báo cáo gần nhất",
        "report_due_on": (
            "hạn gửi báo cáo của kỳ: ngày cuối kỳ + N ngày (N = biến task_report_due_days, mặc định 15: "
            "kế hoạch chỉ yêu cầu báo cáo quý, 6 tháng, năm, không nêu ngày)"
        ),
        "is_late": "đã quá hạn gửi báo cáo (ngày hiện tại, hoặc biến task_report_as_of, sau report_due_on)",
    },
    "mart_qd766_trend": {
        **MORE_COMMENTS["mart_qd766_unit"],
        "period_kind": "loại kỳ: month (tháng) | quarter (quý); mỗi loại là một chuỗi riêng",
        "period_label": "kỳ: 2026-M03 (tháng) | 2026-Q1 (quý); tháng/quý chưa có số liệu không có dòng",
        "evaluated_max": "tổng điểm tối đa của các nhóm đã có điểm (100 khi đủ)",
        "complete": "đủ 6 nhóm",
        "rank": "thứ hạng trong nhóm xếp hạng của kỳ, như mart_qd766_unit (kiểu thi đấu 1, 2, 2, 4); NULL = chưa xếp hạng",
        "previous_period_label": "kỳ liền trước cùng loại (tháng trước, quý trước); NULL khi kỳ đó chưa có số liệu",
        "previous_total": "tổng điểm của đơn vị ở kỳ liền trước",
        "previous_rank": "thứ hạng của đơn vị ở kỳ liền trước; NULL khi chưa xếp hạng hoặc chưa có kỳ đó",
        "previous_is_tied": "kỳ liền trước đơn vị đồng hạng với đơn vị khác",
        "total_change": (
            "thay đổi tổng điểm so với kỳ liền trước (total − previous_total, làm tròn 2 chữ số); NULL khi không có "
            "kỳ liền trước, hai kỳ khác thang điểm (evaluated_max) hoặc tính theo hai tệp phương pháp khác nhau"
        ),
        "rank_change": (
            "thay đổi thứ hạng so với kỳ liền trước = previous_rank − rank: dương là tăng hạng (từ 3 lên 1: +2), "
            "âm là tụt hạng; NULL khi một trong hai kỳ chưa xếp hạng, không có kỳ liền trước, đổi nhóm xếp hạng "
            "hoặc hai kỳ tính theo hai tệp phương pháp khác nhau (một quyết định mới có hiệu lực giữa năm)"
        ),
        "methodology": "tệp phương pháp QĐ 766 tính điểm kỳ này (methodology/qd766/…; như mart_qd766_indicator)",
        "previous_methodology": "tệp phương pháp tính điểm kỳ liền trước; khác methodology: không so sánh điểm, hạng",
    },
    "mart_par_trend": {
        **MORE_COMMENTS["mart_par_unit"],
        "index_pct": "chỉ số % năm nay = tổng điểm / tổng điểm tối đa của các tiêu chí áp dụng × 100",
        "previous_total": "tổng điểm năm trước của cùng đơn vị (mart_par_unit); NULL khi năm trước chưa có đơn vị",
        "previous_index_pct": "chỉ số % năm trước",
        "previous_band": "xếp loại năm trước",
        "previous_rank": "thứ hạng năm trước trong nhóm xếp hạng",
        "previous_units_in_group": "số đơn vị trong nhóm xếp hạng năm trước",
        "total_change": (
            "thay đổi tổng điểm so với năm trước (làm tròn 2 chữ số); NULL khi đơn vị mới hoặc một trong hai năm "
            "chưa có phiếu tự đánh giá dùng được"
        ),
        "index_change": "thay đổi chỉ số % so với năm trước (điểm phần trăm; so được khi bộ tiêu chí đổi); NULL như total_change",
        "rank_change": (
            "thay đổi thứ hạng = previous_rank − rank: dương là tăng hạng, âm là tụt hạng; NULL khi đơn vị mới, "
            "chưa xếp hạng một trong hai năm hoặc đổi nhóm xếp hạng"
        ),
        "band_changed": "xếp loại khác năm trước; NULL khi một trong hai năm chưa xếp loại",
    },
    "mart_dti_trend": {
        **TABLES["mart_dti_unit"][2],
        **MORE_COMMENTS["mart_dti_unit"],
        "previous_rank": (
            "thứ hạng năm trước: thứ hạng đã công bố (stg_dti_previous) khi kho có kết quả công bố của năm trước, "
            "nếu không thì mart_dti_unit năm trước; NULL với đơn vị hợp nhất từ nhiều đơn vị cũ hoặc đơn vị mới"
        ),
        "previous_band": "xếp loại năm trước, cùng nguồn với previous_rank (kết quả công bố: như nguồn ghi)",
        "total_change": (
            "thay đổi tổng điểm so với năm trước = mart_dti_unit.change (total − previous_total); NULL khi đơn vị mới "
            "hoặc chưa có phiếu dùng được"
        ),
        "previous_units_in_group": (
            "số đơn vị của nhóm xếp hạng năm trước (kết quả công bố: thứ hạng cuối của nhóm; nếu không: mart_dti_unit năm trước)"
        ),
        "rank_change": (
            "thay đổi thứ hạng = previous_rank − rank: dương là tăng hạng, âm là tụt hạng; chỉ khi nhóm có cùng số đơn "
            "vị hai năm (hạng 14/15 không so được với hạng 18/21: dùng position_change); NULL khi đơn vị mới, hợp "
            "nhất, chưa xếp hạng một trong hai năm hoặc nhóm đổi số đơn vị"
        ),
        "position_change": (
            "thay đổi vị trí trong nhóm, điểm phần trăm: vị trí = 100 × (số đơn vị − hạng) / (số đơn vị − 1), hạng "
            "đầu 100, hạng cuối 0; so được cả khi nhóm đổi số đơn vị; dương là lên, âm là xuống"
        ),
        "band_changed": "xếp loại khác năm trước (không phân biệt hoa thường); NULL khi một trong hai năm chưa xếp loại",
    },
}
