"""Lockout after repeated wrong passwords (django-axes), for the staff login and the administration login.

After ``AXES_FAILURE_LIMIT`` failures (``MOTCUA_LOGIN_FAILURE_LIMIT``, default 10) a username is locked, and so
is an address, each on its own (``AXES_LOCKOUT_PARAMETERS``); the right password is then refused with a
Vietnamese page (``registration/locked.html``, HTTP 429) until the cool-off ends
(``MOTCUA_LOGIN_LOCKOUT_MINUTES``, default 30) or an administrator deletes the attempts in the administration
(**Axes → Access attempts**). A successful login clears the user's failures.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest


def client_address(request: Any) -> str:
    """The client's address: ``REMOTE_ADDR``, or behind the TLS proxy (``BEHIND_TLS_PROXY``) the address the
    proxy appended last to ``X-Forwarded-For`` (earlier entries come from the client and prove nothing)."""
    meta = getattr(request, "META", {})
    if settings.SECURE_PROXY_SSL_HEADER is not None:
        forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1]
    return str(meta.get("REMOTE_ADDR", ""))


class LockoutBackend(AxesStandaloneBackend):
    """Axes' check; an ``authenticate()`` without a request (a management command, the test client's
    ``login()``) is not a web login and is not counted."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
