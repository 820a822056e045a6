"""Writes of the citizen's side of a dossier: online drafts, submission, supplements, withdrawal, rating, and
the purge of abandoned drafts.

Every state change goes through ``motcua.dossiers.lifecycle.dossier_transition``; these services only
prepare the draft (applicant data, unit, form answers) and check the citizen's own preconditions. Files are
``motcua.documents.services`` (``upload_store``, ``upload_delete``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from motcua.audit.services import audit_record
from motcua.catalog.constants import OnlineMode
from motcua.core import clock
from motcua.core.errors import Conflict, ValidationFailed
from motcua.documents.constants import Satisfaction, UploadPurpose
from motcua.documents.formschema import answers_clean, answers_missing, answers_validate, form_fields_parse
from motcua.documents.models import Rating, SubmissionData, Upload
from motcua.documents.services import stored_files_delete, stored_names
from motcua.dossiers.constants import Action, Channel, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_owner_check, draft_owner_check
from motcua.dossiers.services import Applicant, applicant_parse, dossier_create, dossier_draft_update
from motcua.organisations.selectors import unit_by_code

from .selectors import drafts_abandoned

if TYPE_CHECKING:
    from motcua.accounts.models import User


def _units_check(dossier_version: Any, unit_code: str) -> None:
    units = list(dossier_version.units.all())
    unit = unit_by_code(unit_code)
    if units and unit not in units:
        raise ValidationFailed(
            "Đơn vị đã chọn không tiếp nhận thủ tục này.",
            code="procedure_not_offered",
            details={"unit": unit_code},
        )


@transaction.atomic
def draft_start(
    *, actor: User, procedure_code: str, unit_code: str, applicant: dict[str, Any] | Applicant
) -> Dossier:
    """Open an online draft owned by ``actor`` for the procedure version in force today."""
    dossier = dossier_create(
        actor=actor,
        procedure_code=procedure_code,
        unit_code=unit_code,
        applicant=applicant,
        channel=Channel.ONLINE,
        owner=actor,
    )
    if dossier.procedure_version.online_mode == OnlineMode.NONE:
        raise ValidationFailed("Thủ tục này không nộp trực tuyến được.", code="not_online")
    now = clock.now()
    SubmissionData.objects.create(dossier=dossier, answers={}, privacy_notice_at=now, updated_at=now)
    return dossier


@transaction.atomic
def draft_save(
    *,
    dossier: Dossier,
    actor: User,
    applicant: dict[str, Any] | Applicant,
    unit_code: str,
    answers: dict[str, Any],
) -> Dossier:
    """Save the draft's applicant data, unit and form answers (incomplete answers are fine in a draft)."""
    dossier = Dossier.objects.select_for_update().select_related("procedure_version").get(pk=dossier.pk)
    draft_owner_check(dossier, actor)
    parsed = applicant_parse(applicant)
    fields = form_fields_parse(dossier.procedure_version.form_fields)
    cleaned, errors = answers_clean(fields, answers)
    if errors:
        raise ValidationFailed("Nội dung tờ khai chưa hợp lệ.", code="invalid", details={"answers": errors})
    _units_check(dossier.procedure_version, unit_code)
    dossier = dossier_draft_update(
        dossier=dossier, actor=actor, applicant=parsed, unit=unit_by_code(unit_code)
    )
    SubmissionData.objects.update_or_create(
        dossier=dossier, defaults={"answers": cleaned, "updated_at": clock.now()}
    )
    return dossier


def submission_problems(dossier: Dossier) -> list[str]:
    """What still prevents submitting the draft (empty: ready)."""
    problems = []
    data = SubmissionData.objects.filter(dossier=dossier).first()
    fields = form_fields_parse(dossier.procedure_version.form_fields)
    for label in answers_missing(fields, data.answers if data else {}):
        problems.append(f"Chưa nhập “{label}”.")
    with_files = set(
        Upload.objects.filter(dossier=dossier, purpose=UploadPurpose.SUBMISSION).values_list(
            "component_id", flat=True
        )
    )
    for component in dossier.components.filter(required=True).order_by("pk"):
        if component.pk not in with_files:
            problems.append(f"Chưa tải lên “{component.name}”.")
    return problems


