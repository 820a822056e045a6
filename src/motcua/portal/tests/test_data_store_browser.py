"""In real Chromium at 390 px (a phone): a citizen re-uses an earlier result from "Kho dữ liệu của tôi".

The earlier dossier was received at the counter for the citizen's ID and resolved with a result file (in the
results register). The citizen logs in with the sandbox e-ID, finds the result in the store, starts a new
online submission, re-uses the result for one component instead of uploading it, and submits. Skipped cleanly
without Playwright or Debian's Chromium (``conftest.page``). Run: ``.venv/bin/pytest -m browser src/motcua/portal``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from motcua.documents.constants import UploadPurpose
from motcua.documents.models import Upload
from motcua.documents.results import result_record_issue
from motcua.documents.services import dossier_result_attach
from motcua.documents.tests import files
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import UnitFactory, dossier_in, procedure_version, staff
from motcua.identity.models import SandboxPerson
from motcua.organisations.constants import Role

from .test_journey_browser import _eid_login, axe_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _today() -> None:
    """No frozen clock (the sandbox provider signs its ID token with the real time)."""


def test_citizen_reuses_an_earlier_result_on_a_phone(
    live_server: Any, sandbox_idp: str, page: Any, media: Path
) -> None:
    base = live_server.url
    unit = UnitFactory(name="UBND xã Tam Hồng", code="25001")
    version = procedure_version(units=(unit,))
    officer = staff(unit, Role.OFFICER, username="motcua-tamhong")
    person = SandboxPerson.objects.filter(level=2, kind="citizen").order_by("pk").first()
    assert person is not None
    earlier = dossier_in(
        Status.RESOLVED,
        version=version,
        unit=unit,
        applicant_name=person.full_name,
        applicant_id_number=person.id_number,
        result_note="Giấy xác nhận tình trạng hôn nhân số 15/2026",
    )
    (result,) = dossier_result_attach(
        dossier=earlier,
        actor=officer,
        files=[files.upload("xac-nhan.pdf", files.pdf("Giấy xác nhận 15/2026"))],
    )
    record = result_record_issue(dossier=earlier)
    assert record is not None

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/ho-so-cua-toi/kho-du-lieu/")
    page.wait_for_url("**/auth/login/?next=*")
    page.click("a:has-text('Định danh điện tử (thử nghiệm)')")
    _eid_login(page, person)
    page.wait_for_url(f"{base}/ho-so-cua-toi/kho-du-lieu/")
    item = page.locator(f"[data-store-item='{result.pk}']")
    assert record.number in item.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    axe_check(page, "my data store")

    page.goto(f"{base}/thu-tuc/{version.procedure.code}/nop-truc-tuyen/")
    page.click("label[for=id_privacy_ack]")
    page.fill("#id_phone", "0912345678")
    page.fill("#id_email", "congdan@example.vn")
    page.click("button:has-text('Tiếp tục')")
    page.wait_for_url(f"{base}/ho-so-cua-toi/nhap/*/")
    dossier = Dossier.objects.get(status=Status.DRAFT, owner__citizen_id=person.id_number)
    page.fill("#id_address", "Thôn Đông, xã Tam Hồng")
    page.fill("#id_f-noi_dung", "Đề nghị cấp lại")
    page.click("button[name=save]")
    page.wait_for_load_state()
    first, second = list(dossier.components.filter(required=True).order_by("pk"))

    page.select_option(f"#store-{first.pk}", value=str(result.pk))
    page.click(f"#tp-{first.pk} button:has-text('Dùng lại')")
    page.wait_for_load_state()
    assert "Đã dùng lại “xac-nhan.pdf” từ kho dữ liệu" in page.content()
    assert page.locator(f"#tp-{first.pk} [data-from-store]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(page, "submission draft with a re-used result")
    page.set_input_files(
        f"#file-{second.pk}", files=[{"name": "anh.png", "mimeType": "image/png", "buffer": files.png()}]
    )
    page.click(f"#tp-{second.pk} button:has-text('Tải lên')")
    page.wait_for_load_state()

    page.click("button[name=review]")
    page.wait_for_url(re.compile(rf"/ho-so-cua-toi/nhap/{dossier.pk}/xem-lai/"))
    assert "xac-nhan.pdf" in page.content()
    page.click("button:has-text('Nộp hồ sơ')")
    page.wait_for_url(re.compile(r"/da-nop/(#.*)?$"))
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    copy = Upload.objects.get(dossier=dossier, component=first, purpose=UploadPurpose.SUBMISSION)
    assert copy.reused_from == result
    assert copy.reuse_verified
    assert copy.sha256 == result.sha256
    assert page.console_errors == []
