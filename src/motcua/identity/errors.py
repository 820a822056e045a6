"""Errors of e-ID login and population look-ups (stable codes; Vietnamese messages)."""

from __future__ import annotations

from motcua.core.errors import DomainError


class LoginFailed(DomainError):
    """The e-ID login cannot complete; ``code`` says why (shown on the error page, logged)."""

    code = "login_failed"
    http_status = 400


class ProviderUnavailable(LoginFailed):
    code = "provider_unavailable"
    http_status = 503


class RegisterUnavailable(DomainError):
    """No population register is enabled (``MOTCUA_POPULATION_REGISTER`` empty, unknown or not allowed here)."""

    code = "population_register_unavailable"
    http_status = 503
