"""Reconciliation: the portal's status against the local one, for the dossiers touched on a day; differences
are sent again and counted."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.core import clock
from motcua.dossiers.constants import Action
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.services import dossier_intake_counter
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.national_portal.models import SandboxPortalDossier, SyncUpdate, UpdateState

from .conftest import DjangoTransport

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "Lê Văn Bình", "id_number": "026190054322", "phone": "0987654322"}


def reconcile(*args: str) -> dict[str, int]:
    out = StringIO()
    call_command("reconcile_national", *args, stdout=out)
    return dict(json.loads(out.getvalue()))


def test_reconcile_reports_and_resends_what_differs(
    connected: World, inprocess: DjangoTransport, portal_settings: Any, frozen: dt.datetime
) -> None:
    synced = dossier_intake_counter(
        officer=connected.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
    )
    behind = dossier_intake_counter(
        officer=connected.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
    )
    lost = dossier_intake_counter(
        officer=connected.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
    )
    run_queued_tasks()
    assert reconcile("--date", "2025-03-10") == {"checked": 3, "mismatched": 0, "resent": 0, "failed": 0}

    # The portal lost one dossier and missed a step of another (the updates are parked).
    SandboxPortalDossier.objects.filter(code=lost.code).delete()
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = "error_rate=1"
    dossier_transition(
        dossier=behind,
        action=Action.ASSIGN,
        actor=connected.officer_a,
        assignee=connected.specialist_a.username,
    )
    run_queued_tasks()
    assert SyncUpdate.objects.filter(dossier=behind, state=UpdateState.PARKED).count() == 1
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = ""

    assert reconcile("--date", "2025-03-10") == {"checked": 3, "mismatched": 2, "resent": 2, "failed": 0}
    assert SandboxPortalDossier.objects.get(code=lost.code).status == 2
    assert SandboxPortalDossier.objects.get(code=behind.code).status == 4
    assert SandboxPortalDossier.objects.get(code=synced.code).status == 2
    assert reconcile("--date", "2025-03-10") == {"checked": 3, "mismatched": 0, "resent": 0, "failed": 0}
    # Another day, another unit: nothing touched.
    assert reconcile("--date", "2025-03-11")["checked"] == 0
    assert reconcile("--date", "2025-03-10", "--unit", "9001")["checked"] == 0


def test_a_portal_that_does_not_answer_counts_as_failed(
    connected: World, inprocess: DjangoTransport, portal_settings: Any, frozen: dt.datetime
) -> None:
    dossier_intake_counter(
        officer=connected.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
    )
    run_queued_tasks()
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = "error_rate=1"
    assert reconcile("--date", "2025-03-10") == {"checked": 1, "mismatched": 0, "resent": 0, "failed": 1}


def test_a_bad_date_exits_with_code_2(portal_settings: Any, db: None) -> None:
    with pytest.raises(CommandError, match="--date") as info:
        call_command("reconcile_national", "--date", "10/03/2025", stdout=StringIO())
    assert info.value.returncode == 2
    with clock.frozen(dt.datetime(2025, 3, 11, 9, 0, tzinfo=clock.VN_TZ)):
        assert reconcile() == {"checked": 0, "mismatched": 0, "resent": 0, "failed": 0}


def test_the_sweep_queues_the_dossiers_whose_sender_was_lost(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    from django_tasks_db.models import DBTaskResult

    from motcua.dossiers.models import ConsumerDelivery
    from motcua.dossiers.tasks import consume_deliveries
    from motcua.national_portal.models import UpdateState

    dossier = dossier_intake_counter(
        officer=connected.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
    )
    delivery = ConsumerDelivery.objects.get(consumer="national-portal")
    consume_deliveries.call([[delivery.pk, 0]])
    DBTaskResult.objects.all().delete()  # the worker that held the sender died with it
    out = StringIO()
    call_command("sync_national", stdout=out)
    assert json.loads(out.getvalue()) == {"queued": 1}
    run_queued_tasks()
    assert SyncUpdate.objects.get(dossier=dossier).state == UpdateState.SENT
    out = StringIO()
    call_command("sync_national", stdout=out)
    assert json.loads(out.getvalue()) == {"queued": 0}
