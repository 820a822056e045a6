"""One definition of "overdue": ``overdue_q`` (a filter) and ``is_overdue`` (one dossier) agree, and the
queues, the API list filter and the dossier page all use it."""

from __future__ import annotations

import datetime as dt

import pytest

from motcua.core import clock
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import QUEUES, dossier_list, is_overdue, overdue_q, queue_counts

from .conftest import MONDAY_10, World
from .factories import dossier_in

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def _cases(world: World) -> dict[str, Dossier]:
    """One dossier per case that matters, created at MONDAY_10 (due times relative to it)."""
    at = {"version": world.version, "unit": world.unit_a}
    return {
        "past_due": dossier_in(Status.PROCESSING, **at, due_at=MONDAY_10 - HOUR),
        "due_later": dossier_in(Status.PROCESSING, **at, due_at=MONDAY_10 + HOUR),
        "received_past_due": dossier_in(Status.RECEIVED, **at, due_at=MONDAY_10 - HOUR),
        # the clock is stopped while waiting for a supplement: never overdue then
        "paused_past_due": dossier_in(Status.AWAITING_SUPPLEMENT, **at, due_at=MONDAY_10 - HOUR),
        # resolved (no longer open) past its due: not overdue any more
        "resolved_past_due": dossier_in(Status.RESOLVED, **at, due_at=MONDAY_10 - HOUR),
        "no_due": dossier_in(Status.PROCESSING, **at, due_at=None),
        "submitted": dossier_in(Status.SUBMITTED, **at),
    }


def test_overdue_filter_and_one_dossier_agree(world: World) -> None:
    with clock.frozen(MONDAY_10):
        cases = _cases(world)
        by_filter = set(Dossier.objects.filter(overdue_q()).values_list("pk", flat=True))
        one_by_one = {d.pk for d in Dossier.objects.all() if is_overdue(d)}
    assert by_filter == one_by_one == {cases["past_due"].pk, cases["received_past_due"].pk}
    # ``now`` is explicit when given: two hours later the "due later" one is overdue too
    later = MONDAY_10 + 2 * HOUR
    assert is_overdue(cases["due_later"], later)
    assert Dossier.objects.filter(overdue_q(later), pk=cases["due_later"].pk).exists()
    assert not is_overdue(cases["paused_past_due"], later)


def test_queue_api_filter_and_page_use_the_one_definition(world: World) -> None:
    with clock.frozen(MONDAY_10):
        cases = _cases(world)
        expected = {cases["past_due"].pk, cases["received_past_due"].pk}
        queue = QUEUES["qua-han"]
        in_queue = set(
            Dossier.objects.filter(queue.q(world.leader_a, clock.now())).values_list("pk", flat=True)
        )
        listed = set(dossier_list(user=world.leader_a, overdue=True).values_list("pk", flat=True))
        not_listed = set(dossier_list(user=world.leader_a, overdue=False).values_list("pk", flat=True))
        assert in_queue == listed == expected
        assert not_listed == {d.pk for d in cases.values()} - expected
        assert queue_counts(world.leader_a)["qua-han"] == 2
