from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from motcua.identity import oidc
from motcua.identity.contrib.sandbox.services import sandbox_client_ensure


@pytest.fixture
def sandbox_idp(live_server: Any, settings: Any) -> Iterator[str]:
    """The sandbox provider on the live server, motcua registered as its client; yields the base URL."""
    base = live_server.url
    providers = dict(settings.MOTCUA_LOGIN_PROVIDERS)
    providers["sandbox"] = {
        **providers["sandbox"],
        "enabled": True,
        "discovery_url": f"{base}/sandbox/vneid/.well-known/openid-configuration",
    }
    settings.MOTCUA_LOGIN_PROVIDERS = providers
    oidc.clear_cache()
    sandbox_client_ensure(redirect_uris=[f"{base}/auth/callback/sandbox/"])
    yield base
    oidc.clear_cache()
