"""The e-ID facts the portal needs, read through the identity app's selectors."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from motcua.accounts.models import AccountKind

APPLICANT_KINDS = frozenset({AccountKind.CITIZEN, AccountKind.BUSINESS})


def eid_level(request: HttpRequest) -> int | None:
    """The e-ID assurance level of this session (1 or 2), ``None`` without an e-ID login."""
    from motcua.identity.selectors import assurance_level

    return assurance_level(request)


def is_applicant(request: HttpRequest) -> bool:
    """A citizen or business account (staff accounts do not submit dossiers online)."""
    user = request.user
    return bool(user.is_authenticated and getattr(user, "kind", "") in APPLICANT_KINDS)


def login_url(next_url: str) -> str:
    """The e-ID login choice page, coming back to ``next_url``."""
    return f"{reverse('identity:login')}?{urlencode({'next': next_url})}"
