"""Recent dossiers in today's demo units, so the demo staff find work in their queues (docs/simulator.md).

The demo month (2023-03) is in the Vĩnh Phúc units of before the 2025 reform; the demo staff accounts
(``officer-<code>``, ``specialist-<code>``, ``leader-<code>``) work in today's Phú Thọ units. This module gives
three demo communes and two departments a handful of dossiers each, one per situation of ``KINDS``, at
instants within the last ~10 working days before now, created through the domain services with the clock
frozen at each instant (online ones through the portal's submission service, with a small PDF per required
component). Applicants have no phone or e-mail: no message is queued. Idempotent: a dossier of the table
already there (same unit, procedure and applicant ID) is not created again.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from motcua.catalog.selectors import procedure_version_by_code
from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.dossiers.constants import Action, ApplicantKind, Channel
from motcua.dossiers.consumers import outbound_consumers_off
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, dossier_intake_counter
from motcua.organisations.constants import Role
from motcua.organisations.selectors import unit_by_code
from motcua.worktime.services import get_calendar

from .profiles import VINH_PHUC
from .simulator import fake_company, fake_person

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.catalog.models import ProcedureVersion

TO_LEADER = "forward-to-leader"  # a forward by the specialist to the leader's step


@dataclass(frozen=True)
class Kind:
    """One situation: the channel, when it started and what happened after (in working days)."""

    name: str
    channel: int
    ago: float = 0.0  # working days before now of the submission (online) or the counter intake
    due_in: float | None = None  # instead of ``ago``: received so that the statutory due is this far from now
    path: tuple[tuple[str, float], ...] = ()  # (action, working days after the start)


_HANDOVER = ((Action.FORWARD.value, 0.1), (Action.ASSIGN.value, 0.11))
_DONE = (*_HANDOVER, (TO_LEADER, 2.0), (Action.RESOLVE.value, 2.5))
ONLINE, COUNTER, POST = int(Channel.ONLINE), int(Channel.COUNTER), int(Channel.POST)

KINDS = (
    Kind("submitted", ONLINE, ago=0.3),  # online, waiting for the officer's check
    Kind("received", COUNTER, ago=0.2),  # received, waiting for the hand-over and assignment
    Kind("assigned", ONLINE, ago=1.5, path=((Action.RECEIVE.value, 0.05), *_HANDOVER)),  # with the specialist
    Kind("due-soon", COUNTER, due_in=0.5, path=_HANDOVER),  # due within one working day
    Kind("overdue", COUNTER, due_in=-0.5, path=_HANDOVER),  # past its due time, still in progress
    Kind("supplement", POST, ago=2.5, path=(*_HANDOVER, (Action.REQUEST_SUPPLEMENT.value, 1.0))),
    Kind("resolved", COUNTER, ago=3.0, path=_DONE),  # resolved, waiting for the return
    Kind("returned", COUNTER, ago=5.0, path=(*_DONE, (Action.RETURN.value, 3.5))),
)

# Unit code → the procedure of each kind, in the order of KINDS (versions in force since 2025-07-01; limits of
# 3 to 15 working days; the "due-soon" and "overdue" ones at most 7 days so they start within ~10 days).
UNITS: dict[str, tuple[str, ...]] = {
    "8707": ("1.004194", "1.000656", "1.004222", "1.004873", "1.000894", "1.013227", "1.004194", "1.001612"),
    "8716": ("1.000656", "1.004873", "1.004194", "1.013228", "1.004194", "1.000894", "2.000720", "1.004859"),
    "8740": ("1.004873", "1.004194", "1.000656", "1.000894", "1.001570", "1.004222", "1.004873", "1.000656"),
    "25-CA": ("3.000333", "3.000334", "3.000347", "3.000347", "1.116410", "3.000333", "3.000347", "3.000334"),
    "25-STC": ("2.001610", "VP.0001", "2.001610", "2.001610", "2.001610", "VP.0001", "2.001610", "2.001610"),
}
ORGANISATION_FIELDS = frozenset(VINH_PHUC["organisation_fields"])
PROVINCES = (
    "025",
    "026",
    "017",
)  # where today's Phú Thọ people were registered: Phú Thọ, Vĩnh Phúc, Hòa Bình
NOTES = {
    Action.REQUEST_SUPPLEMENT.value: "Đề nghị bổ sung bản sao giấy tờ tùy thân có chứng thực.",
}
_PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def _applicant(code: str, kind: Kind, field: str) -> Applicant:
    """The row's applicant: the same unit and kind always give the same person (or organisation)."""
    rng = random.Random(f"motcua-demo-recent:{code}:{kind.name}")
    if field in ORGANISATION_FIELDS:
        name, number = fake_company(rng)
        return Applicant(name=name, kind=ApplicantKind.ORGANISATION, id_number=number)
    name, number = fake_person(rng, rng.choice(PROVINCES))
    return Applicant(name=name, kind=ApplicantKind.CITIZEN, id_number=number)


