"""Online submission: start, draft and resume, uploads, review, submit, level gating, offline procedures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.test import Client

from motcua.catalog.constants import OnlineMode
from motcua.documents.constants import UploadPurpose
from motcua.documents.models import SubmissionData, Upload
from motcua.documents.tests import files
from motcua.documents.tests.fixtures import files_under
from motcua.dossiers.constants import Channel, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.notifications.models import Message

from .submission_factories import World, login, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return make_world()


def start(client: Client, world: World, **extra: str) -> Dossier:
    data = {"unit": world.unit.code, "phone": "0912345678", "email": "an@example.vn", "privacy_ack": "on"}
    data.update(extra)
    response = client.post(f"/thu-tuc/{world.code}/nop-truc-tuyen/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get(owner=world.citizen)
    assert response["Location"] == f"/ho-so-cua-toi/nhap/{dossier.pk}/"
    return dossier


def save(client: Client, dossier: Dossier, world: World, button: str = "save", **answers: str) -> None:
    data = {"unit": world.unit.code, "phone": "0912345678", "email": "an@example.vn", "address": "Thôn Đông"}
    data.update({f"f-{k}": v for k, v in answers.items()})
    data[button] = "1"
    response = client.post(f"/ho-so-cua-toi/nhap/{dossier.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]


def upload(client: Client, dossier: Dossier, index: int, name: str, data: bytes, follow: bool = True) -> str:
    component = dossier.components.order_by("pk")[index]
    response = client.post(
        f"/ho-so-cua-toi/nhap/{dossier.pk}/tai-len/{component.pk}/",
        {"file": files.upload(name, data)},
        follow=follow,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_procedure_page_links_to_online_submission(client: Client, world: World) -> None:
    html = client.get(f"/thu-tuc/{world.code}/").content.decode()
    assert f'href="/thu-tuc/{world.code}/nop-truc-tuyen/"' in html


def test_anonymous_visitors_are_sent_to_the_e_id_login(client: Client, world: World) -> None:
    response = client.get(f"/thu-tuc/{world.code}/nop-truc-tuyen/")
    assert response.status_code == 302
    assert response["Location"] == f"/auth/login/?next=%2Fthu-tuc%2F{world.code}%2Fnop-truc-tuyen%2F"
    login_page = client.get(response["Location"])
    assert login_page.status_code == 200


def test_whole_submission_flow(client: Client, world: World, media: Path) -> None:
    login(client, world.citizen)
    page = client.get(f"/thu-tuc/{world.code}/nop-truc-tuyen/").content.decode()
    assert "Nguyễn Văn An" in page
    assert "026090001234" in page
    assert "Nghị định 13/2023/NĐ-CP" in page
    assert "Thời gian lưu trữ" in page
    assert "Quyền của ông/bà" in page

    # The privacy notice must be acknowledged.
    refused = client.post(f"/thu-tuc/{world.code}/nop-truc-tuyen/", {"unit": world.unit.code})
    assert refused.status_code == 200
    assert "Vui lòng xác nhận đã đọc thông báo" in refused.content.decode()
    assert not Dossier.objects.exists()

    dossier = start(client, world)
    assert (dossier.status, dossier.channel, dossier.code) == (Status.DRAFT, Channel.ONLINE, None)
    assert dossier.applicant_id_number == "026090001234"
    assert SubmissionData.objects.get(dossier=dossier).privacy_notice_at is not None

    # Save the draft, leave, come back: everything is still there.
    save(client, dossier, world, noi_dung="Đăng ký khai sinh cho con")
    client.logout()
    login(client, world.citizen)
    mine = client.get("/ho-so-cua-toi/").content.decode()
    assert f'href="/ho-so-cua-toi/nhap/{dossier.pk}/"' in mine
    resumed = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").content.decode()
    assert "Đăng ký khai sinh cho con" in resumed
    assert "Thôn Đông" in resumed

    # The review lists what is missing; submitting now is refused.
    review = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/xem-lai/").content.decode()
    assert "Chưa tải lên “Tờ khai đăng ký khai sinh”" in review
    response = client.post(f"/ho-so-cua-toi/nhap/{dossier.pk}/xem-lai/", follow=True)
    assert "Hồ sơ chưa đủ thông tin để nộp" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.DRAFT

    html = upload(client, dossier, 0, "to-khai.pdf", files.pdf())
    assert "Đã tải lên “to-khai.pdf”" in html
    upload(client, dossier, 1, "giay-chung-sinh.jpg", files.jpeg())
    review = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/xem-lai/").content.decode()
    assert "Hồ sơ chưa đủ để nộp" not in review
    assert "to-khai.pdf" in review
    assert "giay-chung-sinh.jpg" in review

    response = client.post(f"/ho-so-cua-toi/nhap/{dossier.pk}/xem-lai/", {"version": "1"})
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.status_code == 1
    assert dossier.code
    assert dossier.submitted_at is not None
    assert response["Location"] == f"/ho-so-cua-toi/{dossier.code}/da-nop/"
    done = client.get(response["Location"]).content.decode()
    assert dossier.code in done
    assert "Đã nộp hồ sơ thành công" in done
    # Files on disk under generated names; the uploaded components are ticked on the checklist.
    stored = files_under(media)
    assert len(stored) == 2
    assert all(re.fullmatch(r"[0-9a-f]{32}\.(pdf|jpg)", p.name) for p in stored)
    assert set(dossier.components.filter(received=True).values_list("name", flat=True)) == {
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    }
    # The confirmation is queued for the applicant (by the notifications consumer, in the worker).
    run_queued_tasks()
    assert Message.objects.filter(event="dossier_submitted", recipient="an@example.vn").exists()
    # A submitted dossier is no longer an editable draft.
    assert client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").status_code == 404


def test_drafts_are_private_to_their_owner(client: Client, world: World, media: Path) -> None:
    login(client, world.citizen)
    dossier = start(client, world)
    login(client, world.other)
    assert client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").status_code == 404
    assert client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/xem-lai/").status_code == 404
    component = dossier.components.first()
    assert component is not None
    response = client.post(
        f"/ho-so-cua-toi/nhap/{dossier.pk}/tai-len/{component.pk}/",
        {"file": files.upload("a.pdf", files.pdf())},
    )
    assert response.status_code == 404
    assert not Upload.objects.exists()
    assert files_under(media) == []


def test_level_1_login_is_refused_for_a_level_2_procedure(client: Client, media: Path) -> None:
    world = make_world(min_eid_level=2)
    login(client, world.citizen, level=1)
    response = client.get(f"/thu-tuc/{world.code}/nop-truc-tuyen/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "yêu cầu tài khoản định danh điện tử mức độ 2" in html
    assert "mức độ 1" in html
    assert client.post(f"/thu-tuc/{world.code}/nop-truc-tuyen/", {"privacy_ack": "on"}).status_code == 403
    assert not Dossier.objects.exists()
    login(client, world.citizen, level=2)
    assert client.get(f"/thu-tuc/{world.code}/nop-truc-tuyen/").status_code == 200


def test_level_1_is_enough_for_a_level_1_procedure(client: Client, world: World) -> None:
    login(client, world.citizen, level=1)
    assert client.get(f"/thu-tuc/{world.code}/nop-truc-tuyen/").status_code == 200


def test_staff_accounts_do_not_submit_online(client: Client, world: World) -> None:
    client.force_login(world.officer)
    response = client.get(f"/thu-tuc/{world.code}/nop-truc-tuyen/")
    assert response.status_code == 403
    assert "Tài khoản cán bộ không nộp hồ sơ trực tuyến" in response.content.decode()


def test_offline_procedure_explains_how_to_apply_in_person(client: Client) -> None:
    world = make_world(online_mode=OnlineMode.NONE)
    response = client.get(f"/thu-tuc/{world.code}/nop-truc-tuyen/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thủ tục này chưa nộp trực tuyến được" in html
    assert "UBND xã Tam Hồng" in html
    assert "Bộ phận Một cửa" in html
    login(client, world.citizen)
    client.post(f"/thu-tuc/{world.code}/nop-truc-tuyen/", {"unit": world.unit.code, "privacy_ack": "on"})
    assert not Dossier.objects.exists()


def test_form_fields_declared_in_the_catalog(client: Client, media: Path) -> None:
    world = make_world(
        form_fields=[
            {"name": "ho_ten_con", "label": "Họ tên người được khai sinh", "type": "text", "required": True},
            {"name": "ngay_sinh", "label": "Ngày sinh", "type": "date", "required": True},
            {"name": "gioi_tinh", "label": "Giới tính", "type": "select", "choices": ["Nam", "Nữ"]},
            {"name": "so_con", "label": "Con thứ", "type": "number"},
        ]
    )
    login(client, world.citizen)
    dossier = start(client, world)
    page = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").content.decode()
    assert "Họ tên người được khai sinh" in page
    # A date is typed dd/mm/yyyy whatever the browser's language (not the browser's own mm/dd/yyyy picker).
    date_input = re.search(r'<input[^>]*name="f-ngay_sinh"[^>]*>', page)
    assert date_input is not None
    assert 'placeholder="dd/mm/yyyy"' in date_input.group(0)
    assert 'type="date"' not in date_input.group(0)
    assert "Nội dung yêu cầu" not in page
    response = client.post(
        f"/ho-so-cua-toi/nhap/{dossier.pk}/",
        {
            "unit": world.unit.code,
            "f-ngay_sinh": "31/02/2026",
            "f-gioi_tinh": "Khác",
            "f-so_con": "hai",
            "save": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ngày không hợp lệ" in html
    assert "Phải là một số" in html
    save(
        client,
        dossier,
        world,
        ho_ten_con="Nguyễn Minh Khôi",
        ngay_sinh="20/2/2026",
        gioi_tinh="Nam",
        so_con="2",
    )
    assert SubmissionData.objects.get(dossier=dossier).answers == {
        "ho_ten_con": "Nguyễn Minh Khôi",
        "ngay_sinh": "2026-02-20",  # kept as ISO, typed as people write it
        "gioi_tinh": "Nam",
        "so_con": "2",
    }
    page = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").content.decode()
    assert re.search(r'<input[^>]*name="f-ngay_sinh"[^>]*value="20/02/2026"', page)


def test_removing_a_file_from_the_draft(
    client: Client, world: World, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    login(client, world.citizen)
    dossier = start(client, world)
    upload(client, dossier, 0, "to-khai.pdf", files.pdf())
    item = Upload.objects.get()
    assert item.purpose == UploadPurpose.SUBMISSION
    assert len(files_under(media)) == 1
    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the row is gone for good
        response = client.post(f"/ho-so-cua-toi/nhap/{dossier.pk}/xoa-tep/{item.pk}/", follow=True)
    assert "Đã xóa tệp" in response.content.decode()
    assert not Upload.objects.exists()
    assert files_under(media) == []


# ------------------------------------------------------------------------------------------- attacks


@pytest.fixture
def draft(client: Client, world: World) -> Dossier:
    login(client, world.citizen)
    return start(client, world)


def assert_nothing_stored(media: Path) -> None:
    assert not Upload.objects.exists()
    assert files_under(media) == []


def test_oversize_file_is_refused(
    client: Client, draft: Dossier, media: Path, settings: LazySettings
) -> None:
    settings.MOTCUA_UPLOAD_MAX_FILE_BYTES = 2 * 1024 * 1024
    html = upload(client, draft, 0, "to-khai.pdf", files.pdf() + b"0" * (2 * 1024 * 1024))
    assert "Tệp vượt quá dung lượng cho phép (2 MB mỗi tệp)" in html
    assert_nothing_stored(media)


def test_total_size_limit(client: Client, draft: Dossier, media: Path, settings: LazySettings) -> None:
    settings.MOTCUA_UPLOAD_MAX_TOTAL_BYTES = 1000
    upload(client, draft, 0, "a.pdf", files.pdf() + b"%" * 600)
    html = upload(client, draft, 1, "b.pdf", files.pdf() + b"%" * 600)
    assert "Tổng dung lượng tệp của hồ sơ vượt quá" in html
    assert Upload.objects.count() == 1
    assert len(files_under(media)) == 1


@pytest.mark.parametrize("payload", [files.exe(), files.HTML], ids=["exe", "html"])
def test_spoofed_type_is_refused(client: Client, draft: Dossier, media: Path, payload: bytes) -> None:
    html = upload(client, draft, 0, "to-khai.pdf", payload)
    assert "Loại tệp không được chấp nhận" in html
    assert_nothing_stored(media)


def test_eicar_is_refused_by_clamav(
    client: Client, draft: Dossier, media: Path, settings: LazySettings, clamd_address: str
) -> None:
    settings.MOTCUA_CLAMD = clamd_address
    html = upload(client, draft, 0, "to-khai.pdf", files.pdf() + files.EICAR)
    assert "Tệp có chứa mã độc (Motcua.Test.EICAR" in html
    assert_nothing_stored(media)
    # A clean file passes the same scanner and is recorded as scanned.
    upload(client, draft, 0, "to-khai.pdf", files.pdf())
    assert Upload.objects.get().scan_result == "clean"


def test_zip_bomb_disguised_as_docx_is_refused(client: Client, draft: Dossier, media: Path) -> None:
    html = upload(client, draft, 0, "don-de-nghi.docx", files.zip_bomb_docx())
    assert "nghi ngờ “bom nén”" in html
    assert_nothing_stored(media)


def raw_upload(client: Client, draft: Dossier, filename: str) -> str:
    """POST a multipart body by hand: the test client would strip the directory part of the name itself."""
    component = draft.components.order_by("pk")[0]
    boundary = "BoUnDaRy"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
    body = (
        (head + "Content-Type: application/pdf\r\n\r\n").encode()
        + files.pdf()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = client.post(
        f"/ho-so-cua-toi/nhap/{draft.pk}/tai-len/{component.pk}/",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        follow=True,
    )
    return response.content.decode()


@pytest.mark.parametrize("filename", ["..", "../..", "..\\..", "../../"])
def test_names_that_are_only_a_path_are_refused(
    client: Client, draft: Dossier, media: Path, filename: str
) -> None:
    html = raw_upload(client, draft, filename)
    assert "Vui lòng chọn một tệp" in html
    assert_nothing_stored(media)


@pytest.mark.parametrize("filename", ["hoa-don\u202efdp.pdf", "a\u0007b.pdf", "C:boot.pdf"])
def test_control_characters_never_reach_the_stored_name(
    client: Client, draft: Dossier, media: Path, filename: str
) -> None:
    """Django's parser drops control characters; ``clean_name`` refuses any that would get through."""
    raw_upload(client, draft, filename)
    name = Upload.objects.get().original_name
    assert name.endswith(".pdf")
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e:]", name)


def test_path_traversal_over_http_never_leaves_the_media_root(
    client: Client, draft: Dossier, media: Path
) -> None:
    """Django's multipart parser keeps only the base name; the file is stored under a generated name."""
    raw_upload(client, draft, "../../../../tmp/evil.pdf")
    item = Upload.objects.get()
    assert item.original_name == "evil.pdf"
    assert re.fullmatch(r"uploads/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", item.stored_name)
    assert [p.relative_to(media).as_posix() for p in files_under(media)] == [item.stored_name]
