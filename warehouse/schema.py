"""Warehouse tables with their comments: the one place their shape is defined.

Times are local (Asia/Ho_Chi_Minh) TIMESTAMPs, as the source systems write them.
"""

from __future__ import annotations

from functools import lru_cache

import duckdb

# The only trace of an applicant's ID number (common/pii.py): not reversible without the secret, not linkable across years.
APPLICANT_KEY_COMMENT = ("khóa ẩn danh người nộp theo năm tiếp nhận: HMAC-SHA256 số giấy tờ với khóa bí mật của năm "
                         "(không dò ngược được khi không có khóa, không nối được giữa các năm); chỉ để đếm người nộp "
                         "khác nhau trong một năm")
TABLES: dict[str, tuple[str, str, dict[str, str]]] = {
    # name: (column DDL, table comment, column comments)
    "dim_unit": (
        """unit_code VARCHAR PRIMARY KEY, unit_name VARCHAR NOT NULL, unit_group VARCHAR NOT NULL,
        group_label VARCHAR NOT NULL, ranking_group VARCHAR NOT NULL, province VARCHAR NOT NULL,
        portal_code VARCHAR, aliases VARCHAR[], sort_order INTEGER NOT NULL, master_source VARCHAR,
        portal_department_id VARCHAR""",
        "Đơn vị: cơ quan cấp tỉnh (CSV đã rà soát của tỉnh, hoặc danh sách mặc định) và xã/phường (gói vietnam-provinces, sau 1/7/2025).",
        {"unit_group": "agency | commune | ward", "ranking_group": "agency | local: nhóm xếp hạng",
         "sort_order": "thứ tự theo bảng chữ cái tiếng Việt",
         "portal_code": "mã đơn vị trên Cổng DVCQG, chỉ lấy từ dữ liệu danh mục (CSV cơ quan, masterdata/portal_codes); "
                        "NULL khi chưa có: đơn vị được đối chiếu theo tên",
         "master_source": "nguồn danh mục: reviewed_csv (CSV đã rà soát của tỉnh) | default_list (danh sách cơ quan "
                          "mặc định, cần thay bằng CSV đã rà soát) | vietnam-provinces (xã, phường)",
         "portal_department_id": "departmentId của đơn vị trên Cổng DVCQG (masterdata/portal_codes), nếu có"},
    ),
    "dim_procedure": (
        """procedure_code VARCHAR PRIMARY KEY, procedure_name VARCHAR NOT NULL, field VARCHAR,
        authority_level VARCHAR NOT NULL, online_level VARCHAR NOT NULL, fee_bearing BOOLEAN NOT NULL,
        owner_unit_code VARCHAR, payment_integrated BOOLEAN, source_file VARCHAR, source_row INTEGER""",
        "Danh mục thủ tục hành chính.",
        {"authority_level": "province | commune", "online_level": "full (toàn trình) | partial (một phần) | none",
         "owner_unit_code": "cơ quan chủ quản (mã trong dim_unit); NULL với thủ tục cấp xã ('UBND cấp xã') hoặc khi danh mục không ghi",
         "payment_integrated": "đã tích hợp thanh toán trực tuyến trên Cổng DVCQG (chỉ tiêu 3.5a); NULL khi danh mục không ghi"},
    ),
    "landed_files": (
        """source VARCHAR NOT NULL, file_name VARCHAR NOT NULL, partition_date DATE, sha256 VARCHAR,
        size_bytes BIGINT, encoding VARCHAR, status VARCHAR NOT NULL, rows_read BIGINT, rows_loaded BIGINT,
        rows_rejected BIGINT, first_loaded_at TIMESTAMP, loaded_at TIMESTAMP""",
        "Mỗi tệp nguồn đã nhận (hoặc ngày thiếu tệp): dòng dõi dữ liệu.",
        {"status": ("loaded | partly_loaded | rejected | missing | deferred (tệp đang được chép, để lần chạy sau); một "
                    "tệp giao lại rỗng, chỉ có tiêu đề hay bị cắt cụt không thay dòng của lần nạp tốt trước (xem file_issues)"),
         "first_loaded_at": "lần nạp đầu tiên của nội dung này (sha256); nạp lại cùng tệp không đổi giá trị"},
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
        {"applicant_key": APPLICANT_KEY_COMMENT,
         "channel": "direct | online | postal", "source_row": "số dòng trong tệp nhận được (dòng tiêu đề = 1)",
         "synced_to_portal": "hồ sơ đã đồng bộ lên Cổng DVCQG (chỉ tiêu 1.4 QĐ 766); NULL khi tệp xuất không có cột này"},
    ),
    "fct_dossier": (
        """dossier_code VARCHAR NOT NULL, procedure_code VARCHAR NOT NULL, receiving_centre VARCHAR,
        resolving_unit_code VARCHAR NOT NULL, channel VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL,
        due_at TIMESTAMP NOT NULL, completed_at TIMESTAMP, status VARCHAR NOT NULL, is_finished BOOLEAN NOT NULL,
        finished_on_time BOOLEAN, supplement_requests INTEGER NOT NULL, digitised BOOLEAN, electronic_result BOOLEAN,
        fee_due BIGINT, paid_online BOOLEAN, reused_data BOOLEAN, citizen_data_used BOOLEAN, synced_to_portal BOOLEAN,
        satisfaction VARCHAR, updated_at TIMESTAMP NOT NULL, applicant_key VARCHAR, first_export_date DATE NOT NULL,
        last_export_date DATE NOT NULL, version_count INTEGER NOT NULL""",
        "Trạng thái hiện tại của mỗi hồ sơ: phiên bản có ngày cập nhật mới nhất (mã duy nhất: kiểm tra chặn current_state_unique).",
        {"applicant_key": APPLICANT_KEY_COMMENT,
         "finished_on_time": "đã kết thúc và completed_at ≤ due_at; NULL khi chưa kết thúc",
         "synced_to_portal": "đã đồng bộ lên Cổng DVCQG theo phiên bản mới nhất (chỉ tiêu 1.4 QĐ 766); NULL khi không rõ"},
    ),
    "fct_petition": (
        """petition_code VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL,
        category VARCHAR NOT NULL, handling VARCHAR NOT NULL, due_at TIMESTAMP NOT NULL, completed_at TIMESTAMP,
        satisfaction VARCHAR, repeated BOOLEAN, source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL""",
        ("Phản ánh, kiến nghị (PAKN) về TTHC theo tệp xuất hằng tháng (pakn_YYYYMM.csv, tháng tiếp nhận), trạng thái tại "
         "thời điểm xuất; không lưu họ tên, điện thoại, email, nội dung."),
        {"unit_code": "đơn vị xử lý (mã trong dim_unit)",
         "category": "procedure (về quy định hành chính, TTHC) | staff (về hành vi, thái độ của CBCCVC): chỉ tiêu 5.1",
         "handling": "answer (trả lời, giải quyết) | refusal (từ chối tiếp nhận) | more_information (yêu cầu bổ sung thông tin)",
         "due_at": ("hạn xử lý: cuối ngày làm việc thứ 15 (trả lời), 2 (từ chối) hoặc 5 (yêu cầu bổ sung) sau ngày tiếp "
                    "nhận, trừ nghỉ lễ Việt Nam; đúng hạn khi completed_at ≤ due_at (chỉ tiêu 5.2)"),
         "completed_at": "NULL khi đang xử lý", "satisfaction": "satisfied | dissatisfied | NULL (chưa đánh giá)",
         "repeated": "PAKN lặp lại (chỉ tiêu 5.3); NULL khi tệp không ghi",
         "source_row": "số dòng trong tệp nhận được (dòng tiêu đề = 1)"},
    ),
    "fct_procedure_publication": (
        """decision_number VARCHAR NOT NULL, decision_date DATE NOT NULL, procedure_code VARCHAR NOT NULL,
        legal_effective_date DATE NOT NULL, made_public_date DATE, parts_complete INTEGER NOT NULL,
        missing_parts VARCHAR, source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL""",
        ("Công bố TTHC: mỗi thủ tục trong mỗi quyết định công bố (tệp tthc/cong_bo_tthc.csv), ngày công khai trên "
         "CSDLQG và số bộ phận tạo thành được công khai (chỉ tiêu 1.1-1.3 QĐ 766, chung cho cả tỉnh)."),
        {"decision_number": "số quyết định công bố, ví dụ 1234/QĐ-UBND",
         "legal_effective_date": ("ngày có hiệu lực của văn bản quy định TTHC; công bố đúng hạn khi decision_date ≤ "
                                  "ngày này − 5 ngày làm việc (chỉ tiêu 1.1)"),
         "made_public_date": ("ngày công khai trên CSDLQG; NULL = chưa công khai; đúng hạn khi ≤ decision_date + 5 ngày "
                              "làm việc (chỉ tiêu 1.2)"),
         "parts_complete": "số bộ phận tạo thành được công khai (0-7, k.2 Đ.8 NĐ 63/2010); đầy đủ khi = 7 (chỉ tiêu 1.3)",
         "missing_parts": "tên các bộ phận còn thiếu, cách nhau bởi '; '; NULL khi đủ 7",
         "source_row": "số dòng trong tệp nhận được (dòng tiêu đề = 1)"},
    ),
    "dim_office": (
        """office_code VARCHAR PRIMARY KEY, office_name VARCHAR NOT NULL, kind VARCHAR NOT NULL,
        parent_unit_code VARCHAR NOT NULL, aliases VARCHAR[], sort_order INTEGER NOT NULL""",
        "Phòng, đơn vị thuộc Sở (masterdata/offices): chủ trì hoặc phối hợp nhiệm vụ của kế hoạch; không xếp hạng.",
        {"kind": "van_phong | phong | don_vi", "parent_unit_code": "cơ quan chủ quản (dim_unit)"},
    ),
    "plan_task_history": (
        """plan_number VARCHAR NOT NULL, plan_year INTEGER NOT NULL, revision INTEGER NOT NULL, issued_on DATE,
        source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL, task_no VARCHAR NOT NULL, content VARCHAR NOT NULL,
        lead_text VARCHAR, collaborators_text VARCHAR, deadline_text VARCHAR, deadline_kind VARCHAR, due_date DATE,
        effective_due_date DATE, provisional BOOLEAN, deadline_condition VARCHAR, expected_result VARCHAR,
        responsible VARCHAR, loaded_at TIMESTAMP, sha256 VARCHAR, lead_codes VARCHAR[], collaborator_codes VARCHAR[]""",
        ("Mọi phiên bản của mọi nhiệm vụ trong các sổ kế hoạch (mỗi lần ban hành/sửa đổi): lịch sử thay đổi được giữ, "
         "kể cả khi tệp sau đó bị gửi lại lỗi hoặc được chuyển khỏi hộp thư đến."),
        {"revision": "lần ban hành/sửa đổi (1 = ban hành lần đầu)",
         "deadline_text": "thời gian hoàn thành như văn bản ghi", "due_date": "hạn theo văn bản (NULL khi không đọc được)",
         "effective_due_date": "hạn thực tế: nếu rơi vào ngày nghỉ thì là hết ngày làm việc tiếp theo (BLDS 2015 Đ.148 k.5)",
         "provisional": "hạn dự kiến, phụ thuộc điều kiện (deadline_condition)"},
    ),
    "fct_plan_task": (
        """plan_number VARCHAR NOT NULL, plan_year INTEGER NOT NULL, revision INTEGER NOT NULL, task_no VARCHAR NOT NULL,
        content VARCHAR NOT NULL, lead_text VARCHAR, collaborators_text VARCHAR, lead_codes VARCHAR[],
        collaborator_codes VARCHAR[], deadline_text VARCHAR, deadline_kind VARCHAR, due_date DATE,
        effective_due_date DATE, provisional BOOLEAN, deadline_condition VARCHAR, expected_result VARCHAR,
        responsible VARCHAR, first_revision INTEGER NOT NULL, changed_in_revision INTEGER NOT NULL,
        previous_deadline_text VARCHAR, source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL""",
        "Nhiệm vụ hiện hành của mỗi kế hoạch (theo lần ban hành/sửa đổi mới nhất), với đơn vị chủ trì/phối hợp đã quy về mã.",
        {"lead_codes": "mã đơn vị chủ trì (dim_office hoặc dim_unit); cụm từ tập hợp đã được mở rộng",
         "changed_in_revision": "lần sửa đổi gần nhất làm thay đổi nhiệm vụ này",
         "previous_deadline_text": "thời gian hoàn thành trước lần sửa đổi gần nhất (nếu thay đổi)"},
    ),
    "stg_task_report": (
        """source_file VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, period_label VARCHAR NOT NULL, report_date DATE NOT NULL,
        plan_year INTEGER NOT NULL, task_no VARCHAR NOT NULL, status VARCHAR NOT NULL, percent DOUBLE, completed_on DATE,
        result_doc_number VARCHAR, result_doc_date DATE, difficulties VARCHAR, proposals VARCHAR, source_row INTEGER NOT NULL,
        superseded BOOLEAN NOT NULL, loaded_at TIMESTAMP""",
        "Mọi báo cáo tiến độ đã nhận (kể cả bản bị thay thế): superseded = có bản gửi sau cho cùng đơn vị, kỳ.",
        {"status": "not_started | in_progress | completed | suspended",
         "superseded": "bản gửi sau (ngày báo cáo muộn hơn) của cùng đơn vị và kỳ thay thế bản này; vẫn giữ làm lịch sử"},
    ),
    "mart_task_status": (
        """plan_year INTEGER NOT NULL, task_no VARCHAR NOT NULL, as_of DATE NOT NULL, status VARCHAR NOT NULL,
        status_label VARCHAR NOT NULL, effective_due_date DATE, completed_on DATE, percent DOUBLE, days_to_due INTEGER""",
        "Tình trạng mỗi nhiệm vụ vào mỗi ngày của năm kế hoạch (đến ngày dữ liệu): chỉ dùng báo cáo đã gửi đến ngày đó.",
        {"status": "on_track | due_soon | overdue | completed_on_time | completed_late | no_deadline",
         "days_to_due": "số ngày đến hạn thực tế (âm = đã quá hạn)"},
    ),
    "mart_task_completion": (
        """plan_year INTEGER NOT NULL, period_label VARCHAR NOT NULL, as_of DATE NOT NULL, unit_code VARCHAR NOT NULL,
        unit_name VARCHAR NOT NULL, tasks INTEGER NOT NULL, due INTEGER NOT NULL, completed_on_time INTEGER NOT NULL,
        completed_late INTEGER NOT NULL, overdue INTEGER NOT NULL, on_time_rate DOUBLE""",
        ("Tỷ lệ nhiệm vụ hoàn thành đúng hạn lũy kế từ đầu năm kế hoạch đến cuối kỳ (as_of), cho từng đơn vị chủ trì "
         "(theo báo cáo của chính đơn vị) và cả Sở (unit_code của Sở); dùng cho Chỉ số CCHC và DTI."),
        {"due": "nhiệm vụ đã đến hạn hoặc đã hoàn thành tính đến as_of",
         "on_time_rate": "completed_on_time / due (%); NULL khi chưa có nhiệm vụ đến hạn"},
    ),
    "stg_assessment_submission": (
        """source_file VARCHAR NOT NULL, sha256 VARCHAR, unit_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        index_code VARCHAR NOT NULL, submitted_at TIMESTAMP, difficulties VARCHAR, proposals VARCHAR,
        hard_errors INTEGER NOT NULL, superseded BOOLEAN NOT NULL, loaded_at TIMESTAMP""",
        ("Mọi phiếu tự đánh giá đã nhận, Chỉ số CCHC và DTI (kể cả bản bị thay thế bởi bản gửi sau của cùng đơn vị, "
         "chỉ số, năm)."),
        {"index_code": "par | dti", "hard_errors": "số lỗi làm phiếu không dùng được hoặc dòng bị loại",
         "superseded": "có bản gửi sau thay thế"},
    ),
    "stg_assessment_self": (
        """source_file VARCHAR NOT NULL, index_code VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        code VARCHAR NOT NULL, self_answer VARCHAR, self_points DOUBLE, evidence VARCHAR, explanation VARCHAR,
        superseded BOOLEAN NOT NULL""",
        "Điểm tự đánh giá theo tiêu chí, kèm câu trả lời (DTI), tài liệu kiểm chứng và giải trình.",
        {"self_answer": "câu trả lời của đơn vị (Có/Không, lựa chọn, số); điểm tính theo quy tắc của bộ chỉ số"},
    ),
    "stg_assessment_appraisal": (
        """source_file VARCHAR NOT NULL, index_code VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        code VARCHAR NOT NULL, appraised_points DOUBLE, comment VARCHAR""",
        "Điểm thẩm định của Hội đồng theo chỉ số, đơn vị và tiêu chí.", {},
    ),
    "stg_assessment_survey": (
        """source_file VARCHAR NOT NULL, index_code VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, year INTEGER NOT NULL,
        survey VARCHAR NOT NULL, code VARCHAR NOT NULL, points DOUBLE""",
        "Điểm điều tra xã hội học (SIPAS; lãnh đạo, quản lý) theo đơn vị và tiêu chí.", {"survey": "sipas | leaders"},
    ),
    "stg_dti_external": (
        """source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL, year INTEGER NOT NULL, unit_code VARCHAR NOT NULL,
        code VARCHAR NOT NULL, value DOUBLE NOT NULL, system VARCHAR, note VARCHAR""",
        ("Giá trị thành phần DTI do hệ thống khác cung cấp (quản lý văn bản, giám sát an toàn thông tin, báo cáo…), "
         "đã kiểm tra; dòng lỗi, trùng hoặc ngoài khoảng nằm trong quarantine."), {},
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
        points_lost DOUBLE, source VARCHAR NOT NULL, overclaim BOOLEAN NOT NULL""",
        "DTI theo đơn vị và thành phần: câu trả lời, giá trị từ hệ thống khác hoặc từ kho, điểm và điểm mất.",
        {"source": "appraised | self_provisional | computed | external | missing | not_measured | not_applicable",
         "data_source": "tự đánh giá, tính từ kho (công thức) hoặc tên hệ thống cung cấp"},
    ),
    "mart_dti_index": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, main_index VARCHAR NOT NULL, name VARCHAR NOT NULL,
        weight DOUBLE NOT NULL, max_points DOUBLE NOT NULL, points DOUBLE, value DOUBLE, points_lost DOUBLE,
        missing_components INTEGER NOT NULL""",
        "DTI theo đơn vị và chỉ số chính: điểm, giá trị chuẩn hóa 0..1 (điểm / tối đa của các thành phần áp dụng), trọng số.",
        {"value": "NULL khi không thành phần nào áp dụng (chỉ số chính rời khỏi bình quân gia quyền)"},
    ),
    "mart_dti_pillar": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, pillar VARCHAR NOT NULL, name VARCHAR NOT NULL,
        value DOUBLE""",
        "DTI theo đơn vị và trụ cột (chính quyền số, kinh tế số, xã hội số): bình quân gia quyền các chỉ số chính.", {},
    ),
    "mart_dti_unit": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, unit_name VARCHAR NOT NULL, ranking_group VARCHAR NOT NULL,
        tree VARCHAR NOT NULL, total DOUBLE NOT NULL, index_value DOUBLE, level VARCHAR, provisional BOOLEAN NOT NULL,
        has_form BOOLEAN NOT NULL, missing_components INTEGER NOT NULL, rank INTEGER, is_tied BOOLEAN NOT NULL,
        units_in_group INTEGER NOT NULL, group_average DOUBLE, previous_total DOUBLE, previous_names VARCHAR,
        previous_merged BOOLEAN, previous_renamed BOOLEAN, previous_missing VARCHAR, change DOUBLE, rank_median DOUBLE, rank_p05 INTEGER, rank_p95 INTEGER,
        rank_best INTEGER, rank_worst INTEGER, share_same_rank DOUBLE, form_refused VARCHAR""",
        ("DTI theo đơn vị và năm: tổng điểm (thang 100), xếp loại, xếp hạng trong nhóm, thay đổi so với năm trước và "
         "khoảng xếp hạng của phân tích độ bất định."),
        {"total": "Σ trọng số × giá trị chỉ số chính / Σ trọng số × 100",
         "previous_total": "tổng điểm năm trước; đơn vị hợp nhất: trung bình các đơn vị cũ",
         "previous_missing": "đơn vị cũ (trước sắp xếp) chưa có kết quả năm trước: previous_total chỉ tính trên các đơn vị còn lại",
         "rank_p05": "bách phân vị 5 của thứ hạng qua các lần tính lại", "rank_p95": "bách phân vị 95",
         "share_same_rank": "tỷ lệ lần tính lại giữ đúng thứ hạng công bố",
         "form_refused": ("phiếu hiện hành không nạp được (tệp: lý do): đơn vị không xếp hạng, không xếp loại; NULL khi "
                          "phiếu dùng được hoặc chưa nộp phiếu")},
    ),
    "mart_par_criterion": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, tree VARCHAR NOT NULL, code VARCHAR NOT NULL,
        domain VARCHAR NOT NULL, name VARCHAR NOT NULL, method VARCHAR NOT NULL, max_points DOUBLE NOT NULL,
        applicable BOOLEAN NOT NULL, self_points DOUBLE, appraised_points DOUBLE, survey_points DOUBLE,
        computed_value DOUBLE, points DOUBLE, points_lost DOUBLE, source VARCHAR NOT NULL, overclaim BOOLEAN NOT NULL""",
        "Chỉ số CCHC theo đơn vị và tiêu chí: điểm tự chấm, thẩm định, khảo sát, tính từ dữ liệu, điểm tính và điểm mất.",
        {"source": "appraised | self_provisional | survey | computed | missing | not_applicable",
         "computed_value": "giá trị đo từ kho (%): tỷ lệ hồ sơ đúng hạn, trực tuyến, nhiệm vụ đúng hạn",
         "overclaim": "đơn vị tự chấm cao hơn dữ liệu cho thấy"},
    ),
    "mart_par_domain": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, domain VARCHAR NOT NULL, name VARCHAR NOT NULL,
        max_points DOUBLE NOT NULL, points DOUBLE, points_lost DOUBLE""",
        "Chỉ số CCHC theo đơn vị và lĩnh vực (8 lĩnh vực của QĐ 876/QĐ-BNV).", {},
    ),
    "mart_par_unit": (
        """year INTEGER NOT NULL, unit_code VARCHAR NOT NULL, unit_name VARCHAR NOT NULL, ranking_group VARCHAR NOT NULL,
        tree VARCHAR NOT NULL, total DOUBLE NOT NULL, max_applicable DOUBLE NOT NULL, index_pct DOUBLE, band VARCHAR,
        provisional BOOLEAN NOT NULL, has_form BOOLEAN NOT NULL, rank INTEGER, is_tied BOOLEAN NOT NULL,
        units_in_group INTEGER NOT NULL, group_average_pct DOUBLE, difficulties VARCHAR, proposals VARCHAR,
        form_refused VARCHAR""",
        "Chỉ số CCHC theo đơn vị và năm: tổng điểm, chỉ số %, xếp loại, xếp hạng trong nhóm (sở/ban/ngành; xã/phường).",
        {"index_pct": "tổng điểm / tổng điểm tối đa của các tiêu chí áp dụng × 100",
         "provisional": "còn tiêu chí tự chấm chưa được thẩm định: kết quả tạm tính",
         "has_form": "đã có phiếu tự đánh giá dùng được",
         "form_refused": ("phiếu hiện hành bị từ chối (tệp: lý do); đơn vị được tính điểm không có phiếu, không xếp hạng, "
                          "không xếp loại; NULL khi phiếu dùng được hoặc chưa nộp phiếu")},
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
    "portal_qd766_node": (
        """file_name VARCHAR NOT NULL, endpoint VARCHAR NOT NULL, group_code VARCHAR NOT NULL,
        period_label VARCHAR NOT NULL, captured_at TIMESTAMP NOT NULL, role VARCHAR NOT NULL,
        department_code VARCHAR, department_id VARCHAR, department_name VARCHAR, level VARCHAR, unit_code VARCHAR,
        matched BOOLEAN NOT NULL, score DOUBLE, max_score DOUBLE, ratio DOUBLE, counts MAP(VARCHAR, DOUBLE),
        loaded_at TIMESTAMP, matched_by VARCHAR, capture_source VARCHAR""",
        "Ảnh chụp Chỉ số 766 từ Cổng DVCQG: mỗi dòng là một đơn vị (hoặc toàn tỉnh) trong một tệp JSON. NULL = Cổng chưa đánh giá, không phải 0.",
        {"role": "province (dòng tổng của tỉnh) | unit", "unit_code": "mã đơn vị trong danh mục; NULL khi không khớp (matched = false)",
         "period_label": "2026-M10 (tháng) | 2026-Q3 (quý) | 2026-Y (lũy kế năm)",
         "counts": "số liệu thô của nhóm dạng cây (trường thiếu thì không có khóa; giá trị NULL giữ nguyên)",
         "score": "điểm nhóm của Cổng (score / totalScore)", "max_score": "điểm tối đa theo Cổng (maxScore / totalMaxScore)",
         "matched_by": "code (mã trong danh mục) | name (tên) | learned_code, department_id (mã, mã định danh học từ dòng khác)",
         "capture_source": "kỳ và thời điểm chụp lấy từ: sidecar (tệp kèm của bộ thu thập) | file_name | file_time"},
    ),
    "portal_qd766_metric": (
        """file_name VARCHAR NOT NULL, role VARCHAR NOT NULL, department_id VARCHAR, department_name VARCHAR,
        unit_code VARCHAR, metric_code VARCHAR NOT NULL, metric_name VARCHAR, numerator DOUBLE, denominator DOUBLE,
        ratio DOUBLE, score DOUBLE, max_score DOUBLE, data_quality_status VARCHAR, data_quality_message VARCHAR,
        endpoint VARCHAR, period_label VARCHAR, department_code VARCHAR""",
        "Chỉ tiêu (metrics) của các nhóm dạng đánh giá (công khai, hài lòng, số hóa) trong ảnh chụp của Cổng DVCQG.",
        {"metric_code": "mã chỉ tiêu của Cổng, ví dụ PUBLISH_ON_TIME",
         "data_quality_status": "cảnh báo của chính Cổng về chỉ tiêu, ví dụ TEMP_NATIONAL_REPORT_DENOMINATOR (mẫu số tạm tính)"},
    ),
    "portal_qd766_issue": (
        """file_name VARCHAR NOT NULL, department VARCHAR, field VARCHAR, rule VARCHAR NOT NULL, reason VARCHAR NOT NULL,
        blocking BOOLEAN NOT NULL, loaded_at TIMESTAMP, endpoint VARCHAR, group_code VARCHAR, period_label VARCHAR,
        rows INTEGER, departments VARCHAR[], captured_at TIMESTAMP""",
        ("Vấn đề trong ảnh chụp của Cổng, một dòng cho mỗi tệp, quy tắc và trường: thiếu trường, giá trị null, điểm tối đa "
         "thay đổi, đơn vị không khớp danh mục… Chỉ những gì bất thường: trường mà Cổng không bao giờ công bố ở cấp dòng "
         "đó và chỉ tiêu thông tin (điểm tối đa 0) không phải vấn đề."),
        {"department": "đơn vị đầu tiên (mã hoặc tên như Cổng ghi)", "departments": "mọi đơn vị gặp vấn đề này",
         "rows": "số dòng (đơn vị, chỉ tiêu) gặp vấn đề", "blocking": "cả tệp không dùng được"},
    ),
    "portal_unit_code": (
        """unit_code VARCHAR NOT NULL, unit_name VARCHAR, portal_code VARCHAR, department_id VARCHAR,
        department_name VARCHAR, source VARCHAR NOT NULL, matched_by VARCHAR, file_name VARCHAR, loaded_at TIMESTAMP""",
        ("Mã đơn vị trên Cổng DVCQG (departmentCode, departmentId) đã dùng để khớp ảnh chụp với danh mục: từ danh mục "
         "(source = masterdata) hoặc học được khi khớp theo tên (learned) — cần rà soát rồi ghi vào "
         "masterdata/portal_codes/<tỉnh>.csv."),
        {"source": "masterdata | learned", "matched_by": "code | name | learned_code | department_id"},
    ),
    "mart_qd766_reconciliation": (
        """file_name VARCHAR NOT NULL, endpoint VARCHAR NOT NULL, group_code VARCHAR NOT NULL, period_label VARCHAR NOT NULL,
        captured_at TIMESTAMP NOT NULL, role VARCHAR NOT NULL, department_code VARCHAR, department_name VARCHAR,
        unit_code VARCHAR, matched BOOLEAN NOT NULL, indicator_code VARCHAR, metric_code VARCHAR, numerator DOUBLE,
        denominator DOUBLE, portal_score DOUBLE, recomputed_score DOUBLE, difference DOUBLE, status VARCHAR NOT NULL,
        status_label VARCHAR NOT NULL, department_id VARCHAR, data_quality_status VARCHAR, data_quality_label VARCHAR""",
        ("Đối chiếu: điểm tính lại từ số liệu thô của chính ảnh chụp theo công thức (methodology/qd766) so với điểm của Cổng. "
        "Điểm của Cổng là điểm chính thức; bảng này chỉ giải thích và phát hiện sai lệch."),
        {"indicator_code": "mã chỉ tiêu; NULL = dòng tổng của nhóm", "difference": "recomputed_score − portal_score",
         "status": ("match | mismatch | not_evaluated | missing_data | portal_authoritative | computed | "
                    "portal_score_without_counts (Cổng có điểm, không công bố tử số/mẫu số: dùng điểm của Cổng)"),
         "data_quality_label": "cảnh báo chất lượng số liệu của Cổng (dataQualityStatus), bằng tiếng Việt"},
    ),
    "mart_qd766_indicator": (
        """period_label VARCHAR NOT NULL, period_kind VARCHAR NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
        as_of TIMESTAMP NOT NULL, methodology VARCHAR NOT NULL, unit_code VARCHAR NOT NULL, group_code VARCHAR NOT NULL,
        indicator_code VARCHAR NOT NULL, indicator_name VARCHAR NOT NULL, numerator DOUBLE, denominator DOUBLE,
        ratio DOUBLE, score DOUBLE, max_score DOUBLE NOT NULL, rule VARCHAR NOT NULL, source VARCHAR NOT NULL""",
        "Chỉ số 766 tính từ kho dữ liệu: mỗi đơn vị × kỳ × chỉ tiêu, với tử số, mẫu số, tỷ lệ (%) và điểm.",
        {"as_of": "thời điểm dữ liệu (cuối ngày xuất dữ liệu gần nhất); hồ sơ đang xử lý chưa đến hạn tính là đúng hạn",
         "source": "local (tính từ kho) | portal (điểm của Cổng, công thức chưa xác định) | missing | info (không tính điểm)",
         "ratio": "tỷ lệ %, riêng 2.2 là số ngày trung bình", "methodology": "tệp phương pháp đã dùng"},
    ),
    "mart_qd766_unit": (
        """period_label VARCHAR NOT NULL, period_kind VARCHAR NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
        as_of TIMESTAMP NOT NULL, unit_code VARCHAR NOT NULL, unit_name VARCHAR NOT NULL, ranking_group VARCHAR NOT NULL,
        score_ckmb DOUBLE, score_tdgq DOUBLE, score_dvctt DOUBLE, score_tttt DOUBLE, score_mdhl DOUBLE, score_shhs DOUBLE,
        dvctt_source VARCHAR NOT NULL, total_score DOUBLE NOT NULL, evaluated_max DOUBLE NOT NULL, complete BOOLEAN NOT NULL,
        rank INTEGER, is_tied BOOLEAN NOT NULL, units_in_group INTEGER NOT NULL, dossiers BIGINT NOT NULL""",
        "Chỉ số 766 theo đơn vị và kỳ: điểm 6 nhóm, tổng điểm và thứ hạng trong nhóm xếp hạng (sở/ban/ngành riêng, xã/phường riêng).",
        {"rank": "xếp hạng kiểu thi đấu (1, 2, 2, 4) theo tổng điểm làm tròn 2 chữ số; NULL = chưa xếp hạng (thiếu nhóm điểm mà các đơn vị khác cùng nhóm có)", "is_tied": "đồng hạng với đơn vị khác",
         "dvctt_source": "portal: điểm nhóm DVCTT lấy từ ảnh chụp mới nhất của Cổng cùng kỳ | missing: chưa có ảnh chụp",
         "evaluated_max": "tổng điểm tối đa của các nhóm đã có điểm (100 khi đủ)", "complete": "đủ 6 nhóm"},
    ),
}