@transaction.atomic
def draft_submit(*, dossier: Dossier, actor: User, expected_version: int | None = None) -> Dossier:
    """Submit the draft: required answers and components present → state submitted, code issued."""
    draft_owner_check(dossier, actor)
    problems = submission_problems(dossier)
    if problems:
        raise ValidationFailed(
            "Hồ sơ chưa đủ thông tin để nộp.", code="submission_incomplete", details={"problems": problems}
        )
    with_files = Upload.objects.filter(dossier=dossier, purpose=UploadPurpose.SUBMISSION).values_list(
        "component_id", flat=True
    )
    # The checklist shows what arrived online; the officer still checks it at receipt.
    dossier_draft_update(
        dossier=dossier, actor=actor, components_received=[pk for pk in with_files if pk is not None]
    )
    # The lifecycle queues the confirmation ("dossier_submitted", notifications/templates.py).
    return dossier_transition(
        dossier=dossier, action=Action.SUBMIT, actor=actor, expected_version=expected_version
    )


@dataclass(frozen=True)
class PurgedDraft:
    """One draft deleted (or, in a dry run, to be deleted) by ``drafts_purge``."""

    pk: int
    procedure: str
    unit: str
    last_activity: dt.datetime
    files: int


@dataclass(frozen=True)
class DraftPurge:
    days: int
    cutoff: dt.datetime
    dry_run: bool
    drafts: list[PurgedDraft]

    @property
    def files(self) -> int:
        return sum(d.files for d in self.drafts)


def draft_retention_days(days: object = None) -> int:
    """``days``, or the setting ``MOTCUA_DRAFT_RETENTION_DAYS``: a whole number of days ≥ 1."""
    from django.conf import settings

    value = settings.MOTCUA_DRAFT_RETENTION_DAYS if days is None else days
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationFailed(
            f"Số ngày giữ hồ sơ nháp phải là số nguyên dương (từ 1 trở lên), không phải “{value}”.",
            code="invalid",
            details={"days": str(value)},
        )
    return value


def _purged(dossier: Any) -> PurgedDraft:
    return PurgedDraft(
        pk=dossier.pk,
        procedure=dossier.procedure_version.procedure.code,
        unit=dossier.unit.code,
        last_activity=dossier.last_activity,
        files=dossier.file_count,
    )


