"""In real Chromium: an anonymous citizen sends a petition about a dossier from the lookup, the unit's officer
answers it in the back office, and the citizen sees the answer on the tracking page and (consent) the public
page. axe-core on the new pages. Run: ``.venv/bin/pytest -m browser src/motcua/petitions``."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.dossiers.constants import Status
from motcua.dossiers.tests.factories import UnitFactory, dossier_in, procedure_version, staff
from motcua.organisations.constants import Role
from motcua.petitions.models import Petition
from motcua.portal.tests.test_journey_browser import axe_check

pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-2025"


def test_petition_sent_and_answered(live_server: Any, page: Any) -> None:
    base = live_server.url
    unit = UnitFactory(name="UBND xã Tam Đảo")
    dossier = dossier_in(Status.PROCESSING, version=procedure_version(units=(unit,)), unit=unit)
    officer = staff(unit, Role.OFFICER)
    officer.set_password(PASSWORD)
    officer.save(update_fields=["password"])

    page.goto(f"{base}/tra-cuu/?ma={dossier.code}")
    page.click("a:has-text('Phản ánh, kiến nghị về hồ sơ này')")
    axe_check(page, "petition form")
    assert page.input_value("#id_dossier_code") == dossier.code
    page.fill("#id_title", "Hồ sơ chậm trả")
    page.fill("#id_content", "Đã quá hẹn ba ngày.")
    page.fill("#id_contact_name", "Lê Thị Mai")
    page.fill("#id_contact_phone", "0912345678")
    page.check("#id_publish_consent")
    page.click("button:has-text('Gửi phản ánh')")
    code = page.locator("[data-petition-code]").inner_text()
    assert Petition.objects.get().code == code

    page.goto(f"{base}/dang-nhap/?next=/can-bo/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:has-text('Đăng nhập')")
    page.wait_for_url(f"{base}/can-bo/")
    page.click("nav a:has-text('Phản ánh, kiến nghị')")
    page.wait_for_url(f"{base}/can-bo/phan-anh-kien-nghi/")
    axe_check(page, "petition queue")
    page.click(f"a:has-text('{code}')")
    page.fill("#id_answer", "Hồ sơ đã có kết quả, mời bà đến nhận.")
    page.click("button:has-text('Gửi trả lời')")
    page.wait_for_load_state()
    assert page.locator("[data-petition-status]").get_attribute("data-petition-status") == "answered"
    page.click("button:has-text('Đăng xuất')")
    page.wait_for_load_state()

    page.goto(f"{base}/phan-anh-kien-nghi/tra-cuu/?ma={code}&lien_he=0912345678")
    assert "Hồ sơ đã có kết quả" in page.locator("[data-petition-answer]").inner_text()
    axe_check(page, "petition tracking")
    page.goto(f"{base}/phan-anh-kien-nghi/")
    assert page.locator(f"[data-petition='{code}']").count() == 1
    assert "0912345678" not in page.content()
    assert page.console_errors == []
