"""Issue 15 item 2: the monthly report, the overdue queue, the API's filter and the dashboard agree on which
in-progress dossiers are overdue (one definition, ``dossiers.selectors.past_due_q``): a dossier whose clock is
paused is never overdue, whatever paused it; the statutory due counts, not an extension's new appointment."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from motcua.core import clock
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import QUEUES, dossier_list, is_overdue
from motcua.dossiers.tests.conftest import MONDAY_10, World, world  # noqa: F401 - fixture
from motcua.dossiers.tests.factories import dossier_in
from motcua.reports.selectors import dashboard_panels, monthly_report, monthly_series

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def _overdue_everywhere(world: World, now: dt.datetime) -> dict[str, int]:  # noqa: F811
    """How many dossiers of unit A each consumer calls overdue at ``now`` (the report: the month to date)."""
    today = now.astimezone(clock.VN_TZ).date()
    report = monthly_report(date_from=today.replace(day=1), date_to=today, unit_code=world.unit_a.code)
    series = monthly_series(date_from=today.replace(day=1), date_to=today, unit_ids=[world.unit_a.pk])
    queue = Dossier.objects.filter(QUEUES["qua-han"].q(world.leader_a, now))
    return {
        "report": report["totals"]["in_progress"]["overdue"],
        "series": series[-1]["in_progress"]["overdue"],
        "queue": queue.count(),
        "api": dossier_list(user=world.leader_a, overdue=True).count(),
        "dashboard": dashboard_panels(world.leader_a, world.unit_a).summary.overdue,
        "one_by_one": sum(is_overdue(d, now) for d in Dossier.objects.all()),
    }


def test_a_paused_dossier_past_its_due_is_overdue_nowhere(world: World) -> None:  # noqa: F811
    """Before the fix the report counted it (statutory due passed) while the queue did not (paused)."""
    at: dict[str, Any] = {"version": world.version, "unit": world.unit_a}
    with clock.frozen(MONDAY_10):
        # waiting for a supplement under the pause rule, due yesterday
        dossier_in(Status.AWAITING_SUPPLEMENT, **at, due_at=MONDAY_10 - DAY)
        # waiting for the applicant's financial obligations with the clock paused (land procedures)
        dossier_in(Status.AWAITING_PAYMENT, **at, due_at=MONDAY_10 - DAY, paused_at=MONDAY_10 - 2 * HOUR)
        counts = _overdue_everywhere(world, MONDAY_10)
    assert counts == dict.fromkeys(counts, 0)


def test_running_clock_extension_and_pause_after_the_instant(world: World) -> None:  # noqa: F811
    at: dict[str, Any] = {"version": world.version, "unit": world.unit_a}
    with clock.frozen(MONDAY_10):
        # clock running, statutory due passed: overdue everywhere
        dossier_in(Status.PROCESSING, **at, due_at=MONDAY_10 - HOUR)
        # extended (apology, new appointment tomorrow) but the statutory due has passed: overdue too
        dossier_in(
            Status.PROCESSING,
            **at,
            statutory_due_at=MONDAY_10 - HOUR,
            due_at=MONDAY_10 + DAY,
            extended=True,
        )
        # awaiting payment with the clock running (fees, no pause): overdue
        dossier_in(Status.AWAITING_PAYMENT, **at, due_at=MONDAY_10 - HOUR)
        # not yet due
        dossier_in(Status.PROCESSING, **at, due_at=MONDAY_10 + HOUR)
        counts = _overdue_everywhere(world, MONDAY_10)
    assert counts == dict.fromkeys(counts, 3)


def test_the_report_of_a_past_month_sees_a_pause_that_began_after_it(world: World) -> None:  # noqa: F811
    """A dossier paused today was running at the end of last month: overdue then if due before it."""
    at: dict[str, Any] = {"version": world.version, "unit": world.unit_a}
    month_start = MONDAY_10.astimezone(clock.VN_TZ).date().replace(day=1)
    last_month_end = month_start - dt.timedelta(days=1)
    due = dt.datetime.combine(last_month_end, dt.time(9), tzinfo=clock.VN_TZ)
    with clock.frozen(MONDAY_10):
        paused = dossier_in(Status.AWAITING_SUPPLEMENT, **at, due_at=due, paused_at=MONDAY_10)
        Dossier.objects.filter(pk=paused.pk).update(received_at=due - 5 * DAY)
        report = monthly_report(
            date_from=last_month_end.replace(day=1), date_to=last_month_end, unit_code=world.unit_a.code
        )
        today = MONDAY_10.astimezone(clock.VN_TZ).date()
        now_report = monthly_report(date_from=month_start, date_to=today, unit_code=world.unit_a.code)
    assert report["totals"]["in_progress"] == {"within": 0, "overdue": 1, "total": 1}
    assert now_report["totals"]["in_progress"] == {"within": 1, "overdue": 0, "total": 1}
