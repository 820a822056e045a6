"""In real Chromium (issue 16, items 2 and 8): the demo birth registration's typed e-form.

Online, a citizen on a 390 px wide phone: the father's block appears only once "Có thông tin người cha" is
"Có" (static/js/eform.js, no reload), the birthplace is picked province → commune, a bad ID number is refused
beside its field with the focus on it and everything typed kept; axe-core clean; the father's block hidden
again is neither sent nor kept. At the counter (1366 px): a missing field's error beside its field with the
focus on it, then the dossier received and the e-form's answers printed on Mẫu 01 (pdftotext).

Screenshots go to ``$MOTCUA_SCREENSHOTS`` when set (to look at the pages), else to the test's temp dir.
Run: ``.venv/bin/pytest -m browser src/motcua/portal/tests/test_eform_browser.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from motcua.accounts.models import User
from motcua.core.citizen_id import make_citizen_id
from motcua.documents.models import SubmissionData
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import UnitFactory
from motcua.dossiers.tests.test_printing import text
from motcua.organisations.constants import Level

from .submission_factories import login, make_world
from .test_journey_browser import axe_check
from .test_submission import start

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATALOG = Path(__file__).resolve().parents[2] / "catalog" / "data" / "catalog_demo.json"
PASSWORD = "Mat-khau-2025"
MOTHER_ID = make_citizen_id(province_code="025", birth_date=dt.date(1995, 3, 8), sex="female", serial=42)
FATHER_ID = make_citizen_id(province_code="025", birth_date=dt.date(1992, 7, 1), sex="male", serial=7)


def birth_schema() -> list[dict[str, Any]]:
    """The demo catalog's birth registration e-form (procedure 1.001193), as shipped."""
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    procedure = next(p for p in catalog["procedures"] if p["code"] == "1.001193")
    versions = procedure.get("versions") or [procedure]
    return next(v["form_fields"] for v in versions if v.get("form_fields"))


