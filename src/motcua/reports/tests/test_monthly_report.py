"""Hand-counted scenarios: the sample legacy file (docs/reports.md explains every row) and edge cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from motcua.core.clock import VN_TZ
from motcua.core.errors import NotFound, ValidationFailed
from motcua.dossiers.constants import Status
from motcua.dossiers.legacy_import import legacy_dossiers_import
from motcua.dossiers.models import Dossier
from motcua.reports.selectors import monthly_report, rate

from .conftest import SAMPLE

MARCH = {"date_from": dt.date(2023, 3, 1), "date_to": dt.date(2023, 3, 31)}


@pytest.fixture
def sample(demo: None) -> None:
    legacy_dossiers_import(path=SAMPLE)


def _classes() -> dict[str, str]:
    return dict(Dossier.objects.values_list("code", "classification"))


def test_sample_rows_are_classified_as_counted_by_hand(sample: None) -> None:
    classes = _classes()
    assert classes["LG-001"] == "early"  # carried over, finished the day before its due day
    assert classes["LG-002"] == "late"  # finished one minute after the due time
    assert classes["LG-003"] == "on_time"  # finished exactly at the due time
    assert classes["LG-004"] == "early"  # due computed (Mon 10:00 + 3 days = Thu 10:00), finished Wed
    assert classes["LG-005"] == "late"  # early, but two supplement requests
    assert classes["LG-006"] == "on_time"  # refused: on time, like a live refusal
    assert classes["LG-007"] == "on_time"  # withdrawn
    assert classes["LG-008"] == classes["LG-009"] == classes["LG-011"] == ""  # still processing
    lg004 = Dossier.objects.get(code="LG-004")
    assert lg004.statutory_due_at == dt.datetime(2023, 3, 9, 10, 0, tzinfo=VN_TZ)
    lg006 = Dossier.objects.get(code="LG-006")
    assert (lg006.status, lg006.finished_at) == (Status.NOT_RECEIVED, None)
    assert lg006.closed_at == dt.datetime(2023, 3, 20, 10, 0, tzinfo=VN_TZ)
    # stored like a live refusal: submitted, never received, no due time
    assert lg006.submitted_at == dt.datetime(2023, 3, 13, 9, 0, tzinfo=VN_TZ)
    assert (lg006.received_at, lg006.statutory_due_at, lg006.due_at) == (None, None, None)


def test_unit_codes_resolve_as_of_the_receipt_day(sample: None) -> None:
    """8707 was Phường Tích Sơn (under Vĩnh Yên city) in 2023 and is Phường Vĩnh Yên since 2025-07-01."""
    assert Dossier.objects.get(code="LG-001").unit.name == "Phường Tích Sơn"
    assert Dossier.objects.get(code="LG-013").unit.name == "Phường Vĩnh Yên"
    assert Dossier.objects.get(code="LG-013").procedure_version.version == 2


def test_march_totals(sample: None) -> None:
    report = monthly_report(**MARCH, unit_code="26")
    assert report["from"] == "2023-03-01"
    assert report["to"] == "2023-03-31"
    assert set(report) == {"from", "to", "rows", "totals"}
    totals = report["totals"]
    assert totals["received"] == {
        "carried_over": 2,  # LG-001, LG-011
        "online": 4,  # LG-002, 004, 005, 008
        "counter": 2,  # LG-003, 009 (LG-006 was refused: never received, like a live refusal)
        "post": 1,  # LG-007
        "counter_post": 3,  # the form's one column: counter and post together
        "new": 7,
        "total": 9,
    }
    assert totals["resolved"] == {"early": 2, "on_time": 2, "late": 2, "total": 6}
    assert totals["in_progress"] == {"within": 1, "overdue": 2, "total": 3}  # LG-008 / LG-009, LG-011
    assert totals["on_time_rate"] == 0.6667  # 4 / 6
    assert totals["online_rate"] == 0.5714  # 4 / 7


def test_march_by_level(sample: None) -> None:
    rows = {r["key"]: r for r in monthly_report(**MARCH, unit_code="26", by="level")["rows"]}
    assert list(rows) == ["province", "district", "commune"]
    province, district, commune = rows["province"], rows["district"], rows["commune"]
    assert province["name"] == "Cấp tỉnh"
    assert province["level"] == "province"
    # the one-stop centre counts at province level
    assert province["received"]["new"] == 2
    assert province["in_progress"] == {
        "within": 1,
        "overdue": 1,
        "total": 2,
    }
    assert province["on_time_rate"] is None  # nothing resolved
    assert district["resolved"] == {"early": 0, "on_time": 1, "late": 1, "total": 2}  # LG-006 refused: not in
    assert district["received"]["post"] == 1
    assert district["on_time_rate"] == 0.5
    assert district["online_rate"] == 0.5
    assert commune["received"]["carried_over"] == 2
    assert commune["resolved"] == {"early": 2, "on_time": 1, "late": 1, "total": 4}
    assert commune["in_progress"] == {"within": 0, "overdue": 1, "total": 1}


def test_march_by_unit_and_sub_units(sample: None) -> None:
    report = monthly_report(**MARCH, unit_code="243", by="unit")
    rows = {r["key"]: r for r in report["rows"]}
    assert "26-TTPVHCC" not in rows  # not below Vĩnh Yên city
    assert rows["243"]["level"] == "district"
    assert rows["8707"]["level"] == "commune"
    assert rows["8707"]["name"] == "Phường Tích Sơn"
    assert rows["8707"]["received"]["total"] == 5
    assert rows["243"]["received"]["total"] == 2
    assert report["totals"]["received"]["total"] == 7
    whole = monthly_report(**MARCH, by="unit")
    assert whole["totals"]["received"]["total"] == 9
    assert sum(r["received"]["total"] for r in whole["rows"]) == 9


def _dossier(unit: Any, version: Any, received: dt.datetime, due: dt.datetime, **kw: Any) -> Dossier:
    return Dossier.objects.create(
        procedure_version=version,
        unit=unit,
        applicant_name="Người nộp",
        received_at=received,
        due_at=due,
        statutory_due_at=due,
        **kw,
    )


def test_period_boundaries_are_vietnamese_days(demo: None) -> None:
    from motcua.catalog.models import ProcedureVersion
    from motcua.organisations.selectors import unit_by_code

    unit = unit_by_code("8707", as_of=dt.date(2023, 3, 1))
    version = ProcedureVersion.objects.get(procedure__code="1.000656", version=1)
    at = lambda *a: dt.datetime(*a, tzinfo=VN_TZ)  # noqa: E731
    # received 31/03 23:59 (VN) = 16:59 UTC: new in March; finished 01/04 00:00: still in progress at March end
    _dossier(
        unit,
        version,
        at(2023, 3, 31, 23, 59),
        at(2023, 4, 5, 17, 0),
        status=Status.RESOLVED,
        finished_at=at(2023, 4, 1, 0, 0),
        classification="early",
    )
    # received 28/02 23:59 and finished 31/03 23:59 (late): carried over and resolved in March
    _dossier(
        unit,
        version,
        at(2023, 2, 28, 23, 59),
        at(2023, 3, 6, 17, 0),
        status=Status.RESOLVED,
        finished_at=at(2023, 3, 31, 23, 59),
        classification="late",
    )
    # finished 28/02 23:59: not carried over
    _dossier(
        unit,
        version,
        at(2023, 2, 27, 9, 0),
        at(2023, 3, 2, 9, 0),
        status=Status.RESOLVED,
        finished_at=at(2023, 2, 28, 23, 59),
        classification="early",
    )
    # overdue at the period end: due 31/03 23:00 < 01/04 00:00
    _dossier(unit, version, at(2023, 3, 28, 9, 0), at(2023, 3, 31, 23, 0), status=Status.PROCESSING)
    # never received (a draft, a submission refused at intake): never counted
    Dossier.objects.create(procedure_version=version, unit=unit, applicant_name="Nháp", status=Status.DRAFT)
    totals = monthly_report(**MARCH)["totals"]
    assert totals["received"]["carried_over"] == 1
    assert totals["received"]["new"] == 2
    assert totals["resolved"] == {"early": 0, "on_time": 0, "late": 1, "total": 1}
    assert totals["in_progress"] == {"within": 1, "overdue": 1, "total": 2}
    assert totals["on_time_rate"] == 0.0
    assert totals["received"]["counter"] == 2  # the default channel


def test_rates_round_half_up_and_null_on_zero() -> None:
    assert rate(0, 0) is None
    assert rate(2, 3) == 0.6667
    assert rate(1, 3) == 0.3333
    assert rate(1, 8) == 0.125
    assert rate(1, 20000) == 0.0001  # 0.00005 rounds up
    assert rate(5, 5) == 1.0


def test_errors(demo: None) -> None:
    with pytest.raises(ValidationFailed) as exc:
        monthly_report(**MARCH, by="sector")
    assert exc.value.code == "invalid_by"
    with pytest.raises(ValidationFailed) as exc:
        monthly_report(date_from=dt.date(2023, 3, 31), date_to=dt.date(2023, 3, 1))
    assert exc.value.code == "invalid_period"
    with pytest.raises(NotFound) as nf:
        monthly_report(**MARCH, unit_code="nope")
    assert nf.value.code == "unit_not_found"
    with pytest.raises(NotFound):  # Phú Thọ's code 25 is not the province yet in 2023
        monthly_report(**MARCH, unit_code="25")


def test_report_is_a_constant_number_of_queries(sample: None, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(5):
        monthly_report(**MARCH, unit_code="26", by="unit")


def test_a_refusal_counts_the_same_live_or_imported(sample: None) -> None:
    """Issue 15 item 2: the imported refusal LG-006 and a live one (``refuse`` through the lifecycle) leave the
    same trace: submitted, never received, closed, on time; neither is in the report."""
    from motcua.accounts.models import User
    from motcua.dossiers.lifecycle import dossier_transition
    from motcua.organisations.constants import Role
    from motcua.organisations.models import Membership

    imported = Dossier.objects.get(code="LG-006")
    before = monthly_report(**MARCH, unit_code="243")["totals"]
    officer = User.objects.create_user(username="officer-243", password="x")
    Membership.objects.create(user=officer, unit=imported.unit, role=Role.OFFICER)
    live = Dossier.objects.create(
        procedure_version=imported.procedure_version,
        unit=imported.unit,
        channel=imported.channel,
        applicant_name="Người nộp",
        status=Status.SUBMITTED,
        submitted_at=imported.submitted_at,
    )
    from motcua.core import clock

    assert imported.closed_at is not None
    with clock.frozen(imported.closed_at):
        live = dossier_transition(
            dossier=live, action="refuse", actor=officer, note="Hồ sơ không thuộc thẩm quyền."
        )
    fields = ("status", "received_at", "statutory_due_at", "due_at", "finished_at", "classification")
    assert [getattr(live, f) for f in fields] == [getattr(imported, f) for f in fields]
    assert monthly_report(**MARCH, unit_code="243")["totals"] == before
