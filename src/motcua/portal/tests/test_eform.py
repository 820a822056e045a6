"""The typed e-form online (issue 16 item 2): birth registration asks for the child's and parents' details in
typed fields, refuses bad values beside the field by its label, adds a row without JavaScript, keeps the
answers typed on the draft and shows them by label on the review page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from motcua.core.citizen_id import make_citizen_id
from motcua.documents.models import SubmissionData

from .submission_factories import login, make_world
from .test_submission import start

pytestmark = pytest.mark.django_db

SCHEMA: list[dict[str, Any]] = [
    {
        "name": "tre",
        "label": "Người được khai sinh",
        "type": "person",
        "required": True,
        "print_on_receipt": True,
        "parts": ["ho_ten", "ngay_sinh", "gioi_tinh", "dan_toc", "quoc_tich"],
        "required_parts": ["ho_ten", "ngay_sinh", "gioi_tinh"],
    },
    {"name": "me", "label": "Người mẹ", "type": "person", "required": True},
    {"name": "co_cha", "label": "Có thông tin người cha", "type": "boolean"},
    {"name": "cha", "label": "Người cha", "type": "person", "when": {"field": "co_cha", "equals": True}},
    {"name": "noi_sinh", "label": "Nơi sinh", "type": "address", "required": True},
    {
        "name": "giay_to",
        "label": "Giấy tờ kèm theo",
        "type": "group",
        "max": 3,
        "fields": [{"name": "ten", "label": "Tên giấy tờ", "type": "text"}],
    },
]
MOTHER_ID = make_citizen_id(province_code="026", birth_date=dt.date(1995, 3, 8), sex="female", serial=42)


def post(client: Client, url: str, unit: str, **answers: str) -> Any:
    data = {"unit": unit, "phone": "0912345678", "email": "an@example.vn", "address": "Thôn Đông"}
    data.update({k if k in ("save", "add_row") else f"f-{k}": v for k, v in answers.items()})
    return client.post(url, data)


def test_birth_registration_online_asks_for_typed_details(client: Client, media: Path) -> None:
    world = make_world(form_fields=SCHEMA)
    login(client, world.citizen)
    dossier = start(client, world)
    url = f"/ho-so-cua-toi/nhap/{dossier.pk}/"
    page = client.get(url).content.decode()
    for label in ("Người được khai sinh", "Người mẹ", "Số định danh cá nhân", "Xã, phường, đặc khu"):
        assert label in page
    assert 'name="f-me__so_dinh_danh"' in page
    assert "Chỉ điền khi «Có thông tin người cha» là «Có»." in page
    assert f'<option value="{world.unit.code}">' in page  # the commune picker

    response = post(
        client, url, world.unit.code, me__so_dinh_danh="12345", tre__ngay_sinh="2026-02-30", save="1"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "«Người mẹ — Số định danh cá nhân»: số định danh cá nhân phải gồm 12 chữ số hợp lệ." in html
    assert "«Người được khai sinh — Ngày, tháng, năm sinh»: Ngày không hợp lệ." in html
    assert "«me" not in html
    assert "so_dinh_danh:" not in html

    # "Thêm một dòng" saves and gives the group one more row, without JavaScript.
    response = post(
        client, url, world.unit.code, giay_to__count="1", giay_to__0__ten="Giấy chứng sinh", add_row="giay_to"
    )
    assert response.status_code == 302
    assert "them=giay_to" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert 'name="f-giay_to__1__ten"' in page
    assert 'value="Giấy chứng sinh"' in page

    response = post(
        client,
        url,
        world.unit.code,
        tre__ho_ten="Nguyễn Minh Khôi",
        tre__ngay_sinh="2026-11-20",
        tre__gioi_tinh="Nam",
        me__ho_ten="Trần Thị Hoa",
        me__ngay_sinh="1995-03-08",
        me__gioi_tinh="Nữ",
        me__so_dinh_danh=MOTHER_ID,
        co_cha="false",
        cha__ho_ten="(ẩn: không có thông tin cha)",
        noi_sinh__chi_tiet="Bệnh viện huyện",
        noi_sinh__don_vi=world.unit.code,
        giay_to__count="2",
        giay_to__0__ten="Giấy chứng sinh",
        save="1",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    answers = SubmissionData.objects.get(dossier=dossier).answers
    assert answers["me"]["so_dinh_danh"] == MOTHER_ID
    assert answers["co_cha"] is False
    assert "cha" not in answers
    assert answers["noi_sinh"] == {
        "chi_tiet": "Bệnh viện huyện",
        "don_vi": world.unit.code,
        "don_vi_ten": world.unit.name,
    }
    assert answers["giay_to"] == [{"ten": "Giấy chứng sinh"}]

    review = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/xem-lai/").content.decode()
    assert "Người mẹ — Họ, chữ đệm và tên" in review
    assert "Trần Thị Hoa" in review
    assert "20/11/2026" in review
    assert f"Bệnh viện huyện, {world.unit.name}" in review
    assert "so_dinh_danh" not in review

    # Submitted, the citizen's dossier page shows the e-form by label.
    dossier.components.update(required=False)
    response = client.post(f"/ho-so-cua-toi/nhap/{dossier.pk}/xem-lai/", {"version": dossier.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier.refresh_from_db()
    mine = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert "Người mẹ — Họ, chữ đệm và tên" in mine
    assert "Trần Thị Hoa" in mine
    assert "noi_sinh" not in review


def test_a_required_person_block_is_asked_for_at_submit(client: Client, media: Path) -> None:
    world = make_world(form_fields=SCHEMA)
    login(client, world.citizen)
    dossier = start(client, world)
    review = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/xem-lai/").content.decode()
    assert "Chưa nhập “Người mẹ — Họ, chữ đệm và tên”." in review
    assert "Chưa nhập “Nơi sinh — Xã, phường, đặc khu”." in review
