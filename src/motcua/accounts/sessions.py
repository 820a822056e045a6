"""Staff sessions: a lifetime from login and an idle timeout; no caching of anything a logged-in user sees.

A staff session used to last Django's default 14 days (issue 17). A staff login now lasts at most
``MOTCUA_STAFF_SESSION_SECONDS`` (default 8 hours, a working day) and ends after
``MOTCUA_STAFF_IDLE_SECONDS`` without a request (default 30 minutes). Citizens' e-ID sessions are left as
they are.

Every answer to a logged-in user (back office, "Hồ sơ của tôi", the API with a session or a token) carries
``Cache-Control: private, no-store``: it shows personal data that neither a shared browser's cache nor a proxy
may keep.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from motcua.core import clock

from .access import is_staff_account

SINCE = "motcua_staff_since"
SEEN = "motcua_staff_seen"
# How often the last-seen time is written back (a session save per request would be a write per request).
SEEN_RESOLUTION_SECONDS = 60


def staff_session_start(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: a staff login gets the staff lifetime."""
    if request is None or not is_staff_account(user):
        return
    now = clock.now().timestamp()
    request.session[SINCE] = now
    request.session[SEEN] = now
    request.session.set_expiry(settings.MOTCUA_STAFF_SESSION_SECONDS)


class StaffSessionMiddleware:
    """Ends a staff session past its lifetime or idle time; marks answers to logged-in users no-store.

    After ``AuthenticationMiddleware``: an ended session is logged out before the view runs, which then
    answers as to anyone not logged in (the back office redirects to the login page).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_staff_account(request.user):
            self._check(request)
        response = self.get_response(request)
        user = getattr(request, "user", None)  # DRF sets the token's user here too
        if user is not None and user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, private=True, no_store=True)
        return response

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = clock.now().timestamp()
        since = session.get(SINCE)
        seen = session.get(SEEN)
        if since is None or seen is None:  # a session from before this rule: it starts now
            session[SINCE] = since = now
            session[SEEN] = seen = now
            session.set_expiry(settings.MOTCUA_STAFF_SESSION_SECONDS)
        if (
            now - since > settings.MOTCUA_STAFF_SESSION_SECONDS
            or now - seen > settings.MOTCUA_STAFF_IDLE_SECONDS
        ):
            logout(request)
            return
        if now - seen >= SEEN_RESOLUTION_SECONDS:
            session[SEEN] = now
