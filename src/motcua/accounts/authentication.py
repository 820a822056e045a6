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

from rest_framework import authentication
from rest_framework.authtoken.models import Token

from motcua.accounts.models import User
from motcua.core.refcache import refcache_get


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        user, token = refcache_get(("api-token", key), lambda: self._read(key))
        user, token = copy.copy(user), copy.copy(token)
        token.user = user
        return user, token

    def _read(self, key: str) -> tuple[User, Token]:
        return super().authenticate_credentials(key)
