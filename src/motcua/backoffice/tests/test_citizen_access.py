"""The back office is for staff: a citizen's e-ID session opens no back-office page (issue 17).

A citizen who owns a dossier used to read its back-office page (internal notes, staff user names) because
the pages only asked for a login. Every back-office URL pattern is tried here, so a page added later is
covered too.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from motcua.dossiers.constants import Status
from motcua.dossiers.tests.factories import INTERNAL_NOTE, citizen_dossier_with_internal_note, dossier_in

from .conftest import World

pytestmark = pytest.mark.django_db


def _backoffice_patterns() -> list[URLPattern]:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.app_name == "backoffice":
            return [p for p in entry.url_patterns if isinstance(p, URLPattern)]
    raise AssertionError("no back-office URLconf")


def _url(pattern: URLPattern, code: str) -> str:
    values = {"code": code, "slug": "dang-xu-ly", "action": "receive", "upload_id": "1", "form": "01"}
    route = str(pattern.pattern)
    for name, value in values.items():
        for converter in ("str", "slug", "int", "path"):
            route = route.replace(f"<{converter}:{name}>", value)
    route = re.sub(r"<int:\w+>", "1", route)  # any other id (a file, a component, a receipt…): 1
    assert "<" not in route, f"fill in the parameters of {route}"
    return f"/can-bo/{route}"


def test_a_citizen_opens_no_back_office_page_not_even_for_their_own_dossier(world: World) -> None:
    dossier = citizen_dossier_with_internal_note(
        version=world.version, unit=world.unit_a, specialist=world.specialist_a
    )
    client = Client()
    client.force_login(dossier.owner)
    patterns = _backoffice_patterns()
    assert len(patterns) >= 8
    for pattern in patterns:
        url = _url(pattern, dossier.code)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 403, (method, url, response.status_code)
            body = response.content.decode()
            assert INTERNAL_NOTE not in body
            assert world.specialist_a.username not in body


def test_staff_still_open_the_desk_and_the_dossier_page(world: World) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    client = Client()
    client.force_login(world.officer_a)
    assert client.get("/can-bo/").status_code == 200
    assert client.get(f"/can-bo/ho-so/{dossier.code}/").status_code == 200
