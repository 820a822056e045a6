"""DuocSoHoa and DuocLayTuKhoDMQG in the DongBoHoSoMC record (issue 14): from the dossier's files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core import clock
from motcua.documents.constants import ScanResult, UploadPurpose
from motcua.documents.digitisation import component_digitise
from motcua.documents.models import Upload
from motcua.documents.selectors import DigitisationFlags, dossier_digitisation_flags
from motcua.documents.tests import files
from motcua.documents.tests.fixtures import media  # noqa: F401  (fixture)
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import dossier_in
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.national_portal import mapping
from motcua.national_portal.models import Service, SyncUpdate
from motcua.national_portal.services import version_for_records

from .conftest import DjangoTransport

pytestmark = pytest.mark.django_db


def reused_copy(dossier: Dossier, source: Upload) -> Upload:
    """A file of ``dossier`` taken from the data store (as ``documents.store.store_reuse`` writes it)."""
    component = dossier.components.first()
    return Upload.objects.create(
        dossier=dossier,
        component=component,
        purpose=UploadPurpose.SUBMISSION,
        original_name=source.original_name,
        stored_name=f"{source.stored_name}.copy",
        content_type=source.content_type,
        size=source.size,
        sha256=source.sha256,
        scan_result=ScanResult.NOT_SCANNED,
        uploaded_at=clock.now(),
        reused_from=source,
        reuse_verified=True,
    )


def test_the_record_carries_the_flags_per_dossier_and_component(connected: World, media: Path) -> None:  # noqa: F811
    version = version_for_records(connected.version.pk)
    catalog_components = list(version.components.all())
    assert catalog_components
    dossier = dossier_in(Status.PROCESSING, version=connected.version, unit=connected.unit_a)
    snap = mapping.dossier_snapshot_now(dossier)
    plain = mapping.dossier_record(snap, version=version)
    assert (plain["DuocSoHoa"], plain["DuocLayTuKhoDMQG"]) == (0, 0)
    assert all(item["DuocSoHoa"] == 0 and item["DuocLayTuKhoDMQG"] == 0 for item in plain["TaiLieuNop"])
    assert dossier_digitisation_flags(dossier.pk) == DigitisationFlags()

    component = dossier.components.get(component=catalog_components[0])
    scanned = component_digitise(
        dossier=dossier,
        component=component,
        actor=connected.officer_a,
        file=SimpleUploadedFile("cccd.png", files.png()),
    )
    flags = dossier_digitisation_flags(dossier.pk)
    assert flags == DigitisationFlags(True, False, frozenset({catalog_components[0].pk}), frozenset())
    record = mapping.dossier_record(snap, version=version, flags=flags)
    assert (record["DuocSoHoa"], record["DuocLayTuKhoDMQG"]) == (1, 0)
    assert record["TaiLieuNop"][0]["DuocSoHoa"] == 1
    assert all(item["DuocSoHoa"] == 0 for item in record["TaiLieuNop"][1:])

    other = dossier_in(Status.PROCESSING, version=connected.version, unit=connected.unit_a)
    reused_copy(other, scanned)
    flags = dossier_digitisation_flags(other.pk)
    assert (flags.digitised, flags.reused) == (False, True)
    record = mapping.dossier_record(mapping.dossier_snapshot_now(other), version=version, flags=flags)
    assert (record["DuocSoHoa"], record["DuocLayTuKhoDMQG"]) == (0, 1)
    first = other.components.first()
    assert first is not None
    assert [i["DuocLayTuKhoDMQG"] for i in record["TaiLieuNop"]] == [
        int(c.pk == first.component_id) for c in catalog_components
    ]


def test_the_synced_record_says_digitised_and_reused(
    connected: World,
    inprocess: DjangoTransport,
    media: Path,  # noqa: F811
) -> None:
    dossier = dossier_in(Status.PROCESSING, version=connected.version, unit=connected.unit_a)
    component = dossier.components.first()
    assert component is not None
    scanned = component_digitise(
        dossier=dossier,
        component=component,
        actor=connected.officer_a,
        file=SimpleUploadedFile("a.png", files.png()),
    )
    reused_copy(dossier, scanned)
    dossier_transition(
        dossier=dossier, action=Action.RESOLVE, actor=connected.leader_a, result="Giấy phép số 1"
    )
    run_queued_tasks()
    payloads: list[dict[str, Any]] = [
        u.payload for u in SyncUpdate.objects.filter(dossier=dossier, service=Service.SYNC_DOSSIER)
    ]
    assert payloads
    assert payloads[-1]["DuocSoHoa"] == 1
    assert payloads[-1]["DuocLayTuKhoDMQG"] == 1
