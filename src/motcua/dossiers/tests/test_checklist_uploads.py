"""Issue 11 defect: a checklist change must never detach what the applicant uploaded from its component."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from motcua.core import clock
from motcua.documents.constants import ScanResult, UploadPurpose
from motcua.documents.models import Upload
from motcua.dossiers.constants import Action, Channel, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier, DossierComponent

from .conftest import World
from .factories import dossier_in

pytestmark = pytest.mark.django_db


def _upload(dossier: Dossier, component: DossierComponent | None, name: str, purpose: str) -> Upload:
    data = name.encode()
    return Upload.objects.create(
        dossier=dossier,
        component=component,
        purpose=purpose,
        original_name=name,
        stored_name=f"uploads/test/{dossier.pk}-{name}",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        scan_result=ScanResult.CLEAN,
        uploaded_at=clock.now(),
    )


def _placement(dossier: Dossier) -> dict[str, str | None]:
    """Each upload's original name → the catalog component name of the checklist row it hangs on."""
    return {
        u.original_name: (u.component.name if u.component else None)
        for u in Upload.objects.filter(dossier=dossier).select_related("component")
    }


def _online(world: World) -> tuple[Dossier, dict[str, str | None]]:
    dossier = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a, channel=Channel.ONLINE)
    for row in dossier.components.order_by("pk"):
        _upload(dossier, row, f"{row.name}.pdf", UploadPurpose.SUBMISSION)
    placement = _placement(dossier)
    assert all(placement.values())
    return dossier, placement


def test_receive_with_a_checklist_keeps_every_upload_on_its_component(
    world: World, frozen: dt.datetime
) -> None:
    dossier, before = _online(world)
    rows = list(dossier.components.order_by("pk"))
    # What the back office's receive form sends: every row, by catalog component, some edited.
    items = [
        {"component": r.component_id, "kind": r.kind, "count": 2, "received": True, "note": "Đã đối chiếu"}
        for r in rows
    ]
    items.append({"name": "Bản sao sổ hộ khẩu", "received": True})
    dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a, components=items)
    assert _placement(dossier) == before
    checklist = list(dossier.components.order_by("pk"))
    assert [(c.name, c.count, c.note) for c in checklist[:3]] == [(r.name, 2, "Đã đối chiếu") for r in rows]
    assert checklist[3].name == "Bản sao sổ hộ khẩu"
    # The rows were updated in place, not replaced.
    assert [c.pk for c in checklist[:3]] == [r.pk for r in rows]


def test_receive_naming_components_in_another_order_keeps_uploads(world: World, frozen: dt.datetime) -> None:
    dossier, before = _online(world)
    catalog = list(world.version.components.order_by("-order"))
    items = [{"name": c.name, "received": True} for c in catalog]  # named, not by id, reversed
    dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a, components=items)
    assert _placement(dossier) == before


def test_receive_without_a_checklist_keeps_uploads(world: World, frozen: dt.datetime) -> None:
    dossier, before = _online(world)
    dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a)
    assert _placement(dossier) == before


def test_an_extra_paper_dropped_from_the_checklist_keeps_its_files(world: World, frozen: dt.datetime) -> None:
    """A row the officer added earlier and leaves out now stays while a file hangs on it."""
    dossier, _ = _online(world)
    extra = DossierComponent.objects.create(
        dossier=dossier, name="Giấy ủy quyền", required=False, received=True
    )
    _upload(dossier, extra, "uy-quyen.pdf", UploadPurpose.SUPPLEMENT)
    before = _placement(dossier)
    items = [{"component": c.pk, "received": True} for c in world.version.components.all()]
    dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=world.officer_a, components=items)
    assert _placement(dossier) == before


def test_supplement_round_keeps_every_upload_on_its_component(world: World, frozen: dt.datetime) -> None:
    dossier, _ = _online(world)
    dossier = dossier_transition(
        dossier=dossier,
        action=Action.RECEIVE,
        actor=world.officer_a,
        components=[{"component": c.pk, "received": True} for c in world.version.components.all()],
    )
    dossier = dossier_transition(
        dossier=dossier, action=Action.REQUEST_SUPPLEMENT, actor=world.officer_a, note="Thiếu bản chính"
    )
    first = dossier.components.order_by("pk").first()
    _upload(dossier, first, "bo-sung.pdf", UploadPurpose.SUPPLEMENT)
    before = _placement(dossier)
    dossier_transition(dossier=dossier, action=Action.SUPPLEMENT_RECEIVED, actor=world.officer_a)
    assert _placement(dossier) == before
    assert Upload.objects.filter(dossier=dossier, component__isnull=True).count() == 0
