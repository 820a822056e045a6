"""The audit trail is written by every write and cannot be changed or deleted through the ORM."""

from __future__ import annotations

import pytest

from motcua.audit.models import AppendOnlyError, AuditEntry
from motcua.audit.selectors import audit_entries_for
from motcua.audit.services import audit_record
from motcua.core import clock
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.tests.conftest import MONDAY_10, World
from motcua.dossiers.tests.factories import dossier_in

pytestmark = pytest.mark.django_db


def test_transitions_write_audit_entries(world: World) -> None:
    dossier = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a)
    with clock.frozen(MONDAY_10):
        dossier = dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a, note="Đủ")
        dossier_transition(dossier=dossier, action=Action.FORWARD, actor=world.officer_a)
    entries = list(audit_entries_for(object_type="dossier", object_id=dossier.pk))
    assert [e.action for e in entries] == ["dossier.receive", "dossier.forward"]
    receive = entries[0]
    assert (receive.actor, receive.actor_repr, receive.at) == (
        world.officer_a,
        str(world.officer_a),
        MONDAY_10,
    )
    assert receive.data["from"] == "submitted"
    assert receive.data["to"] == "received"
    assert receive.data["code"] == dossier.code
    assert receive.data["version"] == 2
    assert "due_at" in receive.data["fields"]


def test_audit_entries_are_append_only(world: World) -> None:
    entry = audit_record(actor=world.officer_a, action="test", object_type="x", object_id=1, data={"a": 1})
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test"


def test_dossier_events_are_append_only(world: World) -> None:
    dossier = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a)
    with clock.frozen(MONDAY_10):
        dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a)
    event = DossierEvent.objects.get()
    event.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        DossierEvent.objects.update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert DossierEvent.objects.get().note == ""


def test_anonymous_actor_and_json_data(db: None) -> None:
    import datetime as dt

    entry = audit_record(
        actor=None,
        action="system",
        object_type="y",
        object_id="7",
        data={"at": MONDAY_10, "d": dt.date(2025, 1, 2)},
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor is None
    assert entry.actor_repr == ""
    assert entry.data == {"at": MONDAY_10.isoformat(), "d": "2025-01-02"}
