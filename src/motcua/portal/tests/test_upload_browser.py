"""In real Chromium (issue 16, items 3 and 8): a citizen types the draft, uploads a file that is refused, and
finds the error beside that file's input with the focus on it and everything typed still there; a good file
then goes up in the background too. axe-core clean on the page with the error."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from motcua.documents.tests import files
from motcua.dossiers.models import Dossier

from .submission_factories import login, make_world
from .test_journey_browser import axe_check
from .test_submission import start

playwright_sync = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser]


@pytest.mark.django_db(transaction=True)
def test_an_upload_error_sits_beside_its_file_and_nothing_typed_is_lost(
    live_server: Any, page: Any, media: Any
) -> None:
    world = make_world()
    client = login(Client(), world.citizen)
    dossier: Dossier = start(client, world)
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )  # fmt: skip
    page.goto(f"{live_server.url}/ho-so-cua-toi/nhap/{dossier.pk}/")
    page.fill("#id_address", "Thôn Đông, xã Tam Hồng")
    answer = page.locator("#draft-form textarea").first
    answer.fill("Đăng ký khai sinh cho con thứ hai, sinh ngày 02/03/2026")
    page.evaluate("window.__same_page = true")

    first, second = list(dossier.components.order_by("pk"))[:2]
    page.set_input_files(
        f"#file-{second.pk}",
        files=[{"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": files.exe()}],
    )
    page.click(f"#tp-{second.pk} button:has-text('Tải lên')")
    error = page.locator(f"#file-{second.pk}-error")
    playwright_sync.expect(error).to_contain_text("Loại tệp không được chấp nhận")
    playwright_sync.expect(page.locator(f"#file-{second.pk}")).to_be_focused()
    assert page.locator(f"#file-{second.pk}").get_attribute("aria-describedby") == f"file-{second.pk}-error"
    assert page.locator(f"#tp-{first.pk} [data-upload-error]").count() == 0  # beside its own file only
    assert page.evaluate("window.__same_page") is True  # no reload…
    assert page.input_value("#id_address") == "Thôn Đông, xã Tam Hồng"  # …so nothing typed is lost
    assert answer.input_value() == "Đăng ký khai sinh cho con thứ hai, sinh ngày 02/03/2026"
    axe_check(page, "draft with an upload error")

    page.set_input_files(
        f"#file-{second.pk}",
        files=[{"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": files.pdf()}],
    )
    page.click(f"#tp-{second.pk} button:has-text('Tải lên')")
    playwright_sync.expect(page.locator(f"#tp-{second.pk} .mc-files")).to_contain_text("giay-chung-sinh.pdf")
    assert page.locator(f"#file-{second.pk}-error").count() == 0
    assert page.input_value("#id_address") == "Thôn Đông, xã Tam Hồng"
    assert page.evaluate("window.__same_page") is True
    assert page.console_errors == []
