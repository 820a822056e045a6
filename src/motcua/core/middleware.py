"""Request middleware of the project."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose another language with the language switch.

    Django's LocaleMiddleware also follows the browser's Accept-Language header, so an official whose browser
    happens to be set to English would get English screens; a public administration system speaks the
    national language by default and switches only on request (the ``django_language`` cookie set by
    ``/i18n/setlang/``).
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestGuardMiddleware:
    """Answers 400 to a request carrying a NUL character in its path, query, form fields or headers.

    PostgreSQL refuses NUL in text, so a code such as ``/tra-cuu/?ma=%00`` used to reach a query and fail
    with a server error (issue 17). No legitimate input of this system contains NUL: the request stops here,
    before any view, session or database read. Form fields are checked for URL-encoded bodies only (file
    uploads are checked by their own validation, and Django's form fields refuse NUL anyway).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            raise BadRequest("NUL character in the request")
        return self.get_response(request)


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", ""):
        return True
    if any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()):
        return True
    if any(key.startswith("HTTP_") and "\x00" in str(value) for key, value in request.META.items()):
        return True
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    return False
