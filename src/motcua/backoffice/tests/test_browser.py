"""End to end in real Chromium (Playwright): counter intake → Mẫu 01 → forward → the specialist sends it to
the leader's approval step → the leader finds it in "Chờ tôi phê duyệt" and resolves → return.

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
from motcua.portal.tests.test_journey_browser import axe_check

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
    leader = _with_password(world.leader_a, "Lê Thị Đào")

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
    # The process has a leader's approval step: the specialist cannot complete (issue 16) but sends it on.
    assert page.locator("#action-resolve").count() == 0
    page.click("#action-forward summary")
    # The default choice is the process's next step, the leader's approval (1ae8798).
    default = page.locator("#id_forward-step option:checked").inner_text()
    assert default == "Bước tiếp theo theo quy trình: Phê duyệt (Lãnh đạo, 8 giờ)"
    page.click("button[name=submit-forward]")
    page.wait_for_load_state()
    assert page.locator("[data-field=current-step]").inner_text() == "Phê duyệt"
    _logout(page)

    # The leader finds it in "Chờ tôi phê duyệt" (the menu offers the leader's queue) and resolves it.
    _login(page, base, leader)
    assert page.locator("[data-queue=cho-phe-duyet]").inner_text() == "1"
    page.click("nav a:has-text('Chờ tôi phê duyệt')")
    axe_check(page, "the leader's approval queue")
    page.click(f"#queue-results a:has-text('{dossier.code}')")
    assert "Lãnh đạo" in page.locator("[data-field=current-holder]").inner_text()
    axe_check(page, "the dossier at the approval step")
    _act(page, "resolve", result="Giấy khai sinh bản chính số 125/2025")
    assert page.locator("[data-status]").get_attribute("data-status") == Status.RESOLVED
    _logout(page)

    # The officer returns the result.
    _login(page, base, officer)
    page.goto(f"{base}/can-bo/hang-doi/cho-tra/")
    page.click(f"a:has-text('{dossier.code}')")
    _act(page, "return", note="Đã trả kết quả tại quầy")
    assert page.locator("[data-status]").get_attribute("data-status") == Status.RETURNED
    assert page.locator(".mc-timeline__item").count() == 5  # receive, forward, forward, resolve, return

    assert page.console_errors == []

    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert dossier.result_note == "Giấy khai sinh bản chính số 125/2025"
    assert dossier.returned_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_queue_table_fits_a_1366_px_screen(live_server: Any, world: World, page: Any) -> None:
    """Issue 16: the officers' screens are 1366 px wide; a full queue page (long procedure and applicant
    names, every column) needs no horizontal scrolling. ``MOTCUA_SCREENSHOT=path`` keeps a PNG to look at."""
    import os

    from motcua.dossiers.tests.factories import dossier_in

    world.version.name = (
        "Thủ tục đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất trong các trường "
        "hợp chuyển đổi, chuyển nhượng, cho thuê, cho thuê lại, thừa kế, tặng cho, góp vốn"
    )
    world.version.save(update_fields=["name"])
    for i in range(25):
        dossier_in(
            Status.PROCESSING,
            version=world.version,
            unit=world.unit_a,
            applicant_name=f"Công ty trách nhiệm hữu hạn thương mại dịch vụ Nguyễn Hoàng Phương Đông {i}",
            assignee=world.specialist_a,
        )
    officer = _with_password(world.officer_a, "Nguyễn Thị Hoa")
    page.set_viewport_size({"width": 1366, "height": 768})
    _login(page, base=live_server.url, user=officer)
    page.goto(f"{live_server.url}/can-bo/hang-doi/tat-ca/")
    assert page.locator("#queue-results tbody tr").count() == 25
    if os.environ.get("MOTCUA_SCREENSHOT"):
        page.screenshot(path=os.environ["MOTCUA_SCREENSHOT"], full_page=True)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
        " Math.ceil(document.querySelector('#queue-results table').getBoundingClientRect().right)]"
    )
    assert widths[0] <= widths[1] <= 1366, widths  # no horizontal scrollbar
    assert widths[2] <= 1366, widths  # the table ends inside the screen
