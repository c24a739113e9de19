"""Vietnamese vocabularies of the demo inbox: procedures by agency and field, people's names.

Plain data, no logic. Procedure names follow the style of the national TTHC database; the lists are
illustrative (not the official catalogue of any province) but large enough to give a realistic spread.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldSpec:
    """How the procedures of one field (lĩnh vực) behave."""

    days: tuple[int, int] = (5, 15)  # processing time in working days, min and max
    fee_share: float = 0.5  # share of the field's procedures that bear a fee
    fees: tuple[int, ...] = (50_000, 100_000, 200_000)  # base fee in đồng when fee-bearing
    online: tuple[float, float, float] = (0.45, 0.40, 0.15)  # shares of full / partial / none
    late: float = 1.0  # multiplier of the unit's late rate


# The verbs that turn a licence ("Giấy phép …") into a family of procedures; "Cấp" always comes first.
LICENCE_VERBS: tuple[str, ...] = ("Cấp", "Cấp lại", "Điều chỉnh", "Gia hạn", "Cấp đổi")


@dataclass(frozen=True)
class FieldProcedures:
    field: str
    names: tuple[str, ...] = ()  # complete procedure names
    licences: tuple[str, ...] = ()  # objects combined with LICENCE_VERBS
    top: dict[str, float] = field(default_factory=dict)  # name -> volume weight for the busiest procedures


FIELD_SPECS: dict[str, FieldSpec] = {
    "Hộ tịch": FieldSpec((1, 5), 0.35, (5_000, 8_000, 10_000, 15_000), (0.55, 0.40, 0.05), 0.7),
    "Chứng thực": FieldSpec((0, 0), 1.0, (2_000, 10_000, 30_000, 50_000), (0.25, 0.55, 0.20), 0.3),
    "Đất đai": FieldSpec((5, 30), 0.8, (50_000, 100_000, 300_000, 500_000), (0.20, 0.65, 0.15), 1.8),
    "Đăng ký kinh doanh": FieldSpec((3, 3), 0.8, (50_000, 100_000), (0.75, 0.20, 0.05), 0.6),
    "Đầu tư": FieldSpec((10, 35), 0.1, (0,), (0.40, 0.50, 0.10), 1.5),
    "Khoa học và công nghệ": FieldSpec((10, 30), 0.4, (500_000, 1_000_000, 1_500_000), (0.55, 0.40, 0.05), 1.2),
    "Y tế": FieldSpec((10, 30), 0.7, (300_000, 500_000, 1_000_000), (0.40, 0.45, 0.15), 1.3),
    "Giáo dục": FieldSpec((5, 20), 0.2, (50_000, 100_000), (0.45, 0.45, 0.10), 0.8),
    "Xây dựng": FieldSpec((7, 20), 0.8, (75_000, 150_000, 300_000, 500_000), (0.30, 0.55, 0.15), 1.5),
    "Giao thông": FieldSpec((3, 15), 0.8, (50_000, 100_000, 200_000), (0.55, 0.35, 0.10), 1.0),
    "Tư pháp": FieldSpec((5, 20), 0.6, (100_000, 200_000, 500_000), (0.45, 0.45, 0.10), 1.0),
    "Lý lịch tư pháp": FieldSpec((10, 15), 1.0, (200_000,), (0.90, 0.10, 0.00), 0.8),
    "Lao động": FieldSpec((5, 15), 0.5, (400_000, 600_000), (0.55, 0.40, 0.05), 0.9),
    "Việc làm": FieldSpec((10, 20), 0.0, (0,), (0.45, 0.45, 0.10), 0.9),
    "Người có công": FieldSpec((10, 20), 0.0, (0,), (0.25, 0.55, 0.20), 1.1),
    "Bảo trợ xã hội": FieldSpec((7, 20), 0.0, (0,), (0.25, 0.55, 0.20), 1.0),
    "Thi đua, khen thưởng": FieldSpec((10, 30), 0.0, (0,), (0.10, 0.60, 0.30), 1.2),
    "Thương mại": FieldSpec((7, 15), 0.8, (400_000, 1_200_000, 2_200_000), (0.50, 0.40, 0.10), 1.0),
    "Công nghiệp": FieldSpec((7, 20), 0.8, (300_000, 800_000, 1_200_000), (0.45, 0.45, 0.10), 1.0),
    "Văn hóa": FieldSpec((5, 15), 0.5, (100_000, 300_000, 2_000_000), (0.40, 0.45, 0.15), 0.9),
    "Du lịch": FieldSpec((10, 20), 0.8, (650_000, 3_000_000), (0.50, 0.40, 0.10), 1.0),
    "Thể thao": FieldSpec((7, 15), 0.6, (500_000, 1_000_000), (0.40, 0.45, 0.15), 1.0),
    "Thông tin và Truyền thông": FieldSpec((10, 20), 0.5, (100_000, 500_000), (0.55, 0.40, 0.05), 1.0),
    "Môi trường": FieldSpec((15, 45), 0.7, (1_000_000, 3_000_000, 5_000_000), (0.25, 0.55, 0.20), 1.6),
    "Tài nguyên nước": FieldSpec((15, 30), 1.0, (500_000, 1_500_000), (0.25, 0.60, 0.15), 1.4),
    "Khoáng sản": FieldSpec((30, 60), 1.0, (2_000_000, 5_000_000), (0.15, 0.60, 0.25), 1.6),
    "Nông nghiệp": FieldSpec((5, 15), 0.5, (100_000, 300_000, 500_000), (0.45, 0.45, 0.10), 1.0),
    "Lâm nghiệp": FieldSpec((10, 30), 0.2, (150_000,), (0.25, 0.55, 0.20), 1.3),
    "Tài chính": FieldSpec((5, 20), 0.1, (0,), (0.40, 0.50, 0.10), 1.0),
    "Nội vụ": FieldSpec((10, 30), 0.1, (100_000,), (0.30, 0.55, 0.15), 1.1),
    "Tôn giáo": FieldSpec((5, 30), 0.0, (0,), (0.25, 0.55, 0.20), 1.0),
    "Dân tộc": FieldSpec((10, 20), 0.0, (0,), (0.10, 0.60, 0.30), 1.0),
    "Thanh tra": FieldSpec((30, 45), 0.0, (0,), (0.00, 0.40, 0.60), 1.5),
    "Ngoại vụ": FieldSpec((5, 15), 0.0, (0,), (0.40, 0.50, 0.10), 1.0),
    "Xuất nhập cảnh": FieldSpec((5, 8), 1.0, (200_000, 500_000), (0.75, 0.20, 0.05), 0.6),
    "Căn cước": FieldSpec((5, 7), 0.6, (30_000, 50_000, 70_000), (0.55, 0.40, 0.05), 0.5),
    "Phòng cháy, chữa cháy": FieldSpec((10, 15), 0.3, (100_000,), (0.20, 0.60, 0.20), 1.2),
    "An ninh, trật tự": FieldSpec((5, 10), 0.6, (300_000,), (0.45, 0.45, 0.10), 1.0),
    "Đăng ký xe": FieldSpec((2, 5), 1.0, (150_000, 500_000, 2_000_000), (0.45, 0.50, 0.05), 0.6),
    "Nuôi con nuôi": FieldSpec((15, 30), 1.0, (400_000,), (0.10, 0.70, 0.20), 1.0),
}

# Keyed by the agency code without its province prefix ("19.SYT" -> "SYT"), so another province's
# agency list with the same abbreviations gets the same procedures.
PROVINCE_PROCEDURES: dict[str, tuple[FieldProcedures, ...]] = {
    "SNNMT": (
        FieldProcedures(
            "Đất đai",
            names=(
                "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
                "Đăng ký đất đai, tài sản gắn liền với đất lần đầu đối với tổ chức",
                "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
                "Xóa đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
                "Giao đất, cho thuê đất đối với tổ chức",
                "Chuyển mục đích sử dụng đất đối với tổ chức",
                "Gia hạn sử dụng đất ngoài khu công nghệ cao, khu kinh tế",
                "Thu hồi đất do chấm dứt việc sử dụng đất theo pháp luật",
                "Cung cấp thông tin, dữ liệu đất đai",
                "Tách thửa hoặc hợp thửa đất",
                "Đính chính Giấy chứng nhận đã cấp",
                "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
                "Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất",
                "Thẩm định nhu cầu sử dụng đất để xem xét giao đất, cho thuê đất",
                "Điều chỉnh quyết định giao đất, cho thuê đất, cho phép chuyển mục đích sử dụng đất",
                "Xóa đăng ký cho thuê, cho thuê lại quyền sử dụng đất",
            ),
            top={
                "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất": 40,
                "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất": 25,
                "Xóa đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất": 18,
                "Cung cấp thông tin, dữ liệu đất đai": 10,
            },
        ),
        FieldProcedures(
            "Môi trường",
            names=(
                "Thẩm định báo cáo đánh giá tác động môi trường",
                "Vận hành thử nghiệm công trình xử lý chất thải",
                "Đăng ký chủ nguồn thải chất thải nguy hại",
                "Chấp thuận tách đấu nối khỏi hệ thống xử lý nước thải tập trung",
            ),
            licences=("giấy phép môi trường",),
        ),
        FieldProcedures(
            "Tài nguyên nước",
            licences=(
                "giấy phép khai thác nước dưới đất",
                "giấy phép khai thác, sử dụng nước mặt",
                "giấy phép xả nước thải vào nguồn nước",
                "giấy phép thăm dò nước dưới đất",
                "giấy phép hành nghề khoan nước dưới đất",
            ),
        ),
        FieldProcedures(
            "Khoáng sản",
            names=(
                "Đóng cửa mỏ khoáng sản",
                "Phê duyệt trữ lượng khoáng sản",
                "Tính tiền cấp quyền khai thác khoáng sản",
            ),
            licences=("giấy phép thăm dò khoáng sản", "giấy phép khai thác khoáng sản"),
        ),
        FieldProcedures(
            "Nông nghiệp",
            names=(
                "Công nhận cây đầu dòng, vườn cây đầu dòng",
                "Cấp mã số vùng trồng",
                "Kiểm dịch động vật, sản phẩm động vật vận chuyển ra khỏi địa bàn cấp tỉnh",
                "Công nhận doanh nghiệp nông nghiệp ứng dụng công nghệ cao",
            ),
            licences=(
                "Giấy chứng nhận đủ điều kiện buôn bán phân bón",
                "Giấy chứng nhận đủ điều kiện buôn bán thuốc bảo vệ thực vật",
                "Giấy chứng nhận đủ điều kiện chăn nuôi",
                "Giấy chứng nhận cơ sở an toàn dịch bệnh động vật",
                "Giấy chứng nhận đủ điều kiện vệ sinh thú y",
                "Chứng chỉ hành nghề thú y",
                "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông lâm thủy sản",
                "Giấy phép hoạt động trong phạm vi bảo vệ công trình thủy lợi",
            ),
            top={"Kiểm dịch động vật, sản phẩm động vật vận chuyển ra khỏi địa bàn cấp tỉnh": 8},
        ),
        FieldProcedures(
            "Lâm nghiệp",
            names=(
                "Phê duyệt phương án quản lý rừng bền vững",
                "Chuyển loại rừng",
                "Đăng ký mã số cơ sở nuôi, trồng các loài động vật, thực vật hoang dã",
                "Xác nhận bảng kê lâm sản",
            ),
        ),
    ),
    "STC": (
        FieldProcedures(
            "Đăng ký kinh doanh",
            names=(
                "Đăng ký thành lập doanh nghiệp tư nhân",
                "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên",
                "Đăng ký thành lập công ty trách nhiệm hữu hạn hai thành viên trở lên",
                "Đăng ký thành lập công ty cổ phần",
                "Đăng ký thay đổi địa chỉ trụ sở chính của doanh nghiệp",
                "Đăng ký thay đổi người đại diện theo pháp luật",
                "Đăng ký thay đổi vốn điều lệ, tỷ lệ vốn góp",
                "Đăng ký thay đổi thành viên công ty trách nhiệm hữu hạn",
                "Thông báo thay đổi ngành, nghề kinh doanh",
                "Đăng ký hoạt động chi nhánh, văn phòng đại diện, địa điểm kinh doanh",
                "Thông báo tạm ngừng kinh doanh",
                "Giải thể doanh nghiệp",
                "Chấm dứt hoạt động chi nhánh, văn phòng đại diện, địa điểm kinh doanh",
                "Cấp lại Giấy chứng nhận đăng ký doanh nghiệp",
                "Hiệu đính thông tin đăng ký doanh nghiệp",
                "Chuyển đổi công ty trách nhiệm hữu hạn thành công ty cổ phần",
                "Đăng ký thành lập hợp tác xã",
                "Đăng ký thay đổi nội dung đăng ký hợp tác xã",
            ),
            top={
                "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên": 12,
                "Thông báo thay đổi ngành, nghề kinh doanh": 10,
                "Đăng ký thay đổi người đại diện theo pháp luật": 6,
                "Thông báo tạm ngừng kinh doanh": 6,
            },
        ),
        FieldProcedures(
            "Đầu tư",
            names=(
                "Chấp thuận chủ trương đầu tư của Ủy ban nhân dân tỉnh",
                "Cấp Giấy chứng nhận đăng ký đầu tư",
                "Điều chỉnh Giấy chứng nhận đăng ký đầu tư",
                "Gia hạn thời hạn hoạt động của dự án đầu tư",
                "Chấm dứt hoạt động dự án đầu tư",
                "Thành lập văn phòng điều hành của nhà đầu tư nước ngoài",
                "Đăng ký góp vốn, mua cổ phần, mua phần vốn góp của nhà đầu tư nước ngoài",
                "Thẩm định kế hoạch lựa chọn nhà thầu",
                "Thẩm định hồ sơ mời thầu",
            ),
        ),
        FieldProcedures(
            "Tài chính",
            names=(
                "Mua sắm tài sản công",
                "Thanh lý tài sản công",
                "Điều chuyển tài sản công",
                "Xác lập quyền sở hữu toàn dân về tài sản",
                "Đăng ký giá",
                "Kê khai giá",
                "Hiệp thương giá",
                "Cấp mã số đơn vị có quan hệ với ngân sách",
                "Quyết toán dự án hoàn thành",
                "Thẩm tra quyết toán vốn đầu tư công",
            ),
        ),
    ),
    "SXD": (
        FieldProcedures(
            "Xây dựng",
            names=(
                "Thẩm định báo cáo nghiên cứu khả thi đầu tư xây dựng",
                "Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở",
                "Kiểm tra công tác nghiệm thu hoàn thành công trình",
                "Cho thuê nhà ở công vụ",
                "Mua bán nhà ở xã hội",
                "Công nhận chủ đầu tư dự án đầu tư xây dựng nhà ở",
                "Thông báo nhà ở hình thành trong tương lai đủ điều kiện được bán",
                "Thẩm định nhiệm vụ quy hoạch chi tiết",
                "Thẩm định đồ án quy hoạch chi tiết",
                "Cung cấp thông tin về quy hoạch xây dựng",
                "Cấp giấy phép chặt hạ, dịch chuyển cây xanh",
            ),
            licences=(
                "giấy phép xây dựng công trình",
                "chứng chỉ hành nghề hoạt động xây dựng",
                "chứng chỉ năng lực hoạt động xây dựng",
                "chứng chỉ hành nghề môi giới bất động sản",
            ),
            top={"Cấp chứng chỉ hành nghề hoạt động xây dựng": 6, "Cấp giấy phép xây dựng công trình": 5},
        ),
        FieldProcedures(
            "Giao thông",
            names=(
                "Chấp thuận thiết kế nút giao đấu nối vào quốc lộ",
                "Công bố đưa bến xe khách vào khai thác",
                "Đăng ký khai thác tuyến vận tải hành khách cố định",
            ),
            licences=(
                "giấy phép liên vận",
                "giấy phép kinh doanh vận tải bằng xe ô tô",
                "phù hiệu xe ô tô kinh doanh vận tải",
                "giấy phép thi công công trình trên đường bộ đang khai thác",
                "giấy phép lưu hành xe quá tải trọng, xe quá khổ giới hạn",
            ),
            top={"Cấp phù hiệu xe ô tô kinh doanh vận tải": 15},
        ),
    ),
    "SCT": (
        FieldProcedures(
            "Thương mại",
            names=(
                "Đăng ký tổ chức hội chợ, triển lãm thương mại",
                "Đăng ký thực hiện khuyến mại",
                "Đăng ký hoạt động bán hàng đa cấp tại địa phương",
                "Thông báo hoạt động khuyến mại",
            ),
            licences=(
                "Giấy phép bán buôn sản phẩm rượu",
                "Giấy phép bán lẻ sản phẩm thuốc lá",
                "Giấy phép thành lập Văn phòng đại diện của thương nhân nước ngoài",
                "Giấy phép lập cơ sở bán lẻ",
                "Giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu",
                "Giấy xác nhận đủ điều kiện làm tổng đại lý kinh doanh xăng dầu",
                "Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai",
            ),
            top={"Thông báo hoạt động khuyến mại": 20},
        ),
        FieldProcedures(
            "Công nghiệp",
            names=(
                "Huấn luyện và cấp thẻ an toàn điện",
                "Thẩm định thiết kế cơ sở dự án công nghiệp",
            ),
            licences=(
                "giấy phép hoạt động phân phối điện",
                "giấy phép hoạt động bán lẻ điện",
                "Giấy chứng nhận đủ điều kiện sản xuất hóa chất",
                "Giấy chứng nhận đủ điều kiện kinh doanh hóa chất",
                "giấy phép sử dụng vật liệu nổ công nghiệp",
                "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm thuộc ngành công thương",
            ),
        ),
    ),
    "SYT": (
        FieldProcedures(
            "Y tế",
            names=(
                "Cho phép mua thuốc gây nghiện, thuốc hướng thần, thuốc tiền chất",
                "Đánh giá đáp ứng thực hành tốt phân phối thuốc",
                "Công bố đủ điều kiện thực hiện khám sức khỏe",
                "Công bố cơ sở đủ điều kiện tiêm chủng",
                "Đăng ký bản công bố sản phẩm thực phẩm",
                "Xác nhận nội dung quảng cáo thực phẩm",
                "Công bố đủ điều kiện mua bán trang thiết bị y tế",
                "Công bố tiêu chuẩn áp dụng đối với trang thiết bị y tế",
                "Khám giám định y khoa",
                "Khám giám định lại y khoa",
                "Cấp giấy chứng nhận bệnh nghề nghiệp",
            ),
            licences=(
                "giấy phép hành nghề khám bệnh, chữa bệnh",
                "giấy phép hoạt động phòng khám đa khoa",
                "giấy phép hoạt động phòng khám chuyên khoa",
                "giấy phép hoạt động cơ sở dịch vụ y tế",
                "chứng chỉ hành nghề dược",
                "Giấy chứng nhận đủ điều kiện kinh doanh dược",
                "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở sản xuất thực phẩm",
            ),
            top={
                "Cấp chứng chỉ hành nghề dược": 10,
                "Cấp giấy phép hành nghề khám bệnh, chữa bệnh": 12,
                "Khám giám định y khoa": 8,
            },
        ),
        FieldProcedures(
            "Bảo trợ xã hội",
            names=(
                "Thành lập cơ sở trợ giúp xã hội công lập",
                "Cấp giấy phép hoạt động cơ sở trợ giúp xã hội",
                "Tiếp nhận đối tượng bảo trợ xã hội vào cơ sở trợ giúp xã hội",
                "Giải thể cơ sở trợ giúp xã hội",
            ),
        ),
    ),
    "SGDDT": (
        FieldProcedures(
            "Giáo dục",
            names=(
                "Cho phép trường trung học phổ thông hoạt động giáo dục",
                "Thành lập trường trung học phổ thông",
                "Sáp nhập, chia, tách trường trung học phổ thông",
                "Cho phép trung tâm ngoại ngữ, tin học hoạt động giáo dục",
                "Cấp phép hoạt động giáo dục kỹ năng sống",
                "Chuyển trường đối với học sinh trung học phổ thông",
                "Xin học lại tại trường khác đối với học sinh trung học",
                "Đăng ký dự thi tốt nghiệp trung học phổ thông",
                "Phúc khảo bài thi tốt nghiệp trung học phổ thông",
                "Công nhận trường đạt chuẩn quốc gia",
                "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
                "Chỉnh sửa nội dung văn bằng, chứng chỉ",
                "Công nhận văn bằng tốt nghiệp do cơ sở giáo dục nước ngoài cấp",
                "Xác minh văn bằng, chứng chỉ",
                "Thành lập trung tâm giáo dục nghề nghiệp",
                "Cấp giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp",
                "Cho phép thành lập trường trung cấp",
                "Cấp bản sao văn bằng trung cấp",
            ),
            top={
                "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc": 20,
                "Đăng ký dự thi tốt nghiệp trung học phổ thông": 10,
                "Chuyển trường đối với học sinh trung học phổ thông": 6,
            },
        ),
    ),
    "SKHCN": (
        FieldProcedures(
            "Khoa học và công nghệ",
            names=(
                "Đăng ký kết quả thực hiện nhiệm vụ khoa học và công nghệ",
                "Giao quyền sở hữu, quyền sử dụng kết quả nghiên cứu khoa học",
                "Đăng ký hợp đồng chuyển giao công nghệ",
                "Thẩm định công nghệ dự án đầu tư",
                "Xét tiến hành nhiệm vụ khoa học và công nghệ cấp tỉnh",
                "Đăng ký công bố hợp chuẩn",
                "Đăng ký công bố hợp quy",
                "Kiểm tra nhà nước về chất lượng hàng hóa nhập khẩu",
                "Chứng nhận chuẩn đo lường",
                "Công nhận sáng kiến",
                "Hỗ trợ đăng ký bảo hộ quyền sở hữu công nghiệp",
                "Khai báo thiết bị X-quang chẩn đoán trong y tế",
            ),
            licences=(
                "Giấy chứng nhận doanh nghiệp khoa học và công nghệ",
                "Giấy chứng nhận đăng ký hoạt động khoa học và công nghệ",
                "giấy phép tiến hành công việc bức xạ",
                "chứng chỉ nhân viên bức xạ",
            ),
            top={
                "Kiểm tra nhà nước về chất lượng hàng hóa nhập khẩu": 10,
                "Đăng ký công bố hợp quy": 5,
                "Cấp giấy phép tiến hành công việc bức xạ": 4,
            },
        ),
        FieldProcedures(
            "Thông tin và Truyền thông",
            licences=(
                "giấy phép bưu chính",
                "giấy phép thiết lập trang thông tin điện tử tổng hợp",
                "Giấy chứng nhận đăng ký cung cấp dịch vụ trò chơi điện tử",
            ),
        ),
    ),
    "STP": (
        FieldProcedures(
            "Lý lịch tư pháp",
            names=(
                "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
                "Cấp Phiếu lý lịch tư pháp cho cơ quan tiến hành tố tụng",
                "Cấp Phiếu lý lịch tư pháp cho cơ quan nhà nước, tổ chức chính trị, tổ chức chính trị - xã hội",
            ),
            top={"Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam": 60},
        ),
        FieldProcedures(
            "Tư pháp",
            names=(
                "Thành lập Văn phòng công chứng",
                "Đăng ký hoạt động Văn phòng công chứng",
                "Bổ nhiệm công chứng viên",
                "Chuyển nhượng Văn phòng công chứng",
                "Đăng ký hoạt động của tổ chức hành nghề luật sư",
                "Thay đổi nội dung đăng ký hoạt động của tổ chức hành nghề luật sư",
                "Đăng ký hành nghề luật sư với tư cách cá nhân",
                "Đăng ký hoạt động doanh nghiệp đấu giá tài sản",
                "Cấp Thẻ đấu giá viên",
                "Yêu cầu trợ giúp pháp lý",
                "Bổ nhiệm giám định viên tư pháp",
                "Đăng ký hoạt động Văn phòng giám định tư pháp",
                "Đăng ký hoạt động Trung tâm hòa giải thương mại",
                "Bổ nhiệm Thừa phát lại",
                "Thành lập Văn phòng Thừa phát lại",
                "Xin nhập quốc tịch Việt Nam",
                "Xin thôi quốc tịch Việt Nam",
                "Xin trở lại quốc tịch Việt Nam",
                "Cấp Giấy xác nhận có quốc tịch Việt Nam",
            ),
            licences=("Thẻ công chứng viên",),
        ),
        FieldProcedures(
            "Nuôi con nuôi", names=("Giải quyết việc người nước ngoài thường trú ở nước ngoài nhận trẻ em Việt Nam làm con nuôi",)
        ),
    ),
    "SNV": (
        FieldProcedures(
            "Lao động",
            names=(
                "Xác nhận người lao động nước ngoài không thuộc diện cấp giấy phép lao động",
                "Đăng ký nội quy lao động của doanh nghiệp",
                "Đăng ký hợp đồng nhận lao động thực tập",
                "Báo cáo giải trình nhu cầu sử dụng người lao động nước ngoài",
                "Khai báo máy, thiết bị có yêu cầu nghiêm ngặt về an toàn lao động",
            ),
            licences=(
                "giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam",
                "giấy phép hoạt động cho thuê lại lao động",
            ),
            top={"Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam": 8},
        ),
        FieldProcedures(
            "Việc làm",
            names=(
                "Giải quyết hưởng trợ cấp thất nghiệp",
                "Tạm dừng hưởng trợ cấp thất nghiệp",
                "Chuyển nơi hưởng trợ cấp thất nghiệp",
                "Hỗ trợ học nghề cho người lao động đang hưởng trợ cấp thất nghiệp",
                "Cấp giấy phép hoạt động dịch vụ việc làm",
            ),
            top={"Giải quyết hưởng trợ cấp thất nghiệp": 40, "Tạm dừng hưởng trợ cấp thất nghiệp": 12},
        ),
        FieldProcedures(
            "Người có công",
            names=(
                "Công nhận và giải quyết chế độ ưu đãi người hoạt động kháng chiến bị nhiễm chất độc hóa học",
                "Giải quyết chế độ trợ cấp một lần đối với người có công",
                "Cấp bổ sung hoặc cấp lại giấy chứng nhận người có công",
                "Di chuyển hồ sơ người có công với cách mạng",
                "Xác nhận thông tin về liệt sĩ",
            ),
        ),
        FieldProcedures(
            "Thi đua, khen thưởng",
            names=(
                "Tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
                "Tặng danh hiệu Chiến sĩ thi đua cấp tỉnh",
                "Tặng Cờ thi đua của Ủy ban nhân dân tỉnh",
                "Tặng danh hiệu Tập thể lao động xuất sắc",
            ),
        ),
        FieldProcedures(
            "Nội vụ",
            names=(
                "Công nhận ban vận động thành lập hội",
                "Thành lập hội",
                "Phê duyệt điều lệ hội",
                "Cấp giấy phép thành lập và công nhận điều lệ quỹ xã hội, quỹ từ thiện",
                "Phục vụ việc sử dụng tài liệu của độc giả tại phòng đọc",
                "Cấp bản sao và chứng thực tài liệu lưu trữ",
                "Thi tuyển công chức",
                "Xét tuyển viên chức",
                "Tiếp nhận vào làm công chức",
            ),
        ),
    ),
    "SVHTTDL": (
        FieldProcedures(
            "Văn hóa",
            names=(
                "Xếp hạng di tích cấp tỉnh",
                "Đăng ký di vật, cổ vật, bảo vật quốc gia",
                "Cho phép họp báo",
                "Tiếp nhận thông báo sản phẩm quảng cáo trên bảng quảng cáo, băng-rôn",
                "Cấp Giấy chứng nhận đăng ký hoạt động cơ sở hỗ trợ nạn nhân bạo lực gia đình",
                "Tiếp nhận hồ sơ thông báo tổ chức biểu diễn nghệ thuật",
            ),
            licences=(
                "giấy phép kinh doanh dịch vụ karaoke",
                "giấy phép kinh doanh dịch vụ vũ trường",
                "giấy phép xuất bản bản tin",
                "giấy phép hoạt động in",
            ),
        ),
        FieldProcedures(
            "Thể thao",
            names=("Công nhận câu lạc bộ thể thao chuyên nghiệp",),
            licences=("Giấy chứng nhận đủ điều kiện kinh doanh hoạt động thể thao",),
        ),
        FieldProcedures(
            "Du lịch",
            names=("Công nhận hạng cơ sở lưu trú du lịch", "Công nhận điểm du lịch"),
            licences=(
                "giấy phép kinh doanh dịch vụ lữ hành nội địa",
                "thẻ hướng dẫn viên du lịch",
            ),
        ),
    ),
    "SDTTG": (
        FieldProcedures(
            "Tôn giáo",
            names=(
                "Đăng ký thuyên chuyển chức sắc, chức việc, nhà tu hành",
                "Đề nghị tổ chức đại hội của tổ chức tôn giáo",
                "Đăng ký hoạt động tôn giáo ở nhiều xã",
                "Thông báo người được phong phẩm hoặc suy cử làm chức sắc",
                "Đề nghị mời tổ chức, cá nhân nước ngoài vào Việt Nam thực hiện hoạt động tôn giáo",
                "Đăng ký mở lớp bồi dưỡng về tôn giáo",
                "Công nhận tổ chức tôn giáo cơ sở",
            ),
        ),
        FieldProcedures(
            "Dân tộc",
            names=(
                "Công nhận người có uy tín trong đồng bào dân tộc thiểu số",
                "Đưa ra khỏi danh sách người có uy tín trong đồng bào dân tộc thiểu số",
                "Xác định thôn đặc biệt khó khăn vùng đồng bào dân tộc thiểu số",
            ),
        ),
    ),
    "TTT": (
        FieldProcedures(
            "Thanh tra",
            names=(
                "Tiếp công dân tại cấp tỉnh",
                "Giải quyết khiếu nại lần đầu tại cấp tỉnh",
                "Giải quyết khiếu nại lần hai tại cấp tỉnh",
                "Giải quyết tố cáo tại cấp tỉnh",
                "Xử lý đơn tại cấp tỉnh",
            ),
        ),
    ),
    "BQLKCN": (
        FieldProcedures(
            "Đầu tư",
            names=(
                "Cấp Giấy chứng nhận đăng ký đầu tư đối với dự án trong khu công nghiệp",
                "Điều chỉnh Giấy chứng nhận đăng ký đầu tư đối với dự án trong khu công nghiệp",
                "Chấp thuận chủ trương đầu tư của Ban Quản lý các khu công nghiệp",
                "Chấm dứt hoạt động dự án đầu tư trong khu công nghiệp",
            ),
        ),
        FieldProcedures(
            "Lao động",
            names=(
                "Đăng ký nội quy lao động của doanh nghiệp trong khu công nghiệp",
                "Xác nhận người lao động nước ngoài không thuộc diện cấp giấy phép lao động trong khu công nghiệp",
            ),
            licences=("giấy phép lao động cho người nước ngoài làm việc trong khu công nghiệp",),
            top={"Cấp giấy phép lao động cho người nước ngoài làm việc trong khu công nghiệp": 10},
        ),
        FieldProcedures(
            "Xây dựng",
            names=("Thẩm định thiết kế xây dựng công trình trong khu công nghiệp",),
            licences=("giấy phép xây dựng công trình trong khu công nghiệp",),
        ),
        FieldProcedures(
            "Thương mại",
            names=(
                "Cấp Giấy chứng nhận xuất xứ hàng hóa ưu đãi (C/O)",
                "Cấp giấy phép kinh doanh cho tổ chức kinh tế có vốn đầu tư nước ngoài",
            ),
            top={"Cấp Giấy chứng nhận xuất xứ hàng hóa ưu đãi (C/O)": 25},
        ),
        FieldProcedures("Môi trường", names=("Cấp giấy phép môi trường đối với dự án trong khu công nghiệp",)),
    ),
    "VPUBND": (
        FieldProcedures(
            "Ngoại vụ",
            names=(
                "Cho phép sử dụng thẻ đi lại của doanh nhân APEC",
                "Cho phép tổ chức hội nghị, hội thảo quốc tế",
                "Tiếp nhận, phê duyệt khoản viện trợ không hoàn lại không thuộc hỗ trợ phát triển chính thức",
                "Cử cán bộ, công chức đi công tác nước ngoài",
                "Đón tiếp đoàn khách nước ngoài",
            ),
        ),
    ),
    "CAT": (
        FieldProcedures(
            "Xuất nhập cảnh",
            names=(
                "Cấp hộ chiếu phổ thông ở trong nước",
                "Cấp thị thực cho người nước ngoài tại Việt Nam",
                "Gia hạn tạm trú cho người nước ngoài",
                "Cấp thẻ tạm trú cho người nước ngoài",
                "Khai báo tạm trú cho người nước ngoài tại Việt Nam",
            ),
            top={"Cấp hộ chiếu phổ thông ở trong nước": 50},
        ),
        FieldProcedures(
            "Phòng cháy, chữa cháy",
            names=(
                "Thẩm định thiết kế về phòng cháy và chữa cháy",
                "Nghiệm thu về phòng cháy và chữa cháy",
                "Cấp Giấy chứng nhận huấn luyện nghiệp vụ phòng cháy, chữa cháy",
            ),
        ),
        FieldProcedures(
            "An ninh, trật tự",
            names=(
                "Cấp Giấy chứng nhận đủ điều kiện về an ninh, trật tự",
                "Cấp đổi Giấy chứng nhận đủ điều kiện về an ninh, trật tự",
                "Đăng ký mẫu con dấu mới",
                "Đăng ký thêm con dấu",
                "Cấp giấy phép sử dụng vũ khí thô sơ",
                "Cấp giấy phép sử dụng công cụ hỗ trợ",
            ),
        ),
        FieldProcedures(
            "Đăng ký xe",
            names=(
                "Đăng ký xe lần đầu",
                "Cấp đổi chứng nhận đăng ký xe, biển số xe",
                "Thu hồi chứng nhận đăng ký xe, biển số xe",
                "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp",
            ),
            top={"Đổi giấy phép lái xe do ngành Giao thông vận tải cấp": 20, "Đăng ký xe lần đầu": 15},
        ),
        FieldProcedures(
            "Căn cước",
            names=(
                "Cấp thẻ căn cước",
                "Cấp đổi thẻ căn cước",
                "Cấp lại thẻ căn cước",
                "Xác nhận số chứng minh nhân dân, số định danh cá nhân",
            ),
        ),
    ),
}

# Provincial procedures per agency: the catalogue is filled up to these counts (about 450 in all).
PROVINCE_TARGETS: dict[str, int] = {
    "SNNMT": 70,
    "STC": 45,
    "SXD": 45,
    "SCT": 40,
    "SYT": 45,
    "SGDDT": 20,
    "SKHCN": 35,
    "STP": 30,
    "SNV": 40,
    "SVHTTDL": 30,
    "SDTTG": 10,
    "TTT": 5,
    "BQLKCN": 20,
    "VPUBND": 5,
    "CAT": 30,
}

COMMUNE_PROCEDURES: tuple[FieldProcedures, ...] = (
    FieldProcedures(
        "Hộ tịch",
        names=(
            "Đăng ký khai sinh",
            "Đăng ký kết hôn",
            "Đăng ký khai tử",
            "Đăng ký nhận cha, mẹ, con",
            "Đăng ký khai sinh kết hợp nhận cha, mẹ, con",
            "Đăng ký lại khai sinh",
            "Đăng ký lại kết hôn",
            "Đăng ký lại khai tử",
            "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
            "Cấp Giấy xác nhận tình trạng hôn nhân",
            "Cấp bản sao trích lục hộ tịch",
            "Đăng ký giám hộ",
            "Đăng ký chấm dứt giám hộ",
            "Đăng ký khai sinh lưu động",
            "Đăng ký kết hôn lưu động",
            "Đăng ký khai tử lưu động",
            "Đăng ký khai sinh cho người đã có hồ sơ, giấy tờ cá nhân",
            "Ghi vào Sổ hộ tịch việc thay đổi hộ tịch theo bản án, quyết định của cơ quan nhà nước có thẩm quyền",
            "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
            "Liên thông thủ tục hành chính về đăng ký khai tử, xóa đăng ký thường trú, hưởng chế độ tử tuất",
            "Đăng ký khai sinh có yếu tố nước ngoài",
            "Đăng ký kết hôn có yếu tố nước ngoài",
            "Đăng ký khai tử có yếu tố nước ngoài",
            "Ghi vào Sổ hộ tịch việc kết hôn của công dân Việt Nam đã được giải quyết tại cơ quan có thẩm quyền của nước ngoài",
            "Ghi vào Sổ hộ tịch việc ly hôn, hủy việc kết hôn đã được giải quyết tại cơ quan có thẩm quyền của nước ngoài",
        ),
        top={
            "Đăng ký khai sinh": 40,
            "Cấp Giấy xác nhận tình trạng hôn nhân": 35,
            "Cấp bản sao trích lục hộ tịch": 30,
            "Đăng ký khai tử": 15,
            "Đăng ký kết hôn": 14,
            "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi": 20,
            "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch": 6,
        },
    ),
    FieldProcedures(
        "Chứng thực",
        names=(
            "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp hoặc chứng nhận",
            "Chứng thực chữ ký trong các giấy tờ, văn bản",
            "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, nhà ở",
            "Chứng thực di chúc",
            "Chứng thực văn bản từ chối nhận di sản",
            "Chứng thực văn bản thỏa thuận phân chia di sản",
            "Chứng thực văn bản khai nhận di sản",
            "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
            "Sửa lỗi sai sót trong hợp đồng, giao dịch",
            "Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực",
            "Chứng thực chữ ký người dịch",
            "Chứng thực bản sao điện tử từ bản chính",
        ),
        top={
            "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp hoặc chứng nhận": 220,
            "Chứng thực chữ ký trong các giấy tờ, văn bản": 45,
            "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất, nhà ở": 25,
            "Chứng thực bản sao điện tử từ bản chính": 35,
        },
    ),
    FieldProcedures(
        "Đất đai",
        names=(
            "Đăng ký đất đai, tài sản gắn liền với đất lần đầu đối với hộ gia đình, cá nhân",
            "Đăng ký biến động quyền sử dụng đất đối với hộ gia đình, cá nhân",
            "Giao đất, cho thuê đất đối với hộ gia đình, cá nhân",
            "Chuyển mục đích sử dụng đất đối với hộ gia đình, cá nhân",
            "Thu hồi đất vì mục đích quốc phòng, an ninh, phát triển kinh tế - xã hội",
            "Hòa giải tranh chấp đất đai",
            "Xác nhận tiếp tục sử dụng đất nông nghiệp của hộ gia đình, cá nhân",
            "Gia hạn sử dụng đất nông nghiệp của hộ gia đình, cá nhân",
            "Cấp đổi Giấy chứng nhận quyền sử dụng đất cho hộ gia đình, cá nhân",
            "Đính chính Giấy chứng nhận đã cấp cho hộ gia đình, cá nhân",
        ),
        top={
            "Đăng ký biến động quyền sử dụng đất đối với hộ gia đình, cá nhân": 20,
            "Cấp đổi Giấy chứng nhận quyền sử dụng đất cho hộ gia đình, cá nhân": 8,
            "Đăng ký đất đai, tài sản gắn liền với đất lần đầu đối với hộ gia đình, cá nhân": 6,
        },
    ),
    FieldProcedures(
        "Đăng ký kinh doanh",
        names=(
            "Đăng ký thành lập hộ kinh doanh",
            "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
            "Thông báo tạm ngừng kinh doanh, tiếp tục kinh doanh trước thời hạn của hộ kinh doanh",
            "Chấm dứt hoạt động hộ kinh doanh",
            "Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh",
            "Đăng ký thành lập tổ hợp tác",
        ),
        top={"Đăng ký thành lập hộ kinh doanh": 10, "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh": 5},
    ),
    FieldProcedures(
        "Bảo trợ xã hội",
        names=(
            "Trợ cấp xã hội hàng tháng, hỗ trợ kinh phí chăm sóc, nuôi dưỡng hàng tháng",
            "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng",
            "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
            "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
            "Đăng ký hoạt động đối với cơ sở trợ giúp xã hội dưới 10 đối tượng có hoàn cảnh khó khăn",
            "Trợ giúp xã hội khẩn cấp về hỗ trợ làm nhà ở, sửa chữa nhà ở",
            "Công nhận hộ nghèo, hộ cận nghèo phát sinh trong năm",
            "Công nhận hộ thoát nghèo, hộ thoát cận nghèo trong năm",
            "Chi trả trợ cấp xã hội hàng tháng khi đối tượng thay đổi nơi cư trú",
            "Đăng ký thành lập cơ sở trợ giúp xã hội ngoài công lập thuộc thẩm quyền cấp xã",
            "Hỗ trợ học văn hóa, học nghề, trợ cấp một lần cho người sau cai nghiện ma túy",
            "Quyết định áp dụng biện pháp giáo dục tại xã, phường",
        ),
        top={
            "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật": 4,
            "Trợ cấp xã hội hàng tháng, hỗ trợ kinh phí chăm sóc, nuôi dưỡng hàng tháng": 6,
        },
    ),
    FieldProcedures(
        "Người có công",
        names=(
            "Giải quyết chế độ mai táng phí đối với cựu chiến binh",
            "Cấp giấy giới thiệu đi thăm viếng mộ liệt sĩ và hỗ trợ thăm viếng mộ liệt sĩ",
            "Hỗ trợ người có công với cách mạng cải thiện nhà ở",
            "Lập sổ theo dõi, cấp phương tiện trợ giúp, dụng cụ chỉnh hình",
            "Giải quyết chế độ trợ cấp thờ cúng liệt sĩ",
            "Giải quyết chế độ ưu đãi đối với thân nhân liệt sĩ",
            "Đề nghị cấp Giấy chứng nhận và giải quyết chế độ ưu đãi đối với thân nhân liệt sĩ",
            "Giải quyết trợ cấp tuất hằng tháng khi người có công từ trần",
            "Di chuyển hồ sơ người có công với cách mạng trong tỉnh",
            "Xác nhận vào đơn đề nghị di chuyển hài cốt liệt sĩ",
        ),
    ),
    FieldProcedures(
        "Xây dựng",
        names=(
            "Cấp giấy phép xây dựng nhà ở riêng lẻ",
            "Cấp giấy phép sửa chữa, cải tạo nhà ở riêng lẻ",
            "Cấp giấy phép di dời công trình",
            "Điều chỉnh giấy phép xây dựng nhà ở riêng lẻ",
            "Gia hạn giấy phép xây dựng nhà ở riêng lẻ",
            "Cấp lại giấy phép xây dựng nhà ở riêng lẻ",
            "Thông báo khởi công xây dựng công trình",
        ),
        top={"Cấp giấy phép xây dựng nhà ở riêng lẻ": 8},
    ),
    FieldProcedures(
        "Giáo dục",
        names=(
            "Thành lập trường mầm non",
            "Cho phép trường mầm non hoạt động giáo dục",
            "Sáp nhập, chia, tách trường mầm non",
            "Thành lập nhóm trẻ, lớp mẫu giáo độc lập",
            "Chuyển trường đối với học sinh trung học cơ sở",
            "Chuyển trường đối với học sinh tiểu học",
            "Xét, duyệt chính sách hỗ trợ đối với học sinh bán trú",
            "Hỗ trợ ăn trưa đối với trẻ em mẫu giáo",
            "Cho phép trường tiểu học hoạt động giáo dục",
            "Thành lập trường trung học cơ sở",
        ),
        top={"Chuyển trường đối với học sinh trung học cơ sở": 3, "Chuyển trường đối với học sinh tiểu học": 3},
    ),
    FieldProcedures(
        "Văn hóa",
        names=(
            "Xét tặng danh hiệu Gia đình văn hóa",
            "Xét tặng danh hiệu thôn, tổ dân phố văn hóa",
            "Thông báo tổ chức lễ hội cấp xã",
            "Đăng ký tổ chức lễ hội cấp xã",
            "Công nhận câu lạc bộ thể thao cơ sở",
            "Thông báo tổ chức biểu diễn nghệ thuật tại cấp xã",
        ),
    ),
    FieldProcedures(
        "Nuôi con nuôi",
        names=(
            "Đăng ký nuôi con nuôi trong nước",
            "Đăng ký lại việc nuôi con nuôi trong nước",
            "Đăng ký việc nuôi con nuôi thực tế",
        ),
    ),
    FieldProcedures(
        "Tôn giáo",
        names=(
            "Đăng ký hoạt động tín ngưỡng",
            "Đăng ký bổ sung hoạt động tín ngưỡng",
            "Đăng ký sinh hoạt tôn giáo tập trung",
            "Thông báo danh mục hoạt động tôn giáo",
            "Đề nghị tổ chức cuộc lễ ngoài cơ sở tôn giáo, địa điểm hợp pháp đã đăng ký",
            "Thông báo tổ chức quyên góp trong địa bàn một xã",
        ),
    ),
    FieldProcedures(
        "Thi đua, khen thưởng",
        names=(
            "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã về thành tích thực hiện nhiệm vụ",
            "Xét tặng danh hiệu Lao động tiên tiến",
            "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã về thành tích đột xuất",
            "Tặng danh hiệu Gia đình nông dân sản xuất, kinh doanh giỏi",
        ),
    ),
    FieldProcedures(
        "Nông nghiệp",
        names=(
            "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai, dịch bệnh",
            "Phê duyệt kế hoạch khuyến nông địa phương",
            "Xác nhận nguồn gốc lâm sản",
            "Cấp Giấy chứng nhận kinh tế trang trại",
            "Đăng ký kê khai số lượng chăn nuôi",
            "Hỗ trợ đầu tư xây dựng phát triển thủy lợi nhỏ, thủy lợi nội đồng",
            "Xác nhận hợp đồng tiếp cận nguồn gen",
        ),
    ),
    FieldProcedures(
        "Môi trường",
        names=(
            "Đăng ký môi trường",
            "Tham vấn báo cáo đánh giá tác động môi trường",
            "Xác nhận kế hoạch bảo vệ môi trường",
        ),
    ),
    FieldProcedures(
        "Tư pháp",
        names=(
            "Công nhận hòa giải viên",
            "Thôi làm hòa giải viên",
            "Thanh toán thù lao cho hòa giải viên",
            "Công nhận tổ trưởng tổ hòa giải",
            "Công nhận báo cáo viên pháp luật",
        ),
    ),
    FieldProcedures(
        "Lao động",
        names=(
            "Hỗ trợ người lao động đang tham gia bảo hiểm xã hội bị ảnh hưởng bởi thiên tai",
            "Đăng ký hợp đồng lao động cho người giúp việc gia đình",
            "Xác nhận hộ gia đình làm nông nghiệp có mức sống trung bình",
            "Hỗ trợ đào tạo nghề cho lao động nông thôn",
        ),
    ),
    FieldProcedures(
        "Y tế",
        names=(
            "Cấp Giấy chứng nhận đủ điều kiện an toàn thực phẩm đối với cơ sở kinh doanh dịch vụ ăn uống",
            "Xác nhận đối tượng tham gia bảo hiểm y tế hộ gia đình",
        ),
    ),
)

COMMUNE_TARGET = 130

# People's names. Surname shares are rough national frequencies plus the Tày and Nùng names common in the
# province (Ma, Hà, Nông, Triệu, Lường); names are combined with numpy, so adding one here costs nothing.
SURNAMES: dict[str, float] = {
    "Nguyễn": 34,
    "Trần": 9,
    "Lê": 8,
    "Phạm": 6,
    "Hoàng": 6,
    "Vũ": 4,
    "Đặng": 3,
    "Bùi": 3,
    "Đỗ": 2.5,
    "Ngô": 2,
    "Dương": 2.5,
    "Lý": 1,
    "Phan": 2,
    "Đinh": 1.5,
    "Trương": 1,
    "Đào": 1.5,
    "Lương": 1.5,
    "Ma": 2,
    "Hà": 2.5,
    "Nông": 2,
    "Triệu": 1.5,
    "Lường": 0.5,
    "Lục": 0.8,
    "Đàm": 0.8,
    "Tạ": 0.7,
    "Mạc": 0.5,
}
MALE_MIDDLE = ("Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Thanh", "Xuân", "Tiến", "Mạnh", "Ngọc", "Trung")
FEMALE_MIDDLE = ("Thị", "Thu", "Thanh", "Ngọc", "Minh", "Hồng", "Phương", "Kim", "Thùy", "Bích", "Thị", "Thị")
MALE_GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đạt",
    "Đức",
    "Hải",
    "Hùng",
    "Huy",
    "Hưng",
    "Khánh",
    "Kiên",
    "Long",
    "Mạnh",
    "Minh",
    "Nam",
    "Nghĩa",
    "Phong",
    "Phúc",
    "Quân",
    "Quang",
    "Sơn",
    "Thắng",
    "Thành",
    "Tiến",
    "Toàn",
    "Trung",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Hiếu",
    "Duy",
    "Khoa",
    "Lâm",
    "Thịnh",
)
FEMALE_GIVEN = (
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hiền",
    "Hoa",
    "Hồng",
    "Huyền",
    "Hương",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Nga",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Thủy",
    "Trang",
    "Vân",
    "Yến",
    "Thư",
    "Hậu",
    "Lệ",
)
