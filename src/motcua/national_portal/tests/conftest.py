"""Fixtures of the national-portal sync: the sync turned on, the sandbox portal reached in-process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from requests.structures import CaseInsensitiveDict

from motcua.dossiers.tests.conftest import MONDAY_10, World, frozen, world  # noqa: F401  (fixtures)
from motcua.national_portal.client import DvcqgClient, national_portal_clients


class DjangoTransport(requests.adapters.BaseAdapter):
    """A requests adapter that hands each request to Django's test client (the sandbox portal, in-process).

    A sandbox answer marked ``X-Sandbox-Fault: timeout`` arrives as ``requests.ReadTimeout``, as it would over
    the network to a client that stopped waiting (whether or not the portal acted on it).
    """

    def __init__(self) -> None:
        super().__init__()
        self.client = Client()
        self.calls = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.calls += 1
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in {"content-type", "content-length"}
        }
        answer = self.client.generic(
            str(request.method),
            urlsplit(str(request.url)).path,
            data=request.body or b"",
            content_type=request.headers.get("Content-Type", "application/json"),
            headers=headers,
        )
        if answer.get("X-Sandbox-Fault") == "timeout":
            raise requests.ReadTimeout("sandbox portal: timed out")
        response = requests.Response()
        response.status_code = answer.status_code
        response._content = answer.content
        response.headers = CaseInsensitiveDict(dict(answer.items()))
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None:
        pass


@pytest.fixture
def portal_settings(settings: Any) -> Any:
    """The sync on, pointed at the sandbox portal, retries due at once, three attempts before parking."""
    settings.MOTCUA_DVCQG_CLIENT = "dvcqg"
    settings.MOTCUA_DVCQG_URL = "http://testserver/sandbox/dvcqg/"
    settings.MOTCUA_DVCQG_USERNAME = settings.MOTCUA_SANDBOX_DVCQG_USERNAME
    settings.MOTCUA_DVCQG_PASSWORD = settings.MOTCUA_SANDBOX_DVCQG_PASSWORD
    settings.MOTCUA_DVCQG_RETRY_SECONDS = 0
    settings.MOTCUA_DVCQG_MAX_ATTEMPTS = 3
    settings.MOTCUA_SANDBOX_DVCQG_FAULTS = ""
    return settings


@pytest.fixture
def client_plugin() -> Iterator[DvcqgClient]:
    plugin = national_portal_clients["dvcqg"]
    assert isinstance(plugin, DvcqgClient)
    before = plugin.transport
    plugin._session = None
    yield plugin
    plugin.transport = before
    plugin._session = None
    close_http(plugin)


def close_http(plugin: DvcqgClient) -> None:
    """Close this thread's keep-alive HTTP session of the client (``DvcqgClient._http``).

    Left open, its connection to ``live_server`` keeps a request thread of the server waiting for the next
    request, with that thread's database connection open: on PostgreSQL the test database could not be
    dropped at the end of the run ("being accessed by other users").
    """
    http = getattr(plugin._local, "http", None)
    if http is not None:
        http.close()
        del plugin._local.http


@pytest.fixture
def inprocess(portal_settings: Any, client_plugin: DvcqgClient) -> DjangoTransport:
    """The client talks to the sandbox portal through Django's test client."""
    adapter = DjangoTransport()
    session = requests.Session()
    session.mount("http://testserver/", adapter)
    client_plugin.transport = session
    return adapter


@pytest.fixture
def connected(world: World) -> World:  # noqa: F811
    procedure = world.version.procedure
    procedure.national_portal_connected = True
    procedure.save(update_fields=["national_portal_connected"])
    return world
