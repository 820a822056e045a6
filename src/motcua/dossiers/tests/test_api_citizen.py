"""Staff API endpoints answer staff only: a citizen's e-ID session reads no internal field (issue 17).

A citizen who owns a dossier used to read its API detail in full, with the officers' internal notes and user
names. Every API endpoint that asks for a login is a staff endpoint; citizens follow their dossiers on the
portal.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import IsAuthenticated

from motcua.dossiers.constants import Status

from .conftest import World
from .factories import INTERNAL_NOTE, citizen_dossier_with_internal_note, dossier_in

pytestmark = pytest.mark.django_db


def _patterns(resolver: URLResolver, prefix: str) -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _patterns(entry, route)
        else:
            found.append((route, entry))
    return found


def _login_required_api_routes() -> list[str]:
    """Every API route whose view asks for a login (the staff endpoints)."""
    routes = []
    for route, pattern in _patterns(get_resolver(), "/"):
        view_class = getattr(pattern.callback, "cls", None)
        if view_class is None or not route.startswith(("/api/", "/auth/")):
            continue
        if any(issubclass(p, IsAuthenticated) for p in view_class.permission_classes):
            routes.append(route)
    return routes


def _fill(route: str, code: str) -> str:
    values = {"code": code, "action": "forward", "form": "01"}
    for name, value in values.items():
        route = route.replace(f"<str:{name}>", value)
    assert "<" not in route, f"fill in the parameters of {route}"
    return route


def test_a_citizen_session_reads_no_staff_api_not_even_their_own_dossier(world: World) -> None:
    dossier = citizen_dossier_with_internal_note(
        version=world.version, unit=world.unit_a, specialist=world.specialist_a
    )
    client = Client()
    client.force_login(dossier.owner)

    response = client.get(f"/api/v1/dossiers/{dossier.code}/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert INTERNAL_NOTE not in response.content.decode()

    routes = _login_required_api_routes()
    assert {"/api/v1/dossiers/", "/api/v1/dossiers/<str:code>/"} <= set(routes)
    assert any("population" in route for route in routes)
    # The petitions API is the one login-required API a citizen may use: their own petitions only.
    citizen_routes = {"/api/v1/petitions/<str:code>/"}
    assert citizen_routes <= set(routes)
    mine = client.get("/api/v1/petitions/")
    assert mine.status_code == 200
    assert mine.json()["count"] == 0
    assert client.get(f"/api/v1/petitions/{dossier.code}/").status_code == 404
    for route in set(routes) - citizen_routes:
        url = _fill(route, dossier.code)
        for method in ("get", "post"):
            response = getattr(client, method)(url, content_type="application/json")
            assert response.status_code == 403, (method, url, response.status_code)
            body = response.content.decode()
            assert INTERNAL_NOTE not in body
            assert world.specialist_a.username not in body


def test_staff_still_read_the_api_detail_with_notes(world: World) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    client = Client()
    client.force_login(world.officer_a)
    response = client.get(f"/api/v1/dossiers/{dossier.code}/")
    assert response.status_code == 200