def places(unit: Any) -> None:
    """Two provinces with communes in force; the world's commune under the first."""
    phu_tho = UnitFactory(code="25", name="Tỉnh Phú Thọ", level=Level.PROVINCE, agency_code="")
    unit.parent = phu_tho
    unit.save(update_fields=["parent"])
    for code, name in (("25002", "Phường Vĩnh Phúc"), ("25003", "Xã Đại Đình"), ("25004", "Xã Đạo Trù")):
        UnitFactory(code=code, name=name, parent=phu_tho)
    ha_noi = UnitFactory(code="01", name="Thành phố Hà Nội", level=Level.PROVINCE, agency_code="")
    UnitFactory(code="00004", name="Phường Ba Đình", parent=ha_noi)


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("MOTCUA_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_birth_registration_online_on_a_phone(live_server: Any, page: Any, tmp_path: Path) -> None:
    world = make_world(form_fields=birth_schema())
    places(world.unit)
    client = login(Client(), world.citizen)
    dossier: Dossier = start(client, world)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/ho-so-cua-toi/nhap/{dossier.pk}/")
    expect = playwright_sync.expect

    # The father's block waits for "Có thông tin người cha" = Có.
    father = page.locator("#id_f-cha__ho_ten")
    expect(father).to_be_hidden()
    page.evaluate("window.__same_page = true")
    page.select_option("#id_f-co_cha", "true")
    expect(father).to_be_visible()
    assert page.evaluate("window.__same_page") is True  # shown live, no reload

    page.fill("#id_address", "Thôn Đông, xã Tam Hồng")
    page.fill("#id_f-tre__ho_ten", "Nguyễn Minh Khôi")
    page.fill("#id_f-tre__ngay_sinh", "01/03/2026")  # typed as written here, whatever the browser's language
    page.select_option("#id_f-tre__gioi_tinh", "Nam")
    page.fill("#id_f-noi_sinh__chi_tiet", "Bệnh viện đa khoa tỉnh")
    # The birthplace: the province, then its communes (loaded when the province is chosen).
    commune = page.locator("#id_f-noi_sinh__don_vi")
    assert commune.locator("option").count() == 1  # nothing to choose before the province
    page.select_option("#id_f-noi_sinh__tinh", "25")
    expect(commune.locator("option")).to_have_count(5)
    expect(page.locator("#id_f-noi_sinh__don_vi-status")).to_have_text(
        "Đã tải danh sách xã, phường của Tỉnh Phú Thọ."
    )  # said to screen readers (role=status)
    labels = commune.locator("option").all_inner_texts()
    assert labels[1:] == [
        "Phường Vĩnh Phúc",
        "UBND xã Tam Hồng",
        "Xã Đại Đình",
        "Xã Đạo Trù",
    ]  # Vietnamese order
    assert "Phường Ba Đình" not in labels  # another province's
    page.select_option("#id_f-noi_sinh__don_vi", "25003")
    page.focus("#id_f-noi_sinh__tinh")
    page.keyboard.press("Tab")  # by keyboard: the province, then its communes
    expect(commune).to_be_focused()
    page.fill("#id_f-me__ho_ten", "Trần Thị Hoa")
    page.fill("#id_f-me__so_dinh_danh", "123")  # not an ID number
    father.fill("Nguyễn Văn Ba")
    page.fill("#id_f-nguoi_yeu_cau__ho_ten", "Trần Thị Hoa")
    page.fill("#id_f-nguoi_yeu_cau__so_dinh_danh", MOTHER_ID)
    page.fill("#id_f-quan_he", "Mẹ")
    page.click("button[name=save]")
    page.wait_for_load_state()

    # The error sits beside its field, names the label (not "me__so_dinh_danh"), has the focus; all kept.
    mother_id = page.locator("#id_f-me__so_dinh_danh")
    error = page.locator("#id_f-me__so_dinh_danh_error")
    expect(error).to_contain_text("«Người mẹ — Số định danh cá nhân»")
    assert "so_dinh_danh" not in error.inner_text()
    expect(mother_id).to_be_focused()
    assert mother_id.get_attribute("aria-invalid") == "true"
    assert "id_f-me__so_dinh_danh_error" in (mother_id.get_attribute("aria-describedby") or "").split()
    assert mother_id.input_value() == "123"
    assert page.input_value("#id_f-tre__ho_ten") == "Nguyễn Minh Khôi"
    assert page.input_value("#id_f-tre__ngay_sinh") == "01/03/2026"
    assert page.input_value("#id_f-noi_sinh__tinh") == "25"
    assert page.input_value("#id_f-noi_sinh__don_vi") == "25003"
    expect(father).to_be_visible()  # "Có" still chosen, the block still shown
    assert father.input_value() == "Nguyễn Văn Ba"
    # The error is in the viewport, readable on the phone (looked at: see the screenshots).
    page.screenshot(path=str(shots(tmp_path) / "eform-390-error.png"), full_page=False)
    page.screenshot(path=str(shots(tmp_path) / "eform-390-full.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    axe_check(page, "birth registration draft with a field error")

    # Corrected; the father's block hidden again is not sent, and not kept.
    mother_id.fill(MOTHER_ID)
    page.select_option("#id_f-co_cha", "false")
    expect(father).to_be_hidden()
    assert father.is_disabled()
    page.click("button[name=save]")
    page.wait_for_load_state()
    expect(page.locator(".usa-alert--success")).to_contain_text("Đã lưu hồ sơ nháp")
    answers = SubmissionData.objects.get(dossier=dossier).answers
    assert answers["me"]["so_dinh_danh"] == MOTHER_ID
    assert answers["noi_sinh"] == {
        "chi_tiet": "Bệnh viện đa khoa tỉnh",
        "don_vi": "25003",
        "don_vi_ten": "Xã Đại Đình",
    }
    assert answers["co_cha"] is False
    assert "cha" not in answers
    expect(father).to_be_hidden()  # the saved "Không" hides it on the next visit too
    assert page.console_errors == []


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_birth_registration_at_the_counter_printed_on_the_receipt(
    live_server: Any, page: Any, tmp_path: Path
) -> None:
    world = make_world(form_fields=birth_schema())
    places(world.unit)
    officer = User.objects.get(pk=world.officer.pk)
    officer.full_name = "Lê Thị Thu"
    officer.set_password(PASSWORD)
    officer.save(update_fields=["full_name", "password"])
    base = live_server.url
    expect = playwright_sync.expect
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{base}/dang-nhap/?next=/can-bo/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:has-text('Đăng nhập')")
    page.wait_for_url(f"{base}/can-bo/")
    page.goto(f"{base}/can-bo/tiep-nhan/?thu_tuc={world.code}")

    page.fill("#id_name", "Trần Thị Hoa")
    page.fill("#id_id_number", MOTHER_ID)
    page.fill("#id_phone", "0912345678")
    for box in page.locator("input[name=components]").all():  # (USWDS: the label is what is clicked)
        if not box.is_checked():
            page.click(f"label[for='{box.get_attribute('id')}']")
    father = page.locator("#id_tk-cha__ho_ten")
    expect(father).to_be_hidden()
    page.select_option("#id_tk-co_cha", "true")
    expect(father).to_be_visible()
    page.fill("#id_tk-tre__ho_ten", "Nguyễn Minh Khôi")
    page.fill("#id_tk-tre__ngay_sinh", "1/3/2026")
    page.select_option("#id_tk-tre__gioi_tinh", "Nam")
    page.fill("#id_tk-noi_sinh__chi_tiet", "Trạm y tế xã")
    page.select_option("#id_tk-noi_sinh__tinh", "25")
    expect(page.locator("#id_tk-noi_sinh__don_vi option")).to_have_count(5)
    page.select_option("#id_tk-noi_sinh__don_vi", "25001")
    page.fill("#id_tk-me__ho_ten", "Trần Thị Hoa")
    page.fill("#id_tk-me__so_dinh_danh", MOTHER_ID)
    father.fill("Nguyễn Văn Ba")
    page.fill("#id_tk-nguoi_yeu_cau__ho_ten", "Trần Thị Hoa")
    page.fill("#id_tk-nguoi_yeu_cau__so_dinh_danh", MOTHER_ID)
    # "Quan hệ với người được đăng ký" left empty: refused beside its field, nothing received.
    page.click("button:has-text('Tiếp nhận hồ sơ')")
    page.wait_for_load_state()
    relation = page.locator("#id_tk-quan_he")
    error = page.locator("#id_tk-quan_he_error")
    expect(error).to_have_text("Chưa nhập «Quan hệ với người được đăng ký».")
    expect(relation).to_be_focused()
    assert relation.get_attribute("aria-invalid") == "true"
    assert relation.get_attribute("aria-describedby") == "id_tk-quan_he_error"
    assert page.locator("#to-khai > .usa-alert--error").count() == 0  # beside the field, not above the form
    assert page.input_value("#id_tk-tre__ho_ten") == "Nguyễn Minh Khôi"
    assert page.input_value("#id_tk-noi_sinh__don_vi") == "25001"
    expect(father).to_be_visible()
    assert not Dossier.objects.exists()
    page.screenshot(path=str(shots(tmp_path) / "eform-1366-error.png"), full_page=False)
    axe_check(page, "counter intake with an e-form error")

    relation.fill("Mẹ")
    page.click("button:has-text('Tiếp nhận hồ sơ')")
    page.wait_for_url("**/can-bo/ho-so/**?in=01")
    dossier = Dossier.objects.get()
    answers = SubmissionData.objects.get(dossier=dossier).answers
    assert answers["cha"]["ho_ten"] == "Nguyễn Văn Ba"
    assert answers["tre"]["ngay_sinh"] == "2026-03-01"
    assert answers["noi_sinh"]["don_vi_ten"] == "UBND xã Tam Hồng"

    # Mẫu 01, fetched with the officer's session, carries the answers flagged print_on_receipt.
    href = page.get_attribute("a[data-form='01']", "href")
    pdf = page.request.get(base + href)
    assert pdf.status == 200
    receipt = text(pdf.body(), tmp_path)  # pdftotext, whitespace collapsed (the table's cells wrap)
    assert "Người được đăng ký khai sinh — Họ, chữ đệm và tên Nguyễn Minh Khôi" in receipt
    assert "Người được đăng ký khai sinh — Ngày, tháng, năm sinh 01/03/2026" in receipt
    assert "Nơi sinh Trạm y tế xã, UBND xã Tam Hồng" in receipt
    assert "Người mẹ — Họ, chữ đệm và tên Trần Thị Hoa" in receipt
    assert "Người cha — Họ, chữ đệm và tên Nguyễn Văn Ba" in receipt
    assert "Quan hệ với người được đăng ký" not in receipt  # not flagged for the receipt
    # (the refused intake answered 400, which Chromium logs; nothing else may be logged)
    assert [e for e in page.console_errors if "status of 400" not in e] == []
