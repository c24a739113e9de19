"""The register of procedure publication (công bố TTHC): which decision published which procedure, when it was made
public on the national TTHC database (CSDLQG), and whether the published content has the seven parts.

One file, ``tthc/cong_bo_tthc.csv``, one row per procedure per publication decision, UTF-8 with BOM, Vietnamese
headers, dates ``dd/mm/yyyy``. QĐ 766 1.1-1.3 (methodology §3.3) for a province: a decision is on time when dated at
least 5 working days before the legal basis takes effect; the publication is updated on time when made public at
most 5 working days after the decision; the content is full when all seven parts of NĐ 63/2010 k.2 Đ.8 are there.
"""

from __future__ import annotations

from sources.tthc_format import Column

PUBLICATION_FILE_NAME = "cong_bo_tthc.csv"
PUBLISH_LEAD_WORKING_DAYS = 5  # provincial decision: at least this many working days before the legal basis applies
PUBLIC_UPDATE_WORKING_DAYS = 5  # made public on the CSDLQG at most this many working days after the decision

# The seven parts of a procedure (NĐ 63/2010, khoản 2 Điều 8), in the order the register lists them.
CONTENT_PARTS: tuple[Column, ...] = (
    Column("part_name", "Tên thủ tục", "bool"),
    Column("part_sequence", "Trình tự thực hiện", "bool"),
    Column("part_method", "Cách thức thực hiện", "bool"),
    Column("part_dossier", "Thành phần hồ sơ", "bool"),
    Column("part_time_limit", "Thời hạn giải quyết", "bool"),
    Column("part_applicant", "Đối tượng thực hiện", "bool"),
    Column("part_agency", "Cơ quan thực hiện", "bool"),
)

PUBLICATION_COLUMNS: tuple[Column, ...] = (
    Column("decision_number", "Số quyết định", "text", aliases=("Số QĐ", "Số quyết định công bố")),
    Column("decision_date", "Ngày quyết định", "date", aliases=("Ngày ban hành quyết định", "Ngày ký")),
    Column("procedure_code", "Mã TTHC", "text", aliases=("Mã thủ tục", "Mã thủ tục hành chính")),
    Column("legal_effective_date", "Ngày hiệu lực của văn bản quy định", "date", aliases=("Ngày có hiệu lực",)),
    Column("made_public_date", "Ngày công khai trên CSDLQG", "date", required=False, aliases=("Ngày công khai",)),
    *CONTENT_PARTS,
)
