"""Login providers: OIDC identity providers citizens and businesses log in with.

Every provider is a plugin (``motcua.core.registry.Plugin``) in ``login_providers``, configured by
``settings.MOTCUA_LOGIN_PROVIDERS[identifier]``: ``enabled``, ``discovery_url``, ``client_id``,
``client_secret``, ``scopes``, ``acr_values`` (space-separated, e.g. ``"LoA2"``) and ``claim_map``
(overrides of ``claims.DEFAULT_CLAIM_MAP``). Several providers may be on at once; a provider shows on the
login page when it is enabled and has a discovery URL and a client id. Plugins: ``sandbox``
(``contrib/sandbox``, a sandbox plugin, on with ``MOTCUA_SANDBOX``), ``vneid`` and ``dvcqg`` under
``contrib/``; all registered by ``IdentityConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.functional import Promise

from motcua.core.registry import Plugin, Registry


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


class LoginProvider(Plugin):
    """Base of a login provider plugin: a label and a description for the login page, and its settings."""

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

    def is_requested(self) -> bool:
        return self.config().enabled

    def is_enabled(self) -> bool:
        return super().is_enabled() and self.config().usable

    def check(self) -> list[str]:
        config = self.config()
        setting = f"MOTCUA_LOGIN_PROVIDERS[{self.identifier!r}]"
        problems = [
            f"{setting}[{key!r}] is empty"
            for key, value in (
                ("discovery_url", config.discovery_url),
                ("client_id", config.client_id),
                ("client_secret", config.client_secret),
            )
            if not value
        ]
        if config.discovery_url and not config.discovery_url.startswith("https://") and not self.sandbox:
            problems.append(f"{setting}['discovery_url'] is not an https:// URL: {config.discovery_url}")
        return problems


login_providers: Registry[LoginProvider] = Registry("login provider")


def enabled_login_providers() -> list[LoginProvider]:
    return login_providers.enabled()
