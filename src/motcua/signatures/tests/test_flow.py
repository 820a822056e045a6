"""The leader's resolution with a result PDF is signed by the worker; a failing signer loses nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client, override_settings

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.documents.tests import files
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import ConsumerDelivery
from motcua.dossiers.tasks import consume_deliveries
from motcua.portal.tests.submission_factories import World, login, make_world
from motcua.portal.tests.test_result_files import processing, resolve, results
from motcua.signatures.constants import RequestState, VerificationOutcome
from motcua.signatures.models import FileVerification, SignatureRequest
from motcua.signatures.services import pdf_signatures_verify, signature_request_sign
from motcua.signatures.tasks import sign_requests

from .helpers import document, pdfsig

pytestmark = [pytest.mark.django_db]

SIGNING = {"MOTCUA_SIGNER": "sandbox", "MOTCUA_TSA_URL": "sandbox"}


@pytest.fixture
def world() -> World:
    return make_world()


def run_signing() -> list[str]:
    """What the worker does: sign every request still awaiting (with its current attempt count)."""
    pending = [[r.pk, r.attempts] for r in SignatureRequest.objects.filter(state=RequestState.AWAITING)]
    return list(sign_requests.call(pending))


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return bytes(handle.read())


@override_settings(**SIGNING)
def test_resolution_result_pdf_is_signed_and_the_citizen_downloads_the_signed_copy(
    client: Client,
    world: World,
    specialist: User,
    media: Path,
    tmp_path: Path,
) -> None:
    dossier = processing(world, specialist)
    client.force_login(specialist)
    original = document()
    response = resolve(
        client,
        dossier,
        files.upload("Giấy chứng nhận.pdf", original),
        files.upload("phu-luc.png", files.png(), "image/png"),
    )
    assert response.status_code == 302
    (request,) = SignatureRequest.objects.filter(dossier=dossier)  # the PDF only
    assert request.state == RequestState.AWAITING
    assert request.signer_name == specialist.full_name
    assert request.unit_name == world.unit.name
    # Until the worker signs, the page says so and the citizen still gets the unsigned original.
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'data-state="awaiting"' in page
    assert "Chờ ký số" in page

    assert run_signing() == ["signed"]
    request.refresh_from_db()
    assert request.state == RequestState.SIGNED
    assert request.level == "PAdES B-LTA"
    assert "Văn phòng UBND tỉnh (sandbox)" in request.certificate_subject
    assert AuditEntry.objects.filter(action="signature.signed", object_id=str(dossier.pk)).count() == 1
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'data-state="signed"' in page
    assert "Đã ký số" in page

    pdf_upload = results(dossier)[0]
    login(client, world.citizen)
    download = client.get(f"/ho-so-cua-toi/tep/{pdf_upload.pk}/")
    assert download.status_code == 200
    signed = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert signed != original
    assert signed.startswith(original[:8])
    (signature, _timestamp) = pdf_signatures_verify(signed)
    assert signature.intact
    assert signature.valid
    assert signature.trusted
    assert not signature.modified_after_signing
    assert "Signature is Valid" in pdfsig(signed, tmp_path)

    # The public verification page agrees, and flags a tampered copy.
    page = client.post("/xac-thuc-chu-ky/", {"tep": files.upload("ket-qua.pdf", signed)})
    assert page.status_code == 200
    assert 'data-outcome="valid"' in page.content.decode()


@override_settings(
    MOTCUA_SIGNER="pkcs12", MOTCUA_SIGNER_PKCS12_FILE="/nonexistent/unit.p12", MOTCUA_TSA_URL=""
)
def test_a_failing_signer_keeps_the_result_awaiting_with_the_error_and_a_retry(
    client: Client,
    world: World,
    specialist: User,
    media: Path,
    settings: Any,
) -> None:
    dossier = processing(world, specialist)
    client.force_login(specialist)
    original = document()
    assert resolve(client, dossier, files.upload("Giấy chứng nhận.pdf", original)).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "resolved"  # the result is never lost

    assert run_signing() == ["awaiting"]
    request = SignatureRequest.objects.get(dossier=dossier)
    assert request.attempts == 1
    assert "PKCS#12" in request.last_error
    assert request.next_attempt_at is not None  # retried with backoff
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "data-signature-error" in page
    assert "PKCS#12" in page
    assert "Ký lại" in page
    # Meanwhile the citizen gets the unsigned original.
    login(client, world.citizen)
    download = client.get(f"/ho-so-cua-toi/tep/{results(dossier)[0].pk}/")
    assert b"".join(download.streaming_content) == original  # type: ignore[attr-defined]

    # The operator fixes the configuration; the officer presses "Ký lại".
    from motcua.signatures.ca import sandbox_ca

    settings.MOTCUA_SIGNER_PKCS12_FILE = str(sandbox_ca().pkcs12_path)
    settings.MOTCUA_SIGNER_PKCS12_PASSWORD = "motcua-sandbox"
    client.force_login(specialist)
    response = client.post(f"/can-bo/ho-so/{dossier.code}/ky-so/{request.pk}/ky-lai/")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="signature.retry").count() == 1
    assert run_signing() == ["signed"]
    request.refresh_from_db()
    assert request.state == RequestState.SIGNED
    assert request.signer_plugin == "pkcs12"
    assert request.level == "PAdES B-LT"
    signed = _read(request.signed_name)
    (signature,) = pdf_signatures_verify(signed)
    assert signature.trusted
    assert signature.revocation == "good"
    # A retry of a signed request is refused.
    response = client.post(f"/can-bo/ho-so/{dossier.code}/ky-so/{request.pk}/ky-lai/", follow=True)
    assert "đã được ký số" in response.content.decode()


@override_settings(**SIGNING)
def test_an_old_task_does_not_sign_twice(world: World, specialist: User, media: Path) -> None:
    dossier = processing(world, specialist)
    from motcua.documents.services import dossier_result_attach

    dossier = dossier_transition(dossier=dossier, action="resolve", actor=specialist, result="QĐ 1")
    dossier_result_attach(dossier=dossier, actor=specialist, files=[files.upload("kq.pdf", document())])
    request = SignatureRequest.objects.get(dossier=dossier)
    assert signature_request_sign(request_id=request.pk, expected_attempts=0) == "signed"
    assert signature_request_sign(request_id=request.pk, expected_attempts=0) == "signed"
    assert AuditEntry.objects.filter(action="signature.signed").count() == 1


def test_nothing_waits_for_a_signature_when_signing_is_off(
    client: Client,
    world: World,
    specialist: User,
    media: Path,
) -> None:
    dossier = processing(world, specialist)
    client.force_login(specialist)
    assert resolve(client, dossier, files.upload("kq.pdf", document())).status_code == 302
    assert not SignatureRequest.objects.exists()
    assert "chu-ky-so" not in client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()


@override_settings(**SIGNING)
def test_a_supplement_request_form_02_is_signed_through_the_consumer(
    world: World,
    specialist: User,
    media: Path,
) -> None:
    dossier = processing(world, specialist)
    dossier_transition(
        dossier=dossier, action="request-supplement", actor=specialist, note="Thiếu bản sao sổ hộ khẩu"
    )
    delivery = ConsumerDelivery.objects.get(consumer="signing")
    consume_deliveries.call([[delivery.pk, 0]])
    request = SignatureRequest.objects.get(dossier=dossier)
    assert request.form == "02"
    assert request.title.startswith("Mẫu 02")
    assert run_signing() == ["signed"]
    request.refresh_from_db()
    (signature, _ts) = pdf_signatures_verify(_read(request.signed_name))
    assert signature.trusted
    assert not signature.modified_after_signing
    # "In Mẫu 02" on the back-office page (the forms API) now gives the signed copy; Mẫu 01 is printed.
    client = Client()
    client.force_login(specialist)
    printed = client.get(f"/api/v1/dossiers/{dossier.code}/forms/02.pdf?format=pdf")
    assert printed.status_code == 200
    assert printed.content == _read(request.signed_name)
    assert client.get(f"/api/v1/dossiers/{dossier.code}/forms/01.pdf?format=pdf").status_code == 200


@override_settings(**SIGNING)
def test_a_signed_pdf_the_citizen_uploads_is_checked_and_shown_to_the_officer(
    client: Client,
    world: World,
    specialist: User,
    media: Path,
) -> None:
    from motcua.documents.services import dossier_result_attach

    dossier = processing(world, specialist)
    dossier = dossier_transition(dossier=dossier, action="resolve", actor=specialist, result="QĐ 1")
    dossier_result_attach(dossier=dossier, actor=specialist, files=[files.upload("kq.pdf", document())])
    run_signing()
    signed = _read(SignatureRequest.objects.get(dossier=dossier).signed_name)

    from motcua.documents.services import upload_store
    from motcua.dossiers.constants import Status
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.tests.factories import dossier_in

    draft = dossier_in(Status.DRAFT, version=world.version, unit=world.unit, owner=world.citizen)
    component = draft.components.first()
    upload = upload_store(
        dossier=draft, actor=world.citizen, file=files.upload("ban-sao.pdf", signed), component=component
    )
    check = FileVerification.objects.get(source=f"upload:{upload.pk}")
    assert check.outcome == VerificationOutcome.VALID
    assert check.signatures[0]["signer"] == "Văn phòng UBND tỉnh (sandbox)"
    unsigned = upload_store(
        dossier=draft, actor=world.citizen, file=files.upload("don.pdf", document()), component=component
    )
    assert not FileVerification.objects.filter(source=f"upload:{unsigned.pk}").exists()
    # The officer sees the check beside the file once the dossier is theirs to see.
    dossier_transition(dossier=draft, action="receive", actor=world.officer)
    client.force_login(world.officer)
    page = client.get(f"/can-bo/ho-so/{Dossier.objects.get(pk=draft.pk).code}/").content.decode()
    assert 'data-signature-check="valid"' in page


@override_settings(**SIGNING)
def test_a_result_that_is_no_real_pdf_waits_without_retries(
    world: World, specialist: User, media: Path
) -> None:
    """A file sniffed as PDF that pyHanko cannot read: the error is shown, and retrying would not help."""
    from motcua.documents.services import dossier_result_attach

    dossier = processing(world, specialist)
    dossier = dossier_transition(dossier=dossier, action="resolve", actor=specialist, result="QĐ 1")
    dossier_result_attach(
        dossier=dossier, actor=specialist, files=[files.upload("kq.pdf", files.pdf("QĐ 1"))]
    )
    request = SignatureRequest.objects.get(dossier=dossier)
    with default_storage.open("broken.pdf", "wb") as handle:
        handle.write(b"%PDF-1.7\n% no objects, no xref\n")
    SignatureRequest.objects.filter(pk=request.pk).update(source_name="broken.pdf")
    assert run_signing() == ["awaiting"]
    request.refresh_from_db()
    assert "không ký số được" in request.last_error
    assert request.next_attempt_at is None
