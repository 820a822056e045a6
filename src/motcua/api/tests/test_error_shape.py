"""Every API error is the JSON error shape, whatever caused it (issue 17).

Deeply nested JSON used to end in a RecursionError (500); an over-large body, a URL matching no route and a
server error answered Django's HTML pages.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from motcua.api.parsers import MAX_DEPTH
from motcua.dossiers.tests.conftest import World, world  # noqa: F401

pytestmark = pytest.mark.django_db


def _assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert body["message"]


@pytest.fixture
def staff_client(world: World) -> Client:  # noqa: F811
    client = Client(raise_request_exception=False)
    client.force_login(world.officer_a)
    return client


def test_deeply_nested_json_is_a_400_not_a_recursion_error(staff_client: Client) -> None:
    very_deep = "[" * 100_000 + "]" * 100_000
    response = staff_client.post("/api/v1/dossiers/", very_deep, content_type="application/json")
    _assert_error(response, 400, "malformed_request")

    nested: dict = {}
    for _ in range(MAX_DEPTH + 1):
        nested = {"a": nested}
    response = staff_client.post("/api/v1/dossiers/", json.dumps(nested), content_type="application/json")
    _assert_error(response, 400, "malformed_request")


def test_ordinary_nesting_still_parses(staff_client: Client) -> None:
    body = {
        "procedure": "1.001193",
        "unit": "8707",
        "applicant": {"name": "A"},
        "components": [{"name": "x"}],
    }
    response = staff_client.post("/api/v1/dossiers/", json.dumps(body), content_type="application/json")
    assert response.status_code in (201, 400), response.content[:300]
    assert response.json()["code"] != "malformed_request"


def test_an_over_large_body_is_a_json_413(staff_client: Client) -> None:
    big = json.dumps({"note": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = staff_client.post("/api/v1/dossiers/", big, content_type="application/json")
    _assert_error(response, 413, "request_too_large")
    anonymous = Client(raise_request_exception=False)
    response = anonymous.post("/api/v1/worktime/due", big, content_type="application/json")
    _assert_error(response, 413, "request_too_large")


def test_a_url_matching_no_route_is_a_json_404() -> None:
    _assert_error(Client().get("/api/v1/khong-co/"), 404, "not_found")
    _assert_error(Client().get("/api/v2/"), 404, "not_found")


def test_a_server_error_is_a_json_500_and_logged(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    world: World,  # noqa: F811
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("motcua.api.v1.organisations.unit_by_code", broken)
    response = Client(raise_request_exception=False).get("/api/v1/units/8707/")
    _assert_error(response, 500, "server_error")
    assert "boom" not in response.content.decode()
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)


def test_pages_outside_the_api_keep_their_html_errors() -> None:
    response = Client().get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_schema_documents_the_error_answers() -> None:
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema = response.json()
    assert "Error" in schema["components"]["schemas"]
    intake = schema["paths"]["/api/v1/dossiers/"]["post"]["responses"]
    for status in ("400", "413", "415", "500"):
        assert status in intake, status
        assert intake[status]["content"]["application/json"]["schema"]
    # make fuzz found a JSON body sent to the multipart signature check answered 415 undocumented
    assert "415" in schema["paths"]["/api/v1/signatures/verify/"]["post"]["responses"]
    units = schema["paths"]["/api/v1/units/"]["get"]["responses"]
    assert "500" in units
    assert "413" not in units
    assert "415" not in units  # no body
    assert "403" not in units  # anonymous callers are welcome
    assert "404" not in units
    detail = schema["paths"]["/api/v1/dossiers/{code}/"]["get"]["responses"]
    assert {"401", "403", "404", "429"} <= set(detail)
    public = schema["paths"]["/api/v1/public/dossiers/{code}/"]["get"]["responses"]
    assert "404" in public
    assert "401" not in public  # reads no token
