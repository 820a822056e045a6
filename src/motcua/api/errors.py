"""Every API error is JSON ``{"code": ..., "message": ..., "details": ...}`` with a stable ``code``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from motcua.core.errors import DomainError

_CODES = {
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "malformed_request",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}

_MESSAGES = {
    "invalid": "Dữ liệu không hợp lệ.",
    "malformed_request": "Yêu cầu không đúng định dạng.",
    "authentication_failed": "Xác thực không thành công.",
    "not_authenticated": "Cần đăng nhập.",
    "permission_denied": "Không có quyền thực hiện thao tác này.",
    "not_found": "Không tìm thấy.",
    "method_not_allowed": "Phương thức không được hỗ trợ.",
    "not_acceptable": "Định dạng trả về không được hỗ trợ.",
    "unsupported_media_type": "Kiểu dữ liệu gửi lên không được hỗ trợ.",
    "throttled": "Quá nhiều yêu cầu, vui lòng thử lại sau.",
}


def error_response(code: str, message: str, http_status: int, details: Any = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return Response(body, status=http_status)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.message, exc.http_status, exc.details)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), "error")
    details = exc.detail if isinstance(exc, exceptions.ValidationError) else None
    message = _MESSAGES.get(code, str(exc.detail))
    return error_response(code, message, response.status_code, details)


def bad_request(code: str, message: str, details: Any = None) -> Response:
    return error_response(code, message, status.HTTP_400_BAD_REQUEST, details)
