import datetime as dt

import pytest

from motcua.accounts.models import AccountKind
from motcua.identity.claims import identity_from_claims, parse_birth_date, parse_level, parse_sex
from motcua.identity.errors import LoginFailed

CITIZEN = {
    "sub": "abc",
    "SoDinhDanh": "026090001234",
    "HoVaTen": "Nguyễn  Văn An",
    "NgayThangNamSinh": "19900501",
    "GioiTinh": "Nam",
    "ThuongTru": "Vĩnh Yên",
    "SoDienThoai": "0912345678",
    "ThuDienTu": "an@example.vn",
    "LoaiTaiKhoan": "1",
    "acr": "LoA2",
}


def test_citizen_claims_are_mapped() -> None:
    identity = identity_from_claims(CITIZEN, provider="vneid")
    assert identity.kind == AccountKind.CITIZEN
    assert identity.id_number == "026090001234"
    assert identity.full_name == "Nguyễn Văn An"
    assert identity.birth_date == dt.date(1990, 5, 1)
    assert identity.sex == "male"
    assert identity.level == 2


def test_level_falls_back_to_loas_then_ial() -> None:
    claims = {k: v for k, v in CITIZEN.items() if k != "acr"}
    assert identity_from_claims({**claims, "loAs": ["LoA1"]}, provider="x").level == 1
    assert identity_from_claims({**claims, "IAL": 2}, provider="x").level == 2
    with pytest.raises(LoginFailed, match="mức độ"):
        identity_from_claims(claims, provider="x")


def test_claim_map_overrides() -> None:
    claims = {**CITIZEN, "cccd": CITIZEN["SoDinhDanh"]}
    del claims["SoDinhDanh"]
    assert (
        identity_from_claims(claims, provider="x", claim_map={"id_number": "cccd"}).id_number
        == "026090001234"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SoDinhDanh": "12345"}, "12 chữ số"),
        ({"SoDinhDanh": ""}, "số định danh"),
        ({"NgayThangNamSinh": "19910501"}, "năm sinh"),
        ({"GioiTinh": "Nữ"}, "giới tính"),
        ({"HoVaTen": " "}, "họ và tên"),
        ({"sub": ""}, "mã định danh tài khoản"),
        ({"LoaiTaiKhoan": "2"}, "mã số doanh nghiệp"),
        ({"LoaiTaiKhoan": "2", "MaSoDoanhNghiep": "2500123456"}, "tên doanh nghiệp"),
    ],
)
def test_bad_claims_are_refused(change: dict[str, str], message: str) -> None:
    with pytest.raises(LoginFailed, match=message) as error:
        identity_from_claims({**CITIZEN, **change}, provider="x")
    assert error.value.code == "invalid_claims"


def test_business_claims() -> None:
    identity = identity_from_claims(
        {**CITIZEN, "LoaiTaiKhoan": "2", "MaSoDoanhNghiep": "2500123456-001", "TenDoanhNghiep": "Công ty A"},
        provider="x",
    )
    assert identity.kind == AccountKind.BUSINESS
    assert identity.tax_code == "2500123456-001"
    assert identity.organisation_name == "Công ty A"


def test_parsers() -> None:
    assert parse_birth_date("1990-05-01") == parse_birth_date("01/05/1990") == dt.date(1990, 5, 1)
    assert parse_birth_date("1990-13-01") is None
    assert parse_sex("Nữ") == parse_sex("female") == "female"
    assert parse_sex("?") is None
    assert parse_level("LoA2") == parse_level("IAL2") == parse_level(2) == 2
    assert parse_level(["LoA1", "LoA2"]) == 2
    assert parse_level("LoA3") is None
