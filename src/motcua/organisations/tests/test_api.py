from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from motcua.organisations.constants import Level
from motcua.organisations.tests.factories import UnitFactory

URL = "/api/v1/units/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def test_units_list_defaults_to_today(api: APIClient, demo_units: int, today_2026: dt.date) -> None:
    body = api.get(URL, {"limit": 500}).json()
    assert body["count"] == 1 + 9 + 1 + 148
    codes = [u["code"] for u in body["results"]]
    assert "25" in codes
    assert "26" not in codes
    assert "243" not in codes
    vinh_yen = next(u for u in body["results"] if u["code"] == "8707")
    assert vinh_yen == {
        "code": "8707",
        "name": "Phường Vĩnh Yên",
        "level": "commune",
        "level_display": "Cấp xã",
        "division_type": "phường",
        "parent_code": "25",
        "agency_code": "",
        "has_one_stop_desk": True,
        "valid_from": "2025-07-01",
        "valid_to": None,
    }


def test_units_list_filters(api: APIClient, demo_units: int, today_2026: dt.date) -> None:
    assert api.get(URL, {"level": "commune"}).json()["count"] == 148
    assert api.get(URL, {"level": "commune", "as_of": "2025-06-30"}).json()["count"] == 121
    assert api.get(URL, {"level": "district", "as_of": "2025-06-30"}).json()["count"] == 9
    assert api.get(URL, {"level": "district"}).json()["count"] == 0
    under_vinh_yen_city = api.get(URL, {"parent": "243", "as_of": "2025-06-30"}).json()
    assert under_vinh_yen_city["count"] == 9
    assert {u["parent_code"] for u in under_vinh_yen_city["results"]} == {"243"}
    departments = api.get(URL, {"parent": "25", "level": "department"}).json()
    assert departments["count"] == 9


def test_units_search_is_accent_insensitive(api: APIClient, demo_units: int, today_2026: dt.date) -> None:
    names = [u["name"] for u in api.get(URL, {"q": "vinh yen"}).json()["results"]]
    assert names == ["Phường Vĩnh Yên"]
    names = [u["name"] for u in api.get(URL, {"q": "TICH SON", "as_of": "2025-06-30"}).json()["results"]]
    assert names == ["Phường Tích Sơn"]
    assert api.get(URL, {"q": "Sở Nông nghiệp"}).json()["results"][0]["code"] == "25-SNNMT"
    assert [u["code"] for u in api.get(URL, {"q": "8707"}).json()["results"]] == ["8707"]
    assert api.get(URL, {"q": "không có đơn vị này"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"as_of": "2025-02-30"}, "invalid_date", "as_of"),
        ({"as_of": "30/06/2025"}, "invalid_date", "as_of"),
        ({"level": "village"}, "invalid_parameters", "level"),
        ({"q": "x" * 201}, "invalid_parameters", "q"),
    ],
)
def test_units_list_rejects_bad_parameters(
    api: APIClient, db: None, params: dict, code: str, field: str
) -> None:
    response = api.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    assert field in body["details"]


def test_units_list_paginates(api: APIClient, demo_units: int, today_2026: dt.date) -> None:
    first = api.get(URL, {"level": "commune", "limit": 10}).json()
    second = api.get(URL, {"level": "commune", "limit": 10, "offset": 10}).json()
    assert len(first["results"]) == len(second["results"]) == 10
    assert first["next"]
    assert "offset=10" in first["next"]
    assert not {u["code"] for u in first["results"]} & {u["code"] for u in second["results"]}
    assert len(api.get(URL).json()["results"]) == 50  # default page size


def test_units_list_query_count_does_not_grow(
    api: APIClient, db: None, django_assert_max_num_queries, today_2026: dt.date
) -> None:
    province = UnitFactory(code="P", level=Level.PROVINCE)
    for _ in range(60):
        UnitFactory(parent=province)
    with django_assert_max_num_queries(2):  # count + page, parents joined
        response = api.get(URL, {"limit": 100})
    assert len(response.json()["results"]) == 61


def test_unit_detail_as_of(api: APIClient, demo_units: int, today_2026: dt.date) -> None:
    today = api.get(f"{URL}8707/").json()
    assert today["name"] == "Phường Vĩnh Yên"
    assert {p["code"] for p in today["predecessors"]} >= {"8707", "243"}
    assert today["successors"] == []
    before = api.get(f"{URL}8707/", {"as_of": "2025-06-30"}).json()
    assert before["name"] == "Phường Tích Sơn"
    assert before["parent_code"] == "243"
    assert before["successors"] == [
        {"code": "8707", "name": "Phường Vĩnh Yên", "valid_from": "2025-07-01", "valid_to": None}
    ]


def test_unit_detail_errors(api: APIClient, demo_units: int, today_2026: dt.date) -> None:
    missing = api.get(f"{URL}243/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "unit_not_found"
    bad = api.get(f"{URL}243/", {"as_of": "yesterday"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_date"
    assert api.get(f"{URL}243/", {"as_of": "2025-06-30"}).json()["level"] == "district"


def test_schema_documents_the_unit_endpoints(api: APIClient, db: None) -> None:
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/units/" in paths
    assert "/api/v1/units/{code}/" in paths
