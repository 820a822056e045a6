"""The typed e-form's page without a browser (issue 16 item 2): conditional blocks carry what eform.js needs
and a hidden condition's answers are not kept, the address picker goes province → communes (the JSON the
script loads, and a button without JavaScript), field errors are beside their fields (the ids Django's
aria-describedby names) with the focus on the first."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from motcua.documents.models import SubmissionData
from motcua.dossiers.tests.factories import UnitFactory
from motcua.organisations.constants import Level

from .submission_factories import World, login, make_world
from .test_submission import start

pytestmark = pytest.mark.django_db

SCHEMA = [
    {"name": "ten", "label": "Họ tên của trẻ", "type": "text", "required": True},
    {"name": "noi_sinh", "label": "Nơi sinh", "type": "address", "required": True},
    {"name": "me", "label": "Người mẹ", "type": "person", "parts": ["ho_ten", "so_dinh_danh"]},
    {"name": "co_cha", "label": "Có thông tin người cha", "type": "boolean", "required": True},
    {
        "name": "cha",
        "label": "Người cha",
        "type": "person",
        "parts": ["ho_ten"],
        "required": True,
        "when": {"field": "co_cha", "equals": True},
    },
    {
        "name": "ly_do",
        "label": "Lý do không có thông tin người cha",
        "type": "text",
        "when": {"field": "co_cha", "equals": False},
    },
]


@pytest.fixture
def world() -> World:
    world = make_world(form_fields=SCHEMA)
    province = UnitFactory(code="25", name="Tỉnh Phú Thọ", level=Level.PROVINCE, agency_code="")
    world.unit.parent = province
    world.unit.save(update_fields=["parent"])
    UnitFactory(code="25003", name="Xã Đại Đình", parent=province)
    UnitFactory(code="25002", name="Phường Vĩnh Phúc", parent=province)
    other = UnitFactory(code="01", name="Thành phố Hà Nội", level=Level.PROVINCE, agency_code="")
    UnitFactory(code="00004", name="Phường Ba Đình", parent=other)
    return world


def _post(client: Client, dossier_pk: int, world: World, **answers: str) -> str:
    data = {"unit": world.unit.code, "phone": "0912345678", "email": "an@example.vn", "address": "Thôn Đông"}
    data.update({f"f-{k}": v for k, v in answers.items()})
    response = client.post(f"/ho-so-cua-toi/nhap/{dossier_pk}/", data)
    return response.content.decode() if response.status_code == 200 else f"{response.status_code}"


def test_conditional_blocks_name_the_input_they_depend_on(world: World) -> None:
    client = login(Client(), world.citizen)
    dossier = start(client, world)
    page = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").content.decode()
    assert re.search(
        r'<fieldset class="usa-fieldset mc-subform" data-when-control="id_f-co_cha" data-when-value="true">'
        r"<legend[^>]*>Người cha</legend>",
        page,
    )
    assert '<div data-when-control="id_f-co_cha" data-when-value="false">' in page
    # the hint stays (without JavaScript every field shows) and the input names it
    assert 'id="id_f-ly_do_helptext">Chỉ điền khi «Có thông tin người cha» là «Không».' in page
    assert 'aria-describedby="id_f-ly_do_helptext"' in page
    assert "js/eform.js" in page


def test_a_hidden_conditions_answers_are_not_kept(world: World) -> None:
    """Sent anyway (no JavaScript, or a crafted post): the father's block is dropped while "Có thông tin
    người cha" is "Không", and is not required."""
    client = login(Client(), world.citizen)
    dossier = start(client, world)
    result = _post(client, dossier.pk, world, co_cha="false", cha__ho_ten="Nguyễn Văn Ba", ly_do="Không rõ")
    assert result == "302"
    answers = SubmissionData.objects.get(dossier=dossier).answers
    assert "cha" not in answers
    assert answers["ly_do"] == "Không rõ"
    review = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/xem-lai/").content.decode()
    assert "Người cha" not in review  # not asked for either

    assert _post(client, dossier.pk, world, co_cha="true", cha__ho_ten="Nguyễn Văn Ba", ly_do="x") == "302"
    answers = SubmissionData.objects.get(dossier=dossier).answers
    assert answers["cha"] == {"ho_ten": "Nguyễn Văn Ba"}
    assert "ly_do" not in answers


