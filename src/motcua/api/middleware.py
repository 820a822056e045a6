"""Every answer under ``/api/`` that is an error is the API's JSON error shape, whatever produced it.

DRF views answer their own errors through ``errors.exception_handler``; this middleware covers the rest
(issue 17): a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413, refused before it is read), an unhandled
exception (500, logged with its traceback as Django does), and any HTML error page produced outside a DRF
view (a URL that matches no route, a request refused by an earlier middleware). They all become
``{"code": ..., "message": ...}`` with a stable code.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.log import log_response

API_PREFIX = "/api/"

# Status -> (code, message) of an error answered outside a DRF view.
STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("malformed_request", "Yêu cầu không đúng định dạng."),
    401: ("not_authenticated", "Cần đăng nhập."),
    403: ("permission_denied", "Không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ."),
    413: ("request_too_large", "Dữ liệu gửi lên quá lớn."),
    414: ("uri_too_long", "Địa chỉ yêu cầu quá dài."),
    415: ("unsupported_media_type", "Kiểu dữ liệu gửi lên không được hỗ trợ."),
    429: ("throttled", "Quá nhiều yêu cầu, vui lòng thử lại sau."),
    500: ("server_error", "Lỗi hệ thống, vui lòng thử lại sau."),
}


def error_json(status: int) -> JsonResponse:
    code, message = STATUS_ERRORS.get(status, ("error", "Có lỗi xảy ra."))
    response = JsonResponse({"code": code, "message": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _is_page(response: HttpResponse) -> bool:
    """An error page of Django's (HTML or text), not an answer of a DRF view."""
    return response.get("Content-Type", "").startswith(("text/html", "text/plain"))


class ApiErrorMiddleware:
    """JSON errors under ``/api/``: too large (413), server error (500), any non-JSON error page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if _declared_length(request) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            response: HttpResponse = error_json(413)
            log_response("Request too large: %s", request.path, response=response, request=request)
            return response
        response = self.get_response(request)
        if response.status_code >= 400 and _is_page(response) and not response.streaming:
            # The page becomes the JSON error in place: the response keeps what Django knows of it (logged
            # once, its headers).
            replacement = error_json(response.status_code)
            response.content = replacement.content
            response["Content-Type"] = replacement["Content-Type"]
            response["Cache-Control"] = replacement["Cache-Control"]
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path_info.startswith(API_PREFIX):
            return None
        if isinstance(exception, RequestDataTooBig):
            return error_json(413)
        if isinstance(exception, TooManyFieldsSent):
            return error_json(400)
        response = error_json(500)
        # What Django does for an uncaught exception: the signal (error reporters listen to it) and the log
        # line with the traceback.
        signals.got_request_exception.send(sender=None, request=request)
        log_response(
            "Internal Server Error: %s", request.path, response=response, request=request, exception=exception
        )
        return response


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
