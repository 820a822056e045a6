"""Citizen-facing pages: procedure search and detail, staff login/logout (interface layer).

Views parse input, call one selector and render (ARCHITECTURE.md rule 1).
"""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from motcua.catalog.constants import OnlineMode
from motcua.catalog.selectors import procedure_get, procedure_search, procedure_version_in_force
from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.core.http import is_htmx
from motcua.core.text import vi_sorted

from .forms import ProcedureSearchForm

PAGE_SIZE = 20


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Home: search box, filters and the paginated list of procedures in force today."""
    form = ProcedureSearchForm(request.GET)
    filters = form.filters()
    procedures = procedure_search(
        q=filters.get("q", ""),
        field=filters.get("field"),
        level=filters.get("level"),
        online=filters.get("online"),
        as_of=clock.today(),
        by_name=True,  # Vietnamese order of the names (đ after d, ă after a)
    )
    page = Paginator(procedures, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        "query_string": query.urlencode(),
        "nav_active": "home",
    }
    live_search = is_htmx(request)
    context["live_search"] = live_search
    template = "portal/home.html#results" if live_search else "portal/home.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    """One procedure as in force today: documents, fees, time limit, online mode, units, legal basis."""
    today = clock.today()
    try:
        procedure = procedure_get(code, as_of=today)
        version = procedure_version_in_force(procedure, as_of=today)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    context = {
        "procedure": procedure,
        "version": version,
        "components": list(version.components.all()),
        "fees": list(version.fees.all()),
        "steps": list(version.steps.all()),
        "units": vi_sorted(version.units.all(), key=lambda unit: unit.name),  # Vietnamese order
        "online": version.online_mode != OnlineMode.NONE,
        "as_of": today,
        "nav_active": "home",
    }
    return render(request, "portal/procedure_detail.html", context)


class StaffLoginView(auth_views.LoginView):
    """Username + password login for staff; citizens log in with the national e-ID in a later issue."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Đăng nhập cán bộ")}


class StaffLogoutView(auth_views.LogoutView):
    """POST-only logout (Django's LogoutView refuses GET)."""
