"""In real Chromium: a leader resolves with a result PDF → the worker signs it → the citizen downloads it from
"Hồ sơ của tôi" → the public verification page says the signature is valid (and flags a tampered copy).

Needs the ``playwright`` package and Debian's ``/usr/bin/chromium``; skipped cleanly without them. Run:
``.venv/bin/pytest -m browser src/motcua/signatures``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import Client, override_settings

from motcua.accounts.models import User
from motcua.organisations.constants import Role
from motcua.organisations.models import Membership
from motcua.portal.tests.submission_factories import login, make_world
from motcua.portal.tests.test_journey_browser import axe_check
from motcua.portal.tests.test_result_files import processing
from motcua.signatures.constants import RequestState
from motcua.signatures.models import SignatureRequest
from motcua.signatures.tasks import sign_requests

from .helpers import document, pdfsig, tampered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Mat-khau-2025"


@override_settings(MOTCUA_SIGNER="sandbox", MOTCUA_TSA_URL="sandbox")
def test_leader_approves_signed_result_citizen_downloads_public_page_says_valid(
    live_server: Any, page: Any, media: Path, tmp_path: Path
) -> None:
    base = live_server.url
    world = make_world()
    leader = User.objects.create_user(
        username="lanh-dao-tam-hong", password=PASSWORD, full_name="Trần Văn Lãnh"
    )
    for role in (Role.SPECIALIST, Role.LEADER):
        Membership.objects.create(user=leader, unit=world.unit, role=role)
    dossier = processing(world, User.objects.get(pk=leader.pk))
    result = tmp_path / "giay-chung-nhan.pdf"
    result.write_bytes(document())

    # The leader resolves the dossier in the back office with the result PDF.
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", leader.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:has-text('Đăng nhập')")
    page.goto(f"{base}/can-bo/ho-so/{dossier.code}/")
    page.click("#action-resolve summary")
    page.fill("#id_resolve-result", "Giấy chứng nhận số 12/2026")
    page.set_input_files("#id_resolve-attachments", str(result))
    page.click("button[name=submit-resolve]")
    page.wait_for_selector("[data-signatures]")
    assert page.locator("[data-signature-request][data-state=awaiting]").count() == 1
    assert "Chờ ký số" in page.content()

    # The worker signs (in a thread of its own: Playwright's event loop runs in this one, and pyHanko starts
    # its own loop, as it does in the worker).
    pending = [[r.pk, r.attempts] for r in SignatureRequest.objects.filter(state=RequestState.AWAITING)]

    def sign_as_the_worker() -> list[str]:
        try:
            return list(sign_requests.call(pending))
        finally:  # the thread's own connection, as the worker closes it (none left open at the suite's end)
            connections.close_all()

    with ThreadPoolExecutor(1) as worker:
        assert worker.submit(sign_as_the_worker).result() == ["signed"]
    page.reload()
    assert page.locator("[data-signature-request][data-state=signed]").count() == 1
    axe_check(page, "dossier page with a signed result")

    # The citizen downloads it from "Hồ sơ của tôi" (their e-ID session).
    citizen_client = login(Client(), world.citizen)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": citizen_client.cookies["sessionid"].value, "url": base}]
    )
    page.goto(f"{base}/ho-so-cua-toi/{dossier.code}/ket-qua/")
    with page.expect_download() as download_info:
        page.click("a:has-text('giay-chung-nhan.pdf')")
    downloaded = tmp_path / "tai-ve.pdf"
    download_info.value.save_as(downloaded)
    assert "Signature is Valid" in pdfsig(downloaded.read_bytes(), tmp_path)

    # Anyone checks it on the public page.
    page.goto(f"{base}/xac-thuc-chu-ky/")
    axe_check(page, "signature check")
    page.set_input_files("#signature-file", str(downloaded))
    page.click("button:has-text('Kiểm tra')")
    outcome = page.locator("[data-testid=signature-outcome]")
    assert outcome.get_attribute("data-outcome") == "valid"
    assert "Chữ ký số hợp lệ" in outcome.inner_text()
    assert "Văn phòng UBND tỉnh (sandbox)" in page.content()
    axe_check(page, "signature check result")

    # A tampered copy is flagged.
    bad = tmp_path / "da-sua.pdf"
    bad.write_bytes(tampered(downloaded.read_bytes()))
    page.set_input_files("#signature-file", str(bad))
    page.click("button:has-text('Kiểm tra')")
    assert page.locator("[data-testid=signature-outcome]").get_attribute("data-outcome") == "invalid"
    assert page.console_errors == []
