"""An earlier result for a sandbox e-ID citizen, so the data store can be tried in ``make run`` (docs/documents.md).

The first sandbox citizen at e-ID level 2 gets one dossier received at the counter of Phường Vĩnh Yên (8707) for
their citizen ID, digitised at intake, handed over, approved and resolved by the unit's demo staff with a result
PDF — through the real services, so it lands in the results register like any result. Idempotent: nothing
happens once that citizen has a result in the register.
"""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from motcua.documents.digitisation import component_digitise
from motcua.documents.models import ResultRecord
from motcua.documents.results import result_record_issue
from motcua.documents.services import dossier_result_attach
from motcua.dossiers.constants import Action, ApplicantKind, Channel
from motcua.dossiers.consumers import outbound_consumers_off
from motcua.dossiers.services import Applicant, dossier_intake_counter
from motcua.identity.models import SandboxPerson
from motcua.organisations.constants import Role

from .recent import _PDF, TO_LEADER, UNITS, _act, _staff

UNIT = "8707"
PROCEDURE = UNITS[UNIT][0]


@outbound_consumers_off()
@transaction.atomic
def demo_store_load() -> SandboxPerson | None:
    """Give the first level-2 sandbox citizen an earlier, digitised result; returns them (None: no such person).

    Needs ``motcua load-demo``'s units, catalog and demo staff, and the sandbox e-ID's fake citizens.
    """
    person = SandboxPerson.objects.filter(kind="citizen", level=2).order_by("pk").first()
    if person is None:
        return None
    if ResultRecord.objects.filter(dossier__applicant_id_number=person.id_number).exists():
        return person
    staff = _staff(UNIT)
    dossier = dossier_intake_counter(
        officer=staff[Role.OFFICER],
        procedure_code=PROCEDURE,
        unit_code=UNIT,
        applicant=Applicant(name=person.full_name, kind=ApplicantKind.CITIZEN, id_number=person.id_number),
        channel=Channel.COUNTER,
    )
    component = dossier.components.order_by("pk").first()
    if component is not None:
        component_digitise(
            dossier=dossier,
            component=component,
            actor=staff[Role.OFFICER],
            file=SimpleUploadedFile("ban-quet.pdf", _PDF, content_type="application/pdf"),
        )
    for action in (Action.FORWARD, Action.ASSIGN, TO_LEADER, Action.RESOLVE):
        dossier = _act(dossier, action, staff)
    dossier_result_attach(
        dossier=dossier,
        actor=staff[Role.LEADER],
        files=[SimpleUploadedFile("ket-qua.pdf", _PDF, content_type="application/pdf")],
    )
    result_record_issue(dossier=dossier)
    return person
