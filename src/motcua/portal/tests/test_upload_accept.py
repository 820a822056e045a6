"""Every upload input's ``accept`` follows ``MOTCUA_UPLOAD_ALLOWED_TYPES`` (the upload checks' types)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.test import Client

from motcua.accounts.models import User
from motcua.documents.validation import upload_accept
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.tests.factories import staff
from motcua.organisations.constants import Role
from motcua.submissions import services

from .submission_factories import World, login, make_world
from .test_my_dossiers import received

pytestmark = pytest.mark.django_db

DEFAULT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"


@pytest.fixture
def world() -> World:
    return make_world()


def accepts(html: str) -> list[str]:
    """The ``accept`` attribute of every file input on the page."""
    inputs = re.findall(r'<input[^>]*type="file"[^>]*>', html)
    assert inputs, "no file input on the page"
    return [m.group(1) if (m := re.search(r'accept="([^"]*)"', tag)) else "" for tag in inputs]


def test_accept_from_the_setting(settings: LazySettings) -> None:
    assert upload_accept() == DEFAULT
    settings.MOTCUA_UPLOAD_ALLOWED_TYPES = ["png", "pdf", "jpeg", "exe"]  # unknown names ignored, as in sniff
    assert upload_accept() == ".pdf,.jpg,.jpeg,.png"


@pytest.mark.parametrize(
    ("allowed", "expected", "named"),
    [
        (None, DEFAULT, "PDF, JPEG, PNG, DOCX, XLSX"),
        (["pdf", "jpeg"], ".pdf,.jpg,.jpeg", "PDF, JPEG"),
        (["xlsx"], ".xlsx", "XLSX"),
    ],
)
def test_every_upload_input_follows_the_setting(
    client: Client,
    world: World,
    media: Path,
    settings: LazySettings,
    allowed: list[str] | None,
    expected: str,
    named: str,
) -> None:
    dossier = received(world)  # uploads PDFs under the default setting
    if allowed is not None:
        settings.MOTCUA_UPLOAD_ALLOWED_TYPES = allowed
    login(client, world.citizen)
    # The draft: one input per component.
    draft = services.draft_start(
        actor=world.citizen,
        procedure_code=world.code,
        unit_code=world.unit.code,
        applicant={"name": world.citizen.full_name, "id_number": world.citizen.citizen_id},
    )
    page = client.get(f"/ho-so-cua-toi/nhap/{draft.pk}/").content.decode()
    assert accepts(page) == [expected] * draft.components.count()
    assert f"Chấp nhận tệp {named}. Nội dung tệp" in page  # the hint names the same types
    # The supplement answer on "my dossier".
    dossier = dossier_transition(
        dossier=dossier, action="request-supplement", actor=world.officer, note="Bổ sung"
    )
    assert accepts(client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()) == [expected]
    # The result files of the back office's resolve form.
    dossier = dossier_transition(dossier=dossier, action="supplement-received", actor=world.officer)
    specialist = User.objects.get(pk=staff(world.unit, Role.SPECIALIST, username="chuyen-vien-1").pk)
    dossier = dossier_transition(dossier=dossier, action="forward", actor=world.officer)
    dossier_transition(dossier=dossier, action="assign", actor=world.officer, assignee=specialist)
    # The process has a leader's approval step: the leader resolves (issue 16).
    leader = User.objects.get(pk=staff(world.unit, Role.LEADER, username="lanh-dao-1").pk)
    leader.refresh_from_db()
    client.force_login(leader)
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert 'name="resolve-attachments"' in page
    assert set(accepts(page)) == {expected}  # the result files, and the scans the leader's page offers
    assert f"Chấp nhận tệp {named}; tệp được kiểm tra virus" in page
