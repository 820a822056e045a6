"""The dossier page: digitising components at the counter, the results register, files re-used from the store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.documents.constants import UploadPurpose
from motcua.documents.models import ResultRecord, Upload
from motcua.documents.results import result_record_issue
from motcua.documents.tests.files import png
from motcua.documents.tests.fixtures import media  # noqa: F401
from motcua.documents.tests.test_digitisation import real_pdf
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import dossier_in

from .test_backoffice import html, intake, login

pytestmark = pytest.mark.django_db


def test_the_officer_digitises_each_component_after_intake(
    client: Client,
    world: World,
    frozen: dt.datetime,
    media: Path,  # noqa: F811
) -> None:
    dossier = intake(world)
    login(client, world.officer_a)
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    components = list(dossier.components.order_by("pk"))
    assert "Số hóa thành phần hồ sơ" in page
    for component in components:
        assert f'data-digitise="{component.pk}"' in page
    first = components[0]
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/so-hoa/{first.pk}/",
        {"file": SimpleUploadedFile("giay-to.pdf", real_pdf(3)), "certified_by": str(world.leader_a.pk)},
    )
    assert response.status_code == 302
    upload = Upload.objects.get(dossier=dossier)
    assert (upload.purpose, upload.digitised, upload.page_count) == (UploadPurpose.COUNTER, True, 3)
    assert upload.certified_by == world.leader_a
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "data-digitised" in page
    assert "3 trang" in page
    assert "người chứng thực" in page
    assert upload.sha256[:16] in page
    # a refused file: nothing stored, the page says why
    client.post(
        f"/can-bo/ho-so/{dossier.code}/so-hoa/{first.pk}/",
        {"file": SimpleUploadedFile("x.pdf", b"MZ\x90\x00")},
    )
    assert Upload.objects.filter(dossier=dossier).count() == 1


def test_only_the_units_counter_staff_digitise(
    client: Client,
    world: World,
    frozen: dt.datetime,
    media: Path,  # noqa: F811
) -> None:
    dossier = intake(world)
    component = dossier.components.first()
    assert component is not None
    login(client, world.specialist_a)  # sees the dossier, is not the counter
    assert "Số hóa thành phần hồ sơ" not in html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    client.post(
        f"/can-bo/ho-so/{dossier.code}/so-hoa/{component.pk}/", {"file": SimpleUploadedFile("a.png", png())}
    )
    login(client, world.officer_b)  # another unit: the dossier does not exist for them
    response = client.post(
        f"/can-bo/ho-so/{dossier.code}/so-hoa/{component.pk}/", {"file": SimpleUploadedFile("a.png", png())}
    )
    assert response.status_code == 404
    assert not Upload.objects.exists()


def test_the_results_register_on_the_dossier_page(
    client: Client,
    world: World,
    frozen: dt.datetime,
    media: Path,  # noqa: F811
) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    dossier = dossier_transition(
        dossier=dossier, action=Action.RESOLVE, actor=world.leader_a, result="Giấy phép 7"
    )
    record = result_record_issue(dossier=dossier)  # what the consumer does in the worker
    assert record is not None
    login(client, world.officer_a)
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert f'data-result-record="{record.number}"' in page
    assert "không thời hạn" in page
    response = client.post(f"/can-bo/ho-so/{dossier.code}/so-ket-qua/", {"valid_until": "2025-03-09"})
    assert response.status_code == 302
    assert ResultRecord.objects.get().valid_until is None  # before the issue date: refused
    client.post(f"/can-bo/ho-so/{dossier.code}/so-ket-qua/", {"valid_until": "2026-03-10"})
    assert ResultRecord.objects.get().valid_until == dt.date(2026, 3, 10)
    assert 'data-valid-until="2026-03-10"' in html(client.get(f"/can-bo/ho-so/{dossier.code}/"))


def test_the_officer_sees_a_file_came_from_the_store_verified(
    client: Client,
    world: World,
    frozen: dt.datetime,
    media: Path,  # noqa: F811
) -> None:
    from motcua.accounts.tests.factories import CitizenFactory
    from motcua.documents.store import store_reuse
    from motcua.documents.tests.test_digitisation import resolve

    citizen = CitizenFactory()
    earlier = resolve(
        world,
        dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a, owner=citizen),
        [SimpleUploadedFile("ket-qua.pdf", real_pdf(2, "Giấy phép cũ"))],
    )
    result = Upload.objects.get(dossier=earlier, purpose=UploadPurpose.RESULT)
    draft = dossier_in(Status.DRAFT, version=world.version, unit=world.unit_a, owner=citizen)
    copy = store_reuse(dossier=draft, component=draft.components.first(), actor=citizen, item_id=result.pk)
    Upload.objects.filter(pk=copy.pk).update(
        dossier=dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    )
    copy.refresh_from_db()
    login(client, world.officer_a)
    page = html(client.get(f"/can-bo/ho-so/{copy.dossier.code}/"))
    assert 'data-from-store="verified"' in page
    assert f"từ hồ sơ {earlier.code}" in page
    # a copy whose content no longer matches its source is shown unverified
    Upload.objects.filter(pk=copy.pk).update(sha256="0" * 64)
    page = html(client.get(f"/can-bo/ho-so/{copy.dossier.code}/"))
    assert 'data-from-store="unverified"' in page


def test_scans_chosen_on_the_intake_form_are_digitised(
    client: Client,
    world: World,
    frozen: dt.datetime,
    media: Path,  # noqa: F811
) -> None:
    components = list(world.version.components.order_by("order"))
    login(client, world.officer_a)
    form_page = html(client.get("/can-bo/tiep-nhan/", {"thu_tuc": "1.001193"}))
    assert 'enctype="multipart/form-data"' in form_page
    for c in components:
        assert f'name="scan-{c.pk}"' in form_page
    response = client.post(
        "/can-bo/tiep-nhan/",
        {
            "procedure": "1.001193",
            "unit": "8707",
            "kind": "citizen",
            "name": "Đặng Văn Lâm",
            "id_number": "026090012345",
            "components": [str(c.pk) for c in components if c.required],
            f"scan-{components[0].pk}": SimpleUploadedFile("don.pdf", real_pdf(2)),
            f"scan-{components[1].pk}": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a document"),
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get(applicant_name="Đặng Văn Lâm")
    assert dossier.status == Status.RECEIVED  # a refused scan never undoes the intake
    (scan,) = Upload.objects.filter(dossier=dossier)
    assert scan.component is not None
    assert scan.component.component_id == components[0].pk
    assert (scan.digitised, scan.page_count, scan.uploaded_by) == (True, 2, world.officer_a)
    page = html(client.get(response["Location"]))
    assert "chưa được số hóa" in page  # the refused one is reported
