"""Fixtures of the payments tests: the dossiers' world, a procedure version with fees, a dossier awaiting payment."""

from __future__ import annotations

import pytest

from motcua.catalog.models import Fee
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import MONDAY_10, World, frozen, world  # noqa: F401  (fixtures)
from motcua.dossiers.tests.factories import dossier_in

FEE = 20_000  # lệ phí of procedure 1.004222 in the done-when of issue 12
CHARGE = 5_000


@pytest.fixture
def fees(world: World) -> list[Fee]:  # noqa: F811
    return [
        Fee.objects.create(version=world.version, order=1, name="Lệ phí đăng ký", amount_vnd=FEE),
        Fee.objects.create(version=world.version, order=2, name="Phí cấp bản sao", amount_vnd=CHARGE),
        Fee.objects.create(version=world.version, order=3, name="Miễn phí", amount_vnd=0),
    ]


@pytest.fixture
def awaiting(world: World, fees: list[Fee], frozen: object) -> Dossier:  # noqa: F811
    """A dossier in processing whose officer requested payment (its fees charged by the consumer)."""
    from motcua.dossiers.tests.outbox import run_queued_tasks

    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    dossier = dossier_transition(
        dossier=dossier, action=Action.REQUEST_PAYMENT, actor=world.officer_a, note="Lệ phí đăng ký"
    )
    run_queued_tasks()
    return dossier
