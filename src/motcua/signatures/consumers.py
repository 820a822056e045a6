"""The signatures app's transition consumer: a decision form issued to the applicant is signed.

``request-supplement`` issues Mẫu 02, ``refuse`` Mẫu 03, ``extend`` Mẫu 04 (Circular 01/2018/TT-VPCP). The
consumer records a ``SignatureRequest`` for the form (the task signs it, with its own retries). Result files
are requested by ``documents.services.dossier_result_attach`` in the resolution's transaction (this app sits
below documents and cannot see uploads).
"""

from __future__ import annotations

from typing import Any

from motcua.dossiers.consumers import TransitionConsumer, transition_consumers
from motcua.dossiers.models import DossierEvent

from .constants import FORM_OF_ACTION, DocumentKind
from .services import signature_requests_create, signing_on


@transition_consumers.register("signing")
class FormSigning(TransitionConsumer):
    label = "Ký số phiếu, biểu mẫu gửi tổ chức, cá nhân"

    def wants(self, event: DossierEvent) -> bool:
        # Nothing to do (not even a delivery row) when this installation does not sign (MOTCUA_SIGNER empty).
        return event.action in FORM_OF_ACTION and signing_on()

    def consume(self, event: DossierEvent, snapshot: dict[str, Any]) -> None:
        signature_requests_create(
            dossier=event.dossier,
            kind=DocumentKind.FORM,
            forms=[FORM_OF_ACTION[event.action]],
            event=event,
            requested_by=event.actor,
        )
