"""A certified electronic copy made at the counter (documents.component_digitise) is signed for its official."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from motcua.documents.digitisation import component_digitise
from motcua.documents.tests.test_digitisation import real_pdf, received, scan
from motcua.dossiers.tests.conftest import World, frozen, world  # noqa: F401  (fixtures)
from motcua.signatures.constants import DocumentKind, RequestState
from motcua.signatures.models import SignatureRequest
from motcua.signatures.services import pdf_signatures_verify, signature_request_sign

pytestmark = pytest.mark.django_db


@override_settings(MOTCUA_SIGNER="sandbox", MOTCUA_TSA_URL="")
def test_a_certified_copy_is_signed_with_its_official_named(world: World, media: Path) -> None:  # noqa: F811
    dossier = received(world)
    component = dossier.components.first()
    assert component is not None
    kwargs = {"dossier": dossier, "component": component, "actor": world.officer_a}
    plain = component_digitise(**kwargs, file=scan("ban-quet.pdf", real_pdf(1)))
    certified = component_digitise(
        **kwargs, file=scan("ban-chinh.pdf", real_pdf(2)), certified_by=world.leader_a
    )
    (request,) = SignatureRequest.objects.filter(dossier=dossier)  # the certified copy only
    assert request.kind == DocumentKind.CERTIFIED_COPY
    assert request.source == f"upload:{certified.pk}"
    assert request.requested_by == world.leader_a
    assert request.signer_name == (world.leader_a.full_name or world.leader_a.username)
    assert signature_request_sign(request_id=request.pk, expected_attempts=0) == RequestState.SIGNED
    request.refresh_from_db()
    with default_storage.open(request.signed_name, "rb") as handle:
        (signature,) = pdf_signatures_verify(handle.read())
    assert signature.trusted
    assert not SignatureRequest.objects.filter(source=f"upload:{plain.pk}").exists()
