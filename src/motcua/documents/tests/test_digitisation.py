"""Digitisation at the counter, the results register and the citizen's data store (issue 14, items 3 and 4)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from motcua.accounts.models import User
from motcua.accounts.tests.factories import CitizenFactory
from motcua.audit.models import AuditEntry
from motcua.core import clock
from motcua.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from motcua.documents import digitisation
from motcua.documents.constants import ScanResult, UploadPurpose
from motcua.documents.digitisation import component_digitise, page_count_of
from motcua.documents.models import ResultRecord, Upload
from motcua.documents.results import is_expired, result_record_issue, result_record_validity_set
from motcua.documents.services import dossier_result_attach
from motcua.documents.store import store_item_get, store_items, store_reuse
from motcua.documents.validation import UploadRefused
from motcua.dossiers.constants import Action, ApplicantKind, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import MONDAY_10, World, frozen, world  # noqa: F401  (fixtures)
from motcua.dossiers.tests.factories import dossier_in
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.identity.models import PersonalDataAccess

from . import files

pytestmark = pytest.mark.django_db


@functools.cache
def real_pdf(pages: int, title: str = "Giấy khai sinh") -> bytes:
    """A real multi-page PDF (WeasyPrint, as the project's own forms are made); cached, rendering is slow."""
    import weasyprint

    body = "".join(
        f"<p style='page-break-before:always'>Trang {n + 1}: {title}</p>" if n else f"<p>{title}</p>"
        for n in range(pages)
    )
    return weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf()


def scan(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def received(world: World, **fields: object) -> Dossier:  # noqa: F811
    return dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a, **fields)


# --- digitisation at the counter ---------------------------------------------------------------------------


def test_page_count_and_hash_of_a_real_pdf(world: World, media: Path) -> None:  # noqa: F811
    dossier = received(world)
    component = dossier.components.first()
    assert component is not None
    data = real_pdf(3)
    upload = component_digitise(
        dossier=dossier, component=component, actor=world.officer_a, file=scan("giay-khai-sinh.pdf", data)
    )
    assert upload.page_count == 3
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.digitised
    assert upload.purpose == UploadPurpose.COUNTER
    assert upload.uploaded_by == world.officer_a
    assert upload.uploaded_at is not None
    assert upload.component == component
    assert not upload.certified_copy
    with default_storage.open(upload.stored_name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == upload.sha256
    assert AuditEntry.objects.filter(action="document.counter_upload", object_id=str(dossier.pk)).exists()
    if shutil.which("/usr/bin/pdfinfo"):  # an independent reader agrees (poppler)
        path = media / "check.pdf"
        path.write_bytes(data)
        info = subprocess.run(  # noqa: S603
            ["/usr/bin/pdfinfo", str(path)], capture_output=True, text=True, check=True
        ).stdout
        pages = [line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Pages:")]
        assert pages == ["3"]


def test_page_count_of_each_kind() -> None:
    assert page_count_of(real_pdf(1), "pdf") == 1
    assert page_count_of(real_pdf(4), "pdf") == 4
    assert page_count_of(files.png(), "png") == 1
    assert page_count_of(files.jpeg(), "jpeg") == 1
    assert page_count_of(files.docx(), "docx") is None
    assert page_count_of(b"%PDF-1.4\nnot really a pdf", "pdf") is None


def test_every_upload_gets_its_page_count(world: World, media: Path) -> None:  # noqa: F811
    dossier = received(world)
    component = dossier.components.first()
    assert component is not None
    upload = component_digitise(
        dossier=dossier, component=component, actor=world.officer_a, file=scan("anh.png", files.png())
    )
    assert upload.page_count == 1


def test_only_the_units_officers_digitise(world: World, media: Path) -> None:  # noqa: F811
    dossier = received(world)
    component = dossier.components.first()
    assert component is not None
    with pytest.raises(PermissionDenied):
        component_digitise(
            dossier=dossier, component=component, actor=world.officer_b, file=scan("a.pdf", real_pdf(1))
        )
    with pytest.raises(PermissionDenied):  # a specialist is not the counter
        component_digitise(
            dossier=dossier, component=component, actor=world.specialist_a, file=scan("a.pdf", real_pdf(1))
        )
    other = received(world)
    with pytest.raises(ValidationFailed):  # a component of another dossier
        component_digitise(
            dossier=other, component=component, actor=world.officer_a, file=scan("a.pdf", real_pdf(1))
        )
    draft = dossier_in(Status.DRAFT, version=world.version, unit=world.unit_a)
    draft_component = draft.components.first()
    assert draft_component is not None
    with pytest.raises(Conflict):
        component_digitise(
            dossier=draft, component=draft_component, actor=world.officer_a, file=scan("a.pdf", real_pdf(1))
        )
    assert not Upload.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_a_refused_scan_leaves_nothing(world: World, media: Path) -> None:  # noqa: F811
    dossier = received(world)
    component = dossier.components.first()
    assert component is not None
    with pytest.raises(ValidationFailed):
        component_digitise(
            dossier=dossier, component=component, actor=world.officer_a, file=scan("a.pdf", files.exe())
        )
    assert not Upload.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_certified_copy_names_its_official_and_calls_the_signing_hook(
    world: World,  # noqa: F811
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    called: list[Upload] = []
    monkeypatch.setattr(digitisation, "certified_copy_hooks", [called.append])
    dossier = received(world)
    component = dossier.components.first()
    assert component is not None
    upload = component_digitise(
        dossier=dossier,
        component=component,
        actor=world.officer_a,
        file=scan("ban-chinh.pdf", real_pdf(2)),
        certified_by=world.leader_a,
    )
    assert upload.certified_copy
    assert upload.certified_by == world.leader_a
    assert upload.certified_at
    assert called == [upload]
    with pytest.raises(ValidationFailed):  # a leader of another unit cannot certify here
        component_digitise(
            dossier=dossier,
            component=component,
            actor=world.officer_a,
            file=scan("ban-chinh.pdf", real_pdf(1)),
            certified_by=world.officer_b,
        )


# --- the results register ----------------------------------------------------------------------------------


def resolve(world: World, dossier: Dossier, attachments: list[SimpleUploadedFile]) -> Dossier:  # noqa: F811
    with transaction.atomic():
        dossier = dossier_transition(
            dossier=dossier, action=Action.RESOLVE, actor=world.leader_a, result="Giấy chứng nhận số 12/GCN"
        )
        if attachments:
            dossier_result_attach(dossier=dossier, actor=world.leader_a, files=attachments)
    run_queued_tasks()
    return dossier


def test_a_resolved_dossier_is_entered_in_the_results_register(
    world: World,  # noqa: F811
    media: Path,
    frozen: dt.datetime,  # noqa: F811
) -> None:
    first = resolve(
        world,
        dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a),
        [scan("ket-qua.pdf", real_pdf(2))],
    )
    second = resolve(world, dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a), [])
    one = ResultRecord.objects.get(dossier=first)
    assert one.number == "00001/2025/KQ-8707"
    assert one.issued_at == first.finished_at
    assert one.valid_from == dt.date(2025, 3, 10)
    assert one.valid_until is None
    assert not is_expired(one)
    assert one.digitised
    assert one.page_count == 2
    assert one.title == "Giấy chứng nhận số 12/GCN"
    two = ResultRecord.objects.get(dossier=second)
    assert two.number == "00002/2025/KQ-8707"
    assert not two.digitised
    assert two.page_count is None
    assert result_record_issue(dossier=first) == one  # idempotent: the consumer may run again
    assert ResultRecord.objects.count() == 2
    # the expiry the officer sets
    result_record_validity_set(record=one, actor=world.officer_a, valid_until=dt.date(2025, 3, 31))
    one.refresh_from_db()
    assert not is_expired(one, dt.date(2025, 3, 31))
    assert is_expired(one, dt.date(2025, 4, 1))
    with pytest.raises(ValidationFailed):
        result_record_validity_set(record=one, actor=world.officer_a, valid_until=dt.date(2025, 3, 9))
    with pytest.raises(PermissionDenied):
        result_record_validity_set(record=one, actor=world.officer_b, valid_until=None)


def test_no_register_entry_without_a_result(world: World) -> None:  # noqa: F811
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    assert result_record_issue(dossier=dossier) is None


# --- the citizen's data store ------------------------------------------------------------------------------


@pytest.fixture
def citizens(world: World, media: Path, frozen: dt.datetime) -> dict[str, object]:  # noqa: F811
    """Two citizens, each with an online dossier (a document) and a resolved one (a result)."""
    made: dict[str, object] = {}
    for name in ("an", "binh"):
        person = CitizenFactory()
        earlier = dossier_in(
            Status.RECEIVED,
            version=world.version,
            unit=world.unit_a,
            owner=person,
            applicant_id_number=person.citizen_id,
        )
        component = earlier.components.first()
        assert component is not None
        document = component_digitise(
            dossier=earlier,
            component=component,
            actor=world.officer_a,
            file=scan(f"cccd-{name}.pdf", real_pdf(1, f"CCCD {name}")),
        )
        resolved = resolve(
            world,
            dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a, owner=person),
            [scan(f"ket-qua-{name}.pdf", real_pdf(2, f"Kết quả {name}"))],
        )
        result = Upload.objects.get(dossier=resolved, purpose=UploadPurpose.RESULT)
        draft = dossier_in(Status.DRAFT, version=world.version, unit=world.unit_a, owner=person)
        made[name] = {"user": person, "document": document, "result": result, "draft": draft}
    return made


def test_the_store_lists_only_the_citizens_own(citizens: dict[str, dict]) -> None:
    an, binh = citizens["an"], citizens["binh"]
    items = store_items(an["user"])
    assert {i.upload.pk for i in items} == {an["document"].pk, an["result"].pk}
    result_item = next(i for i in items if i.is_result)
    assert result_item.record is not None
    assert result_item.record.number.endswith("/2025/KQ-8707")
    assert {i.upload.pk for i in store_items(binh["user"])} == {binh["document"].pk, binh["result"].pk}
    for pk in (binh["document"].pk, binh["result"].pk):
        with pytest.raises(NotFound):
            store_item_get(an["user"], pk)


def test_a_counter_dossier_for_the_citizens_id_is_theirs(world: World, citizens: dict[str, dict]) -> None:  # noqa: F811
    an = citizens["an"]
    counter = received(world, applicant_id_number=an["user"].citizen_id)
    component = counter.components.first()
    assert component is not None
    scanned = component_digitise(
        dossier=counter,
        component=component,
        actor=world.officer_a,
        file=scan("so-ho-khau.pdf", real_pdf(1, "Sổ hộ khẩu")),
    )
    assert scanned.pk in {i.upload.pk for i in store_items(an["user"])}
    assert scanned.pk not in {i.upload.pk for i in store_items(citizens["binh"]["user"])}
    # the same ID number on an organisation's dossier (a tax code that happens to match) is not theirs
    organisation = received(
        world, applicant_id_number=an["user"].citizen_id, applicant_kind=ApplicantKind.ORGANISATION
    )
    org_component = organisation.components.first()
    assert org_component is not None
    org_scan = component_digitise(
        dossier=organisation,
        component=org_component,
        actor=world.officer_a,
        file=scan("dkkd.pdf", real_pdf(1, "Đăng ký kinh doanh")),
    )
    assert org_scan.pk not in {i.upload.pk for i in store_items(an["user"])}


def test_an_online_dossier_naming_the_citizen_is_its_filers(world: World, citizens: dict[str, dict]) -> None:  # noqa: F811
    """Bình files online for An (An's ID on the dossier): what Bình uploaded stays Bình's."""
    an, binh = citizens["an"], citizens["binh"]
    for_an = dossier_in(
        Status.RECEIVED,
        version=world.version,
        unit=world.unit_a,
        owner=binh["user"],
        applicant_id_number=an["user"].citizen_id,
    )
    component = for_an.components.first()
    assert component is not None
    scanned = component_digitise(
        dossier=for_an,
        component=component,
        actor=world.officer_a,
        file=scan("giay-uy-quyen.pdf", real_pdf(1, "Ủy quyền")),
    )
    assert scanned.pk not in {i.upload.pk for i in store_items(an["user"])}
    assert scanned.pk in {i.upload.pk for i in store_items(binh["user"])}


def test_staff_have_no_store(world: World, citizens: dict[str, dict]) -> None:  # noqa: F811
    assert store_items(world.officer_a) == []


def test_expired_results_are_not_offered(world: World, citizens: dict[str, dict]) -> None:  # noqa: F811
    an = citizens["an"]
    record = ResultRecord.objects.get(dossier=an["result"].dossier)
    result_record_validity_set(record=record, actor=world.officer_a, valid_until=dt.date(2025, 3, 10))
    assert an["result"].pk in {i.upload.pk for i in store_items(an["user"], today=dt.date(2025, 3, 10))}
    assert an["result"].pk not in {i.upload.pk for i in store_items(an["user"], today=dt.date(2025, 3, 11))}
    with clock.frozen(MONDAY_10 + dt.timedelta(days=1)):
        draft = an["draft"]
        with pytest.raises(NotFound):
            store_reuse(
                dossier=draft, component=draft.components.first(), actor=an["user"], item_id=an["result"].pk
            )


def test_reuse_copies_a_verified_file_into_the_draft(citizens: dict[str, dict]) -> None:
    an = citizens["an"]
    draft = an["draft"]
    component = draft.components.first()
    logged = PersonalDataAccess.objects.count()
    copy = store_reuse(dossier=draft, component=component, actor=an["user"], item_id=an["result"].pk)
    assert copy.reused_from == an["result"]
    assert copy.reuse_verified
    assert copy.dossier == draft
    assert copy.component == component
    assert copy.purpose == UploadPurpose.SUBMISSION
    assert copy.sha256 == an["result"].sha256
    assert copy.page_count == 2
    assert copy.stored_name != an["result"].stored_name
    with default_storage.open(copy.stored_name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == copy.sha256
    assert PersonalDataAccess.objects.count() == logged + 1
    assert AuditEntry.objects.filter(action="document.store_reuse").count() == 1


def test_a_citizen_can_never_reuse_anothers_document(citizens: dict[str, dict]) -> None:
    an, binh = citizens["an"], citizens["binh"]
    draft = an["draft"]
    for pk in (binh["document"].pk, binh["result"].pk):
        with pytest.raises(NotFound):
            store_reuse(dossier=draft, component=draft.components.first(), actor=an["user"], item_id=pk)
    with pytest.raises(NotFound):  # nor reuse into someone else's draft
        store_reuse(
            dossier=binh["draft"],
            component=binh["draft"].components.first(),
            actor=an["user"],
            item_id=an["document"].pk,
        )
    assert not Upload.objects.filter(reused_from__isnull=False).exists()


def test_a_tampered_stored_file_is_refused(citizens: dict[str, dict]) -> None:
    an = citizens["an"]
    source = an["document"]
    default_storage.delete(source.stored_name)
    default_storage.save(source.stored_name, SimpleUploadedFile("x", real_pdf(1) + b"% altered\n"))
    with pytest.raises(Conflict) as info:
        store_reuse(
            dossier=an["draft"], component=an["draft"].components.first(), actor=an["user"], item_id=source.pk
        )
    assert info.value.code == "store_hash_mismatch"
    assert not Upload.objects.filter(reused_from__isnull=False).exists()


def test_the_register_and_the_copies_in_the_admin(
    world: World,  # noqa: F811
    media: Path,
    client: Client,
) -> None:
    first = resolve(
        world,
        dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a),
        [scan("ket-qua.pdf", real_pdf(1))],
    )
    number = ResultRecord.objects.get(dossier=first).number
    admin = User.objects.create_superuser("quantri", password="x")
    client.force_login(admin)
    page = client.get("/quan-tri/documents/resultrecord/").content.decode()
    assert number in page
    assert client.get("/quan-tri/documents/upload/?digitised__exact=1").status_code == 200
    record = ResultRecord.objects.get(dossier=first)
    assert client.get(f"/quan-tri/documents/resultrecord/{record.pk}/delete/").status_code == 403


def test_an_infected_scan_is_refused_by_clamav(
    world: World,  # noqa: F811
    media: Path,
    clamd_address: str,
    settings: Any,
) -> None:
    settings.MOTCUA_CLAMD = clamd_address
    dossier = received(world)
    component = dossier.components.first()
    assert component is not None
    with pytest.raises(UploadRefused) as info:
        component_digitise(
            dossier=dossier,
            component=component,
            actor=world.officer_a,
            file=scan("ban-quet.pdf", files.pdf("x" * 10) + files.EICAR),
        )
    assert info.value.code == "upload_infected"
    clean = component_digitise(
        dossier=dossier, component=component, actor=world.officer_a, file=scan("ban-quet.pdf", real_pdf(1))
    )
    assert clean.scan_result == ScanResult.CLEAN
    assert Upload.objects.count() == 1
