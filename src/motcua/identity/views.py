"""Citizen and business login with a national e-ID (OIDC relying party), and logout.

``/auth/login/`` lists the enabled providers; ``/auth/login/<provider>/`` starts the authorization code flow
(PKCE S256, state, nonce kept in the session); ``/auth/callback/<provider>/`` finishes it and logs in;
``/auth/logout/`` logs out (POST). Every failure shows ``identity/error.html`` with a Vietnamese message.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from motcua.core import clock
from motcua.core.errors import DomainError

from . import oidc
from .claims import identity_from_claims
from .constants import SESSION_ASSURANCE_LEVEL, SESSION_PENDING, SESSION_PROVIDER
from .errors import LoginFailed
from .providers import LoginProvider, enabled_login_providers, login_providers
from .services import eid_user_upsert

logger = logging.getLogger(__name__)

MAX_PENDING_LOGINS = 5
PENDING_MAX_AGE_SECONDS = 15 * 60
_ERROR_TITLES = {
    "access_denied": gettext_lazy("Bạn đã hủy đăng nhập"),
    "provider_unavailable": gettext_lazy("Hệ thống định danh điện tử đang gián đoạn"),
}


def _error(request: HttpRequest, error: DomainError, *, provider: str = "") -> HttpResponse:
    logger.warning("e-ID login refused: %s (%s) provider=%s", error.code, error.details, provider)
    context = {
        "code": error.code,
        "title": _ERROR_TITLES.get(error.code) or _("Không đăng nhập được"),
        "message": error.message,
        "retry_url": reverse("identity:login_start", args=[provider]) if provider else "",
        "providers_url": reverse("identity:login"),
    }
    return render(request, "identity/error.html", context, status=error.http_status)


def _provider(identifier: str) -> LoginProvider:
    if identifier not in login_providers or not login_providers[identifier].is_enabled():
        raise LoginFailed(_("Phương thức đăng nhập này không được hỗ trợ."), code="unknown_provider")
    return login_providers[identifier]


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return str(getattr(settings, "MOTCUA_LOGIN_REDIRECT_URL", "/"))


@require_GET
def login_choice(request: HttpRequest) -> HttpResponse:
    """The e-ID login page: one button per enabled provider."""
    return render(
        request,
        "identity/login.html",
        {"providers": enabled_login_providers(), "next": _safe_next(request, request.GET.get("next"))},
    )


@require_GET
def login_start(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        plugin = _provider(provider)
        redirect_uri = request.build_absolute_uri(reverse("identity:callback", args=[provider]))
        url, pending = oidc.authorization_start(
            plugin, redirect_uri=redirect_uri, next_url=_safe_next(request, request.GET.get("next"))
        )
    except DomainError as exc:
        return _error(request, exc)
    store: dict[str, Any] = dict(request.session.get(SESSION_PENDING) or {})
    store[pending.state] = pending.to_session()
    # Keep the few most recent attempts (several tabs), drop the rest.
    newest = sorted(store.items(), key=lambda item: item[1].get("started_at", 0))[-MAX_PENDING_LOGINS:]
    request.session[SESSION_PENDING] = dict(newest)
    return redirect(url)


def _pop_pending(request: HttpRequest, provider: str, state: str) -> oidc.PendingLogin:
    store: dict[str, Any] = dict(request.session.get(SESSION_PENDING) or {})
    data = store.pop(state, None) if state else None
    request.session[SESSION_PENDING] = store
    invalid = LoginFailed(
        _(
            "Phiên đăng nhập không hợp lệ hoặc đã hết hạn (state không khớp). Vui lòng bắt đầu đăng nhập lại "
            "từ trang này."
        ),
        code="invalid_state",
    )
    if not isinstance(data, dict):
        raise invalid
    try:
        pending = oidc.PendingLogin.from_session(data)
    except (KeyError, TypeError) as exc:
        raise invalid from exc
    if pending.provider != provider:
        raise invalid
    if clock.now().timestamp() - pending.started_at > PENDING_MAX_AGE_SECONDS:
        raise LoginFailed(_("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."), code="expired_state")
    return pending


@require_GET
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        plugin = _provider(provider)
        pending = _pop_pending(request, provider, request.GET.get("state", ""))
        if request.GET.get("error"):
            if request.GET["error"] == "access_denied":
                raise LoginFailed(
                    _("Bạn đã hủy đăng nhập tại hệ thống định danh điện tử."), code="access_denied"
                )
            raise LoginFailed(
                _("Hệ thống định danh điện tử từ chối yêu cầu đăng nhập (%(error)s).")
                % {"error": request.GET["error"][:64]},
                code="provider_error",
            )
        code = request.GET.get("code", "")
        if not code:
            raise LoginFailed(_("Thiếu mã xác thực trong phản hồi đăng nhập."), code="missing_code")
        claims = oidc.authorization_finish(plugin, pending=pending, code=code)
        identity = identity_from_claims(claims, provider=provider, claim_map=plugin.config().claim_map)
        user = eid_user_upsert(identity=identity)
    except DomainError as exc:
        return _error(request, exc, provider=provider if provider in login_providers else "")
    # The pending logins of this browser stay (other tabs); login() cycles the session key.
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_ASSURANCE_LEVEL] = identity.level
    request.session[SESSION_PROVIDER] = provider
    return redirect(pending.next_url)


@require_http_methods(["GET", "POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """GET asks for confirmation; POST logs out (a GET must not log anyone out)."""
    if request.method == "POST":
        auth_logout(request)
        return redirect(str(getattr(settings, "LOGOUT_REDIRECT_URL", "/") or "/"))
    return render(request, "identity/logout.html")
