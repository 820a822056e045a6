"""API paging is bounded and its parameters strict (issue 17).

``?limit=100000000`` used to read every dossier in one answer; ``?limit=false``, a repeated ``offset`` and an
empty ``as_of`` were silently taken for "not given".
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from motcua.api.pagination import MAX_LIMIT
from motcua.dossiers.constants import Status
from motcua.dossiers.tests.conftest import World, world  # noqa: F401
from motcua.dossiers.tests.factories import dossier_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(world: World) -> Client:  # noqa: F811
    client = Client()
    client.force_login(world.officer_a)
    return client


def _error(response: Any, code: str) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == code


def test_a_huge_limit_is_capped(staff_client: Client, world: World) -> None:  # noqa: F811
    for _ in range(3):
        dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    for url in ("/api/v1/dossiers/", "/api/v1/units/", "/api/v1/procedures/"):
        assert staff_client.get(url, {"limit": "100000000"}).status_code == 200, url
    page = staff_client.get("/api/v1/dossiers/", {"limit": "100000000"}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 3
    assert MAX_LIMIT == 500


def test_the_dossier_list_caps_what_it_reads(
    staff_client: Client,
    world: World,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("motcua.api.pagination.MAX_LIMIT", 2)
    monkeypatch.setattr("motcua.api.pagination.Pagination.max_limit", 2)
    for _ in range(3):
        dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    page = staff_client.get("/api/v1/dossiers/", {"limit": "100000000"}).json()
    assert len(page["results"]) == 2


@pytest.mark.parametrize(
    "query",
    [
        "limit=false",
        "limit=-1",
        "limit=0",
        "limit=",
        "offset=abc",
        "offset=-3",
        "offset=1&offset=2",
        "limit=10&limit=20",
    ],
)
def test_malformed_paging_is_a_400(staff_client: Client, query: str) -> None:
    for url in ("/api/v1/dossiers/", "/api/v1/units/", "/api/v1/procedures/"):
        _error(staff_client.get(f"{url}?{query}"), "invalid_pagination")


@pytest.mark.parametrize("url", ["/api/v1/units/", "/api/v1/units/8707/", "/api/v1/procedures/"])
def test_an_empty_or_repeated_as_of_is_a_400(staff_client: Client, url: str) -> None:
    _error(staff_client.get(f"{url}?as_of="), "invalid_date")
    _error(staff_client.get(f"{url}?as_of=2025-01-01&as_of=2025-02-01"), "invalid_date")


def test_good_paging_still_works(staff_client: Client) -> None:
    response = staff_client.get("/api/v1/units/?limit=1&offset=1&as_of=2025-03-10")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_the_schema_states_the_bounds_of_limit_and_offset() -> None:
    schema = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/v1/dossiers/", "/api/v1/units/", "/api/v1/procedures/"):
        parameters = {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}
        assert parameters["limit"] == {"type": "integer", "minimum": 1}, path
        assert parameters["offset"] == {"type": "integer", "minimum": 0}, path
