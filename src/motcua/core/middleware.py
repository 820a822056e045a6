"""Request middleware of the project."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
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
