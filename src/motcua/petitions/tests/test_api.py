"""Petitions API (issue 16, item 5): GET/POST /api/v1/petitions/ and the detail, over the petitions service.

Anonymous senders need a contact; a citizen sees their own petitions, staff their units'; bad input answers the
documented 400 with the error shape; the web form's throttle answers 429."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from motcua.accounts.tests.factories import CitizenFactory
from motcua.core import clock
from motcua.dossiers.constants import Status
from motcua.dossiers.tests.factories import UnitFactory, dossier_in, procedure_version, staff
from motcua.organisations.constants import Role
from motcua.petitions.constants import THROTTLE_PER_HOUR, PetitionStatus, Subject
from motcua.petitions.models import Petition
from motcua.petitions.services import PetitionInput, petition_submit

pytestmark = pytest.mark.django_db

URL = "/api/v1/petitions/"
MONDAY = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def world() -> dict[str, Any]:
    a, b = UnitFactory(name="UBND xã Tam Đảo"), UnitFactory(name="UBND xã Đại Đình")
    version = procedure_version(units=(b,))
    return {
        "a": a,
        "b": b,
        "version": version,
        "dossier": dossier_in(Status.PROCESSING, version=version, unit=a),
        "officer_a": staff(a, Role.OFFICER),
        "leader_b": staff(b, Role.LEADER),
    }


def _body(**kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": Subject.UNIT,
        "title": "Thái độ phục vụ",
        "content": "Cán bộ tiếp nhận chưa hướng dẫn đầy đủ.",
        "contact_name": "Nguyễn Thị Hoa",
        "contact_phone": "0912345678",
    }
    body.update(kw)
    return body


def test_anonymous_post_with_a_contact_is_routed_and_answered_201(world: Any) -> None:
    client = APIClient()
    with clock.frozen(MONDAY):
        response = client.post(URL, _body(unit_code=world["a"].code), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["unit"] == {"code": world["a"].code, "name": "UBND xã Tam Đảo"}
    assert data["status"] == PetitionStatus.OPEN
    assert data["due_at"] > data["submitted_at"]
    petition = Petition.objects.get(code=data["code"])
    assert petition.sender is None
    assert petition.contact_phone == "0912345678"


def test_about_a_dossier_goes_to_the_dossier_unit(world: Any) -> None:
    body = _body(subject=Subject.DOSSIER, dossier_code=world["dossier"].code)
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["unit"]["code"] == world["a"].code
    assert response.json()["dossier_code"] == world["dossier"].code


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_body(contact_phone="", unit_code="x"), "contact_phone"),  # anonymous without a contact
        (_body(unit_code="nope"), "unit_code"),
        (_body(subject=Subject.DOSSIER, dossier_code="000"), "dossier_code"),
        (_body(subject=Subject.PROCEDURE, procedure_code="9.9"), "procedure_code"),
        (_body(subject="weather"), "subject"),
        (_body(title=""), "title"),
        (_body(title="x" * 201), "title"),
        (_body(content="   "), "content"),
        (_body(contact_email="not-an-email"), "contact_email"),
        (_body(contact_phone="abc"), "contact_phone"),
    ],
)
def test_bad_input_is_a_documented_400_with_the_field(world: Any, body: dict[str, Any], field: str) -> None:
    body.setdefault("unit_code", world["a"].code)
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 400
    error = response.json()
    # the schema's own checks answer "invalid"; the service's rules (the web form's) "invalid_petition"
    assert error["code"] == ("invalid" if field in {"subject", "title"} else "invalid_petition")
    assert field in error["details"]
    assert not Petition.objects.exists()


def test_a_body_that_is_not_an_object_is_400() -> None:
    response = APIClient().post(URL, ["x"], format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_the_web_form_throttle_answers_429(world: Any) -> None:
    client = APIClient()
    with clock.frozen(MONDAY):
        for i in range(THROTTLE_PER_HOUR):
            body = _body(unit_code=world["a"].code, contact_phone=f"09123456{i:02}")
            assert client.post(URL, body, format="json").status_code == 201
        response = client.post(
            URL, _body(unit_code=world["a"].code, contact_phone="0987654321"), format="json"
        )
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert Petition.objects.count() == THROTTLE_PER_HOUR


def test_listing_needs_a_login() -> None:
    response = APIClient().get(URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_citizen_sees_their_own_and_staff_their_units(world: Any) -> None:
    citizen, other = CitizenFactory(), CitizenFactory()
    mine = petition_submit(
        data=PetitionInput(
            subject=Subject.UNIT, title="Của tôi", content="Nội dung", unit_code=world["a"].code
        ),
        user=citizen,
    )
    theirs = petition_submit(
        data=PetitionInput(
            subject=Subject.UNIT,
            title="Của người khác",
            content="Nội dung",
            contact_name="Lê Văn Bình",
            contact_email="binh@example.vn",
            unit_code=world["b"].code,
        ),
        address="10.0.0.9",
    )
    client = APIClient()
    client.force_authenticate(citizen)
    assert [p["code"] for p in client.get(URL).json()["results"]] == [mine.code]
    assert client.get(f"{URL}{mine.code}/").status_code == 200
    assert client.get(f"{URL}{theirs.code}/").status_code == 404
    client.force_authenticate(other)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{mine.code}/").status_code == 404
    client.force_authenticate(world["officer_a"])
    assert [p["code"] for p in client.get(URL).json()["results"]] == [mine.code]
    client.force_authenticate(world["leader_b"])
    listed = client.get(URL, {"status": "open"}).json()
    assert [p["code"] for p in listed["results"]] == [theirs.code]
    assert client.get(f"{URL}{theirs.code}/").json()["contact_name"] == "Lê Văn Bình"
    assert client.get(URL, {"status": "closed"}).status_code == 400
    assert client.get(f"{URL}nope/").json()["code"] == "not_found"


def test_the_schema_documents_the_operations_and_their_errors() -> None:
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    post = schema["paths"]["/api/v1/petitions/"]["post"]
    assert {"201", "400", "429"} <= set(post["responses"])
    assert "401" in schema["paths"]["/api/v1/petitions/"]["get"]["responses"]
    assert "404" in schema["paths"]["/api/v1/petitions/{code}/"]["get"]["responses"]
