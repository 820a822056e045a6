from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.selectors import procedure_get, procedure_search, procedure_version_in_force
from motcua.catalog.services import catalog_load_demo
from motcua.core.tests.shared_data import module_data
from motcua.organisations.models import Unit
from motcua.organisations.services import demo_units_load
from motcua.worktime.constants import LimitUnit

from .conftest import demo_catalog

BEFORE = dt.date(2024, 5, 6)
AFTER = dt.date(2026, 3, 2)


def _demo_load() -> int:
    demo_units_load()
    return catalog_load_demo()


demo_module = module_data(_demo_load)


@pytest.fixture
def demo(demo_module: int, db: None) -> int:
    """The demo units and catalog, loaded once for this module (``module_data``); the first load's count."""
    return demo_module


def test_demo_file_has_35_procedures_with_two_versions() -> None:
    data = demo_catalog()
    assert len(data["procedures"]) == 35
    for p in data["procedures"]:
        assert [v["version"] for v in p["versions"]] == [1, 2]
        v1, v2 = p["versions"]
        assert (v1["valid_from"], v1["valid_to"], v2["valid_from"], v2["valid_to"]) == (
            "2019-01-01",
            "2025-06-30",
            "2025-07-01",
            None,
        )
        assert v2["level"] != "district"  # no district level after the reform


def test_demo_catalog_loads_with_the_demo_units(demo: int) -> None:
    assert demo == 35
    assert Procedure.objects.count() == 35
    assert ProcedureVersion.objects.filter(status="published").count() == 70
    counts = Counter(ProcedureVersion.objects.values_list("procedure__code", flat=True))
    assert set(counts.values()) == {2}


def test_demo_load_is_idempotent(demo: int) -> None:
    before = list(ProcedureVersion.units.through.objects.order_by("pk").values_list())
    versions = list(ProcedureVersion.objects.order_by("pk").values_list())

    assert catalog_load_demo() == 35

    assert list(ProcedureVersion.units.through.objects.order_by("pk").values_list()) == before
    assert list(ProcedureVersion.objects.order_by("pk").values_list()) == versions


def _unit_codes(code: str, day: dt.date) -> set[str]:
    version = procedure_version_in_force(procedure_get(code, as_of=day), as_of=day)
    return {u.code for u in version.units.all()}


def test_commune_procedures_go_to_every_commune_of_the_time(demo: int) -> None:
    old_communes = set(
        Unit.objects.filter(level="commune", valid_to=dt.date(2025, 6, 30)).values_list("code", flat=True)
    )
    new_communes = set(
        Unit.objects.filter(level="commune", valid_from=dt.date(2025, 7, 1)).values_list("code", flat=True)
    )
    assert (len(old_communes), len(new_communes)) == (121, 148)

    assert _unit_codes("1.001193", BEFORE) == old_communes
    assert _unit_codes("1.001193", AFTER) == new_communes
    # Code 8707 is Phường Tích Sơn before the reform and Phường Vĩnh Yên after it.
    before = procedure_version_in_force(procedure_get("1.001193", as_of=BEFORE), as_of=BEFORE)
    after = procedure_version_in_force(procedure_get("1.001193", as_of=AFTER), as_of=AFTER)
    assert before.units.get(code="8707").name == "Phường Tích Sơn"
    assert after.units.get(code="8707").name == "Phường Vĩnh Yên"


def test_district_procedures_become_commune_procedures(demo: int) -> None:
    districts = {"243", "244", "246", "247", "248", "249", "251", "252", "253"}
    before = procedure_version_in_force(procedure_get("1.001612", as_of=BEFORE), as_of=BEFORE)
    after = procedure_version_in_force(procedure_get("1.001612", as_of=AFTER), as_of=AFTER)
    assert (before.level, after.level) == ("district", "commune")
    assert {u.code for u in before.units.all()} == districts
    assert after.units.count() == 148
    assert {s.unit_level for s in before.steps.all()} == {"district"}


@pytest.mark.parametrize(
    ("code", "before", "after"),
    [
        ("2.001610", "26-SKHDT", "25-STC"),  # business registration: KH&ĐT → Tài chính
        ("3.000333", "26-STP", "25-CA"),  # judicial records: Tư pháp → Công an
        ("1.014199", "26-SLDTBXH", "25-SNV"),  # work permits: LĐ-TB&XH → Nội vụ
        ("1.013831", "26-STNMT", "25-SNNMT"),
        ("VP.0004", "26-SYT", "25-SYT"),
    ],
)
def test_province_procedures_go_to_the_matching_department(
    demo: int, code: str, before: str, after: str
) -> None:
    assert _unit_codes(code, BEFORE) == {before}
    assert _unit_codes(code, AFTER) == {after}


def test_time_limits_fees_components_and_steps(demo: int) -> None:
    birth = procedure_version_in_force(procedure_get("1.001193", as_of=AFTER), as_of=AFTER)
    assert (birth.time_limit_value, birth.time_limit_unit) == (0, LimitUnit.SAME_DAY)
    assert birth.min_eid_level == 2
    assert [f.amount_vnd for f in birth.fees.all()] == [0]
    kinds = {c.name: (c.kind, c.required) for c in birth.components.all()}
    assert kinds["Giấy tờ tùy thân của người đi đăng ký"] == ("present", True)
    assert kinds["Văn bản ủy quyền (nếu nộp thay)"] == ("original", False)
    assert sum(s.budget_hours for s in birth.steps.all()) == Decimal(8)
    assert [s.role for s in birth.steps.all()] == ["officer", "specialist", "leader", "officer"]

    marriage = procedure_version_in_force(procedure_get("1.000894", as_of=AFTER), as_of=AFTER)
    assert marriage.min_eid_level == 1  # partial online
    assert sum(s.budget_hours for s in marriage.steps.all()) == Decimal(5 * 8)

    no_fee = procedure_version_in_force(procedure_get("1.004873", as_of=AFTER), as_of=AFTER)
    assert no_fee.fees.count() == 0
    land = procedure_version_in_force(procedure_get("1.013992", as_of=AFTER), as_of=AFTER)
    assert land.time_limit_value == 15  # plausible demo value where the source has none
    assert "minh họa" in land.notes


def test_every_demo_version_has_step_budgets_equal_to_the_limit(demo: int) -> None:
    for version in ProcedureVersion.objects.prefetch_related("steps"):
        hours = 8 if version.time_limit_unit == LimitUnit.SAME_DAY else version.time_limit_value * 8
        assert sum(s.budget_hours for s in version.steps.all()) == hours, version


def test_demo_search_without_diacritics(demo: int) -> None:
    codes = list(procedure_search(q="dang ky khai sinh", as_of=AFTER).values_list("code", flat=True))
    assert "1.001193" in codes
    assert "1.004884" in codes  # đăng ký lại khai sinh
    assert procedure_search(as_of=AFTER).count() == 35
    assert procedure_search(as_of=dt.date(2018, 1, 1)).count() == 0


def test_demo_file_is_its_own_export(demo: int) -> None:
    """The committed demo file is in the canonical form: exporting the loaded demo gives it back."""
    from motcua.catalog.exporting import catalog_export_json
    from motcua.catalog.services import DEMO_CATALOG

    assert catalog_export_json() == DEMO_CATALOG.read_text(encoding="utf-8")
