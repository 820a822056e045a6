from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from motcua.catalog.models import Procedure
from motcua.catalog.services import procedure_save
from motcua.organisations.constants import Level
from motcua.organisations.models import Unit

from .factories import ComponentFactory, FeeFactory, FieldFactory, ProcedureVersionFactory, ProcessStepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> APIClient:
    return APIClient()


@pytest.fixture
def birth() -> Procedure:
    field = FieldFactory(code="HO-TICH", name="Hộ tịch")
    procedure, _ = procedure_save(code="1.001193", name="Thủ tục đăng ký khai sinh", field=field)
    old = Unit.objects.create(
        code="8707", name="Phường Tích Sơn", level=Level.COMMUNE, valid_to=dt.date(2025, 6, 30)
    )
    new = Unit.objects.create(
        code="8707", name="Phường Vĩnh Yên", level=Level.COMMUNE, valid_from=dt.date(2025, 7, 1)
    )
    v1 = ProcedureVersionFactory(
        procedure=procedure,
        valid_to=dt.date(2025, 6, 30),
        time_limit_value=5,
        units=[old],
        legal_basis="Luật Hộ tịch",
    )
    v2 = ProcedureVersionFactory(
        procedure=procedure,
        version=2,
        valid_from=dt.date(2025, 7, 1),
        time_limit_value=0,
        time_limit_unit="same_day",
        online_mode="full",
        min_eid_level=2,
        units=[new],
        result_documents=["Giấy khai sinh"],
    )
    FeeFactory(version=v1, amount_vnd=5000)
    FeeFactory(version=v2, order=1, amount_vnd=8000)
    FeeFactory(version=v2, order=2, amount_vnd=2000, name="Phí sao y")
    ComponentFactory(version=v2, order=1, name="Tờ khai", kind="original")
    ComponentFactory(version=v2, order=2, name="CCCD", kind="present")
    ProcessStepFactory(version=v2, order=1, name="Tiếp nhận", role="officer", budget_hours=2)
    ProcessStepFactory(version=v2, order=2, name="Xử lý", role="specialist", budget_hours=6)
    return procedure


@pytest.fixture
def land() -> Procedure:
    procedure, _ = procedure_save(
        code="1.012812",
        name="Hòa giải tranh chấp đất đai",
        field=FieldFactory(code="DAT-DAI", name="Đất đai"),
    )
    ProcedureVersionFactory(procedure=procedure, level="district", time_limit_value=30, online_mode="partial")
    return procedure


def get(client: APIClient, url: str, **params: Any) -> Any:
    return client.get(url, params)


