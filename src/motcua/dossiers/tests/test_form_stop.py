"""Issue 15 item 6: Mẫu 05 of Circular 03/2025/TT-VPCP, the notice that a dossier's handling is stopped (key
``05-dung``): printed only for a dossier stopped by "Dừng xử lý" whose forms are the 2025 set; read back with
pdftotext; refused (409 with a code, never 500) for a 2018-set dossier and for a dossier not stopped."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.core import clock
from motcua.core.errors import Conflict
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.form_sets import KIND_OF, STOP, STOP_KEY, form_in_force
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.printing import dossier_form_render, forms_available, printable_forms
from motcua.dossiers.selectors import dossier_get_for_user
from motcua.dossiers.services import dossier_intake_counter

from .conftest import MONDAY_10, World

pytestmark = pytest.mark.django_db

JULY_MONDAY = dt.datetime(2025, 7, 7, 10, 0, tzinfo=clock.VN_TZ)  # Circular 03/2025 in force
APPLICANT = {"name": "Trần Thị Hằng Nguyệt", "id_number": "026190012345", "phone": "0912345678"}
REASON = "Người yêu cầu đã chết trước khi có kết quả giải quyết"
GROUND = "Căn cứ khoản 2 Điều 22 Nghị định số 118/2025/NĐ-CP"


def _intake(world: World, at: dt.datetime) -> Dossier:
    with clock.frozen(at):
        dossier = dossier_intake_counter(
            officer=world.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
        )
    assert dossier.code is not None
    return dossier_get_for_user(world.officer_a, dossier.code)


def _stopped(world: World, at: dt.datetime) -> Dossier:
    dossier = _intake(world, at)
    with clock.frozen(at + dt.timedelta(days=1)):
        dossier_transition(
            dossier=dossier, action=Action.STOP, actor=world.leader_a, note=f"{REASON}\n{GROUND}"
        )
    assert dossier.code is not None
    dossier = dossier_get_for_user(world.officer_a, dossier.code)
    assert dossier.status == Status.STOPPED
    return dossier


def _text(pdf: bytes, tmp_path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("needs poppler-utils (pdftotext)")
    path = tmp_path / "form.pdf"
    path.write_bytes(pdf)
    out = subprocess.run([pdftotext, str(path), "-"], capture_output=True, check=True, text=True)  # noqa: S603
    return " ".join(out.stdout.split())


def test_the_key_does_not_clash_with_a_2018_number() -> None:
    assert STOP_KEY == "05-dung"
    assert KIND_OF[STOP_KEY] == STOP
    assert KIND_OF["05"] != STOP  # "05" stays the control slip
    assert not form_in_force(STOP_KEY, dt.date(2025, 6, 30))
    assert form_in_force(STOP_KEY, dt.date(2025, 7, 1))


def test_notice_of_stopping_for_a_2025_stopped_dossier(world: World, tmp_path: Path) -> None:
    world.leader_a.full_name = "Nguyễn Văn Lãnh"
    world.leader_a.save(update_fields=["full_name"])
    dossier = _stopped(world, JULY_MONDAY)
    assert STOP_KEY in forms_available(dossier)
    assert (STOP_KEY, "05", "Thông báo dừng giải quyết hồ sơ") in printable_forms(dossier)
    with clock.frozen(JULY_MONDAY + dt.timedelta(days=2)):
        pdf = dossier_form_render(dossier=dossier, form=STOP_KEY)
    content = _text(pdf, tmp_path)
    assert "Mẫu số 05" in content
    assert "Ban hành kèm theo Thông tư số 03/2025/TT-VPCP" in content
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in content
    assert "Độc lập - Tự do - Hạnh phúc" in content
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in content
    assert "PHƯỜNG VĨNH YÊN" in content  # the unit
    assert f"Mã hồ sơ: {dossier.code}" in content
    assert "Trần Thị Hằng Nguyệt" in content
    assert "Đăng ký khai sinh (1.001193)" in content
    assert "Ngày 10:00 07/07/2025" in content  # received
    assert REASON in content
    assert GROUND in content
    assert "Thời điểm dừng giải quyết: 10:00 08/07/2025" in content
    assert "THỦ TRƯỞNG CƠ QUAN" in content
    assert "Nguyễn Văn Lãnh" in content  # the leader who stopped it
    assert "ngày 09 tháng 07 năm 2025" in content


def test_not_offered_for_a_2018_dossier_nor_for_one_not_stopped(world: World) -> None:
    old = _stopped(world, MONDAY_10)  # received March 2025: Circular 01/2018, which has no such form
    assert STOP_KEY not in forms_available(old)
    assert "05" in forms_available(old)
    with pytest.raises(Conflict) as excinfo:
        dossier_form_render(dossier=old, form=STOP_KEY)
    assert excinfo.value.code == "form_not_in_force"

    running = _intake(world, JULY_MONDAY)
    assert STOP_KEY not in forms_available(running)
    with pytest.raises(Conflict) as excinfo:
        dossier_form_render(dossier=running, form=STOP_KEY)
    assert excinfo.value.code == "form_not_available"


def _login(client: Client, user: User) -> None:
    user.refresh_from_db()
    client.force_login(user)


def test_api_and_back_office_button(world: World, client: Client, tmp_path: Path) -> None:
    new = _stopped(world, JULY_MONDAY)
    old = _stopped(world, MONDAY_10)
    running = _intake(world, JULY_MONDAY + dt.timedelta(days=1))
    _login(client, world.officer_a)

    response = client.get(f"/api/v1/dossiers/{new.code}/forms/05-dung.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert REASON in _text(response.content, tmp_path)
    for dossier, code in ((old, "form_not_in_force"), (running, "form_not_available")):
        response = client.get(f"/api/v1/dossiers/{dossier.code}/forms/05-dung.pdf")
        assert response.status_code == 409
        assert response.json()["code"] == code

    page = client.get(f"/can-bo/ho-so/{new.code}/").content.decode()
    assert 'data-form="05-dung"' in page
    assert f'href="/api/v1/dossiers/{new.code}/forms/05-dung.pdf"' in page
    assert "In Mẫu 05" in page
    assert "In Mẫu 06" in page  # the control slip (key 05) is Mẫu 06 of the 2025 set
    for dossier in (old, running):
        page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
        assert 'data-form="05"' in page
        assert 'data-form="05-dung"' not in page
