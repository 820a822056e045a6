"""API token authentication with the token's account kept in the per-process reference cache.

DRF's ``TokenAuthentication`` reads the token with its user on every request (on counter intake about a
tenth of the request's instructions, ADR 0005). This one keeps what it read in ``core.refcache`` under the token's key: deleting
the token (``api_token_get_or_create(reset=True)``) or saving its user (deactivation) empties the cache at
once in the process that does it, and the other processes see it within ``MOTCUA_REFERENCE_CACHE_SECONDS``.
An unknown key is never cached. Each request gets its own copy of the cached user and token, so what a
request keeps on its user (its roles) never reaches another request.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from motcua.accounts.lockout import client_address
from motcua.accounts.models import User
from motcua.accounts.services import api_token_expired
from motcua.core.refcache import refcache_get


class TokenFailureThrottle(SimpleRateThrottle):
    """Wrong API tokens per client address, at most ``MOTCUA_API_TOKEN_FAILURE_RATE`` (default ``20/hour``).

    DRF's throttles run after authentication, so a failed token never reaches them (issue 17): this one is
    checked and fed by the authentication itself. Counted in Django's cache (per process with the default
    local-memory cache; a shared cache makes it per installation).
    """

    scope = "api_token_failure"

    def get_rate(self) -> str:
        return str(settings.MOTCUA_API_TOKEN_FAILURE_RATE)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}

    def blocked(self, request: Request) -> bool:
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        limit, duration = self.parse_rate(self.get_rate())
        while self.history and self.history[-1] <= self.now - (duration or 0):
            self.history.pop()
        return limit is not None and len(self.history) >= limit

    def record(self) -> None:
        self.throttle_success()


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request: Request) -> tuple[User, Token] | None:
        offered = authentication.get_authorization_header(request).split()
        if not offered or offered[0].lower() != self.keyword.lower().encode():
            return None
        throttle = TokenFailureThrottle()
        if throttle.blocked(request):
            raise exceptions.Throttled(wait=throttle.wait())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttle.record()
            raise

    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        user, token = refcache_get(("api-token", key), lambda: self._read(key))
        user, token = copy.copy(user), copy.copy(token)
        token.user = user
        if api_token_expired(token):
            raise exceptions.AuthenticationFailed(
                "API token expired: ask for a new one (motcua create-api-token)."
            )
        return user, token

    def _read(self, key: str) -> tuple[User, Token]:
        return super().authenticate_credentials(key)