def test_list(client: APIClient, birth: Procedure, land: Procedure) -> None:
    response = get(client, "/api/v1/procedures/", as_of="2026-03-02")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first == {
        "code": "1.001193",
        "name": "Thủ tục đăng ký khai sinh",
        "field": {"code": "HO-TICH", "name": "Hộ tịch"},
        "version": 2,
        "level": "commune",
        "online_mode": "full",
        "time_limit": {"value": 0, "unit": "same_day", "display": "Trong ngày"},
        "fees_total_vnd": 10000,
    }
    assert body["results"][1]["time_limit"]["display"] == "30 ngày làm việc"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "dang ky khai sinh"}, ["1.001193"]),
        ({"q": "DAT DAI"}, ["1.012812"]),
        ({"q": "khai sinh dat"}, []),
        ({"field": "HO-TICH"}, ["1.001193"]),
        ({"level": "district"}, ["1.012812"]),
        ({"online": "partial"}, ["1.012812"]),
        ({"online": "full", "as_of": "2024-01-01"}, []),
        ({"as_of": "2024-01-01"}, ["1.001193", "1.012812"]),
        ({"as_of": "2018-12-31"}, []),
    ],
)
def test_list_filters(
    client: APIClient, birth: Procedure, land: Procedure, params: dict[str, str], expected: list[str]
) -> None:
    response = get(client, "/api/v1/procedures/", **{"as_of": "2026-03-02", **params})
    assert response.status_code == 200
    assert [r["code"] for r in response.json()["results"]] == expected


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"level": "village"}, "invalid_level"),
        ({"online": "maybe"}, "invalid_online"),
        ({"as_of": "2026-13-01"}, "invalid_date"),
        ({"as_of": "02/03/2026"}, "invalid_date"),
        ({"q": "x" * 201}, "invalid_parameters"),
    ],
)
def test_list_errors(client: APIClient, birth: Procedure, params: dict[str, str], code: str) -> None:
    response = get(client, "/api/v1/procedures/", **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["message"]


def test_detail_version_in_force(client: APIClient, birth: Procedure) -> None:
    response = get(client, "/api/v1/procedures/1.001193/", as_of="2026-03-02")
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 2
    assert body["field"] == {"code": "HO-TICH", "name": "Hộ tịch"}
    assert body["units"] == [{"code": "8707", "name": "Phường Vĩnh Yên"}]
    assert [c["kind"] for c in body["components"]] == ["original", "present"]
    assert body["components"][1]["kind_display"] == "Xuất trình"
    assert [f["amount_vnd"] for f in body["fees"]] == [8000, 2000]
    assert body["fees_total_vnd"] == 10000
    assert [(s["role"], s["budget_hours"]) for s in body["steps"]] == [("officer", 2.0), ("specialist", 6.0)]
    assert body["time_limit"] == {"value": 0, "unit": "same_day", "display": "Trong ngày"}
    assert body["result_documents"] == ["Giấy khai sinh"]
    assert body["min_eid_level"] == 2

    old = get(client, "/api/v1/procedures/1.001193/", as_of="2024-05-06").json()
    assert old["version"] == 1
    assert old["units"] == [{"code": "8707", "name": "Phường Tích Sơn"}]
    assert old["legal_basis"] == "Luật Hộ tịch"
    assert old["time_limit"]["display"] == "5 ngày làm việc"


def test_detail_errors(client: APIClient, birth: Procedure) -> None:
    missing = get(client, "/api/v1/procedures/0.000000/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    not_yet = get(client, "/api/v1/procedures/1.001193/", as_of="2018-01-01")
    assert not_yet.status_code == 404
    assert not_yet.json()["code"] == "not_found"
    for code in ("x" * 300, "%C4%91"):
        odd = client.get(f"/api/v1/procedures/{code}/")
        assert odd.status_code == 404
        assert odd.json()["code"] == "not_found"
    nul_code = client.get("/api/v1/procedures/%00/")  # refused before any view (core RequestGuardMiddleware)
    assert nul_code.status_code == 400
    assert nul_code.json()["code"] == "malformed_request"
    nul = get(client, "/api/v1/procedures/", q="khai\x00sinh")
    assert nul.status_code == 400
    bad = get(client, "/api/v1/procedures/1.001193/", as_of="yesterday")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_date"


def test_fields(client: APIClient, birth: Procedure, land: Procedure) -> None:
    response = client.get("/api/v1/fields/")
    assert response.status_code == 200
    assert response.json() == [{"code": "DAT-DAI", "name": "Đất đai"}, {"code": "HO-TICH", "name": "Hộ tịch"}]


def test_list_query_count(client: APIClient, birth: Procedure, django_assert_max_num_queries: Any) -> None:
    for _ in range(20):
        version = ProcedureVersionFactory()
        FeeFactory(version=version)
        FeeFactory(version=version)
    with django_assert_max_num_queries(4):  # count + procedures + versions in force + fees
        response = get(client, "/api/v1/procedures/", as_of="2026-03-02")
    assert response.json()["count"] == 21


def test_detail_query_count(client: APIClient, birth: Procedure, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(7):
        response = get(client, "/api/v1/procedures/1.001193/", as_of="2026-03-02")
    assert response.status_code == 200


def test_schema_is_valid(client: APIClient, db: None) -> None:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
