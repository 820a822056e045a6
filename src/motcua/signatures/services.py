"""Writes of the signatures app: signature requests (create, sign, retry) and verifications of uploaded files.

The flow (docs/signatures.md): the transaction that produces a document to sign (the leader's resolution with
its result files: ``documents.services.dossier_result_attach``; a decision form issued by an action: the
``signing`` transition consumer) calls ``signature_requests_create``: one ``SignatureRequest`` per document,
``awaiting``, and one ``sign_requests`` task, in that transaction. The task signs with the chosen signer; a
failure is recorded on the request (shown on the back-office dossier page as "Chờ ký số" with the error) and
retried with backoff; after ``MOTCUA_SIGNATURE_MAX_ATTEMPTS`` it waits for an officer's "Ký lại".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task_backends

from motcua.audit.services import audit_record
from motcua.core import clock
from motcua.core.errors import Conflict, DomainError, ValidationFailed
from motcua.core.retry import exponential_backoff
from motcua.dossiers.models import Dossier, DossierEvent

from . import pdf
from .constants import DocumentKind, RequestState, VerificationOutcome
from .models import FileVerification, SignatureRequest
from .signers import chosen_signer, signer_plugins, timestamper, verification_roots

if TYPE_CHECKING:
    from motcua.accounts.models import User

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class SourceFile:
    """A stored document to sign: ``source`` names it (``upload:<id>``), ``stored_name`` is its file."""

    source: str
    title: str
    stored_name: str


def signing_on() -> bool:
    """Whether this installation signs what it issues (``MOTCUA_SIGNER`` names a signer)."""
    return bool(signer_plugins.chosen_identifier())


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return str(getattr(user, "full_name", "") or user.get_username())


def signature_requests_create(
    *,
    dossier: Dossier,
    kind: str,
    files: Iterable[SourceFile] = (),
    forms: Iterable[str] = (),
    event: DossierEvent | None = None,
    requested_by: User | None = None,
) -> list[SignatureRequest]:
    """Ask for ``files`` (stored PDFs) and ``forms`` (Mẫu numbers, rendered when signed) to be signed.

    Call it in the transaction that produced them: the requests and their task commit with it. Nothing when
    signing is off; a request that exists already (same dossier and source) is not made twice.
    """
    if not signing_on():
        return []
    from motcua.dossiers.printing import FORMS

    now = clock.now()
    signer = _person(requested_by)
    unit = dossier.unit.name
    rows = [
        SignatureRequest(
            dossier=dossier,
            event=event,
            kind=kind,
            source=f.source,
            title=f.title[:255],
            source_name=f.stored_name,
            requested_by=requested_by,
            signer_name=signer,
            unit_name=unit,
            created_at=now,
        )
        for f in files
    ]
    rows += [
        SignatureRequest(
            dossier=dossier,
            event=event,
            kind=DocumentKind.FORM,
            source=f"form:{form}:event:{event.pk if event else 0}",
            form=form,
            title=f"Mẫu {form}: {FORMS[form]}",
            requested_by=requested_by,
            signer_name=signer,
            unit_name=unit,
            created_at=now,
        )
        for form in forms
    ]
    if not rows:
        return []
    existing = set(
        SignatureRequest.objects.filter(dossier=dossier, source__in=[r.source for r in rows]).values_list(
            "source", flat=True
        )
    )
    rows = [r for r in rows if r.source not in existing]
    if not rows:
        return []
    SignatureRequest.objects.bulk_create(rows)
    from .tasks import sign_requests

    sign_requests.enqueue([[r.pk, 0] for r in rows])
    return rows


def certified_copy_sign(upload: Any) -> None:
    """Ask for a certified electronic copy (chứng thực bản sao điện tử) to be signed, in its transaction.

    ``documents`` calls it for each new certified copy (``digitisation.certified_copy_hooks``; registered in
    its ``AppConfig.ready``): the stamp names the certifying official. PDFs only; nothing when signing is off.
    """
    if upload.content_type != "application/pdf":
        return
    signature_requests_create(
        dossier=upload.dossier,
        kind=DocumentKind.CERTIFIED_COPY,
        files=[
            SourceFile(
                source=f"upload:{upload.pk}",
                title=f"Bản sao chứng thực: {upload.original_name}",
                stored_name=upload.stored_name,
            )
        ],
        requested_by=upload.certified_by,
    )


def _source_bytes(request: SignatureRequest) -> bytes:
    if request.kind == DocumentKind.FORM:
        from motcua.dossiers.printing import dossier_form_render

        return dossier_form_render(dossier=request.dossier, form=request.form)
    with default_storage.open(request.source_name, "rb") as handle:
        return bytes(handle.read())


def _backoff(attempts: int) -> dt.timedelta:
    return exponential_backoff(
        attempts,
        base=dt.timedelta(seconds=settings.MOTCUA_SIGNATURE_RETRY_SECONDS),
        ceiling=dt.timedelta(hours=6),
    )


def signature_request_sign(*, request_id: int, expected_attempts: int | None = None) -> str:
    """Sign one request now (the task's body); its state afterwards. Skipped when another run came first."""
    with transaction.atomic():
        request = (
            SignatureRequest.objects.select_for_update(of=("self",))
            .select_related("dossier__unit", "dossier__procedure_version__procedure")
            .filter(pk=request_id)
            .first()
        )
        if request is None:
            return "missing"
        if request.state != RequestState.AWAITING or (
            expected_attempts is not None and request.attempts != expected_attempts
        ):
            return request.state
        request.attempts += 1
        saved = ""
        try:
            plugin = chosen_signer()
            signer = plugin.signer()
            tsa = timestamper()
            now = clock.now()
            signed = pdf.pdf_sign(
                _source_bytes(request),
                signer=signer,
                stamp=pdf.StampText(
                    title=request.title[:60],
                    signer=request.signer_name or "—",
                    unit=request.unit_name,
                    at=now,
                ),
                validation_context=plugin.validation_context(),
                timestamper=tsa,
                location=request.unit_name,
            )
            saved = default_storage.save(f"signed/{now:%Y/%m}/{uuid.uuid4().hex}.pdf", ContentFile(signed))
        except pdf.NotAPdf as exc:  # retrying cannot help: an officer replaces the file
            return _failed(
                request, ValueError(f"Tệp không phải PDF hợp lệ, không ký số được ({exc})."), retry=False
            )
        except Exception as exc:
            return _failed(request, exc)
        request.state = RequestState.SIGNED
        request.signed_at = now
        request.signed_name = saved
        request.signed_sha256 = hashlib.sha256(signed).hexdigest()
        request.signed_size = len(signed)
        request.signer_plugin = plugin.identifier
        cert = signer.signing_cert
        request.certificate_subject = cert.subject.human_friendly[:500] if cert is not None else ""
        request.level = "PAdES B-LTA" if tsa is not None else "PAdES B-LT"
        request.last_error = ""
        request.next_attempt_at = None
        try:
            request.save()
            audit_record(
                actor=request.requested_by,
                action="signature.signed",
                object_type="dossier",
                object_id=request.dossier_id,
                data={
                    "request": request.pk,
                    "source": request.source,
                    "sha256": request.signed_sha256,
                    "signer": request.signer_plugin,
                    "certificate": request.certificate_subject,
                },
            )
        except BaseException:
            default_storage.delete(saved)
            raise
        return request.state


def _failed(request: SignatureRequest, exc: Exception, *, retry: bool = True) -> str:
    from .tasks import sign_requests

    request.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    retry = (
        retry
        and request.attempts < settings.MOTCUA_SIGNATURE_MAX_ATTEMPTS
        and task_backends[sign_requests.backend].supports_defer
    )
    request.next_attempt_at = clock.now() + _backoff(request.attempts) if retry else None
    request.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    if retry and request.next_attempt_at is not None:
        sign_requests.using(run_after=request.next_attempt_at).enqueue([[request.pk, request.attempts]])
    logger.warning(
        "signature_failed",
        request=request.pk,
        attempts=request.attempts,
        retry=retry,
        error=request.last_error,
    )
    return request.state


@transaction.atomic
def signature_request_retry(*, request: SignatureRequest, actor: User) -> SignatureRequest:
    """The officer's "Ký lại": queue an awaiting request now (audited)."""
    row = SignatureRequest.objects.select_for_update().get(pk=request.pk)
    if row.state != RequestState.AWAITING:
        raise Conflict("Văn bản đã được ký số.", code="already_signed")
    row.next_attempt_at = None
    row.save(update_fields=["next_attempt_at"])
    audit_record(
        actor=actor,
        action="signature.retry",
        object_type="dossier",
        object_id=row.dossier_id,
        data={"request": row.pk, "attempts": row.attempts, "last_error": row.last_error},
    )
    from .tasks import sign_requests

    sign_requests.enqueue([[row.pk, row.attempts]])
    return row


# --- verification ---


def pdf_signatures_verify(data: bytes) -> list[pdf.SignatureReport]:
    """Verify every signature of ``data`` against the configured trust roots (raises ``pdf.NotAPdf``)."""
    roots, crls, others = verification_roots()
    return pdf.pdf_verify(data, roots=roots, crls=crls, other_certs=others)


class FileTooLarge(DomainError):
    code = "file_too_large"
    http_status = 413


class NoSignature(DomainError):
    code = "no_signature"
    http_status = 422


def public_verify(*, data: bytes) -> list[pdf.SignatureReport]:
    """Anyone's verification of a PDF (the public page and the API).

    Raises ``ValidationFailed`` (``empty_file``, ``not_pdf``, ``unreadable_pdf``), ``FileTooLarge`` and
    ``NoSignature``: each a 4xx with its code.
    """
    if not data:
        raise ValidationFailed("Tệp rỗng.", code="empty_file")
    limit = settings.MOTCUA_SIGNATURE_VERIFY_MAX_BYTES
    if len(data) > limit:
        raise FileTooLarge(
            f"Tệp lớn hơn {limit // (1024 * 1024)} MB, không kiểm tra được.", code="file_too_large"
        )
    if b"%PDF-" not in data[:1024]:
        raise ValidationFailed("Tệp không phải là tài liệu PDF.", code="not_pdf")
    try:
        reports = pdf_signatures_verify(data)
    except pdf.NotAPdf:
        raise ValidationFailed("Không đọc được tài liệu PDF (tệp hỏng).", code="unreadable_pdf") from None
    if not any(r.kind == "signature" for r in reports):
        raise NoSignature("Tài liệu không có chữ ký số.", code="no_signature")
    return reports


def outcome_of(reports: list[pdf.SignatureReport]) -> str:
    signatures = [r for r in reports if r.kind == "signature"]
    if not signatures:
        return VerificationOutcome.UNSIGNED
    if any(
        not (r.intact and r.valid) or r.modified_after_signing or r.revocation == "revoked"
        for r in signatures
    ):
        return VerificationOutcome.INVALID
    if not all(r.trusted for r in signatures):
        return VerificationOutcome.UNTRUSTED
    return VerificationOutcome.VALID


def looks_signed(data: bytes) -> bool:
    """A cheap test before the real one: a PDF with a signature has a ``/ByteRange``."""
    return data[:5] == b"%PDF-" and b"/ByteRange" in data


def file_verify(*, dossier: Dossier, source: str, data: bytes) -> FileVerification | None:
    """Check the signatures of an uploaded file and keep the result for the officer (signed PDFs only).

    Never raises: a file that cannot be checked is recorded as such and the upload goes on.
    """
    if not looks_signed(data):
        return None
    try:
        reports = pdf_signatures_verify(data)
        outcome = outcome_of(reports)
        details = [r.as_dict() for r in reports]
    except Exception as exc:
        logger.warning("upload_signature_check_error", dossier=dossier.pk, source=source, error=str(exc))
        outcome, details = VerificationOutcome.ERROR, [{"problem": f"{type(exc).__name__}"}]
    verification, _ = FileVerification.objects.update_or_create(
        dossier=dossier,
        source=source,
        defaults={"outcome": outcome, "signatures": details, "checked_at": clock.now()},
    )
    return verification
