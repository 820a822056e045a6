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
    error = error_response(code, message, response.status_code, details)
    if "Retry-After" in response:  # a throttled request learns when to come back
        error["Retry-After"] = response["Retry-After"]
    return error


def bad_request(code: str, message: str, details: Any = None) -> Response:
    return error_response(code, message, status.HTTP_400_BAD_REQUEST, details)


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error: a stable code, a Vietnamese message, details for invalid input.",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "details": {},
    },
    "required": ["code", "message"],
}

_DOCUMENTED_ERRORS = {
    "400": "malformed_request: NUL character, JSON not parseable or nested too deeply; or invalid input",
    "401": "not_authenticated / authentication_failed: no or a wrong token",
    "403": "permission_denied: not a staff account, or no role for this",
    "404": "not_found: nothing under this code, or a code the body names (or not visible to the caller)",
    "413": "request_too_large: body over the upload limit (DATA_UPLOAD_MAX_MEMORY_SIZE)",
    "415": "unsupported_media_type: a body in another media type than the operation takes",
    "429": "throttled: too many wrong API tokens from this address (Retry-After)",
    "500": "server_error",
}


def _answers(path: str, operation: dict[str, Any]) -> list[str]:
    """The error statuses ``operation`` may answer besides its own."""
    security = operation.get("security", [])
    authenticates = any(scheme for scheme in security)  # a token or a session is read
    anonymous = {} in security or not security
    wanted = ["400", "500"]
    if authenticates:
        wanted += ["401", "429"]
    if not anonymous:
        wanted.append("403")
    if "{" in path or "requestBody" in operation:  # the path's code, or a code the body names (a unit …)
        wanted.append("404")
    if "requestBody" in operation:
        wanted += ["413", "415"]
    return wanted


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular post-processing hook: the errors every operation may answer, in the error shape.

    400 and 500 on every operation, 401 and 429 where a token is read, 403 where a login is required, 404 with
    a path parameter or a request body, 413 and 415 with a request body; an answer an operation already documents is left as it is.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status_code in _answers(path, operation):
                operation["responses"].setdefault(
                    status_code, {"description": _DOCUMENTED_ERRORS[status_code], "content": content}
                )
    return result