def drafts_purge(*, days: int | None = None, dry_run: bool = False) -> DraftPurge:
    """Delete the online drafts not changed for ``days`` days (default ``MOTCUA_DRAFT_RETENTION_DAYS``).

    A draft goes with its checklist, form answers and uploads; the uploaded files leave the storage only
    after the transaction commits. Only dossiers in state draft are ever deleted: the candidates are locked
    and checked again (a draft submitted or changed meanwhile stays). One audit entry per run (the count
    and the dossiers' ids), also when nothing was deleted. ``dry_run``: only say what would be deleted.
    """
    days = draft_retention_days(days)
    cutoff = clock.now() - dt.timedelta(days=days)
    if dry_run:
        return DraftPurge(days, cutoff, True, [_purged(d) for d in drafts_abandoned(before=cutoff)])
    with transaction.atomic():
        candidates = list(drafts_abandoned(before=cutoff).values_list("pk", flat=True))
        locked = list(
            Dossier.objects.select_for_update()
            .filter(pk__in=candidates, status=Status.DRAFT)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        drafts = [_purged(d) for d in drafts_abandoned(before=cutoff).filter(pk__in=locked)]
        ids = [d.pk for d in drafts]
        names = stored_names(dossier_ids=ids)
        Dossier.objects.filter(pk__in=ids, status=Status.DRAFT).delete()
        audit_record(
            actor=None,
            action="dossier.drafts_purge",
            object_type="draft_purge",
            object_id=cutoff.isoformat(),
            data={"count": len(ids), "days": days, "cutoff": cutoff, "dossiers": ids, "files": len(names)},
        )
        transaction.on_commit(lambda: stored_files_delete(names))
    return DraftPurge(days, cutoff, False, drafts)


@transaction.atomic
def supplement_complete(*, dossier: Dossier, actor: User, expected_version: int | None = None) -> Dossier:
    """The applicant declares the supplement complete ("Đã bổ sung đủ hồ sơ") after uploading it.

    Needs at least one supplement file sent since the request (``ValidationFailed`` ``supplement_missing``);
    the lifecycle's ``supplement-received`` then resumes or resets the clock per the procedure's rule.
    """
    dossier_owner_check(dossier, actor)
    if dossier.status != Status.AWAITING_SUPPLEMENT:
        raise Conflict("Hồ sơ không ở trạng thái chờ bổ sung.", code="not_awaiting_supplement")
    sent = Upload.objects.filter(dossier=dossier, purpose=UploadPurpose.SUPPLEMENT)
    if dossier.paused_at is not None:
        sent = sent.filter(uploaded_at__gte=dossier.paused_at)
    if not sent.exists():
        raise ValidationFailed(
            "Vui lòng tải lên giấy tờ bổ sung trước khi xác nhận đã bổ sung đủ hồ sơ.",
            code="supplement_missing",
        )
    return dossier_transition(
        dossier=dossier,
        action=Action.SUPPLEMENT_RECEIVED,
        actor=actor,
        expected_version=expected_version,
        note="Người nộp đã bổ sung hồ sơ trực tuyến.",
    )


@transaction.atomic
def withdrawal_request(
    *, dossier: Dossier, actor: User, reason: str, expected_version: int | None = None
) -> Dossier:
    dossier_owner_check(dossier, actor)
    return dossier_transition(
        dossier=dossier,
        action=Action.REQUEST_WITHDRAWAL,
        actor=actor,
        note=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def rating_submit(*, dossier: Dossier, actor: User, level: str, comment: str = "") -> Rating:
    """One satisfaction rating per returned dossier, by its applicant."""
    dossier_owner_check(dossier, actor)
    if dossier.status != Status.RETURNED:
        raise Conflict("Chỉ đánh giá được sau khi đã nhận kết quả.", code="not_returned")
    if level not in Satisfaction.values:
        raise ValidationFailed("Mức độ hài lòng không hợp lệ.", code="invalid", details={"level": level})
    if Rating.objects.filter(dossier=dossier).exists():
        raise Conflict("Hồ sơ này đã được đánh giá.", code="already_rated")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                dossier=dossier,
                level=level,
                comment=comment.strip()[:2000],
                rated_by=actor,
                rated_at=clock.now(),
            )
    except IntegrityError:
        raise Conflict("Hồ sơ này đã được đánh giá.", code="already_rated") from None
    audit_record(
        actor=actor, action="dossier.rate", object_type="dossier", object_id=dossier.pk, data={"level": level}
    )
    return rating


def counter_answers_check(*, procedure_version: Any, answers: dict[str, Any]) -> dict[str, Any]:
    """The e-form typed at the counter, cleaned and complete (no draft at the desk): raises
    ``ValidationFailed`` with ``details={"answers": {flat name: message naming the label}}``."""
    fields = form_fields_parse(procedure_version.form_fields)
    cleaned, errors = answers_validate(fields, answers)
    if errors:
        raise ValidationFailed("Nội dung tờ khai chưa hợp lệ.", code="invalid", details={"answers": errors})
    return cleaned


def counter_answers_record(*, dossier: Dossier, answers: dict[str, Any]) -> None:
    """Keep the e-form typed at the counter on the dossier (the same ``SubmissionData`` as online)."""
    SubmissionData.objects.update_or_create(
        dossier=dossier, defaults={"answers": answers, "updated_at": clock.now()}
    )
