"""Dossier codes: template, daily sequence per prefix, uniqueness under concurrency."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection, transaction

from motcua.core import clock
from motcua.core.errors import ValidationFailed
from motcua.dossiers.codes import dossier_code_issue, validate_template
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import CodeFormat, CodeSequence, Dossier

from .conftest import MONDAY_10, World
from .factories import UnitFactory, dossier_in

pytestmark = pytest.mark.django_db


def test_default_template_restarts_daily(world: World) -> None:
    unit = world.unit_a
    assert dossier_code_issue(unit=unit, at=MONDAY_10) == "000.00.14.H56-250310-0001"
    assert dossier_code_issue(unit=unit, at=MONDAY_10) == "000.00.14.H56-250310-0002"
    # 23:30 UTC on Monday is Tuesday in Vietnam: a new day, a new sequence.
    tuesday = dt.datetime(2025, 3, 10, 23, 30, tzinfo=dt.UTC)
    assert dossier_code_issue(unit=unit, at=tuesday) == "000.00.14.H56-250311-0001"
    # Another agency has its own sequence.
    assert dossier_code_issue(unit=world.unit_b, at=MONDAY_10) == "000.00.15.H56-250310-0001"


def test_unit_code_replaces_a_missing_agency_code(world: World) -> None:
    assert dossier_code_issue(unit=world.province, at=MONDAY_10) == "25-250310-0001"


def test_code_format_per_unit_and_effective_date(world: World) -> None:
    CodeFormat.objects.create(
        unit=None, template="{unit_code}.{yyyymmdd}.{seq:03}", valid_from=dt.date(2025, 1, 1)
    )
    CodeFormat.objects.create(
        unit=world.unit_a, template="HS-{agency_code}-{yymmdd}-{seq:05}", valid_from=dt.date(2025, 3, 11)
    )
    assert dossier_code_issue(unit=world.unit_a, at=MONDAY_10) == "8707.20250310.001"
    tuesday = MONDAY_10 + dt.timedelta(days=1)
    assert dossier_code_issue(unit=world.unit_a, at=tuesday) == "HS-000.00.14.H56-250311-00001"
    assert dossier_code_issue(unit=world.unit_b, at=tuesday) == "9001.20250311.001"


@pytest.mark.parametrize("template", ["{agency_code}-{yymmdd}", "{agency_code}-{bogus}-{seq}", "{seq"])
def test_invalid_templates_are_refused(template: str) -> None:
    with pytest.raises(ValidationFailed):
        validate_template(template)


def test_receiving_issues_the_code_once(world: World) -> None:
    dossier = dossier_in(Status.DRAFT, version=world.version, unit=world.unit_a)
    with clock.frozen(MONDAY_10):
        dossier = dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a)
    assert dossier.code == "000.00.14.H56-250310-0001"
    online = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a, code="ONLINE-1")
    with clock.frozen(MONDAY_10):
        online = dossier_transition(dossier=online, action=Action.RECEIVE, actor=world.officer_a)
    assert online.code == "ONLINE-1"  # an online dossier keeps the code it got at submission
    assert CodeSequence.objects.get().last == 1


def test_a_rolled_back_receipt_gives_its_number_back(world: World) -> None:
    def issue_then_fail() -> None:
        with transaction.atomic():
            assert dossier_code_issue(unit=world.unit_a, at=MONDAY_10).endswith("-0001")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        issue_then_fail()
    assert dossier_code_issue(unit=world.unit_a, at=MONDAY_10).endswith("-0001")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_receipts_get_distinct_consecutive_numbers(world: World) -> None:
    assert connection.vendor == "postgresql"
    dossiers = [dossier_in(Status.DRAFT, version=world.version, unit=world.unit_a) for _ in range(8)]
    officer = world.officer_a
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def receive(dossier: Dossier) -> None:
        try:
            barrier.wait(timeout=10)
            dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=officer)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=receive, args=(d,)) for d in dossiers]
    with clock.frozen(MONDAY_10):  # frozen once, here: the threads only read the clock
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    codes = sorted(Dossier.objects.filter(pk__in=[d.pk for d in dossiers]).values_list("code", flat=True))
    assert codes == [f"000.00.14.H56-250310-{n:04}" for n in range(1, 9)]
    assert CodeSequence.objects.get(prefix="000.00.14.H56-250310-#").last == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_numbers_of_a_new_prefix(db: None) -> None:
    """The very first receipts of a day race to create the sequence row: none fails, none repeats."""
    unit = UnitFactory(code="7777", agency_code="")
    barrier = threading.Barrier(6)
    codes: list[str] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                codes.append(dossier_code_issue(unit=unit, at=MONDAY_10))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(codes) == [f"7777-250310-{n:04}" for n in range(1, 7)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_on_the_same_version_at_once(world: World) -> None:
    """Both saw version 1 and act together: the row lock serialises them, the second gets stale_version."""
    from motcua.core.errors import Conflict
    from motcua.organisations.constants import Role

    from .factories import staff

    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    officers = [world.officer_a, staff(world.unit_a, Role.OFFICER)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(officer: object, action: str) -> None:
        try:
            barrier.wait(timeout=10)
            dossier_transition(
                dossier=dossier, action=action, actor=officer, expected_version=1, note="Thiếu giấy tờ"
            )
            outcomes.append("ok")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(officers[0], Action.FORWARD)),
        threading.Thread(target=act, args=(officers[1], Action.REQUEST_SUPPLEMENT)),
    ]
    with clock.frozen(MONDAY_10):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "stale_version"]
    dossier.refresh_from_db()
    assert dossier.version == 2
    assert dossier.events.count() == 1


APPLICANT = {"name": "Nguyễn Văn An", "id_number": "026012345612"}


def _intake(world: World, **kwargs: object) -> Dossier:
    from motcua.dossiers.services import dossier_intake_counter

    with clock.frozen(MONDAY_10):
        return dossier_intake_counter(
            officer=world.officer_a,
            procedure_code="1.001193",
            unit_code="8707",
            applicant=APPLICANT,
            **kwargs,  # type: ignore[arg-type]
        )


@pytest.mark.django_db(transaction=True)
def test_counter_intake_refused_at_the_checklist_takes_no_number(world: World) -> None:
    """What the officer can get wrong is checked before the number: a refused intake leaves no gap."""
    missing = [{"name": "Tờ khai đăng ký khai sinh", "received": False}]
    with pytest.raises(ValidationFailed) as caught:
        _intake(world, components=missing)
    assert caught.value.code == "components_missing"
    unknown = [{"component": 999_999}]
    with pytest.raises(ValidationFailed):
        _intake(world, components=unknown)
    assert not CodeSequence.objects.exists()
    assert _intake(world).code == "000.00.14.H56-250310-0001"


@pytest.mark.django_db(transaction=True)
def test_counter_intake_that_fails_after_its_number_leaves_a_gap(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Outside a caller's transaction the number is committed on its own: a later failure spends it."""
    from motcua.dossiers import lifecycle

    def broken(**kwargs: object) -> None:
        raise RuntimeError("audit trail unavailable")

    with monkeypatch.context() as patch:
        patch.setattr(lifecycle, "audit_record", broken)
        with pytest.raises(RuntimeError):
            _intake(world)
    assert not Dossier.objects.exists()  # the intake's own transaction was rolled back
    assert CodeSequence.objects.get().last == 1
    assert _intake(world).code == "000.00.14.H56-250310-0002"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_counter_intake_does_not_wait_for_another_intakes_transaction(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Officer A's intake is still open (after its insert) while officer B receives at the same desk
    prefix: B gets the next number at once instead of waiting on the day's sequence row until A commits."""
    assert connection.vendor == "postgresql"
    from motcua.dossiers import lifecycle
    from motcua.organisations.constants import Role

    from .factories import staff

    officer_b = staff(world.unit_a, Role.OFFICER)
    real_audit = lifecycle.audit_record
    a_inside, b_done = threading.Event(), threading.Event()
    waited: list[bool] = []

    def audit_holding_a(**kwargs: object) -> object:
        if threading.current_thread().name == "officer-a":
            a_inside.set()
            waited.append(b_done.wait(timeout=10))  # False: B was blocked until this timed out
        return real_audit(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(lifecycle, "audit_record", audit_holding_a)
    codes: dict[str, str] = {}
    errors: list[BaseException] = []

    def receive(name: str, officer: object) -> None:
        from motcua.dossiers.services import dossier_intake_counter

        try:
            if name == "officer-b":
                assert a_inside.wait(timeout=10)
            dossier = dossier_intake_counter(
                officer=officer,  # type: ignore[arg-type]
                procedure_code="1.001193",
                unit_code="8707",
                applicant=APPLICANT,
            )
            assert dossier.code is not None
            codes[name] = dossier.code
            if name == "officer-b":
                b_done.set()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=receive, args=("officer-a", world.officer_a), name="officer-a"),
        threading.Thread(target=receive, args=("officer-b", officer_b), name="officer-b"),
    ]
    with clock.frozen(MONDAY_10):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert waited == [True]
    assert codes == {"officer-a": "000.00.14.H56-250310-0001", "officer-b": "000.00.14.H56-250310-0002"}
