from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import (
    fields_list,
    procedure_get,
    procedure_search,
    procedure_version_by_code,
    procedure_version_in_force,
)
from motcua.catalog.services import field_save, procedure_save, procedures_search_text_refresh
from motcua.core.errors import NotFound

from .factories import (
    ComponentFactory,
    FeeFactory,
    FieldFactory,
    ProcedureFactory,
    ProcedureVersionFactory,
    ProcessStepFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def birth() -> Procedure:
    field = FieldFactory(code="HO-TICH", name="Hộ tịch")
    procedure, _ = procedure_save(code="1.001193", name="Thủ tục đăng ký khai sinh", field=field)
    ProcedureVersionFactory(procedure=procedure, valid_to=dt.date(2025, 6, 30), level="commune")
    ProcedureVersionFactory(
        procedure=procedure, version=2, valid_from=dt.date(2025, 7, 1), online_mode="full"
    )
    return procedure


@pytest.fixture
def others() -> list[Procedure]:
    field = FieldFactory(code="DAT-DAI", name="Đất đai")
    land, _ = procedure_save(code="1.012812", name="Hòa giải tranh chấp đất đai", field=field)
    ProcedureVersionFactory(procedure=land, level="commune", online_mode="partial")
    marriage, _ = procedure_save(
        code="1.000894", name="Thủ tục đăng ký kết hôn", field=FieldFactory(code="HO-TICH")
    )
    ProcedureVersionFactory(procedure=marriage, level="commune", online_mode="none")
    return [land, marriage]


TODAY = dt.date(2026, 3, 2)


def codes(**kwargs: object) -> list[str]:
    return list(procedure_search(as_of=TODAY, **kwargs).values_list("code", flat=True))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "q",
    [
        "dang ky khai sinh",
        "Đăng ký khai sinh",
        "KHAI SINH",
        "khai   dang",
        "1.001193",
        "ho tich sinh",
        "001193",
    ],
)
def test_search_is_accent_insensitive_and_every_word_must_match(
    birth: Procedure, others: list[Procedure], q: str
) -> None:
    assert codes(q=q) == ["1.001193"]


def test_search_words_that_do_not_all_match(birth: Procedure, others: list[Procedure]) -> None:
    assert codes(q="khai sinh ket hon") == []
    assert codes(q="dang ky") == ["1.000894", "1.001193"]
    assert codes(q="") == ["1.000894", "1.001193", "1.012812"]
    assert codes(q="dat dai") == ["1.012812"]  # field name and procedure name


@pytest.mark.postgres
def test_search_without_diacritics_on_postgres(birth: Procedure, others: list[Procedure]) -> None:
    assert connection.vendor == "postgresql"
    assert codes(q="dang ky khai sinh") == ["1.001193"]
    assert codes(q="ĐĂNG KÝ KHAI SINH") == ["1.001193"]


def test_filters(birth: Procedure, others: list[Procedure]) -> None:
    assert codes(field="HO-TICH") == ["1.000894", "1.001193"]
    assert codes(online="full") == ["1.001193"]
    assert codes(online="none") == ["1.000894"]
    assert codes(level="province") == []
    # The filters apply to the version in force: version 1 was partial online.
    assert (
        list(procedure_search(online="full", as_of=dt.date(2024, 1, 1)).values_list("code", flat=True)) == []
    )


def test_version_in_force_by_date(birth: Procedure) -> None:
    assert procedure_version_in_force(birth, as_of=dt.date(2019, 1, 1)).version == 1
    assert procedure_version_in_force(birth, as_of=dt.date(2025, 6, 30)).version == 1  # valid_to inclusive
    assert procedure_version_in_force(birth, as_of=dt.date(2025, 7, 1)).version == 2
    with pytest.raises(NotFound):
        procedure_version_in_force(birth, as_of=dt.date(2018, 12, 31))


def test_drafts_and_retired_versions_are_not_in_force(birth: Procedure) -> None:
    birth.versions.filter(version=2).update(status="draft")
    with pytest.raises(NotFound):
        procedure_get("1.001193", as_of=TODAY)
    birth.versions.filter(version=2).update(status="retired")
    assert codes() == []
    assert procedure_get("1.001193", as_of=dt.date(2020, 1, 1)).code == "1.001193"


