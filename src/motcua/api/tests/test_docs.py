import re

import pytest
from django.test import Client


@pytest.mark.django_db
def test_swagger_ui_works_under_the_strict_csp(client: Client) -> None:
    """The docs page must not rely on inline scripts: the CSP (script-src 'self' + nonce) would block them."""
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts, "the page loads Swagger UI"
    assert all("src=" in attributes for attributes in scripts), scripts
    assert "script-src" in response.headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_schema_is_valid_openapi(client: Client) -> None:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/units/", "/api/v1/procedures/", "/api/v1/worktime/due", "/api/v1/dossiers/"):
        assert path in schema["paths"], path
