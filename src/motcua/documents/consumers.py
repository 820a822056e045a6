"""The documents app's transition consumer: a resolved dossier's result goes into the results register.

A consumer rather than the action's effect: the result files are attached after ``resolve`` in the same
transaction (``services.dossier_result_attach``), and ``dossiers`` sits below ``documents``. The worker writes
the entry once the resolution has committed (``results.result_record_issue``, idempotent).
"""

from __future__ import annotations

from typing import Any

from motcua.dossiers.constants import Action
from motcua.dossiers.consumers import TransitionConsumer, transition_consumers
from motcua.dossiers.models import DossierEvent

from .results import result_record_issue

CONSUMER = "results_register"


@transition_consumers.register(CONSUMER)
class ResultsRegister(TransitionConsumer):
    label = "Vào sổ kết quả giải quyết"

    def wants(self, event: DossierEvent) -> bool:
        return event.action == Action.RESOLVE

    def consume(self, event: DossierEvent, snapshot: dict[str, Any]) -> None:
        result_record_issue(dossier=event.dossier)