def test_the_address_picker_goes_province_then_its_communes(world: World) -> None:
    client = login(Client(), world.citizen)
    dossier = start(client, world)
    page = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").content.decode()
    province = re.search(r'<select name="f-noi_sinh__tinh"[^>]*>.*?</select>', page, re.S)
    assert province is not None
    assert 'data-unit-province="id_f-noi_sinh__don_vi"' in province.group(0)
    assert 'data-communes-url="/dia-ban/xa/"' in province.group(0)
    assert ">Thành phố Hà Nội</option>" in province.group(0)
    communes = re.search(r'<select name="f-noi_sinh__don_vi"[^>]*>.*?</select>', page, re.S)
    assert communes is not None
    assert communes.group(0).count("<option") == 1  # not thousands: the province first
    assert "Chọn tỉnh, thành phố trước" in communes.group(0)

    # What eform.js loads: the province's communes in force, in Vietnamese order; nothing for a bad code.
    body = Client().get("/dia-ban/xa/", {"tinh": "25"}).json()
    assert [c["name"] for c in body["communes"]] == ["Phường Vĩnh Phúc", "UBND xã Tam Hồng", "Xã Đại Đình"]
    assert Client().get("/dia-ban/xa/", {"tinh": "<script>"}).json() == {"communes": []}
    assert Client().get("/dia-ban/xa/").json() == {"communes": []}

    # Without JavaScript: "show the communes" re-renders with the province's list; nothing saved, all kept.
    data = {
        "unit": world.unit.code,
        "phone": "0912345678",
        "email": "an@example.vn",
        "f-ten": "Nguyễn Minh Khôi",
        "f-noi_sinh__tinh": "25",
        "chon_tinh": "noi_sinh__tinh",
    }
    again = client.post(f"/ho-so-cua-toi/nhap/{dossier.pk}/", data).content.decode()
    communes = re.search(r'<select name="f-noi_sinh__don_vi"[^>]*>.*?</select>', again, re.S)
    assert communes is not None
    assert ">Xã Đại Đình</option>" in communes.group(0)
    assert "Phường Ba Đình" not in communes.group(0)
    assert 'value="Nguyễn Minh Khôi"' in again
    assert SubmissionData.objects.get(dossier=dossier).answers == {}

    # A saved commune brings its province back.
    assert _post(client, dossier.pk, world, noi_sinh__chi_tiet="Thôn 1", noi_sinh__don_vi="25003") == "302"
    page = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").content.decode()
    assert re.search(r'<option value="25" selected>Tỉnh Phú Thọ</option>', page)
    assert re.search(r'<option value="25003" selected>Xã Đại Đình</option>', page)

    # A commune in force under no province is still offered when saved, so saving again keeps it.
    UnitFactory(code="99001", name="Xã Ngoài Danh Mục")
    assert _post(client, dossier.pk, world, noi_sinh__chi_tiet="Thôn 1", noi_sinh__don_vi="99001") == "302"
    page = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/").content.decode()
    assert re.search(r'<option value="99001" selected>Xã Ngoài Danh Mục</option>', page)


def test_a_field_error_is_beside_its_field_with_the_focus(world: World) -> None:
    client = login(Client(), world.citizen)
    dossier = start(client, world)
    page = _post(client, dossier.pk, world, ten="Nguyễn Minh Khôi", me__so_dinh_danh="123")
    assert '<span class="usa-error-message" id="id_f-me__so_dinh_danh_error">«Người mẹ — Số định danh' in page
    field = re.search(r'<input[^>]*name="f-me__so_dinh_danh"[^>]*>', page)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="id_f-me__so_dinh_danh_error"' in field.group(0)
    assert "autofocus" in field.group(0)
    assert page.count("autofocus") == 1
    assert 'value="123"' in field.group(0)
