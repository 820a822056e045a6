"""A deterministic set of fake citizens and business accounts for the sandbox e-ID and population register.

Names are realistic (family + middle + given name, the middle name chosen by sex), IDs are valid 12-digit
citizen IDs consistent with the birth date and sex (``motcua.core.citizen_id``), the same seed always gives
the same people, so tests and demos can name them.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from motcua.core.citizen_id import FEMALE, MALE, Sex, make_citizen_id
from motcua.core.text import fold

SEED = 20260101
CITIZEN_COUNT = 50
_SUBJECT_NAMESPACE = uuid.UUID("7b3f0c1e-9a55-4e55-9a2b-6a7e0f1d2c3b")

FAMILY_NAMES = [
    *["Nguyễn"] * 8,
    *["Trần"] * 3,
    *["Lê"] * 3,
    *["Phạm"] * 2,
    "Hoàng",
    "Vũ",
    "Phan",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trịnh",
    "Kiều",
    "Khổng",
]
MIDDLE_NAMES = {
    MALE: ["Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Thành", "Tiến", "Mạnh"],
    FEMALE: ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Hồng", "Thùy", "Kim"],
}
GIVEN_NAMES = {
    MALE: [
        "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Long", "Nam",
        "Phong", "Quân", "Sơn", "Thắng", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Hoàng", "Kiên", "Toàn",
    ],
    FEMALE: [
        "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai",
        "Ngọc", "Nhung", "Oanh", "Phương", "Thảo", "Thủy", "Trang", "Vân", "Yến", "Huyền", "Loan", "Nga",
    ],
}  # fmt: skip
# Birth registration: mostly the province we model first (Vĩnh Phúc, Phú Thọ, Hòa Bình), some elsewhere.
PROVINCES = ["026"] * 6 + ["025"] * 3 + ["017"] * 2 + ["001", "079", "027", "019"]
PLACES = [
    ("thôn Đồng Cương", "xã Yên Lạc"),
    ("tổ dân phố Tích Sơn", "phường Vĩnh Yên"),
    ("tổ dân phố Hùng Vương", "phường Phúc Yên"),
    ("thôn Hương Canh", "xã Bình Xuyên"),
    ("thôn Thổ Tang", "xã Vĩnh Tường"),
    ("thôn Văn Quán", "xã Lập Thạch"),
    ("thôn Hợp Thịnh", "xã Tam Dương"),
    ("khu Tam Đảo", "xã Tam Đảo"),
    ("thôn Đức Bác", "xã Sông Lô"),
    ("tổ dân phố Gia Cẩm", "phường Việt Trì"),
    ("tổ dân phố Âu Cơ", "phường Phú Thọ"),
    ("tổ dân phố Phương Lâm", "phường Hòa Bình"),
]
BUSINESS_NAMES = [
    "Công ty TNHH Thương mại và Dịch vụ Hồng Phát",
    "Công ty Cổ phần Xây dựng Tam Đảo",
    "Công ty TNHH Cơ khí Bình Xuyên",
    "Hợp tác xã Nông nghiệp Yên Lạc",
    "Công ty Cổ phần Du lịch Đại Lải",
]


@dataclass(frozen=True)
class FakePerson:
    kind: str  # "citizen" or "business"
    subject: str
    id_number: str
    full_name: str
    birth_date: dt.date
    sex: Sex
    permanent_address: str
    phone: str
    email: str
    level: int
    tax_code: str = ""
    organisation_name: str = ""


def _subject(key: str) -> str:
    return str(uuid.uuid5(_SUBJECT_NAMESPACE, key))


def generate_people(*, seed: int = SEED, count: int = CITIZEN_COUNT) -> list[FakePerson]:
    """``count`` citizens (about two thirds at level 2) then the business accounts, always the same."""
    rng = random.Random(seed)
    people: list[FakePerson] = []
    ids: set[str] = set()
    names: set[str] = set()
    while len(people) < count:
        sex = MALE if rng.random() < 0.5 else FEMALE
        name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(MIDDLE_NAMES[sex])} {rng.choice(GIVEN_NAMES[sex])}"
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 56 * 365))
        id_number = make_citizen_id(
            province_code=rng.choice(PROVINCES), birth_date=birth, sex=sex, serial=rng.randrange(0, 1_000_000)
        )
        if id_number in ids or name in names:
            continue
        ids.add(id_number)
        names.add(name)
        hamlet, commune = rng.choice(PLACES)
        number = len(people) + 1
        people.append(
            FakePerson(
                kind="citizen",
                subject=_subject(id_number),
                id_number=id_number,
                full_name=name,
                birth_date=birth,
                sex=sex,
                permanent_address=f"Số {rng.randrange(1, 200)}, {hamlet}, {commune}, tỉnh Phú Thọ",
                phone=f"09{rng.randrange(0, 100_000_000):08d}",
                email=f"{fold(name).replace(' ', '.')}.{number}@example.vn",
                level=2 if number % 3 else 1,
            )
        )
    for index, organisation in enumerate(BUSINESS_NAMES):
        representative = people[index * 7]
        tax_code = f"25{rng.randrange(0, 100_000_000):08d}"
        people.append(
            FakePerson(
                kind="business",
                subject=_subject(tax_code),
                id_number=representative.id_number,
                full_name=representative.full_name,
                birth_date=representative.birth_date,
                sex=representative.sex,
                permanent_address=representative.permanent_address,
                phone=f"02113{rng.randrange(0, 1_000_000):06d}",
                email=f"lienhe.{tax_code}@example.vn",
                level=2,
                tax_code=tax_code,
                organisation_name=organisation,
            )
        )
    return people
