from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.catalog.models import Procedure, ProcedureVersion

from .factories import ComponentFactory, FeeFactory, FieldFactory, ProcedureVersionFactory, ProcessStepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_vi(client: Client) -> Client:
    user = User.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


def test_admin_pages_render(admin_client_vi: Client) -> None:
    version = ProcedureVersionFactory()
    ComponentFactory(version=version)
    FeeFactory(version=version)
    ProcessStepFactory(version=version)
    pages = [
        "/quan-tri/catalog/procedure/",
        f"/quan-tri/catalog/procedure/{version.procedure.pk}/change/",
        "/quan-tri/catalog/procedureversion/?level__exact=commune&status__exact=published",
        f"/quan-tri/catalog/procedureversion/{version.pk}/change/",
        "/quan-tri/catalog/field/",
    ]
    for url in pages:
        response = admin_client_vi.get(url)
        assert response.status_code == 200, url
    body = admin_client_vi.get(f"/quan-tri/catalog/procedureversion/{version.pk}/change/").content.decode()
    assert "Thành phần hồ sơ" in body
    assert "Quy trình nội bộ" in body


def test_admin_save_keeps_search_text(admin_client_vi: Client) -> None:
    field = FieldFactory(name="Hộ tịch")
    response = admin_client_vi.post(
        "/quan-tri/catalog/procedure/add/",
        {
            "code": "1.001193",
            "name": "Thủ tục đăng ký khai sinh",
            "field": field.pk,
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Procedure.objects.get(code="1.001193").search_text == "1.001193 thu tuc dang ky khai sinh ho tich"

    admin_client_vi.post(
        f"/quan-tri/catalog/field/{field.pk}/change/", {"code": field.code, "name": "Quốc tịch"}
    )
    assert Procedure.objects.get(code="1.001193").search_text.endswith("quoc tich")


def _version_post(version: ProcedureVersion, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "procedure": version.procedure.pk,
        "version": version.version,
        "status": version.status,
        "valid_from": version.valid_from.isoformat(),
        "valid_to": version.valid_to.isoformat() if version.valid_to else "",
        "name": version.name,
        "level": version.level,
        "implementing_agency": "",
        "legal_basis": "",
        "result_documents": "[]",
        "time_limit_value": version.time_limit_value,
        "time_limit_unit": version.time_limit_unit,
        "online_mode": version.online_mode,
        "min_eid_level": 1,
        "supplement_rule": "reset",
        "online_fee_percent": 100,
        "form_fields": "[]",
        "notes": "",
    }
    for prefix in ("components", "fees", "steps"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


def test_admin_refuses_overlapping_versions_and_wrong_budgets(admin_client_vi: Client) -> None:
    v1 = ProcedureVersionFactory(valid_to=dt.date(2025, 6, 30))
    v2 = ProcedureVersionFactory(procedure=v1.procedure, version=2, valid_from=dt.date(2025, 7, 1))
    url = f"/quan-tri/catalog/procedureversion/{v2.pk}/change/"

    response = admin_client_vi.post(url, _version_post(v2, valid_from="2025-06-01"))
    assert response.status_code == 200
    assert "trùng với phiên bản 1" in response.content.decode()

    steps = {
        "steps-TOTAL_FORMS": "2",
        "steps-0-order": "1",
        "steps-0-name": "Tiếp nhận",
        "steps-0-role": "officer",
        "steps-0-unit_level": "commune",
        "steps-0-budget_hours": "4",
        "steps-1-order": "2",
        "steps-1-name": "Xử lý",
        "steps-1-role": "specialist",
        "steps-1-unit_level": "commune",
        "steps-1-budget_hours": "16",
    }
    response = admin_client_vi.post(url, _version_post(v2, **steps))
    assert response.status_code == 200
    assert "Tổng thời gian các bước (20 giờ)" in response.content.decode()
    assert v2.steps.count() == 0

    response = admin_client_vi.post(url, _version_post(v2, **{**steps, "steps-1-budget_hours": "20"}))
    assert response.status_code == 302
    assert [s.budget_hours for s in v2.steps.all()] == [4, 20]


def test_admin_refuses_an_invalid_form_schema_naming_the_field(admin_client_vi: Client) -> None:
    version = ProcedureVersionFactory()
    url = f"/quan-tri/catalog/procedureversion/{version.pk}/change/"
    bad = '[{"name": "con", "label": "Con", "type": "group", "fields": [{"name": "x", "type": "colour"}]}]'

    response = admin_client_vi.post(url, _version_post(version, form_fields=bad))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tờ khai điện tử không hợp lệ: con.x: label is required" in html
    version.refresh_from_db()
    assert version.form_fields == []