def _owner(applicant: Applicant) -> User:
    """The applicant's account for an online submission (no password: nobody logs in as it)."""
    from motcua.accounts.models import AccountKind, User

    business = applicant.kind == ApplicantKind.ORGANISATION
    user, _created = User.objects.get_or_create(
        username=f"demo-{'business' if business else 'citizen'}-{applicant.id_number}",
        defaults={
            "kind": AccountKind.BUSINESS if business else AccountKind.CITIZEN,
            "full_name": applicant.name,
            "password": make_password(None),
        },
    )
    return user


def _submit_online(*, owner: User, procedure: str, unit: str, applicant: Applicant) -> Dossier:
    """The portal's path: draft, one small PDF per required component, submit."""
    from motcua.core.formschema import sample_answers
    from motcua.documents.formschema import address_unit_choices, form_fields_parse, unit_lookup
    from motcua.documents.services import upload_store
    from motcua.submissions import services as portal

    draft = portal.draft_start(actor=owner, procedure_code=procedure, unit_code=unit, applicant=applicant)
    request = f"Đề nghị giải quyết thủ tục: {draft.procedure_version.name}"
    fields = form_fields_parse(draft.procedure_version.form_fields)
    commune = unit if unit_lookup(unit) else next(iter(address_unit_choices()), ("", ""))[0]
    answers = sample_answers(fields, text=request, unit_code=commune)  # every required field of the e-form
    portal.draft_save(dossier=draft, actor=owner, applicant=applicant, unit_code=unit, answers=answers)
    for component in draft.components.filter(required=True).order_by("pk"):
        upload = SimpleUploadedFile("giay-to.pdf", _PDF, content_type="application/pdf")
        upload_store(dossier=draft, actor=owner, file=upload, component=component)
    return portal.draft_submit(dossier=draft, actor=owner)


def _step(dossier: Dossier, role: str) -> int:
    return next(s.order for s in dossier.procedure_version.steps.order_by("order") if s.role == role)


def _act(dossier: Dossier, action: str, staff: dict[str, User]) -> Dossier:
    officer, specialist, leader = staff[Role.OFFICER], staff[Role.SPECIALIST], staff[Role.LEADER]
    if action == TO_LEADER:
        step = _step(dossier, Role.LEADER)
        return dossier_transition(dossier=dossier, action=Action.FORWARD, actor=specialist, step=step)
    if action == Action.FORWARD:
        step = _step(dossier, Role.SPECIALIST)
        return dossier_transition(dossier=dossier, action=action, actor=officer, step=step)
    if action == Action.ASSIGN:
        return dossier_transition(dossier=dossier, action=action, actor=officer, assignee=specialist)
    if action == Action.RESOLVE:
        result = f"Kết quả giải quyết thủ tục: {dossier.procedure_version.name}"[:2000]
        return dossier_transition(dossier=dossier, action=action, actor=leader, result=result)
    actor = specialist if action == Action.REQUEST_SUPPLEMENT else officer
    return dossier_transition(dossier=dossier, action=action, actor=actor, note=NOTES.get(action, ""))


def _versions(day: dt.date) -> dict[str, ProcedureVersion]:
    codes = sorted({code for procedures in UNITS.values() for code in procedures})
    return {code: procedure_version_by_code(code, as_of=day, prefetch=()) for code in codes}


