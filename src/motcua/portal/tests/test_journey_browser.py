"""The citizen's whole journey in real Chromium (Playwright), with axe-core checks on every main page.

e-ID login through the sandbox provider (OIDC over real HTTP against the live server) → online submission
with two files → an officer of the commune receives it in the back office → the citizen sees "Đã tiếp nhận"
with the due time on "Hồ sơ của tôi".

Needs the ``playwright`` package and Debian's ``/usr/bin/chromium`` (browsers cannot be downloaded here);
skipped cleanly without them. Run: ``.venv/bin/pytest -m browser src/motcua/portal``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from motcua.accounts.models import User
from motcua.core.clock import VN_TZ
from motcua.documents.tests import files
from motcua.dossiers.constants import Action, Channel, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import UnitFactory, procedure_version, staff
from motcua.identity.models import SandboxPerson
from motcua.organisations.constants import Role

AXE_URL = "/static/vendor/axe-core/axe.min.js"  # src/motcua/static/vendor/axe-core/axe.min.js

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "Mat-khau-2025"


@pytest.fixture(autouse=True)
def _today() -> None:
    """No frozen clock here (overrides the package's): the sandbox provider signs the ID token with the real
    time, and motcua checks its ``iat``/``exp`` against the domain clock."""


def axe_check(page: Any, name: str) -> None:
    """Run axe-core on the current page; fail on any serious or critical violation.

    The vendored script is loaded from the site's own static files (the strict CSP allows 'self' scripts,
    not inline ones); all rules run, none is excluded. It waits for the page to finish loading first: a
    check run right after a click could otherwise meet a document still without its ``<head>``.
    """
    page.wait_for_load_state("load")
    page.add_script_tag(url=page.evaluate("location.origin") + AXE_URL)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(map(str, node["target"])) for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], f"axe-core on {name} ({page.url}):\n" + "\n".join(bad)


def _eid_login(page: Any, person: SandboxPerson) -> None:
    """On the sandbox picker: log in as ``person`` and come back to motcua."""
    page.wait_for_url("**/sandbox/vneid/dang-nhap/**")
    axe_check(page, "sandbox e-ID picker")
    page.click(f"button[name=person][value='{person.subject}']")


def test_citizen_submits_online_officer_receives_citizen_sees_due_time(
    live_server: Any, sandbox_idp: str, page: Any, media: Path
) -> None:
    base = live_server.url
    unit = UnitFactory(name="UBND xã Tam Hồng", code="25001")
    version = procedure_version(units=(unit,))
    version.min_eid_level = 2
    version.save(update_fields=["min_eid_level"])
    code = version.procedure.code
    officer = User.objects.get(pk=staff(unit, Role.OFFICER, username="motcua-tamhong").pk)
    officer.full_name = "Lê Thị Thu"
    officer.set_password(PASSWORD)
    officer.save(update_fields=["full_name", "password"])
    person = SandboxPerson.objects.filter(level=2, kind="citizen").order_by("pk").first()
    assert person is not None

    # The citizen finds the procedure and starts an online submission: the e-ID login comes first.
    page.goto(f"{base}/")
    axe_check(page, "home")
    # The check is not blind: an image without a text alternative (critical) fails it.
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img>')")
    with pytest.raises(AssertionError, match="image-alt"):
        axe_check(page, "home with a broken image")
    page.goto(f"{base}/thu-tuc/{code}/")
    axe_check(page, "procedure detail")
    page.click("a:has-text('Nộp hồ sơ trực tuyến')")
    page.wait_for_url("**/auth/login/?next=*")
    axe_check(page, "login choice")
    assert page.locator("a[href^='/dang-nhap/']").count() >= 1  # the staff login is offered too
    page.click("a:has-text('Định danh điện tử (thử nghiệm)')")
    _eid_login(page, person)
    page.wait_for_url(f"{base}/thu-tuc/{code}/nop-truc-tuyen/")
    assert person.full_name in page.content()  # prefilled from the ID token's claims
    axe_check(page, "submission start")

    page.click("label[for=id_privacy_ack]")  # USWDS styles the label; the input is visually hidden
    assert page.is_checked("#id_privacy_ack")
    page.fill("#id_phone", "0912345678")
    page.fill("#id_email", "congdan@example.vn")
    page.click("button:has-text('Tiếp tục')")
    page.wait_for_url(f"{base}/ho-so-cua-toi/nhap/*/")
    dossier = Dossier.objects.get(owner__citizen_id=person.id_number)
    assert (dossier.status, dossier.channel, dossier.unit_id) == (Status.DRAFT, Channel.ONLINE, unit.pk)
    axe_check(page, "submission draft")

    # Two files, one per required component (valid documents generated here).
    page.fill("#id_address", "Thôn Đông, xã Tam Hồng")
    page.fill("#id_f-noi_dung", "Đăng ký khai sinh cho con thứ hai")
    page.click("button[name=save]")
    page.wait_for_load_state()
    required = list(dossier.components.filter(required=True).order_by("pk"))
    uploads = [
        ("to-khai.pdf", "application/pdf", files.pdf()),
        ("giay-chung-sinh.png", "image/png", files.png()),
    ]
    for component, (name, mime, data) in zip(required, uploads, strict=True):
        page.set_input_files(
            f"#file-{component.pk}", files=[{"name": name, "mimeType": mime, "buffer": data}]
        )
        page.click(f"#tp-{component.pk} button:has-text('Tải lên')")  # in the background (htmx)
        pytest.importorskip("playwright.sync_api").expect(
            page.locator(f"#tp-{component.pk} .mc-files")
        ).to_contain_text(name)
        assert f"Đã tải lên “{name}”" in page.content()
    axe_check(page, "submission draft with files")

    page.click("button[name=review]")
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/ho-so-cua-toi/nhap/{dossier.pk}/xem-lai/"))
    assert "Hồ sơ chưa đủ để nộp" not in page.content()
    assert "to-khai.pdf" in page.content()
    assert "giay-chung-sinh.png" in page.content()
    axe_check(page, "submission review")
    page.click("button:has-text('Nộp hồ sơ')")
    page.wait_for_url(re.compile(r"/da-nop/(#.*)?$"))  # the fragment of the last upload's anchor survives
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.code
    assert dossier.code in page.content()
    assert dossier.uploads.count() == 2
    axe_check(page, "submission done")
    page.click("button:has-text('Đăng xuất')")
    page.wait_for_load_state()

    # The commune's one-stop officer logs in (staff login) and receives it from the online queue.
    page.goto(f"{base}/")
    page.click("header a:has-text('Đăng nhập')")
    page.click("a:has-text('Cán bộ đăng nhập')")
    page.wait_for_url(f"{base}/dang-nhap/**")
    axe_check(page, "staff login")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]:has-text('Đăng nhập')")
    page.wait_for_load_state()
    page.goto(f"{base}/can-bo/")
    axe_check(page, "back-office home")
    page.goto(f"{base}/can-bo/hang-doi/truc-tuyen/")
    assert page.locator(f"#queue-results a:has-text('{dossier.code}')").count() == 1
    axe_check(page, "online queue")
    page.click(f"#queue-results a:has-text('{dossier.code}')")
    page.wait_for_url(f"{base}/can-bo/ho-so/{dossier.code}/")
    components = page.locator("section[aria-labelledby=thanh-phan]")
    assert (
        components.locator("tr:has-text('Giấy chứng sinh')").inner_text().endswith("Đã nhận")
    )  # arrived online
    uploads = page.locator("section[aria-labelledby=tep-tai-len]")
    assert (
        uploads.locator("a:has-text('.pdf'), a:has-text('.png')").count() >= 2
    )  # the officer sees the files
    axe_check(page, "back-office dossier")
    page.click("#action-receive summary")
    page.click("button[name=submit-receive]")
    page.wait_for_load_state()
    assert page.locator("[data-status]").get_attribute("data-status") == Status.RECEIVED
    axe_check(page, "back-office dossier after receipt")
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED
    assert dossier.due_at is not None
    page.click("button:has-text('Đăng xuất')")
    page.wait_for_load_state()

    # The citizen comes back: "Đã tiếp nhận" with the due time.
    page.goto(f"{base}/ho-so-cua-toi/")
    page.click("a:has-text('Định danh điện tử (thử nghiệm)')")
    _eid_login(page, person)
    page.wait_for_url(f"{base}/ho-so-cua-toi/")
    due = f"{dossier.due_at.astimezone(VN_TZ):%H:%M %d/%m/%Y}"
    row = page.locator("tr", has_text=dossier.code)
    assert "Đã tiếp nhận" in row.inner_text()
    assert due in row.inner_text()
    axe_check(page, "my dossiers")
    page.click(f"a:has-text('{dossier.code}')")
    page.wait_for_url(f"{base}/ho-so-cua-toi/{dossier.code}/")
    assert "Đã tiếp nhận" in page.content()
    axe_check(page, "my dossier detail")

    # Anyone can follow it with the public look-up.
    page.goto(f"{base}/tra-cuu/?ma={dossier.code}")
    assert "Đã tiếp nhận" in page.content()
    axe_check(page, "public lookup")

    # The officer asks for a supplement; the citizen uploads it and declares it complete online.
    dossier_transition(
        dossier=dossier,
        action=Action.REQUEST_SUPPLEMENT,
        actor=officer,
        note="Bổ sung bản sao giấy chứng sinh",
    )
    page.goto(f"{base}/ho-so-cua-toi/{dossier.code}/")
    assert "Bổ sung bản sao giấy chứng sinh" in page.content()
    assert page.locator("button:has-text('Đã bổ sung đủ hồ sơ')").count() == 0  # nothing sent yet
    axe_check(page, "my dossier awaiting supplement")
    page.set_input_files(
        "#supplement-file",
        files=[{"name": "ban-sao.pdf", "mimeType": "application/pdf", "buffer": files.pdf()}],
    )
    page.click("button:has-text('Gửi bổ sung')")
    page.wait_for_load_state()
    assert "Đã gửi tệp bổ sung “ban-sao.pdf”" in page.content()
    axe_check(page, "my dossier with a supplement sent")
    page.click("button:has-text('Đã bổ sung đủ hồ sơ')")
    page.wait_for_load_state()
    assert "Đã xác nhận bổ sung đủ hồ sơ" in page.content()
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING
    assert dossier.paused_at is None
    assert dossier.events.get(action=Action.SUPPLEMENT_RECEIVED).actor.citizen_id == person.id_number

    assert page.console_errors == []
