"""Reads of the citizen's side: their own dossiers and drafts, form answers, the timeline they see, their
rating, the "my data" export, and the abandoned drafts to purge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from motcua.core import clock
from motcua.core.errors import NotFound
from motcua.documents.models import Rating, SubmissionData, Upload
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent

if TYPE_CHECKING:
    import datetime as dt

    from motcua.accounts.models import User

# Hand-overs between officers are internal: the applicant's timeline leaves them out.
INTERNAL_ACTIONS = frozenset({Action.ASSIGN, Action.FORWARD, Action.COMPLETE_LEG})
# Actions whose note is addressed to the applicant (what to supplement, why refused/extended/stopped).
PUBLIC_NOTE_ACTIONS = frozenset(
    {Action.REQUEST_SUPPLEMENT, Action.REFUSE, Action.EXTEND, Action.STOP, Action.REQUEST_WITHDRAWAL}
)


def citizen_dossiers(user: User) -> QuerySet[Dossier]:
    """The dossiers ``user`` owns, newest first, with what the list shows (no N+1)."""
    if not user.is_authenticated:
        return Dossier.objects.none()
    return (
        Dossier.objects.filter(owner_id=user.pk)
        .select_related("procedure_version__procedure", "unit")
        .order_by("-created_at", "-pk")
    )


def citizen_dossier_get(user: User, code: str) -> Dossier:
    """One of ``user``'s submitted dossiers by code; ``NotFound`` otherwise (someone else's: same answer)."""
    dossier = (
        citizen_dossiers(user)
        .filter(code=code)
        .exclude(status=Status.DRAFT)
        .prefetch_related(
            "components",
            Prefetch("uploads", queryset=Upload.objects.order_by("uploaded_at", "pk")),
            Prefetch("events", queryset=DossierEvent.objects.select_related("unit").order_by("at", "pk")),
        )
        .first()
    )
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ {code}.", code="dossier_not_found")
    return dossier


def citizen_draft_get(user: User, pk: int) -> Dossier:
    """One of ``user``'s drafts; ``NotFound`` otherwise."""
    dossier = (
        citizen_dossiers(user)
        .filter(pk=pk, status=Status.DRAFT)
        .prefetch_related("components", Prefetch("uploads", queryset=Upload.objects.order_by("pk")))
        .first()
    )
    if dossier is None:
        raise NotFound("Không tìm thấy hồ sơ nháp.", code="dossier_not_found")
    return dossier


def submission_answers(dossier: Dossier) -> dict[str, Any]:
    data = SubmissionData.objects.filter(dossier=dossier).first()
    return dict(data.answers) if data else {}


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    action: str
    label: str
    status: str
    unit: str
    note: str
    due_at: dt.datetime | None


def citizen_timeline(dossier: Dossier) -> list[TimelineEntry]:
    """The applicant's view of the history: no internal hand-overs, no internal notes, no staff names."""
    labels = dict(Action.choices)
    statuses = dict(Status.choices)
    entries = []
    for event in dossier.events.all():
        if event.action in INTERNAL_ACTIONS:
            continue
        entries.append(
            TimelineEntry(
                at=event.at,
                action=event.action,
                label=str(labels.get(event.action, event.action)),
                status=str(statuses.get(event.to_status, event.to_status)),
                unit=event.unit.name if event.unit else "",
                note=event.note if event.action in PUBLIC_NOTE_ACTIONS else "",
                due_at=event.due_at,
            )
        )
    return entries


def rating_of(dossier: Dossier) -> Rating | None:
    return Rating.objects.filter(dossier=dossier).first()


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def citizen_data_export(user: User) -> dict[str, Any]:
    """Everything the system holds about ``user`` as the applicant (Decree 13/2023: right to access)."""
    dossiers = list(
        citizen_dossiers(user).prefetch_related(
            "components",
            "uploads",
            Prefetch("events", queryset=DossierEvent.objects.order_by("at", "pk")),
        )
    )
    answers = {d.dossier_id: d.answers for d in SubmissionData.objects.filter(dossier__in=dossiers)}
    ratings = {r.dossier_id: r for r in Rating.objects.filter(dossier__in=dossiers)}
    result: dict[str, Any] = {
        "exported_at": clock.now().isoformat(),
        "account": {
            "username": user.username,
            "kind": getattr(user, "kind", ""),
            "full_name": getattr(user, "full_name", ""),
            "citizen_id": getattr(user, "citizen_id", None),
            "tax_code": getattr(user, "tax_code", ""),
            "phone": getattr(user, "phone", ""),
            "email": user.email,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "dossiers": [],
    }
    for d in dossiers:
        rating = ratings.get(d.pk)
        result["dossiers"].append(
            {
                "code": d.code,
                "status": d.status,
                "procedure": {"code": d.procedure_version.procedure.code, "name": d.procedure_version.name},
                "unit": d.unit.name,
                "applicant": {
                    "kind": d.applicant_kind,
                    "name": d.applicant_name,
                    "id_number": d.applicant_id_number,
                    "phone": d.applicant_phone,
                    "email": d.applicant_email,
                    "address": d.applicant_address,
                },
                "form_answers": answers.get(d.pk, {}),
                "created_at": _iso(d.created_at),
                "submitted_at": _iso(d.submitted_at),
                "received_at": _iso(d.received_at),
                "due_at": _iso(d.due_at),
                "finished_at": _iso(d.finished_at),
                "returned_at": _iso(d.returned_at),
                "components": [{"name": c.name, "received": c.received} for c in d.components.all()],
                "uploads": [
                    {
                        "name": u.original_name,
                        "type": u.content_type,
                        "size": u.size,
                        "sha256": u.sha256,
                        "purpose": u.purpose,
                        "uploaded_at": _iso(u.uploaded_at),
                    }
                    for u in d.uploads.all()
                ],
                "timeline": [
                    {"at": _iso(e.at), "action": e.action, "status": e.to_status}
                    for e in d.events.all()
                    if e.action not in INTERNAL_ACTIONS
                ],
                "rating": {"level": rating.level, "comment": rating.comment, "at": _iso(rating.rated_at)}
                if rating
                else None,
            }
        )
    return result


def drafts_abandoned(*, before: dt.datetime) -> QuerySet[Dossier]:
    """Dossiers in state draft whose last change is before ``before``, oldest change first.

    The last change is the latest of: the draft's creation, its last save (``SubmissionData.updated_at``:
    form, contacts, unit; also bumped when a file is removed) and its last upload. Each row carries
    ``last_activity`` and ``file_count``. Only ever drafts: nothing submitted is returned.
    """
    last_upload = (
        Upload.objects.filter(dossier=OuterRef("pk")).order_by("-uploaded_at").values("uploaded_at")[:1]
    )
    file_count = (
        Upload.objects.filter(dossier=OuterRef("pk")).values("dossier").annotate(n=Count("pk")).values("n")
    )
    return (
        Dossier.objects.filter(status=Status.DRAFT)
        .annotate(
            last_activity=Greatest(
                F("created_at"),
                Coalesce(F("submission_data__updated_at"), F("created_at")),
                Coalesce(Subquery(last_upload), F("created_at")),
            ),
            file_count=Coalesce(Subquery(file_count), 0),
        )
        .filter(last_activity__lt=before)
        .select_related("procedure_version__procedure", "unit")
        .order_by("last_activity", "pk")
    )
