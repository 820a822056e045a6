"""E-mail through Django's e-mail backend (``EMAIL_BACKEND``): console in development and the sandbox, SMTP
in production (``EMAIL_HOST`` …), locmem in tests. Identifier ``django``, the default e-mail channel.
"""

from __future__ import annotations

import warnings

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from motcua.core.registry import sandbox_on

from ...channels import DeliveryError, EmailChannel, email_channels

# Backends that accept a message without delivering it to anyone.
NOT_DELIVERING = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@email_channels.register("django")
class DjangoEmailChannel(EmailChannel):
    label = _("Thư điện tử (máy chủ thư của hệ thống)")

    def send(self, *, recipient: str, subject: str, body: str, idempotency_key: str) -> str:
        message = EmailMessage(
            subject=subject,
            body=body,
            to=[recipient],
            headers={"X-Motcua-Idempotency-Key": idempotency_key},
        )
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # the backend's error becomes a retriable delivery error
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        return idempotency_key

    def check(self) -> list[str]:
        backend, host, problems = _mailer()
        try:
            import_string(backend)
        except ImportError:
            return [*problems, f"the e-mail backend {backend!r} cannot be imported"]
        if backend == SMTP and not host:
            problems.append("the e-mail backend is SMTP but its host (EMAIL_HOST) is empty")
        sender = str(getattr(settings, "DEFAULT_FROM_EMAIL", ""))
        if "@" not in sender:
            problems.append(f"DEFAULT_FROM_EMAIL {sender!r} is not an e-mail address")
        if not (sandbox_on() or settings.DEBUG):  # a production installation must deliver its e-mail
            if backend in NOT_DELIVERING:
                problems.append(f"the e-mail backend {backend!r} delivers no e-mail")
            if sender.rstrip(">").endswith("@localhost"):
                problems.append(f"DEFAULT_FROM_EMAIL {sender!r} is a localhost address")
        return problems


def _mailer() -> tuple[str, str, list[str]]:
    """The default mailer's backend and host, from ``MAILERS`` (Django 6.1) or the older ``EMAIL_*``."""
    mailers = getattr(settings, "MAILERS", None)
    if mailers is not None:
        default = mailers.get("default")
        if default is None:
            return SMTP, "", ["MAILERS has no 'default' mailer"]
        return str(default.get("BACKEND", SMTP)), str(default.get("OPTIONS", {}).get("host", "localhost")), []
    with warnings.catch_warnings():  # EMAIL_* are deprecated in Django 6.1 in favour of MAILERS
        warnings.filterwarnings("ignore", message="The EMAIL_")
        return str(settings.EMAIL_BACKEND), str(settings.EMAIL_HOST), []
