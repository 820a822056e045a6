"""The typed e-form at the counter (issue 16 item 2): birth registration asks for the child's and parents'
details in typed fields, refuses bad or missing ones by label before the number is taken, keeps them on the
dossier, shows them on the dossier page and prints the flagged ones on the receipt (Mẫu 01, pdftotext)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from django.test import Client

from motcua.core.citizen_id import make_citizen_id
from motcua.documents.models import SubmissionData
from motcua.dossiers.models import Dossier
from motcua.dossiers.printing import dossier_form_render
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.test_printing import text

from .test_backoffice import html, login

pytestmark = pytest.mark.django_db

SCHEMA = [
    {
        "name": "tre",
        "label": "Người được khai sinh",
        "type": "person",
        "required": True,
        "print_on_receipt": True,
        "parts": ["ho_ten", "ngay_sinh", "gioi_tinh", "dan_toc", "quoc_tich"],
        "required_parts": ["ho_ten", "ngay_sinh", "gioi_tinh"],
    },
    {"name": "me", "label": "Người mẹ", "type": "person", "required": True, "print_on_receipt": True},
    {"name": "cha", "label": "Người cha", "type": "person"},
    {"name": "quan_he", "label": "Quan hệ với người được khai sinh", "type": "text", "required": True},
]
MOTHER_ID = make_citizen_id(province_code="026", birth_date=dt.date(1995, 3, 8), sex="female", serial=42)
BASE = {
    "procedure": "1.001193",
    "unit": "8707",
    "kind": "citizen",
    "name": "Trần Thị Hoa",
    "id_number": MOTHER_ID,
}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_birth_registration_at_the_desk_in_typed_fields_printed_on_the_receipt(
    client: Client, world: World, frozen: dt.datetime, tmp_path: Path
) -> None:
    world.version.form_fields = SCHEMA
    world.version.save(update_fields=["form_fields"])
    login(client, world.officer_a)
    page = html(client.get("/can-bo/tiep-nhan/", {"thu_tuc": "1.001193"}))
    assert 'name="tk-tre__ho_ten"' in page
    assert "Người mẹ" in page
    components = [str(c.pk) for c in world.version.components.all()]

    bad = client.post(
        "/can-bo/tiep-nhan/",
        {**BASE, "components": components, "tk-tre__ngay_sinh": "2026-02-30", "tk-me__so_dinh_danh": "123"},
    )
    assert bad.status_code == 400
    body = html(bad)
    assert "«Người được khai sinh — Ngày, tháng, năm sinh»: Ngày không hợp lệ." in body
    assert "«Người mẹ — Số định danh cá nhân»" in body
    assert not Dossier.objects.exists()  # no number taken

    missing = client.post("/can-bo/tiep-nhan/", {**BASE, "components": components})
    assert missing.status_code == 400
    assert "Chưa nhập «Người được khai sinh — Họ, chữ đệm và tên»." in html(missing)
    assert "Chưa nhập «Quan hệ với người được khai sinh»." in html(missing)
    # each beside its own field (not in a list above the form), named by it, the first one focused
    body = html(missing)
    assert (
        '<span class="usa-error-message" id="id_tk-quan_he_error">Chưa nhập «Quan hệ với người được khai sinh».'
        in body
    )
    name = re.search(r'<input[^>]*name="tk-tre__ho_ten"[^>]*>', body)
    assert name is not None
    assert 'aria-invalid="true"' in name.group(0)
    assert 'aria-describedby="id_tk-tre__ho_ten_error"' in name.group(0)
    assert "autofocus" in name.group(0)
    assert body.count("autofocus") == 1
    tokhai = body[body.index('id="to-khai"') :]
    assert "usa-alert--error" not in tokhai[: tokhai.index("</legend>") + 200]

    response = client.post(
        "/can-bo/tiep-nhan/",
        {
            **BASE,
            "components": components,
            "tk-tre__ho_ten": "Nguyễn Minh Khôi",
            "tk-tre__ngay_sinh": "2026-03-01",
            "tk-tre__gioi_tinh": "Nam",
            "tk-tre__dan_toc": "Kinh",
            "tk-me__ho_ten": "Trần Thị Hoa",
            "tk-me__ngay_sinh": "1995-03-08",
            "tk-me__gioi_tinh": "Nữ",
            "tk-me__so_dinh_danh": MOTHER_ID,
            "tk-cha__ho_ten": "Nguyễn Văn Ba",
            "tk-quan_he": "Mẹ",
        },
    )
    assert response.status_code == 302, html(response)[:3000]
    dossier = Dossier.objects.get()
    answers = SubmissionData.objects.get(dossier=dossier).answers
    assert answers["tre"]["ngay_sinh"] == "2026-03-01"
    assert answers["me"]["so_dinh_danh"] == MOTHER_ID

    dossier_page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Người cha — Họ, chữ đệm và tên" in dossier_page
    assert "Nguyễn Văn Ba" in dossier_page

    detail = client.get(f"/api/v1/dossiers/{dossier.code}/").json()
    assert detail["form"]["answers"]["me"]["so_dinh_danh"] == MOTHER_ID
    assert {"label": "Người cha — Họ, chữ đệm và tên", "value": "Nguyễn Văn Ba"} in detail["form"]["rows"]

    receipt = text(dossier_form_render(dossier=dossier, form="01"), tmp_path)
    assert "Người được khai sinh — Họ, chữ đệm và tên Nguyễn Minh Khôi" in receipt
    assert "Người được khai sinh — Ngày, tháng, năm sinh 01/03/2026" in receipt
    assert "Người mẹ — Họ, chữ đệm và tên Trần Thị Hoa" in receipt
    assert "Nguyễn Văn Ba" not in receipt  # the father's block is not flagged print_on_receipt


def test_the_answers_are_saved_with_the_dossier_or_not_at_all(
    client: Client, world: World, frozen: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The typed answers are written in the intake's transaction: if they cannot be kept, no dossier is left
    received without them (before, the dossier was committed first and the answers after it)."""
    from django.db import DatabaseError

    from motcua.backoffice import views

    world.version.form_fields = [{"name": "quan_he", "label": "Quan hệ", "type": "text", "required": True}]
    world.version.save(update_fields=["form_fields"])
    login(client, world.officer_a)
    components = [str(c.pk) for c in world.version.components.all()]

    def failing(**_kwargs: object) -> None:
        raise DatabaseError("disk full")

    monkeypatch.setattr(views, "counter_answers_record", failing)
    client.raise_request_exception = False
    response = client.post("/can-bo/tiep-nhan/", {**BASE, "components": components, "tk-quan_he": "Mẹ"})
    assert response.status_code == 500
    assert not Dossier.objects.exists()
