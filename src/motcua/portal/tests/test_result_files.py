"""Result files: attached in the back office when resolving, downloaded by the applicant on "Kết quả"."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict
from motcua.documents.constants import UploadPurpose
from motcua.documents.models import Upload
from motcua.documents.services import dossier_result_attach
from motcua.documents.tests import files
from motcua.documents.tests.fixtures import files_under
from motcua.dossiers.constants import Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import staff
from motcua.organisations.constants import Role
from motcua.organisations.models import Membership

from .submission_factories import World, login, make_world
from .test_my_dossiers import received

pytestmark = pytest.mark.django_db

RESULT_PDF = files.pdf("Giấy chứng nhận số 12/2026")


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def specialist(world: World) -> User:
    user = User.objects.get(pk=staff(world.unit, Role.SPECIALIST, username="chuyen-vien-1").pk)
    # The process has a leader's approval step: only a leader resolves (issue 16). In this small commune
    # the leader also processes the dossier.
    Membership.objects.create(user=user, unit=world.unit, role=Role.LEADER)
    user.refresh_from_db()
    return user


def processing(world: World, specialist: User) -> Dossier:
    dossier = received(world)
    dossier = dossier_transition(dossier=dossier, action="forward", actor=world.officer, note="Chuyển xử lý")
    return dossier_transition(dossier=dossier, action="assign", actor=world.officer, assignee=specialist)


def resolve(client: Client, dossier: Dossier, *uploads: object, result: str = "Giấy chứng nhận số 12/2026"):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {
        "resolve-expected_version": Dossier.objects.get(pk=dossier.pk).version,
        "resolve-result": result,
    }
    if uploads:
        data["resolve-attachments"] = list(uploads)
    return client.post(f"/can-bo/ho-so/{dossier.code}/thao-tac/resolve/", data)


def results(dossier: Dossier) -> list[Upload]:
    return list(Upload.objects.filter(dossier=dossier, purpose=UploadPurpose.RESULT).order_by("pk"))


def test_resolve_with_result_files_the_citizen_downloads_them(
    client: Client, world: World, specialist: User, media: Path
) -> None:
    dossier = processing(world, specialist)
    client.force_login(specialist)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    response = resolve(
        client,
        dossier,
        files.upload("Giấy chứng nhận.pdf", RESULT_PDF),
        files.upload("phu-luc.png", files.png(), "image/png"),
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RESOLVED
    stored = results(dossier)
    assert [(u.original_name, u.content_type, u.component_id) for u in stored] == [
        ("Giấy chứng nhận.pdf", "application/pdf", None),
        ("phu-luc.png", "image/png", None),
    ]
    assert stored[0].uploaded_by == specialist
    assert AuditEntry.objects.filter(action="document.result_upload", object_id=str(dossier.pk)).count() == 2

    # The back-office page lists them apart from the applicant's uploads and serves them to staff.
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    section = page.split('id="tep-ket-qua"', 1)[1].split("</section>", 1)[0]
    assert "Giấy chứng nhận.pdf" in section
    assert "phu-luc.png" in section
    applicant_part = page.split('id="tep-tai-len"', 1)[1].split("</section>", 1)[0]
    assert "Giấy chứng nhận.pdf" not in applicant_part
    staff_download = client.get(f"/can-bo/ho-so/{dossier.code}/tep/{stored[0].pk}/")
    assert staff_download.status_code == 200
    assert b"".join(staff_download.streaming_content) == RESULT_PDF  # type: ignore[attr-defined]

    # The applicant: listed on "Kết quả", downloaded byte for byte, as an attachment.
    login(client, world.citizen)
    result_page = client.get(f"/ho-so-cua-toi/{dossier.code}/ket-qua/").content.decode()
    assert f"/ho-so-cua-toi/tep/{stored[0].pk}/" in result_page
    assert f"/ho-so-cua-toi/tep/{stored[1].pk}/" in result_page
    download = client.get(f"/ho-so-cua-toi/tep/{stored[0].pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == RESULT_PDF  # type: ignore[attr-defined]
    # Not the applicant's own uploads on the detail page.
    detail = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert "phu-luc.png" not in detail

    # Still there once returned.
    dossier_transition(dossier=dossier, action="return", actor=world.officer)
    assert client.get(f"/ho-so-cua-toi/tep/{stored[0].pk}/").status_code == 200

    # Another citizen: 404 for the page and the file.
    login(client, world.other)
    assert client.get(f"/ho-so-cua-toi/{dossier.code}/ket-qua/").status_code == 404
    assert client.get(f"/ho-so-cua-toi/tep/{stored[0].pk}/").status_code == 404


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("ket-qua.pdf", files.exe(), "application/pdf"),  # an executable named .pdf
        ("ket-qua.pdf", b"", "application/pdf"),
        ("ket-qua.docx", files.zip_bomb_docx(), "application/pdf"),
    ],
    ids=["spoofed", "empty", "zip-bomb"],
)
def test_a_refused_result_file_leaves_the_dossier_unresolved(
    client: Client, world: World, specialist: User, media: Path, name: str, data: bytes, content_type: str
) -> None:
    dossier = processing(world, specialist)
    version = Dossier.objects.get(pk=dossier.pk).version
    on_disk = files_under(media)
    client.force_login(specialist)
    response = resolve(
        client, dossier, files.upload("hop-le.pdf", RESULT_PDF), files.upload(name, data, content_type)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "không được chấp nhận" in html
    assert "Hồ sơ chưa được chuyển sang “đã giải quyết”" in html
    assert 'id="action-resolve" open' in html
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.version == version
    assert dossier.result_note == ""
    assert results(dossier) == []
    assert files_under(media) == on_disk
    assert not AuditEntry.objects.filter(action="document.result_upload").exists()


def test_resolve_without_a_file_for_a_paper_only_result(
    client: Client, world: World, specialist: User, media: Path
) -> None:
    dossier = processing(world, specialist)
    client.force_login(specialist)
    note = "Bản giấy: nhận tại Bộ phận một cửa UBND xã Tam Hồng"
    assert resolve(client, dossier, result=note).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RESOLVED
    assert dossier.result_note == note
    assert results(dossier) == []
    assert 'id="tep-ket-qua"' not in client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    login(client, world.citizen)
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/ket-qua/").content.decode()
    assert note in page
    assert "Bản điện tử của kết quả chưa có trên hệ thống" in page


def test_a_virus_in_a_result_file_is_refused(
    client: Client, world: World, specialist: User, media: Path, clamd_address: str, settings: object
) -> None:
    settings.MOTCUA_CLAMD = clamd_address  # type: ignore[attr-defined]
    dossier = processing(world, specialist)
    client.force_login(specialist)
    response = resolve(client, dossier, files.upload("ket-qua.pdf", files.pdf() + files.EICAR))
    assert response.status_code == 400
    assert "mã độc" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING
    assert results(dossier) == []
    ok = resolve(client, dossier, files.upload("ket-qua.pdf", RESULT_PDF))
    assert ok.status_code == 302
    assert [u.scan_result for u in results(dossier)] == ["clean"]


def test_result_files_only_on_a_resolved_dossier(world: World, specialist: User, media: Path) -> None:
    dossier = processing(world, specialist)
    with pytest.raises(Conflict) as refused:
        dossier_result_attach(dossier=dossier, actor=specialist, files=[files.upload("kq.pdf", RESULT_PDF)])
    assert refused.value.code == "not_resolved"
    assert results(dossier) == []
    assert not any("results" in p.parts for p in files_under(media))
