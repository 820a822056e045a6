"""Domain errors with a stable code and a human (Vietnamese) message.

Services raise these; interface layers turn them into a 4xx answer (API), a form error (UI) or an
exit code (CLI). The ``code`` is part of the API contract: never rename one.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class ValidationFailed(DomainError):
    code = "invalid"
    http_status = 400


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
