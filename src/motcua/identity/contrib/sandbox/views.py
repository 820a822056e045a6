"""The sandbox national identity provider's pages: discovery, the person picker, authorize.

Token, userinfo and JWKS are django-oauth-toolkit's own views (see ``urls.py``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from oauth2_provider.views import AuthorizationView

from motcua.identity.models import SandboxPerson

from .oidc import SandboxValidator, sandbox_issuer
from .services import sandbox_people_ensure, sandbox_provider_user

SESSION_PICKED = "sandbox_vneid_picked"
NAMESPACES = ("sandbox_vneid", "sandbox_dvcqg_sso")


def _namespace(request: HttpRequest) -> str:
    """The mount serving the request: ``sandbox_vneid`` (the e-ID provider) or ``sandbox_dvcqg_sso`` (the
    national portal's single sign-on, ``/sandbox/dvcqg/sso/``): the same provider under two issuers."""
    match = request.resolver_match
    return match.namespace if match is not None and match.namespace in NAMESPACES else "sandbox_vneid"


def discovery(request: HttpRequest) -> JsonResponse:
    """OpenID Provider metadata (``/.well-known/openid-configuration``)."""
    namespace = _namespace(request)

    def url(name: str) -> str:
        return request.build_absolute_uri(reverse(f"{namespace}:{name}"))

    response = JsonResponse(
        {
            "issuer": sandbox_issuer(request),
            "authorization_endpoint": url("authorize"),
            "token_endpoint": url("token"),
            "userinfo_endpoint": url("userinfo"),
            "jwks_uri": url("jwks"),
            "scopes_supported": ["openid", "profile"],
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": ["LoA1", "LoA2"],
            "claims_supported": SandboxValidator().get_discovery_claims(request),
        }
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _safe_next(value: str, namespace: str = "sandbox_vneid") -> str:
    """Only the sandbox's own authorize endpoint may follow the picker."""
    authorize = reverse(f"{namespace}:authorize")
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path != authorize:
        return ""
    return value


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Pick a fake citizen (level 1 or 2) or business account, then go back to authorize."""
    namespace = _namespace(request)
    next_url = _safe_next(request.POST.get("next") or request.GET.get("next", ""), namespace)
    if request.method == "POST":
        person = SandboxPerson.objects.filter(subject=request.POST.get("person", "")).first()
        if person is not None and next_url:
            request.session[SESSION_PICKED] = person.pk
            return redirect(next_url)
        error = "missing_person" if next_url else "missing_next"
    else:
        error = "" if next_url else "missing_next"
    if not SandboxPerson.objects.exists():
        sandbox_people_ensure()
    people = list(SandboxPerson.objects.order_by("-level", "kind", "full_name"))
    requested = parse_qs(urlsplit(next_url).query).get("acr_values", [""])[0]
    context: dict[str, Any] = {
        "next": next_url,
        "error": error,
        "requested_acr": requested,
        "level2": [p for p in people if p.kind == "citizen" and p.level == 2],
        "level1": [p for p in people if p.kind == "citizen" and p.level == 1],
        "businesses": [p for p in people if p.kind == "business"],
        "action": reverse(f"{namespace}:login"),
        "national_portal": namespace == "sandbox_dvcqg_sso",
    }
    return render(
        request,
        "sandbox_vneid/login.html",
        context,
        status=400 if error and request.method == "POST" else 200,
    )


class SandboxAuthorizationView(AuthorizationView):
    """DOT's authorize endpoint, authenticated by the picker (one pick per authorization) instead of a login."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        picked = request.session.pop(SESSION_PICKED, None)
        person = SandboxPerson.objects.filter(pk=picked).first() if picked is not None else None
        if person is None:
            return redirect(
                f"{reverse(f'{_namespace(request)}:login')}?{urlencode({'next': request.get_full_path()})}"
            )
        request.user = sandbox_provider_user(person=person)
        return super().dispatch(request, *args, **kwargs)
