"""Notifications as a transition consumer: the applicant's message after a dossier action."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from motcua.core import formatting
from motcua.dossiers.consumers import TransitionConsumer, transition_consumers
from motcua.dossiers.lifecycle import NOTIFY
from motcua.dossiers.models import DossierEvent

from .services import message_queue


@transition_consumers.register("notifications")
class ApplicantNotifications(TransitionConsumer):
    """After the actions of ``lifecycle.NOTIFY``, email and SMS to the applicant (if they left an address).

    The message's context is taken at the transition (the dates as they were then); the message is rendered
    and queued by the consumer task, keyed on the event (``dossier:<id>:event:<id>``): a second run queues
    nothing more.
    """

    label = "Thông báo cho người nộp hồ sơ"

    def wants(self, event: DossierEvent) -> bool:
        dossier = event.dossier
        return event.action in NOTIFY and bool(dossier.applicant_email or dossier.applicant_phone)

    def snapshot(self, event: DossierEvent) -> dict[str, Any]:
        dossier = event.dossier
        return {
            "notification": NOTIFY[event.action],
            "email": dossier.applicant_email,
            "phone": dossier.applicant_phone,
            "context": {
                "code": dossier.code or "",
                "name": dossier.applicant_name,
                "unit": dossier.unit.name,
                "procedure": dossier.procedure_version.name,
                "submitted": formatting.instant(dossier.submitted_at),
                "received": formatting.instant(dossier.received_at),
                "due": formatting.instant(dossier.due_at),
                "note": event.note,
                "lookup_url": f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/tra-cuu/?ma={dossier.code or ''}",
            },
        }

    def consume(self, event: DossierEvent, snapshot: dict[str, Any]) -> None:
        message_queue(
            event=snapshot["notification"],
            key=f"dossier:{event.dossier_id}:event:{event.pk}",
            email=snapshot["email"],
            phone=snapshot["phone"],
            context=snapshot["context"],
            object_type="dossier",
            object_id=event.dossier_id,
        )
