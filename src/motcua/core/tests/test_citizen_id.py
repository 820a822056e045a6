import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.citizen_id import (
    FEMALE,
    MALE,
    PROVINCE_CODES,
    is_valid_citizen_id,
    make_citizen_id,
    parse_citizen_id,
    validate_citizen_id,
)
from motcua.core.errors import ValidationFailed
from motcua.core.masking import mask_email, mask_id_number, mask_phone

people = st.tuples(
    st.sampled_from(sorted(PROVINCE_CODES)),
    st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2299, 12, 31)),
    st.sampled_from([MALE, FEMALE]),
    st.integers(min_value=0, max_value=999_999),
)


@given(people)
def test_generated_ids_are_valid_and_consistent(person: tuple[str, dt.date, str, int]) -> None:
    province, birth, sex, serial = person
    value = make_citizen_id(province_code=province, birth_date=birth, sex=sex, serial=serial)  # type: ignore[arg-type]
    assert len(value) == 12
    assert validate_citizen_id(value, birth_date=birth, sex=sex) == value  # type: ignore[arg-type]
    parsed = parse_citizen_id(value)
    assert (parsed.province_code, parsed.birth_year, parsed.sex) == (province, birth.year, sex)
    other_sex = FEMALE if sex == MALE else MALE
    assert not is_valid_citizen_id(value, sex=other_sex)
    other_year = birth.year + 1 if birth.year < 2299 else birth.year - 1
    assert not is_valid_citizen_id(value, birth_date=dt.date(other_year, 1, 1))


def test_hand_examples() -> None:
    # 026 Vĩnh Phúc, 0 = 1900s male, 90 = 1990.
    assert validate_citizen_id(" 026090001234 ", birth_date=dt.date(1990, 5, 1), sex=MALE) == "026090001234"
    assert parse_citizen_id("001305000001").sex == FEMALE
    assert parse_citizen_id("001305000001").birth_year == 2005
    assert parse_citizen_id("079812000001").birth_year == 1812
    assert parse_citizen_id("026090001234").province_name == "Vĩnh Phúc"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "02609000123",  # 11 digits
        "0260900012345",  # 13 digits
        "02609000123a",
        "026 09000123",
        "000090001234",  # no province 000
        "003090001234",  # 003 is not a province code
        "099090001234",
        "０２６０９０００１２３４",  # full-width digits
    ],
)
def test_malformed_ids_are_refused(value: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        validate_citizen_id(value)
    assert error.value.code == "invalid_citizen_id"
    assert error.value.message  # a Vietnamese sentence


def test_inconsistent_ids_are_refused() -> None:
    with pytest.raises(ValidationFailed, match="năm sinh"):
        validate_citizen_id("026090001234", birth_date=dt.date(1991, 1, 1))
    with pytest.raises(ValidationFailed, match="giới tính"):
        validate_citizen_id("026090001234", sex=FEMALE)
    with pytest.raises(ValidationFailed):  # 2000s digit, born in 1990
        validate_citizen_id("026290001234", birth_date=dt.date(1990, 1, 1))


def test_masking() -> None:
    assert mask_id_number("026090001234") == "026******234"
    assert mask_id_number("0101234567-001") == "010********001"
    assert mask_id_number("1234567") == "*******"
    assert mask_id_number("") == ""
    assert mask_id_number(None) == ""
    assert mask_phone("0912345678") == "091****678"
    assert mask_email("nguyen.van.an@example.vn") == "n***@example.vn"
    assert mask_email("") == ""


@given(people)
def test_masking_hides_the_serial_and_birth_year(person: tuple[str, dt.date, str, int]) -> None:
    province, birth, sex, serial = person
    value = make_citizen_id(province_code=province, birth_date=birth, sex=sex, serial=serial)  # type: ignore[arg-type]
    masked = mask_id_number(value)
    assert len(masked) == 12
    assert masked[:3] == province
    assert masked[3:9] == "******"
    assert masked[9:] == value[9:]