def test_procedure_get_unknown_code(db: None) -> None:
    with pytest.raises(NotFound) as info:
        procedure_get("0.000000", as_of=TODAY)
    assert info.value.code == "not_found"


def test_today_is_the_default(birth: Procedure, today_2026: dt.date) -> None:
    assert procedure_version_in_force(birth).version == 2
    assert procedure_get("1.001193").code == "1.001193"


def test_search_query_count_does_not_grow(birth: Procedure) -> None:
    for _ in range(10):
        version = ProcedureVersionFactory()
        FeeFactory(version=version)
        FeeFactory(version=version)
    with CaptureQueriesContext(connection) as ctx:
        rows = [
            (p.code, p.field.name, [f.amount_vnd for f in p.current_versions[0].fees.all()])
            for p in procedure_search(as_of=TODAY)
        ]
    assert len(rows) == 11
    assert len(ctx.captured_queries) == 3  # procedures + versions in force + fees


def test_version_in_force_prefetches(birth: Procedure) -> None:
    version = birth.versions.get(version=2)
    ComponentFactory(version=version)
    ProcessStepFactory(version=version)
    FeeFactory(version=version)
    found = procedure_version_in_force(birth, as_of=TODAY)
    with CaptureQueriesContext(connection) as ctx:
        _ = (
            list(found.components.all()),
            list(found.fees.all()),
            list(found.steps.all()),
            list(found.units.all()),
        )
        _ = found.procedure.field.name
    assert len(ctx.captured_queries) == 0


def test_search_text_follows_renames(birth: Procedure) -> None:
    field_save(code="HO-TICH", name="Hộ tịch và quốc tịch")
    birth.refresh_from_db()
    assert birth.search_text.endswith("ho tich va quoc tich")
    procedure_save(code="1.001193", name="Đăng ký khai sinh lưu động", field=birth.field)
    assert codes(q="luu dong") == ["1.001193"]
    Procedure.objects.filter(pk=birth.pk).update(search_text="")
    assert procedures_search_text_refresh() == 1


def test_fields_list(birth: Procedure, others: list[Procedure]) -> None:
    assert [f.code for f in fields_list()] == ["DAT-DAI", "HO-TICH"]


def test_procedure_factory_fills_search_text() -> None:
    p = ProcedureFactory(name="Cấp giấy phép xây dựng")
    assert "cap giay phep xay dung" in p.search_text


@pytest.mark.parametrize("day", [dt.date(2019, 1, 1), dt.date(2025, 6, 30), dt.date(2025, 7, 1)])
def test_version_by_code_is_the_two_step_lookup_in_fewer_queries(birth: Procedure, day: dt.date) -> None:
    version = birth.versions.get(version=2)
    ComponentFactory(version=version)
    FeeFactory(version=version)
    with CaptureQueriesContext(connection) as ctx:
        found = procedure_version_by_code("1.001193", as_of=day, prefetch=("components",))
        components = list(found.components.all())
        _ = found.procedure.field.name
    assert len(ctx.captured_queries) == 2  # the version with its procedure and field + its components
    expected = procedure_version_in_force(procedure_get("1.001193", as_of=day), as_of=day)
    assert (found.pk, components) == (expected.pk, list(expected.components.all()))
    with CaptureQueriesContext(connection) as ctx:
        list(found.fees.all())  # not prefetched: read on demand
    assert len(ctx.captured_queries) == 1


@pytest.mark.parametrize(
    ("code", "day"), [("0.000000", TODAY), ("1.001193", dt.date(2018, 12, 31)), ("", TODAY)]
)
def test_version_by_code_raises_what_the_two_step_lookup_raises(
    birth: Procedure, code: str, day: dt.date
) -> None:
    with pytest.raises(NotFound) as expected:
        procedure_version_in_force(procedure_get(code, as_of=day), as_of=day)
    with pytest.raises(NotFound) as info:
        procedure_version_by_code(code, as_of=day)
    assert (info.value.code, info.value.message) == (expected.value.code, expected.value.message)
