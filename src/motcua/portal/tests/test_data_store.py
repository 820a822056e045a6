""" "Kho dữ liệu của tôi": the citizen's own documents and results, re-used in a new online submission."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.test import Client

from motcua.core import clock
from motcua.documents.constants import UploadPurpose
from motcua.documents.models import ResultRecord, Upload
from motcua.documents.results import result_record_issue
from motcua.documents.services import dossier_result_attach
from motcua.documents.tests import files
from motcua.dossiers.constants import Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import dossier_in
from motcua.identity.models import PersonalDataAccess
from motcua.submissions import services

from .submission_factories import World, login, make_world
from .test_my_dossiers import submitted

pytestmark = pytest.mark.django_db

RESULT = files.pdf("Giấy phép xây dựng số 12/2026")


@pytest.fixture
def world() -> World:
    return make_world()


def earlier_result(world: World, owner: object) -> Upload:
    """A resolved dossier of ``owner`` with its result file, entered in the results register."""
    dossier = dossier_in(
        Status.RESOLVED, version=world.version, unit=world.unit, owner=owner, result_note="Giấy phép 12/2026"
    )
    (upload,) = dossier_result_attach(
        dossier=dossier, actor=world.officer, files=[files.upload("gp.pdf", RESULT)]
    )
    result_record_issue(dossier=dossier)
    return upload


def draft(world: World, owner: object) -> Dossier:
    return services.draft_start(
        actor=owner,  # type: ignore[arg-type]
        procedure_code=world.code,
        unit_code=world.unit.code,
        applicant={"name": "Nguyễn Văn An", "id_number": "026090001234", "email": "x@example.vn"},
    )


def test_the_store_shows_only_the_citizens_own_and_logs_the_access(
    client: Client, world: World, media: Path
) -> None:
    mine = earlier_result(world, world.citizen)
    theirs = earlier_result(world, world.other)
    # the same content twice (both components) is one item: the latest copy
    document = (
        Upload.objects.filter(dossier=submitted(world), purpose=UploadPurpose.SUBMISSION)
        .order_by("-pk")
        .first()
    )
    assert document is not None
    login(client, world.citizen)
    before = PersonalDataAccess.objects.count()
    page = client.get("/ho-so-cua-toi/kho-du-lieu/").content.decode()
    assert f'data-store-item="{mine.pk}"' in page
    assert f'data-store-item="{document.pk}"' in page
    assert f'data-store-item="{theirs.pk}"' not in page
    assert ResultRecord.objects.get(dossier=mine.dossier).number in page
    assert PersonalDataAccess.objects.count() == before + 1
    assert PersonalDataAccess.objects.latest("pk").subject_id_number == world.citizen.citizen_id
    assert client.get(f"/ho-so-cua-toi/kho-du-lieu/{mine.pk}/").status_code == 200
    assert client.get(f"/ho-so-cua-toi/kho-du-lieu/{theirs.pk}/").status_code == 404
    assert "Kho dữ liệu của tôi" in client.get("/ho-so-cua-toi/").content.decode()


def test_the_store_needs_the_e_id_login(client: Client, world: World, media: Path) -> None:
    response = client.get("/ho-so-cua-toi/kho-du-lieu/")
    assert response.status_code == 302
    client.force_login(world.officer)
    assert client.get("/ho-so-cua-toi/kho-du-lieu/").status_code == 403


def test_reuse_in_a_new_submission_then_the_officer_sees_it_verified(
    client: Client, world: World, media: Path
) -> None:
    result = earlier_result(world, world.citizen)
    new = draft(world, world.citizen)
    login(client, world.citizen)
    page = client.get(f"/ho-so-cua-toi/nhap/{new.pk}/").content.decode()
    assert "Dùng lại từ Kho dữ liệu của tôi" in page
    assert f'<option value="{result.pk}">' in page
    components = list(new.components.filter(required=True).order_by("pk"))
    response = client.post(f"/ho-so-cua-toi/nhap/{new.pk}/dung-lai/{components[0].pk}/", {"item": result.pk})
    assert response.status_code == 302
    copy = Upload.objects.get(dossier=new)
    assert copy.reused_from == result
    assert copy.reuse_verified
    assert "data-from-store" in client.get(f"/ho-so-cua-toi/nhap/{new.pk}/").content.decode()
    # the rest uploaded as usual, then submitted and received at the desk
    for component in components[1:]:
        client.post(
            f"/ho-so-cua-toi/nhap/{new.pk}/tai-len/{component.pk}/",
            {"file": files.upload("a.pdf", files.pdf())},
        )
    services.draft_save(
        dossier=new,
        actor=world.citizen,
        applicant={"name": "Nguyễn Văn An", "id_number": "026090001234", "email": "x@example.vn"},
        unit_code=world.unit.code,
        answers={"noi_dung": "Đề nghị"},
    )
    new = services.draft_submit(dossier=new, actor=world.citizen)
    new = dossier_transition(dossier=new, action="receive", actor=world.officer)
    client.force_login(world.officer)
    page = client.get(f"/can-bo/ho-so/{new.code}/").content.decode()
    assert 'data-from-store="verified"' in page


def test_a_citizen_cannot_reuse_anothers_document(client: Client, world: World, media: Path) -> None:
    theirs = earlier_result(world, world.other)
    new = draft(world, world.citizen)
    component = new.components.first()
    assert component is not None
    login(client, world.citizen)
    page = client.get(f"/ho-so-cua-toi/nhap/{new.pk}/").content.decode()
    assert f'<option value="{theirs.pk}">' not in page
    response = client.post(f"/ho-so-cua-toi/nhap/{new.pk}/dung-lai/{component.pk}/", {"item": theirs.pk})
    assert response.status_code == 302
    assert not Upload.objects.filter(dossier=new).exists()
    # nor into someone else's draft
    other_draft = draft(world, world.other)
    mine = earlier_result(world, world.citizen)
    other_component = other_draft.components.first()
    assert other_component is not None
    response = client.post(
        f"/ho-so-cua-toi/nhap/{other_draft.pk}/dung-lai/{other_component.pk}/", {"item": mine.pk}
    )
    assert response.status_code == 404
    assert not Upload.objects.filter(reused_from__isnull=False).exists()


def test_expired_results_are_not_offered(client: Client, world: World, media: Path) -> None:
    result = earlier_result(world, world.citizen)
    ResultRecord.objects.filter(dossier=result.dossier).update(
        valid_until=clock.today() - dt.timedelta(days=1)
    )
    new = draft(world, world.citizen)
    component = new.components.first()
    assert component is not None
    login(client, world.citizen)
    assert f'data-store-item="{result.pk}"' not in client.get("/ho-so-cua-toi/kho-du-lieu/").content.decode()
    assert (
        f'<option value="{result.pk}">' not in client.get(f"/ho-so-cua-toi/nhap/{new.pk}/").content.decode()
    )
    client.post(f"/ho-so-cua-toi/nhap/{new.pk}/dung-lai/{component.pk}/", {"item": result.pk})
    assert not Upload.objects.filter(dossier=new).exists()
    ResultRecord.objects.filter(dossier=result.dossier).update(valid_until=clock.today())
    assert f'data-store-item="{result.pk}"' in client.get("/ho-so-cua-toi/kho-du-lieu/").content.decode()
