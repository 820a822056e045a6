"""The official forms (Mẫu 01–06) read back with pdftotext/pdfinfo/pdfimages and openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from openpyxl import load_workbook

from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import Conflict, ValidationFailed
from motcua.dossiers.constants import Action
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.printing import (
    dossier_form_render,
    forms_available,
    logbook_dossiers,
    logbook_pdf,
    logbook_xlsx,
)
from motcua.dossiers.selectors import dossier_get_for_user, dossiers_visible_to
from motcua.dossiers.services import dossier_intake_counter

from .conftest import MONDAY_10, World

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed"),
]

APPLICANT = {
    "name": "Trần Thị Hằng Nguyệt",
    "id_number": "026190012345",
    "phone": "0912345678",
    "address": "Số 5 đường Nguyễn Tất Thành, Phường Vĩnh Yên",
}


def _run(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(  # noqa: S603 - fixed poppler tools on a file we wrote
        [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])], capture_output=True
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.decode()


def text(pdf: bytes, tmp_path: Path) -> str:
    """pdftotext without layout, whitespace collapsed (lines wrap anywhere in a narrow A5 page)."""
    return " ".join(_run("pdftotext", pdf, tmp_path).split())


def page_size(pdf: bytes, tmp_path: Path) -> str:
    info = _run("pdfinfo", pdf, tmp_path)
    return next(line for line in info.splitlines() if line.startswith("Page size:"))


def _intake(world: World) -> Dossier:
    with clock.frozen(MONDAY_10):
        dossier = dossier_intake_counter(
            officer=world.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
        )
    assert dossier.code is not None
    return dossier_get_for_user(world.officer_a, dossier.code)


@override_settings(MOTCUA_PUBLIC_URL="https://dichvucong.vinhphuc.example")
def test_form_01_receipt_has_the_code_applicant_times_components_and_a_qr(
    world: World, tmp_path: Path
) -> None:
    world.officer_a.full_name = "Lê Văn Đức"
    world.officer_a.save(update_fields=["full_name"])
    dossier = _intake(world)
    pdf = dossier_form_render(dossier=dossier, form="01")
    assert pdf.startswith(b"%PDF")
    content = text(pdf, tmp_path)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in content
    assert "Độc lập - Tự do - Hạnh phúc" in content
    assert "Mẫu số 01" in content
    assert "PHƯỜNG VĨNH YÊN" in content  # the unit, upper-cased in the header
    assert "TỈNH VĨNH PHÚC" in content  # its parent
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in content
    assert f"Mã hồ sơ: {dossier.code}" in content
    assert dossier.code == "000.00.14.H56-250310-0001"
    assert "Trần Thị Hằng Nguyệt" in content
    assert "Đăng ký khai sinh (1.001193)" in content
    assert "Tờ khai đăng ký khai sinh" in content
    assert "Giấy chứng sinh" in content
    assert "01 bộ" in content
    assert "3 ngày làm việc" in content
    assert "Thời gian nhận hồ sơ: 10:00 10/03/2025" in content
    # Received Monday 10:00 with 3 working days: due Thursday 10:00.
    assert "Thời gian trả kết quả giải quyết hồ sơ: 10:00 13/03/2025" in content
    assert "Lê Văn Đức" in content  # the receiver
    url = f"https://dichvucong.vinhphuc.example/tra-cuu/?ma={dossier.code}"
    assert url in content.replace(" ", "")  # a long URL may wrap
    assert "419.528 x 595.276 pts" in page_size(pdf, tmp_path)  # A5 portrait
    assert "Pages:           1\n" in _run("pdfinfo", pdf, tmp_path)  # one sheet
    images = _run("pdfimages", pdf, tmp_path, "-list").splitlines()[2:]
    assert len(images) == 1  # the QR code
    width, height = images[0].split()[3:5]
    assert width == height


def test_fonts_are_the_committed_noto_serif(world: World, tmp_path: Path) -> None:
    pdf = dossier_form_render(dossier=_intake(world), form="01")
    fonts = _run("pdffonts", pdf, tmp_path)
    assert "Motcua-Serif" in fonts
    assert "Motcua-Serif-Bold" in fonts


def test_forms_02_to_05_follow_the_lifecycle(world: World, tmp_path: Path) -> None:
    dossier = _intake(world)
    assert dossier.code is not None
    assert forms_available(dossier) == ["01", "05"]
    with pytest.raises(Conflict) as excinfo:
        dossier_form_render(dossier=dossier, form="02")
    assert excinfo.value.code == "form_not_available"
    with pytest.raises(ValidationFailed):
        dossier_form_render(dossier=dossier, form="07")

    tuesday = MONDAY_10 + dt.timedelta(days=1)
    with clock.frozen(tuesday):
        dossier_transition(
            dossier=dossier, action=Action.FORWARD, actor=world.officer_a, note="Chuyển thẩm định"
        )
        dossier_transition(
            dossier=dossier, action=Action.ASSIGN, actor=world.leader_a, assignee=world.specialist_a.username
        )
        dossier_transition(
            dossier=dossier,
            action=Action.REQUEST_SUPPLEMENT,
            actor=world.specialist_a,
            note="Bản sao giấy đăng ký kết hôn\nLý do: Thiếu giấy tờ chứng minh quan hệ hôn nhân",
        )
    with clock.frozen(tuesday + dt.timedelta(hours=2)):
        dossier_transition(dossier=dossier, action=Action.SUPPLEMENT_RECEIVED, actor=world.officer_a)
        dossier_transition(
            dossier=dossier,
            action=Action.EXTEND,
            actor=world.leader_a,
            note="Cần xác minh thông tin tại nơi cư trú",
            due=dt.datetime(2025, 3, 20, 16, 30, tzinfo=clock.VN_TZ),
        )
    dossier = dossier_get_for_user(world.officer_a, dossier.code)
    assert forms_available(dossier) == ["01", "02", "04", "05"]

    supplement = text(dossier_form_render(dossier=dossier, form="02"), tmp_path)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in supplement
    assert "Bản sao giấy đăng ký kết hôn" in supplement
    assert "Lý do: Thiếu giấy tờ chứng minh quan hệ hôn nhân" in supplement
    assert "Yêu cầu lúc: 10:00 11/03/2025" in supplement

    apology = text(dossier_form_render(dossier=dossier, form="04"), tmp_path)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in apology
    assert "Cần xác minh thông tin tại nơi cư trú" in apology
    assert "16:30 20/03/2025" in apology  # new due
    assert "ban đầu: 12:00 13/03/2025" in apology  # statutory due after the 2-hour pause: 10:00 + 2 office h

    slip_pdf = dossier_form_render(dossier=dossier, form="05")
    slip = text(slip_pdf, tmp_path)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in slip
    assert "Tiếp nhận hồ sơ" in slip
    assert "Thẩm định, xử lý" in slip  # the specialist's step, opened by the forward after the receipt
    assert str(world.specialist_a) in slip  # its assignee received it
    assert "10:00 11/03/2025" in slip
    assert "Đang xử lý" in slip
    assert "419.528 x 595.276 pts" in page_size(slip_pdf, tmp_path)


def test_form_03_refusal(world: World, tmp_path: Path) -> None:
    from motcua.dossiers.services import dossier_create

    world.version.legal_basis = "Luật Hộ tịch số 60/2014/QH13\nNghị định 123/2015/NĐ-CP"
    world.version.save(update_fields=["legal_basis"])
    with clock.frozen(MONDAY_10):
        draft = dossier_create(
            actor=world.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
        )
        dossier_transition(
            dossier=draft,
            action=Action.REFUSE,
            actor=world.officer_a,
            note="Không thuộc thẩm quyền giải quyết",
        )
    draft.refresh_from_db()
    content = text(dossier_form_render(dossier=draft, form="03"), tmp_path)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in content
    assert "Không thuộc thẩm quyền giải quyết" in content
    assert "Nghị định 123/2015/NĐ-CP" in content
    assert "Thời điểm từ chối: 10:00 10/03/2025" in content


def test_logbook_xlsx_and_pdf(world: World, tmp_path: Path) -> None:
    dossier = _intake(world)
    with clock.frozen(MONDAY_10 + dt.timedelta(days=2)):
        dossier_intake_counter(
            officer=world.officer_b,
            procedure_code="1.001193",
            unit_code="9001",
            applicant={"name": "Ở xã khác"},
        )
    visible = dossiers_visible_to(world.officer_a)

    def logbook_rows(date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
        rows = logbook_dossiers(dossiers=visible, unit=world.unit_a, date_from=date_from, date_to=date_to)
        return {"rows": rows, "unit": world.unit_a, "date_from": date_from, "date_to": date_to}

    data = logbook_xlsx(**logbook_rows(dt.date(2025, 3, 10), dt.date(2025, 3, 12)))
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "SỔ THEO DÕI HỒ SƠ — Phường Vĩnh Yên"
    assert rows[2][1] == "Mã hồ sơ"
    assert len(rows) == 4
    assert rows[3][:3] == (1, dossier.code, "Đăng ký khai sinh")
    assert rows[3][4] == "Trần Thị Hằng Nguyệt"
    assert rows[3][7] == "10:00 10/03/2025"
    assert rows[3][8] == "10:00 13/03/2025"
    # Another day range: empty.
    data = logbook_xlsx(**logbook_rows(dt.date(2025, 3, 11), dt.date(2025, 3, 12)))
    assert len(list(load_workbook(io.BytesIO(data)).active.iter_rows())) == 3  # type: ignore[union-attr]

    pdf = logbook_pdf(**logbook_rows(dt.date(2025, 3, 10), dt.date(2025, 3, 12)))
    content = text(pdf, tmp_path)
    assert "SỔ THEO DÕI HỒ SƠ" in content
    assert str(dossier.code) in content
    assert "Ở xã khác" not in content
    assert "841.89 x 595.276 pts" in page_size(pdf, tmp_path)  # A4 landscape


def login(client: Client, user: User) -> None:
    # The staff factory sets the password without saving it: reload so the session hash matches the row.
    user.refresh_from_db()
    client.force_login(user)


def test_forms_api_scoping(world: World, client: Client) -> None:
    dossier = _intake(world)
    url = f"/api/v1/dossiers/{dossier.code}/forms/01.pdf"
    assert client.get(url).status_code in (401, 403)
    login(client, world.officer_a)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(url, HTTP_ACCEPT="application/pdf").status_code == 200
    assert client.get(f"/api/v1/dossiers/{dossier.code}/forms/03.pdf").status_code == 409
    assert client.get(f"/api/v1/dossiers/{dossier.code}/forms/09.pdf").status_code == 404
    # The leader of the parent unit sees it (read-only); another unit's officer gets a 404, as for no dossier.
    login(client, world.leader_p)
    assert client.get(url).status_code == 200
    login(client, world.officer_b)
    response = client.get(url)
    assert response.status_code == 404
    assert response.json()["code"] == "dossier_not_found"
    assert client.get("/api/v1/dossiers/NOPE/forms/01.pdf").json() == response.json() | {
        "message": "Không tìm thấy hồ sơ NOPE."
    }
