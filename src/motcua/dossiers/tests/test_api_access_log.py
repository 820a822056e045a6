"""Decree 13/2023 access log in the API: the detail, the actions' answer and the printed forms show the
applicant in full, so each writes one entry (keyed by the dossier when there is no ID number). The intake's
answer only gives back what the caller sent: no entry."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from motcua.core import clock
from motcua.identity.models import PersonalDataAccess

from .conftest import MONDAY_10, World
from .test_api import INTAKE, client_for

pytestmark = pytest.mark.django_db

NO_ID = {**INTAKE, "applicant": {**INTAKE["applicant"], "id_number": ""}}  # type: ignore[dict-item]


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with clock.frozen(MONDAY_10):
        yield


def entries() -> list[tuple[str, str, str, str]]:
    return [
        (e.subject_id_number, e.dossier_code, e.purpose, e.path)
        for e in PersonalDataAccess.objects.order_by("pk")
    ]


@pytest.mark.parametrize(("body", "id_number"), [(INTAKE, "026098765412"), (NO_ID, "")])
def test_detail_shows_the_applicant_in_full_and_is_logged(world: World, body: dict, id_number: str) -> None:
    client = client_for(world.officer_a)
    code = client.post("/api/v1/dossiers/", body, format="json").json()["code"]
    assert entries() == []
    detail = client.get(f"/api/v1/dossiers/{code}/").json()
    assert (detail["applicant_id_number"], detail["applicant_phone"]) == (id_number, "0987654321")
    assert entries() == [(id_number, code, f"Xem hồ sơ {code} (API)", f"/api/v1/dossiers/{code}/")]
    [entry] = PersonalDataAccess.objects.filter(path=f"/api/v1/dossiers/{code}/")
    assert (entry.viewer_id, entry.at) == (world.officer_a.pk, MONDAY_10)
    client.post(f"/api/v1/dossiers/{code}/actions/forward/", {}, format="json")
    assert entries()[1][:3] == (id_number, code, f"Thao tác forward với hồ sơ {code} (API)")


def test_lists_mask_and_are_not_logged_refusals_neither(world: World) -> None:
    client = client_for(world.officer_a)
    code = client.post("/api/v1/dossiers/", INTAKE, format="json").json()["code"]
    before = entries()
    [row] = client.get("/api/v1/dossiers/").json()["results"]
    assert row["applicant_id_number"] != "026098765412"  # masked
    assert client_for(world.officer_b).get(f"/api/v1/dossiers/{code}/").status_code == 404
    assert client.post(f"/api/v1/dossiers/{code}/actions/return/", {}, format="json").status_code == 409
    assert entries() == before


def test_printed_form_is_logged_even_without_id_number(world: World, client: Client) -> None:
    code = client_for(world.officer_a).post("/api/v1/dossiers/", NO_ID, format="json").json()["code"]
    world.officer_a.refresh_from_db()
    client.force_login(world.officer_a)
    assert client.get(f"/api/v1/dossiers/{code}/forms/01.pdf").status_code == 200
    assert client.get(f"/api/v1/dossiers/{code}/forms/03.pdf").status_code == 409  # nothing shown
    assert entries() == [("", code, f"In Mẫu 01 của hồ sơ {code}", f"/api/v1/dossiers/{code}/forms/01.pdf")]
