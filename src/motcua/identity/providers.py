"""Login providers: OIDC identity providers citizens and businesses log in with.

Every provider is a plugin in ``login_providers`` (``motcua.core.registry``), configured by
``settings.MOTCUA_LOGIN_PROVIDERS[identifier]``: ``enabled``, ``discovery_url``, ``client_id``,
``client_secret``, ``scopes``, ``acr_values`` (space-separated, e.g. ``"LoA2"``) and ``claim_map``
(overrides of ``claims.DEFAULT_CLAIM_MAP``). Plugins: ``sandbox`` (on when SANDBOX), ``vneid`` and
``dvcqg`` under ``contrib/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.functional import Promise

from motcua.core.registry import Registry


@dataclass(frozen=True)
class ProviderConfig:
    enabled: bool
    discovery_url: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...] = ("openid",)
    acr_values: str = ""
    claim_map: Mapping[str, str | list[str]] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return self.enabled and bool(self.discovery_url and self.client_id)


class LoginProvider:
    """Base of a login provider plugin: a label for the login page and its settings."""

    identifier: str
    label: str | Promise = ""
    description: str | Promise = ""

    def config(self) -> ProviderConfig:
        raw: Mapping[str, Any] = getattr(settings, "MOTCUA_LOGIN_PROVIDERS", {}).get(self.identifier, {})
        scopes = raw.get("scopes") or ["openid"]
        if "openid" not in scopes:
            scopes = ["openid", *scopes]
        return ProviderConfig(
            enabled=bool(raw.get("enabled", False)),
            discovery_url=str(raw.get("discovery_url", "")),
            client_id=str(raw.get("client_id", "")),
            client_secret=str(raw.get("client_secret", "")),
            scopes=tuple(scopes),
            acr_values=str(raw.get("acr_values", "")),
            claim_map=dict(raw.get("claim_map") or {}),
        )

    def is_enabled(self) -> bool:
        return self.config().usable


login_providers: Registry[LoginProvider] = Registry("login provider")


def enabled_login_providers() -> list[LoginProvider]:
    return [provider for provider in login_providers if provider.is_enabled()]
