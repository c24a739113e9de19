"""The daily dossier export of the provincial TTHC system: columns, headers and value vocabularies.

One file a day, ``ho_so_YYYYMMDD.csv``, UTF-8 with BOM, Vietnamese headers, dates ``dd/mm/yyyy HH:MM:SS``.
A dossier appears again in a later day's file whenever its status changes; the latest ``updated_at`` wins.
The generator of the demo inbox and the reader both use this module, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

DOSSIER_FILE_PATTERN = re.compile(r"^ho_so_(\d{8})\.csv$", re.IGNORECASE)
CATALOGUE_FILE_NAME = "danh_muc_tthc.csv"


def dossier_file_name(day: date) -> str:
    return f"ho_so_{day:%Y%m%d}.csv"


@dataclass(frozen=True)
class Column:
    name: str  # canonical name in the warehouse
    header: str  # header the export uses
    kind: str  # text | datetime | int | bool | money | channel | status | rating
    required: bool = True
    personal: bool = False  # citizen's personal data: read only to hash or drop, never stored
    aliases: tuple[str, ...] = ()  # other headers seen for the same column (older exports, other systems)


DOSSIER_COLUMNS: tuple[Column, ...] = (
    Column("dossier_code", "Mã hồ sơ", "text", aliases=("Số hồ sơ", "Ma HS")),
    Column("procedure_code", "Mã TTHC", "text", aliases=("Mã thủ tục", "Mã thủ tục hành chính")),
    Column("receiving_centre", "Nơi tiếp nhận", "text", aliases=("Bộ phận tiếp nhận", "Trung tâm tiếp nhận")),
    Column("resolving_unit", "Cơ quan giải quyết", "text", aliases=("Đơn vị giải quyết", "Cơ quan thực hiện")),
    Column("channel", "Kênh nộp", "channel", aliases=("Hình thức nộp",)),
    Column("received_at", "Ngày tiếp nhận", "datetime", aliases=("Thời gian tiếp nhận",)),
    Column("due_at", "Ngày hẹn trả", "datetime", aliases=("Hạn giải quyết", "Ngày hẹn trả kết quả")),
    Column("completed_at", "Ngày hoàn thành", "datetime", required=False, aliases=("Ngày có kết quả", "Ngày kết thúc xử lý")),
    Column("status", "Trạng thái", "status", aliases=("Tình trạng",)),
    Column("supplement_requests", "Số lần yêu cầu bổ sung", "int", aliases=("Số lần bổ sung",)),
    Column("digitised", "Đã số hóa", "bool", aliases=("Số hóa thành phần hồ sơ",)),
    Column("electronic_result", "Có kết quả điện tử", "bool", aliases=("Kết quả điện tử",)),
    Column("fee_due", "Phí, lệ phí (đồng)", "money", aliases=("Phí lệ phí", "Lệ phí")),
    Column("paid_online", "Thanh toán trực tuyến", "bool", aliases=("Đã thanh toán trực tuyến",)),
    Column("reused_data", "Tái sử dụng dữ liệu số hóa", "bool", aliases=("Tái sử dụng dữ liệu",)),
    Column("citizen_data_used", "Sử dụng dữ liệu dân cư (VNeID)", "bool", aliases=("Sử dụng VNeID", "Dữ liệu dân cư")),
    # Optional: exports made before the column existed still load, the flag is then unknown (NULL), never false.
    Column("synced_to_portal", "Đã đồng bộ Cổng DVCQG", "bool", required=False, aliases=("Đồng bộ DVCQG",)),
    Column("satisfaction", "Đánh giá hài lòng", "rating", required=False, aliases=("Mức độ hài lòng",)),
    Column("updated_at", "Ngày cập nhật", "datetime", aliases=("Thời gian cập nhật",)),
    Column("applicant_name", "Họ tên người nộp", "text", required=False, personal=True, aliases=("Người nộp", "Tên người nộp")),
    Column("applicant_id", "Số CCCD/CMND", "text", required=False, personal=True, aliases=("Số giấy tờ tùy thân", "CCCD")),
    Column("applicant_phone", "Số điện thoại", "text", required=False, personal=True, aliases=("Điện thoại",)),
    Column("applicant_address", "Địa chỉ", "text", required=False, personal=True, aliases=("Địa chỉ người nộp",)),
)

# Channel codes follow the national portal's KenhThucHien: 1 in person, 2 online, 3 public postal service.
CHANNELS: dict[str, str] = {"Trực tiếp": "direct", "Trực tuyến": "online", "Bưu chính công ích": "postal"}
STATUSES: dict[str, str] = {
    "Mới tiếp nhận": "received",
    "Đang xử lý": "processing",
    "Chờ bổ sung": "awaiting_supplement",
    "Đã hoàn thành": "completed",
    "Đã trả kết quả": "returned",
    "Từ chối giải quyết": "refused",
    "Đã rút hồ sơ": "withdrawn",
}
FINISHED_STATUSES = frozenset({"completed", "returned", "refused", "withdrawn"})
RESULT_STATUSES = frozenset({"completed", "returned"})  # finished with a result: must carry a completion time
RATINGS: dict[str, str] = {"Rất hài lòng": "very_satisfied", "Hài lòng": "satisfied", "Không hài lòng": "dissatisfied"}
BOOLEANS: dict[str, bool] = {"Có": True, "Không": False}
DATETIME_FORMAT = "%d/%m/%Y %H:%M:%S"

CATALOGUE_COLUMNS: tuple[Column, ...] = (
    Column("procedure_code", "Mã TTHC", "text"),
    Column("procedure_name", "Tên TTHC", "text"),
    Column("field", "Lĩnh vực", "text"),
    Column("authority_level", "Cấp thực hiện", "text"),
    Column("online_level", "Mức độ DVCTT", "text"),
    Column("fee_bearing", "Có phí, lệ phí", "bool"),
    # Optional: the owning provincial agency (a unit name, matched to a code), the generic COMMUNE_OWNER for
    # commune-level procedures; whether online payment is wired up on the national portal (QĐ 766 3.5a).
    Column("owner_unit", "Cơ quan chủ quản", "text", required=False),
    Column("payment_integrated", "Tích hợp thanh toán trực tuyến", "bool", required=False),
)
COMMUNE_OWNER = "UBND cấp xã"  # owner of commune-level procedures: every commune/ward, not one unit
AUTHORITY_LEVELS: dict[str, str] = {"Cấp tỉnh": "province", "Cấp xã": "commune"}
ONLINE_LEVELS: dict[str, str] = {"Toàn trình": "full", "Một phần": "partial", "Không": "none"}

# Canonical name -> Vietnamese header, over both files (for messages and summaries).
COLUMN_HEADERS: dict[str, str] = {c.name: c.header for c in (*DOSSIER_COLUMNS, *CATALOGUE_COLUMNS)}
