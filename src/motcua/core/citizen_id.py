"""The 12-digit personal identification number (số định danh cá nhân, DOMAIN.md §7).

Structure ``PPP G YY NNNNNN``:

- ``PPP`` the province (or centrally-run city) where the birth was registered, per Circular 07/2016/TT-BCA;
- ``G`` century and sex: 0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s, 6/7 = 2200s, 8/9 = 1800s
  (even = male, odd = female);
- ``YY`` the last two digits of the birth year;
- ``NNNNNN`` six random digits (no check digit).

``validate_citizen_id`` checks the structure and, when they are known, consistency with the birth date and
sex; it raises ``ValidationFailed`` (code ``invalid_citizen_id``) with a Vietnamese message.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext as _

from motcua.core.errors import ValidationFailed

Sex = Literal["male", "female"]
MALE: Sex = "male"
FEMALE: Sex = "female"

# Province codes of the 63 provinces and cities that register births (Circular 07/2016/TT-BCA, Annex).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Thành phố Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

# Century digit pairs: (male digit, female digit) -> first year of the century.
_CENTURY_START = {0: 1900, 2: 2000, 4: 2100, 6: 2200, 8: 1800}
_PATTERN = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class CitizenId:
    """A parsed, structurally valid citizen ID."""

    value: str
    province_code: str
    sex: Sex
    birth_year: int

    @property
    def province_name(self) -> str:
        return PROVINCE_CODES[self.province_code]


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_citizen_id")


def parse_citizen_id(value: str) -> CitizenId:
    """Parse a 12-digit ID (surrounding spaces allowed); ``ValidationFailed`` if its structure is wrong."""
    text = (value or "").strip()
    if not _PATTERN.match(text):
        raise _invalid(_("Số định danh cá nhân phải gồm đúng 12 chữ số."))
    province = text[:3]
    if province not in PROVINCE_CODES:
        raise _invalid(_("Số định danh cá nhân có mã tỉnh «%(code)s» không tồn tại.") % {"code": province})
    digit = int(text[3])
    century = _CENTURY_START[digit - digit % 2]
    return CitizenId(
        value=text,
        province_code=province,
        sex=MALE if digit % 2 == 0 else FEMALE,
        birth_year=century + int(text[4:6]),
    )


def validate_citizen_id(value: str, *, birth_date: dt.date | None = None, sex: Sex | None = None) -> str:
    """The normalised ID; ``ValidationFailed`` if it is malformed or contradicts ``birth_date``/``sex``."""
    parsed = parse_citizen_id(value)
    if birth_date is not None and birth_date.year != parsed.birth_year:
        raise _invalid(
            _("Số định danh cá nhân không khớp với năm sinh %(year)s.") % {"year": birth_date.year}
        )
    if sex is not None and sex != parsed.sex:
        raise _invalid(_("Số định danh cá nhân không khớp với giới tính."))
    return parsed.value


def is_valid_citizen_id(value: str, *, birth_date: dt.date | None = None, sex: Sex | None = None) -> bool:
    try:
        validate_citizen_id(value, birth_date=birth_date, sex=sex)
    except ValidationFailed:
        return False
    return True


def make_citizen_id(*, province_code: str, birth_date: dt.date, sex: Sex, serial: int) -> str:
    """Build the ID of a person (sandbox data, tests); ``serial`` is the six final digits (0–999999)."""
    if province_code not in PROVINCE_CODES:
        raise ValueError(f"unknown province code {province_code!r}")
    if not 0 <= serial <= 999_999:
        raise ValueError("serial must have at most six digits")
    start = birth_date.year - birth_date.year % 100
    base = next((d for d, year in _CENTURY_START.items() if year == start), None)
    if base is None:
        raise ValueError(f"no century digit for the year {birth_date.year}")
    digit = base + (0 if sex == MALE else 1)
    return f"{province_code}{digit}{birth_date.year % 100:02d}{serial:06d}"
