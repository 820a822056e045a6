"""Who may use the staff side: staff accounts and superusers, never a citizen's or a business's e-ID session.

Citizens and businesses log in with the national e-ID and follow their own dossiers on the portal. The back
office and the staff API show internal notes, officers' user names and internal events, so they answer a
citizen with 403 (issue 17), even for a dossier the citizen owns.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from .models import AccountKind


def is_staff_account(user: Any) -> bool:
    """``user`` is logged in with a staff account (or is a superuser)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.kind == AccountKind.STAFF)


def staff_required[V: Callable[..., HttpResponse]](view: V) -> V:
    """A view for staff: anonymous users go to the login page, other accounts get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_account(request.user):
            raise PermissionDenied("Trang dành cho cán bộ.")
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def staff_only(patterns: list[Any]) -> list[Any]:
    """Every view of ``patterns`` (a URLconf's list) behind ``staff_required``; returns the list."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = staff_required(pattern.callback)
    return patterns


class IsStaffAccount(IsAuthenticated):
    """DRF permission of the staff API: a staff account (session or token); citizens get 403."""

    message = "Chức năng dành cho cán bộ."

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_staff_account(request.user)