def demo_recent_plan(now: dt.datetime) -> list[tuple[str, Kind, str, list[tuple[str, dt.datetime]]]]:
    """Every row of the scenario: (unit code, kind, procedure code, [(action, instant)]), all before ``now``.

    The first action is ``submit`` (online) or ``intake``; the instants are office time counted back from
    ``now`` with the working calendar (a "due-soon"/"overdue" receipt from its procedure's time limit).
    """
    calendar = get_calendar()
    day = calendar.day_minutes

    def office(start: dt.datetime, minutes: int) -> dt.datetime:
        """``minutes`` office minutes after ``start``; a period's end (e.g. 17:00) becomes its last minute."""
        instant = calendar.add_office_minutes(start, minutes)
        return (
            instant if calendar.is_office_time(instant) else calendar.add_office_minutes(start, minutes - 1)
        )

    versions = _versions(now.astimezone(clock.VN_TZ).date())
    rows = []
    for code, procedures in UNITS.items():
        for kind, procedure in zip(KINDS, procedures, strict=True):
            jitter = random.Random(f"motcua-demo-recent:{code}:{kind.name}:at").randint(3, 57)
            shift = -round(kind.ago * day) - jitter
            if kind.due_in is not None:
                version = versions[procedure]
                limit = calendar.limit_minutes(version.time_limit_value, version.time_limit_unit)
                shift = round(kind.due_in * day) - limit - jitter
            start = office(now, shift)
            steps = [("submit" if kind.channel == ONLINE else "intake", start)]
            steps += [(a, office(start, round(o * day))) for a, o in kind.path]
            rows.append((code, kind, procedure, steps))
    return rows


def _staff(code: str) -> dict[str, User]:
    from motcua.accounts.models import User

    wanted = {f"{role}-{code}": role for role in (Role.OFFICER, Role.SPECIALIST, Role.LEADER)}
    found = {u.username: u for u in User.objects.filter(username__in=wanted)}
    if len(found) < len(wanted):
        raise NotFound(
            f"Chưa có tài khoản cán bộ demo của đơn vị {code}: hãy chạy «motcua load-demo» trước.",
            code="demo_staff_missing",
            details={"unit": code},
        )
    return {role: found[name] for name, role in wanted.items()}


@outbound_consumers_off()
@transaction.atomic
def demo_recent_load() -> int:
    """Create the recent demo dossiers that are missing; return how many were created (0 on a second run).

    Needs ``motcua load-demo`` (today's units, the catalog and the demo staff accounts).
    """
    now = clock.now()
    today = clock.today()
    rows = demo_recent_plan(now)
    versions = _versions(today)
    units = {code: unit_by_code(code, as_of=today) for code in UNITS}
    staff = {code: _staff(code) for code in UNITS}
    existing = set(
        Dossier.objects.filter(unit__in=units.values()).values_list(
            "unit_id", "procedure_version__procedure__code", "applicant_id_number"
        )
    )
    created = 0
    for code, kind, procedure, steps in rows:
        applicant = _applicant(code, kind, versions[procedure].procedure.field.code)
        if (units[code].pk, procedure, applicant.id_number) in existing:
            continue
        dossier: Dossier | None = None
        for action, at in steps:
            if at >= now:  # the table is made so that this never happens: nothing in the future, ever
                raise AssertionError(f"{code} {kind.name}: {action} at {at} is not before {now}")
            with clock.frozen(at):
                if action == "submit":
                    owner = _owner(applicant)
                    dossier = _submit_online(owner=owner, procedure=procedure, unit=code, applicant=applicant)
                elif action == "intake":
                    dossier = dossier_intake_counter(
                        officer=staff[code][Role.OFFICER],
                        procedure_code=procedure,
                        unit_code=code,
                        applicant=applicant,
                        channel=kind.channel,
                    )
                else:
                    assert dossier is not None
                    dossier = _act(dossier, action, staff[code])
        created += 1
    return created


__all__ = ["KINDS", "UNITS", "demo_recent_load", "demo_recent_plan"]
