"""Answers and accepted inputs that differed from the OpenAPI schema (issue 17, schemathesis; ``make fuzz``).

Each test pins one finding: the schema now says what the API does, or the API now does what the schema says.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from motcua.dossiers.tests.conftest import World, world  # noqa: F401
from motcua.dossiers.tests.test_api import INTAKE, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()


def _param(schema: dict[str, Any], path: str, name: str, method: str = "get") -> dict[str, Any]:
    return next(p for p in schema["paths"][path][method]["parameters"] if p["name"] == name)


def test_a_form_encoded_intake_is_refused(world: World) -> None:  # noqa: F811
    """The schema documents a JSON body; a multipart or form-encoded intake was read (and answered) too."""
    client = client_for(world.officer_a)
    flat = {k: v for k, v in INTAKE.items() if isinstance(v, str)} | {
        "applicant": json.dumps(INTAKE["applicant"])
    }
    for fmt in ("multipart", None):
        response = client.post("/api/v1/dossiers/", flat, format=fmt)
        assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")
    assert client.post("/api/v1/dossiers/", INTAKE, format="json").status_code == 201


def test_the_intake_schema_says_which_strings_may_not_be_blank(schema: dict[str, Any]) -> None:
    intake = schema["components"]["schemas"]["DossierIntakeInput"]["properties"]
    for name in ("procedure", "unit"):
        assert intake[name]["minLength"] == 1
        assert (
            re.search(intake[name]["pattern"], " \n") is None
        )  # only spaces: refused by DRF, so by the schema
        assert re.search(intake[name]["pattern"], " 8707 ")
    assert "404" in schema["paths"]["/api/v1/dossiers/"]["post"]["responses"]  # unit_not_found …


@pytest.mark.parametrize(
    "query", ["overdue=null", "overdue=yes", "overdue=1", "overdue=true&overdue=false", "overdue="]
)
def test_the_overdue_filter_takes_true_or_false_once(world: World, query: str) -> None:  # noqa: F811
    response = client_for(world.officer_a).get(f"/api/v1/dossiers/?{query}")
    assert response.status_code == 400, response.content[:200]
    assert response.json()["code"] == "invalid_parameters"


def test_the_overdue_filter_still_filters(world: World) -> None:  # noqa: F811
    for value in ("true", "false"):
        assert client_for(world.officer_a).get(f"/api/v1/dossiers/?overdue={value}").status_code == 200


def test_the_status_filter_is_documented_as_state_names(schema: dict[str, Any]) -> None:
    pattern = _param(schema, "/api/v1/dossiers/", "status")["schema"]["pattern"]
    assert re.fullmatch(pattern, "received,processing")
    assert re.fullmatch(pattern, "")
    assert not re.fullmatch(pattern, "bogus")


@pytest.mark.parametrize("value", ["", "\n", "  "])
def test_a_blank_parent_or_q_means_not_given(client: Client, value: str) -> None:
    for name in ("parent", "q"):
        response = client.get("/api/v1/units/", {name: value})
        assert response.status_code == 200, (name, response.content[:200])


def test_received_is_documented_as_the_iso_text_it_must_be(schema: dict[str, Any]) -> None:
    received = _param(schema, "/api/v1/worktime/due", "received")["schema"]
    assert not re.search(received["pattern"], "")  # was any string: an empty one answered 400
    for text in ("2023-01-19", "2023-01-19T10:00", "2023-01-19T10:00:05.5+07:00", "2099-12-31T23:59Z"):
        assert re.search(received["pattern"], text), text
    assert not re.search(received["pattern"], "1989-12-31")
    limit = _param(schema, "/api/v1/worktime/due", "limit")["schema"]
    assert (limit["minimum"], limit["maximum"]) == (0, 10_000)


def test_no_two_serializers_share_a_component(schema: dict[str, Any]) -> None:
    """``DueApi.OutputSerializer`` and ``UnitDetailApi.OutputSerializer`` were one component "Output"."""
    due = schema["paths"]["/api/v1/worktime/due"]["get"]["responses"]["200"]["content"]["application/json"]
    ref = due["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {"due"}


def test_a_report_of_year_one_is_a_400_not_a_500(world: World) -> None:  # noqa: F811
    response = client_for(world.leader_p).get("/api/v1/reports/monthly?from=0001-01-01&to=0001-01-01")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_date")
    response = client_for(world.leader_p).get("/api/v1/reports/monthly?from=2025-01-01&to=9999-12-31")
    assert (response.status_code, response.json()["code"]) == (400, "invalid_date")


def test_a_form_error_is_json_even_when_a_pdf_was_asked_for(client: Client) -> None:
    response = client.get("/api/v1/dossiers/X-1/forms/01.pdf?format=pdf")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] in ("not_authenticated", "permission_denied")


def test_gateway_callbacks_document_that_they_answer_anything(schema: dict[str, Any]) -> None:
    """VNPay's IPN and PayGov's notification answer a missing signature with their own code 97 (HTTP 200)."""
    assert _param(schema, "/api/v1/payments/vnpay/ipn/", "vnp_SecureHash").get("required", False) is False
    paygov = schema["paths"]["/api/v1/payments/paygov/notify/"]["post"]["requestBody"]
    assert paygov["required"] is False
    assert {} in paygov["content"]["application/json"]["schema"]["anyOf"]  # not even an object: 97
    fields = schema["components"]["schemas"]["PaygovNotification"]["properties"]
    assert all("type" not in field for field in fields.values())  # any JSON: answered 97 when not signed


def test_a_nul_character_in_a_json_body_is_malformed(world: World) -> None:  # noqa: F811
    """As in a path, a query or a form; it reached the serializers as one field's ``invalid`` before."""
    body = {**INTAKE, "components": [{"name": "Tờ khai\u0000"}]}
    response = client_for(world.officer_a).post("/api/v1/dossiers/", body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "malformed_request")
    assert client_for(world.officer_a).post("/api/v1/dossiers/", INTAKE, format="json").status_code == 201