# Views over the tables above: (SQL, comment). Created after the tables, replaced on every start.
VIEWS: dict[str, tuple[str, str]] = {
    "mart_qd766_local_vs_portal": (
        """WITH portal AS (
               SELECT period_label, unit_code, group_code, arg_max(score, captured_at) AS portal_score,
                      max(captured_at) AS captured_at
               FROM portal_qd766_node WHERE role = 'unit' AND unit_code IS NOT NULL GROUP BY ALL),
           local AS (
               UNPIVOT (SELECT period_label, unit_code, unit_name, ranking_group, as_of, score_ckmb AS CKMB,
                               score_tdgq AS TDGQ, score_dvctt AS DVCTT, score_tttt AS TTTT, score_mdhl AS MDHL,
                               score_shhs AS SHHS FROM mart_qd766_unit)
               ON CKMB, TDGQ, DVCTT, TTTT, MDHL, SHHS INTO NAME group_code VALUE local_score)
           SELECT l.period_label, l.unit_code, l.unit_name, l.ranking_group, l.group_code, l.local_score,
                  p.portal_score, round(l.local_score - p.portal_score, 2) AS difference, l.as_of, p.captured_at
           FROM local l LEFT JOIN portal p USING (period_label, unit_code, group_code)""",
        ("Điểm nhóm tính từ kho so với điểm nhóm của Cổng (ảnh chụp mới nhất cùng kỳ): giải thích chênh lệch "
        "(thời điểm số liệu as_of khác thời điểm chụp captured_at, hồ sơ chưa đồng bộ…). Điểm của Cổng là điểm chính thức."),
    ),
}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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


def _add_missing_columns(con: duckdb.DuckDBPyConnection, name: str, existing: set[str]) -> None:
    """A warehouse built by an earlier version gains the table's new columns (NULL in old rows); loads insert by name."""
    for column, data_type in _declared_columns()[name]:
        if column not in existing:
            con.execute(f"ALTER TABLE {name} ADD COLUMN {column} {data_type}")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables, add missing columns and (re)write the comments; never drops data."""
    present: dict[str, set[str]] = {}
    for table, column in con.execute("""SELECT table_name, column_name FROM duckdb_columns()
                                        WHERE database_name = current_database() AND schema_name = 'main'""").fetchall():
        present.setdefault(table, set()).add(column)
    for name, (columns, comment, column_comments) in TABLES.items():
        if name in present:
            _add_missing_columns(con, name, present[name])
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
        con.execute(f"COMMENT ON TABLE {name} IS {_quote(comment)}")
        for column, text in column_comments.items():
            con.execute(f"COMMENT ON COLUMN {name}.{column} IS {_quote(text)}")
    for name, (sql, comment) in VIEWS.items():
        con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")
        con.execute(f"COMMENT ON VIEW {name} IS {_quote(comment)}")
