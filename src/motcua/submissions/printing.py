"""What the e-form adds to the dossier's printed forms: on Mẫu 01, the answers whose schema field is flagged
``print_on_receipt`` (labels, not names). Registered with ``dossiers.printing.form_extra_register`` in
``SubmissionsConfig.ready`` (dossiers sits below submissions)."""

from __future__ import annotations

from typing import Any

from motcua.documents.formschema import answers_display, form_fields_parse
from motcua.documents.models import SubmissionData
from motcua.dossiers.models import Dossier


def form_answers_rows(
    dossier: Dossier, *, receipt_only: bool = False, answers: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    """The dossier's e-form answers (read unless given) as ``(label, text)`` rows (all, or those printed on
    the receipt)."""
    if answers is None:
        data = SubmissionData.objects.filter(dossier=dossier).only("answers").first()
        answers = data.answers if data is not None else {}
    if not answers:
        return []
    fields = form_fields_parse(dossier.procedure_version.form_fields)
    return answers_display(fields, answers, receipt_only=receipt_only)


def form_01_answers(dossier: Dossier, form: str) -> dict[str, Any]:
    if form != "01":
        return {}
    return {"form_answers": form_answers_rows(dossier, receipt_only=True)}
