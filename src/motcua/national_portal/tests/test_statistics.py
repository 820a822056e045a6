"""The synchronisation panel of the back-office dashboard (issue 13, item 7): the Decision 766 indicator of the
month, pending and parked updates per unit (``reports.selectors.dashboard_panels``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers.constants import Action
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.reports.selectors import dashboard_panels

from .conftest import DjangoTransport
from .test_sync import intake

pytestmark = pytest.mark.django_db


def test_the_dashboard_shows_the_synchronisation_per_unit(
    connected: World, inprocess: DjangoTransport, portal_settings: Any, frozen: dt.datetime
) -> None:
    first = intake(connected)
    intake(connected)
    run_queued_tasks()  # both records sent at once
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = "error_rate=1"
    dossier_transition(
        dossier=first,
        action=Action.ASSIGN,
        actor=connected.officer_a,
        assignee=connected.specialist_a.username,
    )
    run_queued_tasks()  # the assignment is parked after three attempts

    leader = connected.leader_a
    leader.refresh_from_db()
    panel = dashboard_panels(leader, connected.unit_a).national_sync
    assert panel is not None
    assert panel.shown
    assert (panel.total.dossiers, panel.total.pending, panel.total.parked) == (2, 0, 1)
    assert panel.total.dossiers_on_time == 2  # the parked update's 24 hours have not passed yet
    own = panel.rows[0]
    assert own.own
    assert own.unit == connected.unit_a
    assert own.sync.parked == 1

    web = Client()
    web.force_login(leader)
    page = web.get(reverse("backoffice:dashboard")).content.decode()
    assert 'id="table-national-sync"' in page
    assert "Tỷ lệ hồ sơ đồng bộ đúng hạn tháng 03/2025: 100" in page

    # A day later the parked assignment is late: one dossier of two synchronised on time.
    later = frozen + dt.timedelta(days=1, hours=1)
    from motcua.core import clock

    with clock.frozen(later):
        panel = dashboard_panels(leader, connected.unit_a).national_sync
    assert panel is not None
    assert (panel.total.dossiers, panel.total.dossiers_on_time, panel.total.on_time_share) == (2, 1, 0.5)


def test_no_panel_without_anything_to_synchronise(connected: World) -> None:
    leader = connected.leader_a
    panel = dashboard_panels(leader, connected.unit_a).national_sync
    assert panel is not None
    assert not panel.shown
    web = Client()
    web.force_login(leader)
    assert 'id="table-national-sync"' not in web.get(reverse("backoffice:dashboard")).content.decode()
