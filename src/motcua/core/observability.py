"""Request ids on every log line, request latency for Prometheus, personal data kept out of the logs.

``RequestIdMiddleware`` (outermost) takes the caller's ``X-Request-ID`` when it is a plain token (letters,
digits, ``.-_:``, at most 64; a reverse proxy sets it: docs/deploy.md) or makes one, binds it to structlog's
context variables, so every line logged while the request runs carries ``request_id`` (also lines of
Django's own loggers: ``merge_contextvars`` is in the shared chain), echoes it in the answer's
``X-Request-ID``, and observes the request's duration in ``motcua_http_request_duration_seconds`` labelled by
the view's route name (never the path: it holds codes), method and status class.

``redact_personal_data`` is a structlog processor: a Vietnamese ID number (9 or 12 digits), a phone number
(10 digits from 0, or +84) or an e-mail address in any logged string is masked as ``core.masking`` masks it
on screens. Code must not log personal data in the first place; this catches what slips through (an error
message quoting an input, a third-party logger).

Prometheus metrics of several processes (gunicorn workers): set ``PROMETHEUS_MULTIPROC_DIR`` to an empty
directory for all of them (docs/deploy.md); the metrics view then adds up every process's samples.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, MutableMapping
from typing import Any

import structlog
from django.http import HttpRequest, HttpResponse
from prometheus_client import Histogram

from motcua.core.masking import mask_email, mask_id_number, mask_phone

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

REQUEST_LATENCY = Histogram(
    "motcua_http_request_duration_seconds",
    "Time to answer a request, by the view's route name, method and status class",
    ["view", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0),
)
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def request_id_of(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _VALID_ID.fullmatch(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_of(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            match = request.resolver_match
            view = (match.view_name or match.url_name or "-") if match is not None else "unmatched"
            method = request.method if request.method in _METHODS else "other"
            REQUEST_LATENCY.labels(view, method, f"{response.status_code // 100}xx").observe(
                time.perf_counter() - started
            )
            return response
        finally:
            structlog.contextvars.clear_contextvars()


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\d*])(?:\+84|0)\d{9}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\d*])(?:\d{12}|\d{9})(?!\d)")


def redact(text: str) -> str:
    text = _EMAIL.sub(lambda m: mask_email(m.group()), text)
    text = _PHONE.sub(lambda m: mask_phone(m.group()), text)
    return _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value


def redact_personal_data(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
    """structlog processor: personal data in any string of the line, masked (see the module's docstring)."""
    for key, value in list(event_dict.items()):
        if key not in ("timestamp", "level", "logger", "request_id"):
            event_dict[key] = _redact_value(value)
    return event_dict


def request_id_from_record(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> Any:
    """structlog processor: the request id of a standard-library record that names its request.

    Django logs a 4xx/5xx answer (``django.request``) after the middleware has returned, when the context
    variables are cleared; the record carries the request, and the request its id.
    """
    if "request_id" not in event_dict:
        request = getattr(event_dict.get("_record"), "request", None)
        request_id = getattr(request, "request_id", None)
        if request_id:
            event_dict["request_id"] = request_id
    return event_dict
