"""Staff pages (interface layer). The dossier queues arrive with the dossier issue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The staff desk: greeting, the user's units and roles, placeholders for the dossier queues."""
    memberships = request.user.memberships.select_related("unit").order_by("unit__name", "role")  # type: ignore[union-attr]
    return render(
        request,
        "backoffice/home.html",
        {"memberships": list(memberships), "nav_active": "backoffice"},
    )
