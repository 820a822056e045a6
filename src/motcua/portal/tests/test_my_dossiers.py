"""My dossiers: scoping, timeline, supplement, withdrawal, receipt, rating, data download, public lookup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.documents.constants import UploadPurpose
from motcua.documents.models import Rating, Upload
from motcua.documents.services import upload_store
from motcua.documents.tests import files
from motcua.documents.tests.fixtures import files_under
from motcua.dossiers.constants import Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import dossier_in
from motcua.submissions import services

from .submission_factories import World, login, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def submitted(world: World, owner: User | None = None) -> Dossier:
    """A dossier submitted online by ``owner`` (default: the citizen) through the services."""
    owner = owner or world.citizen
    dossier = services.draft_start(
        actor=owner,
        procedure_code=world.code,
        unit_code=world.unit.code,
        applicant={"name": owner.full_name, "id_number": owner.citizen_id, "email": "x@example.vn"},
    )
    services.draft_save(
        dossier=dossier,
        actor=owner,
        applicant={"name": owner.full_name, "id_number": owner.citizen_id, "email": "x@example.vn"},
        unit_code=world.unit.code,
        answers={"noi_dung": "Đề nghị đăng ký"},
    )
    for component in dossier.components.filter(required=True):
        upload_store(
            dossier=dossier, actor=owner, file=files.upload("giay-to.pdf", files.pdf()), component=component
        )
    return services.draft_submit(dossier=dossier, actor=owner)


def received(world: World, owner: User | None = None) -> Dossier:
    dossier = submitted(world, owner)
    return dossier_transition(dossier=dossier, action="receive", actor=world.officer)


def test_my_dossiers_lists_only_mine_with_masked_ids(client: Client, world: World, media: Path) -> None:
    mine = submitted(world)
    theirs = submitted(world, world.other)
    login(client, world.citizen)
    html = client.get("/ho-so-cua-toi/").content.decode()
    assert mine.code in html
    assert theirs.code not in html
    assert "026******234" in html
    assert "026090001234" not in html
    assert "Trần Thị Bình" not in html
    assert client.get(f"/ho-so-cua-toi/{mine.code}/").status_code == 200
    assert client.get(f"/ho-so-cua-toi/{theirs.code}/").status_code == 404
    assert client.get("/ho-so-cua-toi/KHONG-CO/").status_code == 404


def test_list_has_no_n_plus_one(
    client: Client, world: World, media: Path, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        submitted(world)
    login(client, world.citizen)
    with django_assert_max_num_queries(8):
        client.get("/ho-so-cua-toi/")


def test_anonymous_and_staff_cannot_open_my_dossiers(client: Client, world: World) -> None:
    response = client.get("/ho-so-cua-toi/")
    assert response.status_code == 302
    assert response["Location"].startswith("/auth/login/?next=")
    client.force_login(world.officer)
    assert client.get("/ho-so-cua-toi/").status_code == 403


def test_timeline_shows_the_applicant_view_without_internal_notes(
    client: Client, world: World, media: Path
) -> None:
    dossier = received(world)
    dossier = dossier_transition(
        dossier=dossier, action="forward", actor=world.officer, note="GHI CHÚ NỘI BỘ: chuyển anh Hùng xem"
    )
    specialist = __import__("motcua.dossiers.tests.factories", fromlist=["staff"]).staff(
        world.unit, "specialist", username="cv-1"
    )
    dossier = dossier_transition(
        dossier=dossier, action="request-supplement", actor=specialist, note="Bổ sung bản sao giấy chứng sinh"
    )
    login(client, world.citizen)
    html = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert "Nộp hồ sơ" in html
    assert "Tiếp nhận" in html
    assert "Yêu cầu bổ sung" in html
    assert "Bổ sung bản sao giấy chứng sinh" in html
    assert "GHI CHÚ NỘI BỘ" not in html
    assert "Chuyển bước" not in html
    assert "Hẹn trả kết quả" in html


def test_supplement_response_uploads_files(client: Client, world: World, media: Path) -> None:
    dossier = dossier_transition(
        dossier=received(world),
        action="request-supplement",
        actor=world.officer,
        note="Bổ sung giấy chứng sinh",
    )
    assert dossier.status == Status.AWAITING_SUPPLEMENT
    login(client, world.citizen)
    before = len(files_under(media))
    # An attack in a supplement is refused like any other upload.
    response = client.post(
        f"/ho-so-cua-toi/{dossier.code}/bo-sung/", {"file": files.upload("bs.pdf", files.exe())}, follow=True
    )
    assert "Loại tệp không được chấp nhận" in response.content.decode()
    assert not Upload.objects.filter(purpose=UploadPurpose.SUPPLEMENT).exists()
    assert len(files_under(media)) == before
    response = client.post(
        f"/ho-so-cua-toi/{dossier.code}/bo-sung/", {"file": files.upload("bs.png", files.png())}, follow=True
    )
    html = response.content.decode()
    assert "Đã gửi tệp bổ sung “bs.png”" in html
    item = Upload.objects.get(purpose=UploadPurpose.SUPPLEMENT)
    assert item.dossier_id == dossier.pk
    assert item.content_type == "image/png"
    # Not yet complete: the applicant (or an officer) declares it ("Đã bổ sung đủ hồ sơ").
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_SUPPLEMENT
    # Not awaiting a supplement: refused.
    dossier_transition(dossier=dossier, action="supplement-received", actor=world.officer)
    response = client.post(
        f"/ho-so-cua-toi/{dossier.code}/bo-sung/", {"file": files.upload("b2.png", files.png())}, follow=True
    )
    assert "Hồ sơ không ở trạng thái chờ bổ sung" in response.content.decode()
    assert Upload.objects.filter(purpose=UploadPurpose.SUPPLEMENT).count() == 1


@pytest.mark.parametrize("rule", ["pause", "reset"])
def test_applicant_declares_the_supplement_complete(
    client: Client, world: World, media: Path, rule: str
) -> None:
    world.version.supplement_rule = rule
    world.version.save(update_fields=["supplement_rule"])
    dossier = dossier_transition(
        dossier=received(world), action="request-supplement", actor=world.officer, note="Bổ sung tờ khai"
    )
    login(client, world.citizen)
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert "Đã bổ sung đủ hồ sơ" not in page  # nothing sent yet: no button
    # Posting anyway is refused and changes nothing.
    response = client.post(f"/ho-so-cua-toi/{dossier.code}/bo-sung/xong/", follow=True)
    assert "Vui lòng tải lên giấy tờ bổ sung trước" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.AWAITING_SUPPLEMENT
    # Another citizen cannot complete it.
    login(client, world.other)
    assert client.post(f"/ho-so-cua-toi/{dossier.code}/bo-sung/xong/").status_code == 404

    login(client, world.citizen)
    client.post(f"/ho-so-cua-toi/{dossier.code}/bo-sung/", {"file": files.upload("bs.pdf", files.pdf())})
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert f'action="/ho-so-cua-toi/{dossier.code}/bo-sung/xong/"' in page
    response = client.post(f"/ho-so-cua-toi/{dossier.code}/bo-sung/xong/", follow=True)
    assert "Đã xác nhận bổ sung đủ hồ sơ" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert (dossier.paused_at, dossier.remaining_minutes) == (None, None)
    assert dossier.due_at is not None
    event = dossier.events.get(action="supplement-received")
    assert (event.actor, event.data["rule"]) == (world.citizen, rule)
    assert "Đã bổ sung đủ hồ sơ" not in response.content.decode()  # no longer awaiting


def test_withdrawal_request(client: Client, world: World, media: Path) -> None:
    dossier = received(world)
    login(client, world.citizen)
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert "Gửi yêu cầu rút hồ sơ" in page
    response = client.post(f"/ho-so-cua-toi/{dossier.code}/rut-ho-so/", {"reason": ""}, follow=True)
    assert "Cần nhập lý do rút hồ sơ" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED
    response = client.post(
        f"/ho-so-cua-toi/{dossier.code}/rut-ho-so/", {"reason": "Không còn nhu cầu"}, follow=True
    )
    assert "Đã gửi yêu cầu rút hồ sơ" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.WITHDRAWAL_REQUESTED
    # Someone else cannot withdraw my dossier.
    login(client, world.other)
    assert client.post(f"/ho-so-cua-toi/{dossier.code}/rut-ho-so/", {"reason": "x"}).status_code == 404


def test_receipt_once_received(client: Client, world: World, media: Path) -> None:
    dossier = submitted(world)
    login(client, world.citizen)
    assert "Mẫu 01" not in client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    dossier = dossier_transition(dossier=dossier, action="receive", actor=world.officer)
    assert "Tải giấy tiếp nhận (Mẫu 01)" in client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    response = client.get(f"/ho-so-cua-toi/{dossier.code}/bien-nhan.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    login(client, world.other)
    assert client.get(f"/ho-so-cua-toi/{dossier.code}/bien-nhan.pdf").status_code == 404


def test_rating_once_after_return(client: Client, world: World) -> None:
    processing = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit, owner=world.citizen)
    returned = dossier_in(Status.RETURNED, version=world.version, unit=world.unit, owner=world.citizen)
    login(client, world.citizen)
    assert "Đánh giá mức độ hài lòng" not in client.get(f"/ho-so-cua-toi/{processing.code}/").content.decode()
    response = client.post(f"/ho-so-cua-toi/{processing.code}/danh-gia/", {"level": "satisfied"}, follow=True)
    assert "Chỉ đánh giá được sau khi đã nhận kết quả" in response.content.decode()
    assert not Rating.objects.exists()
    page = client.get(f"/ho-so-cua-toi/{returned.code}/").content.decode()
    assert "Rất hài lòng" in page
    assert "Không hài lòng" in page
    response = client.post(
        f"/ho-so-cua-toi/{returned.code}/danh-gia/",
        {"level": "very_satisfied", "comment": "Nhanh, gọn"},
        follow=True,
    )
    html = response.content.decode()
    assert "Cảm ơn ông/bà đã đánh giá" in html
    assert "Ông/bà đã đánh giá: Rất hài lòng" in html
    response = client.post(
        f"/ho-so-cua-toi/{returned.code}/danh-gia/", {"level": "not_satisfied"}, follow=True
    )
    assert "Hồ sơ này đã được đánh giá" in response.content.decode()
    rating = Rating.objects.get()
    assert (rating.dossier_id, rating.level, rating.comment) == (returned.pk, "very_satisfied", "Nhanh, gọn")
    login(client, world.other)
    assert client.post(f"/ho-so-cua-toi/{returned.code}/danh-gia/", {"level": "satisfied"}).status_code == 404


def test_data_download(client: Client, world: World, media: Path) -> None:
    mine = submitted(world)
    theirs = submitted(world, world.other)
    login(client, world.citizen)
    response = client.get("/ho-so-cua-toi/du-lieu-cua-toi.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="du-lieu-cua-toi-')
    data = json.loads(response.content)
    assert data["account"]["citizen_id"] == "026090001234"
    assert [d["code"] for d in data["dossiers"]] == [mine.code]
    assert data["dossiers"][0]["form_answers"] == {"noi_dung": "Đề nghị đăng ký"}
    assert {u["name"] for u in data["dossiers"][0]["uploads"]} == {"giay-to.pdf"}
    assert len(data["dossiers"][0]["uploads"][0]["sha256"]) == 64
    assert theirs.code not in response.content.decode()
    assert "Trần Thị Bình" not in response.content.decode()


def test_own_files_download_as_attachments_only(client: Client, world: World, media: Path) -> None:
    dossier = submitted(world)
    item = Upload.objects.filter(dossier=dossier).first()
    assert item is not None
    login(client, world.citizen)
    response = client.get(f"/ho-so-cua-toi/tep/{item.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    login(client, world.other)
    assert client.get(f"/ho-so-cua-toi/tep/{item.pk}/").status_code == 404


def test_public_lookup_shows_no_personal_data(client: Client, world: World, media: Path) -> None:
    dossier = received(world)
    response = client.get(f"/tra-cuu/?ma={dossier.code}")
    assert response.status_code == 200
    html = response.content.decode()
    assert world.version.name in html
    assert "UBND xã Tam Hồng" in html
    assert "Đã tiếp nhận" in html
    assert dossier.due_at is not None
    assert (
        f"{dossier.due_at.astimezone(__import__('motcua.core.clock', fromlist=['VN_TZ']).VN_TZ):%d/%m/%Y}"
        in html
    )
    for personal in (
        "Nguyễn Văn An",
        "026090001234",
        "026******234",
        "x@example.vn",
        "0912345678",
        "Đề nghị đăng ký",
    ):
        assert personal not in html
    missing = client.get("/tra-cuu/?ma=KHONG-CO")
    assert missing.status_code == 404
    assert "Không tìm thấy hồ sơ có mã “KHONG-CO”" in missing.content.decode()
    # Submitted online, not checked yet: the confirmation e-mail's link works at once (issue 16), with the
    # same facts and no personal data.
    pending = submitted(world)
    waiting = client.get(f"/tra-cuu/?ma={pending.code}")
    assert waiting.status_code == 200
    text = waiting.content.decode()
    assert 'data-status="submitted">Đã nộp, chờ cán bộ kiểm tra' in text
    assert world.version.name in text
    for personal in ("Nguyễn Văn An", "026090001234", "026******234", "x@example.vn", "0912345678"):
        assert personal not in text
    assert client.get("/tra-cuu/").status_code == 200
