"""The typed e-form schema: schema checks, flat posts, validation (labels, never names), display."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.citizen_id import make_citizen_id
from motcua.core.formschema import (
    answers_clean,
    answers_display,
    answers_from_flat,
    answers_missing,
    answers_missing_keyed,
    answers_to_flat,
    answers_validate,
    form_date,
    form_fields_parse,
    schema_problems,
)

BIRTH: list[dict[str, Any]] = [
    {
        "name": "tre",
        "label": "Người được đăng ký khai sinh",
        "type": "person",
        "required": True,
        "print_on_receipt": True,
        "parts": ["ho_ten", "ngay_sinh", "gioi_tinh", "dan_toc", "quoc_tich"],
        "required_parts": ["ho_ten", "ngay_sinh", "gioi_tinh"],
    },
    {"name": "co_cha", "label": "Có thông tin người cha", "type": "boolean"},
    {
        "name": "cha",
        "label": "Người cha",
        "type": "person",
        "required": True,
        "when": {"field": "co_cha", "equals": True},
    },
    {"name": "dien_thoai", "label": "Số điện thoại người đi khai", "type": "phone"},
    {"name": "thu", "label": "Thư điện tử", "type": "email"},
    {"name": "cccd", "label": "Số định danh người đi khai", "type": "citizen_id"},
    {"name": "noi_sinh", "label": "Nơi sinh", "type": "address", "required": True},
    {
        "name": "con_khac",
        "label": "Con chung khác",
        "type": "group",
        "min": 0,
        "max": 2,
        "fields": [
            {"name": "ten", "label": "Họ tên", "type": "text", "required": True},
            {"name": "ngay", "label": "Ngày sinh", "type": "date"},
        ],
    },
]
UNITS = {"26734": "Phường Bến Nghé"}


def lookup(code: str) -> str | None:
    return UNITS.get(code)


def test_the_birth_schema_is_valid_and_parses_every_field() -> None:
    assert schema_problems(BIRTH) == []
    fields = form_fields_parse(BIRTH)
    assert [f.name for f in fields] == [i["name"] for i in BIRTH]
    assert fields[0].parts == ("ho_ten", "ngay_sinh", "gioi_tinh", "dan_toc", "quoc_tich")
    assert fields[2].when == ("co_cha", "true")
    assert (fields[7].min_items, fields[7].max_items) == (0, 2)


def test_schema_problems_name_the_field_path() -> None:
    bad = [
        {"name": "a", "label": "A", "type": "colour"},
        {"name": "b", "label": "B", "type": "select", "choices": []},
        {"name": "b", "label": "B2"},
        {"name": "c", "label": "C", "when": {"field": "zzz", "equals": "x"}},
        {"name": "g", "label": "G", "type": "group", "min": 3, "max": 1, "fields": [{"name": "x"}]},
        {"name": "p", "label": "P", "type": "person", "parts": ["ho_ten"], "required_parts": ["ngay_sinh"]},
        {"name": "q", "label": "Q", "colour": "red"},
    ]
    problems = schema_problems(bad)
    paths = {p for p, _ in problems}
    assert {"a", "b", "c", "g", "g.x", "p", "q"} <= paths
    assert ("b", "name is used twice") in problems
    assert ("g.x", "label is required") in problems
    assert schema_problems("nope") == [("form_fields", "must be a list")]
    assert schema_problems([]) == []
    nested = [{"name": "g", "label": "G", "type": "group", "fields": [BIRTH[-1]]}]
    assert ("g.con_khac", "a group cannot be inside a group") in schema_problems(nested)


def test_a_flat_post_is_cleaned_and_errors_name_labels_never_names() -> None:
    fields = form_fields_parse(BIRTH)
    post = {
        "tre__ho_ten": "Nguyễn Văn An",
        "tre__ngay_sinh": "2026-02-30",
        "tre__gioi_tinh": "Nam",
        "co_cha": "false",
        "cha__ho_ten": "ignored: the father block is off",
        "dien_thoai": "0912 345 67",
        "thu": "not-an-email",
        "cccd": "123",
        "noi_sinh__chi_tiet": "12 Lê Lợi",
        "noi_sinh__don_vi": "99999",
        "con_khac__count": "9",
        "con_khac__0__ten": "Bình",
        "con_khac__1__ngay": "hôm qua",
    }
    raw = answers_from_flat(fields, post)
    assert len(raw["con_khac"]) == 2  # bounded by max
    answers, errors = answers_clean(fields, raw, unit_lookup=lookup)
    assert set(errors) == {
        "tre__ngay_sinh",
        "dien_thoai",
        "thu",
        "cccd",
        "noi_sinh__don_vi",
        "con_khac__1__ngay",
    }
    assert errors["tre__ngay_sinh"].startswith("«Người được đăng ký khai sinh — Ngày, tháng, năm sinh»")
    assert errors["con_khac__1__ngay"].startswith("«Con chung khác — dòng 2 — Ngày sinh»")
    for key, message in errors.items():
        assert key.split("__")[0] not in message  # the internal name never shows
    assert "cha" not in answers  # conditional field off: dropped
    assert answers["co_cha"] is False


def test_valid_answers_are_typed_and_displayed_with_labels() -> None:
    fields = form_fields_parse(BIRTH)
    father_id = make_citizen_id(province_code="079", birth_date=dt.date(1990, 5, 1), sex="male", serial=1)
    raw = {
        "tre": {"ho_ten": "Nguyễn Văn An", "ngay_sinh": "2026-11-02", "gioi_tinh": "Nam"},
        "co_cha": "true",
        "cha": {
            "ho_ten": "Nguyễn Văn Ba",
            "ngay_sinh": "1990-05-01",
            "gioi_tinh": "Nam",
            "so_dinh_danh": father_id,
        },
        "dien_thoai": "+84 912 345 678",
        "noi_sinh": {"chi_tiet": "12 Lê Lợi", "don_vi": "26734"},
        "con_khac": [{"ten": "Bình", "ngay": "2020-01-01"}, {"ten": "", "ngay": ""}],
    }
    answers, errors = answers_clean(fields, raw, unit_lookup=lookup)
    assert errors == {}
    assert answers["dien_thoai"] == "+84912345678"
    assert answers["noi_sinh"]["don_vi_ten"] == "Phường Bến Nghé"
    assert answers["con_khac"] == [{"ten": "Bình", "ngay": "2020-01-01"}]  # the blank row dropped
    assert answers_missing(fields, answers) == []
    shown = dict(answers_display(fields, answers))
    assert shown["Người cha — Họ, chữ đệm và tên"] == "Nguyễn Văn Ba"
    assert shown["Nơi sinh"] == "12 Lê Lợi, Phường Bến Nghé"
    assert shown["Có thông tin người cha"] == "Có"
    assert shown["Con chung khác — dòng 1 — Ngày sinh"] == "01/01/2020"
    printed = dict(answers_display(fields, answers, receipt_only=True))
    assert set(printed) == {
        "Người được đăng ký khai sinh — Họ, chữ đệm và tên",
        "Người được đăng ký khai sinh — Ngày, tháng, năm sinh",
        "Người được đăng ký khai sinh — Giới tính",
    }
    # The flat form of the answers comes back the same (a form's initial values).
    assert (
        answers_clean(
            fields, answers_from_flat(fields, answers_to_flat(fields, answers)), unit_lookup=lookup
        )[0]
        == answers
    )


def test_a_person_id_must_match_the_birth_date_and_sex() -> None:
    fields = form_fields_parse(BIRTH)
    wrong = make_citizen_id(province_code="079", birth_date=dt.date(1990, 5, 1), sex="female", serial=1)
    raw = {
        "co_cha": True,
        "cha": {"ho_ten": "B", "ngay_sinh": "1990-05-01", "gioi_tinh": "Nam", "so_dinh_danh": wrong},
    }
    _, errors = answers_clean(fields, raw, unit_lookup=lookup)
    assert "không khớp" in errors["cha__so_dinh_danh"]


def test_required_fields_are_missing_by_label_when_active() -> None:
    fields = form_fields_parse(BIRTH)
    missing = answers_missing(fields, {"co_cha": True, "con_khac": [{"ngay": "2020-01-01"}]})
    assert missing == [
        "Người được đăng ký khai sinh — Họ, chữ đệm và tên",
        "Người được đăng ký khai sinh — Ngày, tháng, năm sinh",
        "Người được đăng ký khai sinh — Giới tính",
        "Người cha — Họ, chữ đệm và tên",
        "Nơi sinh — Số nhà, đường/thôn, tổ",
        "Nơi sinh — Xã, phường, đặc khu",
        "Con chung khác — dòng 1 — Họ tên",
    ]
    assert "Người cha — Họ, chữ đệm và tên" not in answers_missing(fields, {"co_cha": False})
    _, errors = answers_validate(fields, {}, unit_lookup=lookup)
    assert "Chưa nhập «Nơi sinh — Xã, phường, đặc khu»." in errors.values()
    # keyed by the input beside which each shows (the counter renders them there, not in a list)
    assert errors["noi_sinh__don_vi"] == "Chưa nhập «Nơi sinh — Xã, phường, đặc khu»."
    assert errors["tre__ho_ten"] == "Chưa nhập «Người được đăng ký khai sinh — Họ, chữ đệm và tên»."
    assert not [key for key in errors if key.startswith("missing:")]
    assert answers_missing_keyed(fields, {"co_cha": True})[3] == (
        "cha__ho_ten",
        "Người cha — Họ, chữ đệm và tên",
    )
    group_min = form_fields_parse([{**BIRTH[-1], "min": 1}])
    assert answers_missing(group_min, {}) == ["Con chung khác (ít nhất 1 dòng)"]


def test_invalid_items_are_skipped_at_run_time_and_the_default_remains() -> None:
    assert [f.name for f in form_fields_parse([{"name": "X"}, "junk"])] == ["noi_dung"]
    fields = form_fields_parse([{"name": "a", "label": "A", "when": {"field": "gone", "equals": "1"}}])
    assert fields[0].when is None  # a dangling condition is dropped, the field kept


@given(
    st.dictionaries(
        st.text(max_size=12), st.one_of(st.text(max_size=20), st.booleans(), st.none()), max_size=8
    )
)
def test_any_flat_post_gives_answers_or_errors_never_an_exception(post: dict[str, Any]) -> None:
    fields = form_fields_parse(BIRTH)
    answers, errors = answers_clean(fields, answers_from_flat(fields, post), unit_lookup=lookup)
    assert all(isinstance(m, str) and m.startswith("«") for m in errors.values())
    answers_display(fields, answers)


@given(st.integers(min_value=0, max_value=999_999), st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)))
def test_a_generated_citizen_id_is_accepted_with_its_birth_date(serial: int, born: dt.date) -> None:
    fields = form_fields_parse([{"name": "p", "label": "P", "type": "person"}])
    number = make_citizen_id(province_code="001", birth_date=born, sex="female", serial=serial)
    raw = {"p": {"ho_ten": "X", "ngay_sinh": born.isoformat(), "gioi_tinh": "Nữ", "so_dinh_danh": number}}
    assert answers_clean(fields, raw)[1] == {}


@given(st.from_regex(r"0[35789][0-9]{8}", fullmatch=True))
def test_mobile_numbers_are_accepted(number: str) -> None:
    fields = form_fields_parse([{"name": "t", "label": "T", "type": "phone"}])
    assert answers_clean(fields, {"t": number}) == ({"t": number}, {})


def test_the_demo_schemas_are_valid_and_their_sample_answers_complete() -> None:
    import json
    from pathlib import Path

    from motcua.core.formschema import sample_answers

    demo = Path(__file__).resolve().parents[2] / "catalog" / "data" / "catalog_demo.json"
    typed = 0
    for procedure in json.loads(demo.read_text(encoding="utf-8"))["procedures"]:
        for version in procedure["versions"]:
            assert schema_problems(version.get("form_fields")) == [], procedure["code"]
            fields = form_fields_parse(version.get("form_fields"))
            answers, errors = answers_clean(
                fields, sample_answers(fields, text="Nguyễn Văn An", unit_code="26734"), unit_lookup=lookup
            )
            assert errors == {}, procedure["code"]
            assert answers_missing(fields, answers) == [], procedure["code"]
            typed += bool(version.get("form_fields"))
    assert typed >= 20  # ten procedures, two versions each


def test_a_group_rows_errors_are_keyed_by_the_row_the_person_filled() -> None:
    """A row left empty above the one being filled: its errors name the row the form shows them in (the counter
    re-renders what was posted, empty row included), not the row's place once the empty one is dropped."""
    fields = form_fields_parse([BIRTH[-1]])
    raw = {"con_khac": [{"ten": "", "ngay": ""}, {"ten": "", "ngay": "31-02-2020"}]}
    answers, errors = answers_validate(fields, raw, unit_lookup=lookup)
    assert set(errors) == {"con_khac__1__ngay", "con_khac__1__ten"}
    assert "dòng 2" in errors["con_khac__1__ten"]
    assert len(answers["con_khac"]) == 1  # the empty row is not kept


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_date_is_read_as_written_here_and_as_iso(day: dt.date) -> None:
    assert form_date(day.strftime("%d/%m/%Y")) == day
    assert form_date(f"{day.day}/{day.month}/{day.year}") == day
    assert form_date(f"{day.day:02}.{day.month:02}.{day.year}") == day
    assert form_date(day.isoformat()) == day


@pytest.mark.parametrize(
    "text", ["31/02/2026", "29/02/2025", "00/01/2026", "12/13/2026", "2026-02-30", "03/05/26", "hôm qua", ""]
)
def test_a_date_that_does_not_exist_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):  # any reason: no such day, or not a date at all
        form_date(text)
