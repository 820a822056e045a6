"""Signing in the worker: each request on its own, retried with backoff (``services.signature_request_sign``)."""

from __future__ import annotations

import structlog
from django.tasks import task

logger = structlog.get_logger(__name__)


@task()
def sign_requests(requests: list[list[int]]) -> list[str]:
    """Sign the requests ``[[id, attempts], …]``; a request whose attempt count moved on is skipped."""
    from .services import signature_request_sign

    states = []
    for request_id, attempts in requests:
        try:
            states.append(signature_request_sign(request_id=request_id, expected_attempts=attempts))
        except Exception:  # bookkeeping error (the signing's own errors are recorded on the request)
            logger.exception("sign_request_error", request=request_id)
            states.append("error")
    return states
