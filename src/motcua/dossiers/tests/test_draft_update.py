"""``dossier_draft_update``: the owner edits an online draft; nobody else, and never after submission."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, NotFound, ValidationFailed
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_draft_update

from .conftest import World
from .factories import UnitFactory, UserFactory, dossier_in

pytestmark = pytest.mark.django_db

APPLICANT = {
    "name": "Trần Thị Bình",
    "id_number": "026090005678",
    "phone": "0987 654 321",
    "address": "Thôn Nam",
}


def test_owner_updates_applicant_unit_and_checklist(world: World) -> None:
    owner = UserFactory(username="cd-binh")
    world.version.units.set([world.unit_a, world.unit_b])
    draft = dossier_in(Status.DRAFT, version=world.version, unit=world.unit_a, owner=owner)
    first, second = draft.components.order_by("pk")[:2]
    with CaptureQueriesContext(connection) as queries:
        dossier_draft_update(dossier=draft, actor=owner, applicant=APPLICANT, unit=world.unit_b)
    update = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE"))
    assert '"status"' not in update  # update_fields: never the state or the version
    assert '"version"' not in update
    draft.refresh_from_db()
    assert (draft.applicant_name, draft.applicant_phone, draft.unit) == (
        "Trần Thị Bình",
        "0987654321",
        world.unit_b,
    )
    assert (draft.status, draft.version) == (Status.DRAFT, 1)

    dossier_draft_update(dossier=draft, actor=owner, components_received=[second.pk])
    marks = dict(draft.components.values_list("pk", "received"))
    assert (marks[first.pk], marks[second.pk]) == (False, True)
    entries = AuditEntry.objects.filter(action="dossier.draft_update", object_id=str(draft.pk)).order_by("pk")
    assert [e.data.get("components_received") for e in entries] == [None, [second.pk]]
    assert entries[0].data["fields"][0] == "applicant_kind"


def test_unit_must_offer_the_procedure(world: World) -> None:
    owner = UserFactory(username="cd-binh")
    world.version.units.set([world.unit_a])
    draft = dossier_in(Status.DRAFT, version=world.version, unit=world.unit_a, owner=owner)
    other = UnitFactory(code="9999", name="Xã khác", parent=world.province)
    with pytest.raises(ValidationFailed) as caught:
        dossier_draft_update(dossier=draft, actor=owner, unit=other)
    assert caught.value.code == "procedure_not_offered"
    assert Dossier.objects.get(pk=draft.pk).unit == world.unit_a


def test_only_the_owner_and_only_a_draft(world: World) -> None:
    owner = UserFactory(username="cd-binh")
    draft = dossier_in(Status.DRAFT, version=world.version, unit=world.unit_a, owner=owner)
    for stranger in (UserFactory(username="cd-khac"), world.officer_a):
        with pytest.raises(NotFound):
            dossier_draft_update(dossier=draft, actor=stranger, applicant=APPLICANT)
    submitted = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a, owner=owner)
    with pytest.raises(Conflict) as caught:
        dossier_draft_update(dossier=submitted, actor=owner, applicant=APPLICANT)
    assert caught.value.code == "not_a_draft"
    assert Dossier.objects.get(pk=draft.pk).applicant_name == "Nguyễn Văn An"
    assert Dossier.objects.get(pk=submitted.pk).applicant_name == "Nguyễn Văn An"
    assert not AuditEntry.objects.filter(action="dossier.draft_update").exists()
