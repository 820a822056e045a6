"""Malformed requests answer 400, never 500 (issue 17).

A NUL byte in a code reached PostgreSQL, which refuses NUL in text ("A string literal cannot contain NUL
(0x00) characters"): 500. The request guard answers 400 before any view runs, on every database. The
``postgres`` variant runs the same requests where the 500 happened.
"""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.dossiers.tests.conftest import World, world  # noqa: F401

NUL_URLS = [
    "/tra-cuu/?ma=%00",
    "/tra-cuu/?ma=000.00.14.H56-250310-0001%00",
    "/api/v1/public/dossiers/%00/",
    "/api/v1/units/%00/",
    "/api/v1/units/?parent=%00",
    "/api/v1/procedures/%00/",
    "/thu-tuc/%00/",
    "/ho-so-cua-toi/%00/",
    "/can-bo/ho-so/%00/",
    "/can-bo/ho-so/%00/thao-tac/receive/",
    "/api/v1/dossiers/%00/",
    "/api/v1/dossiers/?q=%00",
    "/api/v1/dossiers/%00/forms/01.pdf",
    "/can-bo/hang-doi/dang-xu-ly/?q=%00",
]

FORM = "application/x-www-form-urlencoded"


def _check(client: Client) -> None:
    for url in NUL_URLS:
        response = client.get(url)
        assert response.status_code == 400, (url, response.status_code)
        if url.startswith("/api/"):
            assert response["Content-Type"].startswith("application/json"), url
            assert response.json()["code"] == "malformed_request", url
    response = client.post("/dang-nhap/", "username=%00&password=x", content_type=FORM)
    assert response.status_code == 400
    response = client.get("/tra-cuu/", HTTP_X_SOMETHING="a\x00b")
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_nul_byte_anywhere_in_the_request_answers_400(world: World) -> None:  # noqa: F811
    client = Client(raise_request_exception=False)
    _check(client)
    client.force_login(world.officer_a)
    _check(client)


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_nul_byte_answers_400_on_postgresql(world: World) -> None:  # noqa: F811
    client = Client(raise_request_exception=False)
    client.force_login(world.officer_a)
    _check(client)


@pytest.mark.django_db
def test_ordinary_requests_pass_the_guard(world: World) -> None:  # noqa: F811
    client = Client()
    assert client.get("/tra-cuu/?ma=khong-co").status_code == 404  # looked up: not found
    assert client.get("/tra-cuu/").status_code == 200
    assert client.get("/api/v1/units/8707/").status_code == 200
