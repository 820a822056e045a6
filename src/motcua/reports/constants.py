"""Decision 766/QĐ-TTg service index: groups and indicators with default weights and thresholds.

DOMAIN.md §6: group maxima 18 / 20 / 22 / 22 / 18; score of an indicator = min(1, rate / threshold) × weight.
The sub-weights are not known for certain: these defaults are placeholders that administrators override with
effective-dated ``IndicatorSetting`` rows (admin: Báo cáo, thống kê → Cấu hình chỉ số 766).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Group:
    number: int
    name: str
    maximum: int


@dataclass(frozen=True)
class Indicator:
    code: str
    group: int
    name: str
    weight: Decimal
    threshold: Decimal  # the rate (a fraction) that earns the full weight


GROUPS: tuple[Group, ...] = (
    Group(1, "Công khai, minh bạch", 18),
    Group(2, "Tiến độ giải quyết", 20),
    Group(3, "Dịch vụ công trực tuyến", 22),
    Group(4, "Số hóa hồ sơ", 22),
    Group(5, "Mức độ hài lòng", 18),
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator("1.1", 1, "Công khai, minh bạch thông tin thủ tục hành chính", Decimal(18), Decimal("1")),
    Indicator("2.1", 2, "Hồ sơ giải quyết trước hạn, đúng hạn", Decimal(14), Decimal("1")),
    Indicator("2.2", 2, "Thời gian giải quyết trung bình so với thời hạn quy định", Decimal(6), Decimal("1")),
    Indicator("3.1", 3, "Thủ tục hành chính có dịch vụ công trực tuyến", Decimal(5), Decimal("0.8")),
    Indicator("3.3", 3, "Hồ sơ nộp trực tuyến", Decimal(7), Decimal("0.5")),
    Indicator("3.5", 3, "Thủ tục có phí, lệ phí được thanh toán trực tuyến", Decimal(5), Decimal("0.8")),
    Indicator("3.6", 3, "Hồ sơ thanh toán trực tuyến", Decimal(5), Decimal("0.5")),
    Indicator("4.1", 4, "Hồ sơ có kết quả giải quyết điện tử", Decimal(6), Decimal("0.8")),
    Indicator("4.2", 4, "Hồ sơ được số hóa thành phần và kết quả", Decimal(6), Decimal("0.8")),
    Indicator("4.3", 4, "Hồ sơ tái sử dụng dữ liệu đã số hóa", Decimal(5), Decimal("0.8")),
    Indicator("4.5", 4, "Hồ sơ có người nộp xác thực bằng VNeID", Decimal(5), Decimal("0.8")),
    # 5.2: petitions answered on time (motcua.petitions); the group's 18 split 6 + 12 (placeholder weights).
    Indicator("5.2", 5, "Phản ánh, kiến nghị được trả lời đúng hạn", Decimal(6), Decimal("1")),
    Indicator("5.4", 5, "Mức độ hài lòng của người dân, doanh nghiệp", Decimal(12), Decimal("0.9")),
)
INDICATOR_CODES = tuple(i.code for i in INDICATORS)
