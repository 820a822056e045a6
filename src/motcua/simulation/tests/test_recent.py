"""The recent demo dossiers: the demo staff of today's units find work in their queues, nothing in the future."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest

from motcua.accounts.models import User
from motcua.catalog.selectors import procedure_version_by_code
from motcua.catalog.services import catalog_load_demo
from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.dossiers.constants import Channel, Status
from motcua.dossiers.consumers import transition_consumers
from motcua.dossiers.models import ConsumerDelivery, Dossier, DossierEvent
from motcua.dossiers.selectors import QUEUES, queue_counts, queue_dossiers
from motcua.national_portal.models import SyncUpdate
from motcua.national_portal.services import demo_procedures_connect
from motcua.notifications.models import Message
from motcua.organisations.services import demo_staff_create, demo_units_load
from motcua.simulation.recent import KINDS, UNITS, demo_recent_load, demo_recent_plan
from motcua.worktime.services import calendar_overrides_load_demo, get_calendar

# A Monday just after the office opens: the scenario counts back over the weekend.
NOW = dt.datetime(2026, 11, 23, 8, 10, tzinfo=clock.VN_TZ)


@pytest.fixture
def demo(db: None) -> None:
    """What ``motcua load-demo`` loads: units, calendar overrides, catalog and the demo staff accounts."""
    with clock.frozen(NOW):
        demo_units_load()
        calendar_overrides_load_demo()
        catalog_load_demo()
        demo_staff_create(password="demo")


@pytest.mark.django_db
def test_the_demo_staff_find_recent_dossiers_and_a_second_run_creates_nothing(demo: None) -> None:
    with clock.frozen(NOW):
        created = demo_recent_load()
    assert created == Dossier.objects.count() == len(UNITS) * len(KINDS)

    # Everything happened before now, in the last ~10 working days, by the demo staff or the applicant.
    assert not DossierEvent.objects.filter(at__gte=NOW).exists()
    assert not Dossier.objects.filter(received_at__gte=NOW).exists()
    assert not Dossier.objects.filter(submitted_at__gte=NOW).exists()
    assert not DossierEvent.objects.filter(at__lt=NOW - dt.timedelta(days=21)).exists()
    actors = set(DossierEvent.objects.values_list("actor__username", flat=True))
    assert {name.split("-")[0] for name in actors} <= {"officer", "specialist", "leader", "demo"}
    assert not Message.objects.exists()  # no phone, no e-mail: nobody is messaged

    # The officer of commune 8707 finds work in every queue the scenario targets.
    with clock.frozen(NOW):
        officer = User.objects.get(username="officer-8707")
        counts = queue_counts(officer)
        for slug in ("truc-tuyen", "dang-xu-ly", "sap-den-han", "qua-han", "cho-tra"):
            assert counts[slug] >= 1, slug
        waiting = list(queue_dossiers(user=officer, queue=QUEUES["truc-tuyen"]))
        assert {d.unit.code for d in waiting} == {"8707"}
        assert all(d.status == Status.SUBMITTED and d.channel == Channel.ONLINE for d in waiting)
        assert all(d.submitted_at is not None and d.submitted_at < NOW for d in waiting)
        # The specialist has the assigned ones; the department's staff see theirs.
        specialist = User.objects.get(username="specialist-8707")
        assert queue_counts(specialist)["cua-toi"] >= 4
        assert queue_counts(User.objects.get(username="officer-25-CA"))["truc-tuyen"] == 1

    statuses = Counter(Dossier.objects.filter(unit__code="8716").values_list("status", flat=True))
    assert statuses == {
        Status.SUBMITTED: 1,
        Status.RECEIVED: 1,
        Status.PROCESSING: 3,
        Status.AWAITING_SUPPLEMENT: 1,
        Status.RESOLVED: 1,
        Status.RETURNED: 1,
    }
    received = Dossier.objects.exclude(received_at=None)
    assert all(d.received_at < NOW for d in received)
    with clock.frozen(NOW):
        calendar = get_calendar()
    assert all(calendar.is_office_time(d.received_at) for d in received)
    # The applicants: Vietnamese names, 12-digit citizen IDs (10-digit tax codes for businesses).
    for d in Dossier.objects.all():
        assert len(d.applicant_id_number) == (12 if d.applicant_kind == "citizen" else 10)
        assert d.applicant_id_number.isdigit()
        assert " " in d.applicant_name
        assert (d.applicant_phone, d.applicant_email) == ("", "")

    # A second run (even days later) creates nothing.
    events = DossierEvent.objects.count()
    with clock.frozen(NOW + dt.timedelta(days=3)):
        assert demo_recent_load() == 0
    assert Dossier.objects.count() == created
    assert DossierEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 11, 28, 20, 0, tzinfo=clock.VN_TZ),  # a Saturday evening
        dt.datetime(2026, 11, 27, 12, 30, tzinfo=clock.VN_TZ),  # a Friday's lunch break
        dt.datetime(2026, 11, 24, 16, 59, tzinfo=clock.VN_TZ),  # a Tuesday's last office minute
    ],
)
def test_the_plan_is_in_the_past_whenever_it_is_loaded(demo: None, now: dt.datetime) -> None:
    with clock.frozen(now):
        calendar = get_calendar()
        rows = demo_recent_plan(now)
    soon, limit = calendar.add_working_days(now, 1), calendar.add_working_days(now, -10)
    for code, kind, procedure, steps in rows:
        instants = [at for _action, at in steps]
        assert instants == sorted(instants), (code, kind.name)
        assert all(limit - dt.timedelta(days=1) < at < now for at in instants), (code, kind.name)
        assert all(calendar.is_office_time(at) for at in instants), (code, kind.name)
        if kind.due_in is not None:  # the statutory due computed by the lifecycle at the receipt
            with clock.frozen(now):
                version = procedure_version_by_code(procedure)
            due = calendar.due(instants[0], version.time_limit_value, version.time_limit_unit)
            assert (now < due <= soon) if kind.due_in > 0 else (due < now), (code, kind.name)


@pytest.mark.django_db
def test_without_the_demo_staff_it_asks_for_load_demo(db: None) -> None:
    with clock.frozen(NOW):
        demo_units_load()
        catalog_load_demo()
        with pytest.raises(NotFound) as caught:
            demo_recent_load()
    assert caught.value.code == "demo_staff_missing"
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_simulated_dossiers_never_reach_the_national_portal(demo: None, settings: Any) -> None:
    """Even with the sync on and the procedures connected, the simulator's dossiers stay inside motcua."""
    settings.MOTCUA_DVCQG_CLIENT = "dvcqg"
    demo_procedures_connect()
    with clock.frozen(NOW):
        assert demo_recent_load() > 0
    portal = transition_consumers["national-portal"]
    events = list(DossierEvent.objects.select_related("dossier"))
    assert events
    assert all(portal.wants(event) for event in events)  # outside the simulator they would go
    assert not ConsumerDelivery.objects.filter(consumer="national-portal").exists()
    assert not SyncUpdate.objects.exists()
