"""End to end in real Chromium (Playwright): counter intake → Mẫu 01 → forward → resolve → return.

Needs the ``playwright`` package and Debian's ``/usr/bin/chromium`` (browsers cannot be downloaded here);
skipped cleanly without them. Run: ``.venv/bin/pytest -m browser src/motcua/backoffice``.
"""

from __future__ import annotations

from typing import Any

import pytest

from motcua.accounts.models import User
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = [
    pytest.mark.browser,
]

PASSWORD = "Mat-khau-2025"


def _with_password(user: User, full_name: str) -> User:
    user.full_name = full_name
    user.set_password(PASSWORD)
    user.save(update_fields=["full_name", "password"])
    return user


def _login(page: Any, base: str, user: User) -> None:
    page.goto(f"{base}/dang-nhap/?next=/can-bo/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:has-text('Đăng nhập')")
    page.wait_for_url(f"{base}/can-bo/")


def _logout(page: Any) -> None:
    page.click("button:has-text('Đăng xuất')")
    page.wait_for_load_state()


def _act(page: Any, action: str, **fields: str) -> None:
    page.click(f"#action-{action} summary")
    for name, value in fields.items():
        page.fill(f"#id_{action}-{name}", value)
    page.click(f"button[name=submit-{action}]")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_counter_dossier_from_desk_to_return(live_server: Any, world: World, page: Any) -> None:
    base = live_server.url
    officer = _with_password(world.officer_a, "Nguyễn Thị Hoa")
    specialist = _with_password(world.specialist_a, "Trần Văn Minh")

    # The officer takes a dossier at the counter.
    _login(page, base, officer)
    page.click("nav a:has-text('Tiếp nhận trực tiếp')")
    page.click("a[href$='?thu_tuc=1.001193']")
    page.fill("#id_name", "Vũ Thị Lan Anh")
    page.fill("#id_id_number", "026190012345")
    page.fill("#id_phone", "0912345678")
    page.click("button:has-text('Tiếp nhận hồ sơ')")
    page.wait_for_url("**/can-bo/ho-so/**?in=01")
    dossier = Dossier.objects.get(applicant_name="Vũ Thị Lan Anh")
    assert dossier.status == Status.RECEIVED
    assert page.locator("h1").inner_text() == f"Hồ sơ {dossier.code}"
    assert "Đã tiếp nhận hồ sơ" in page.content()

    # Mẫu 01: the print link answers a PDF (fetched with the browser's session).
    href = page.get_attribute("a[data-form='01']", "href")
    assert href == f"/api/v1/dossiers/{dossier.code}/forms/01.pdf"
    pdf = page.request.get(base + href)
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # Forward to the next process step.
    _act(page, "forward", note="Chuyển chuyên viên thẩm định")
    assert page.locator("[data-status]").get_attribute("data-status") == Status.PROCESSING
    assert "Đã thực hiện: Chuyển bước / chuyển đơn vị." in page.content()
    _logout(page)

    # The specialist finds it in the unit's processing queue and resolves it.
    _login(page, base, specialist)
    other = Dossier.objects.create(
        procedure_version=dossier.procedure_version,
        unit=dossier.unit,
        code="KHAC-0001",
        applicant_name="Người khác",
        status=Status.PROCESSING,
    )
    page.goto(f"{base}/can-bo/hang-doi/dang-xu-ly/")
    assert page.locator("#queue-results a[href^='/can-bo/ho-so/']").count() == 2
    # The filter narrows the list in place (htmx under the strict CSP): no page load.
    page.evaluate("window.__same_page = true")
    page.fill("#id_q", "Lan Anh")
    playwright_sync.expect(page.locator("#queue-results a[href^='/can-bo/ho-so/']")).to_have_count(1)
    assert page.evaluate("window.__same_page") is True
    assert "q=Lan%20Anh" in page.url  # pushed to the history
    assert page.locator(f"#queue-results a:has-text('{other.code}')").count() == 0
    page.click(f"a:has-text('{dossier.code}')")
    assert page.locator("#action-return").count() == 0
    _act(page, "resolve", result="Giấy khai sinh bản chính số 125/2025")
    assert page.locator("[data-status]").get_attribute("data-status") == Status.RESOLVED
    _logout(page)

    # The officer returns the result.
    _login(page, base, officer)
    page.goto(f"{base}/can-bo/hang-doi/cho-tra/")
    page.click(f"a:has-text('{dossier.code}')")
    _act(page, "return", note="Đã trả kết quả tại quầy")
    assert page.locator("[data-status]").get_attribute("data-status") == Status.RETURNED
    assert page.locator(".mc-timeline__item").count() == 4  # receive, forward, resolve, return

    assert page.console_errors == []

    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert dossier.result_note == "Giấy khai sinh bản chính số 125/2025"
    assert dossier.returned_at is not None
