"""Public lookup "Tra cứu hồ sơ" by code: procedure, unit, status and dates; never personal data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motcua.core.errors import NotFound
from motcua.dossiers.selectors import dossier_public_get


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("ma") or "").strip()[:64]
    dossier = None
    not_found = False
    if code:
        try:
            dossier = dossier_public_get(code)
        except NotFound:
            not_found = True
    context = {"code": code, "dossier": dossier, "not_found": not_found, "nav_active": "lookup"}
    return render(request, "portal/lookup.html", context, status=404 if not_found else 200)
