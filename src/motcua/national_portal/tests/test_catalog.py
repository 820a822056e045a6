"""Catalog pull (issue 13, item 5): the portal's procedures become proposals; nothing in the catalog changes
until an officer reviews the side-by-side differences in the admin and publishes."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.selectors import procedure_version_in_force
from motcua.dossiers.tests.conftest import World
from motcua.national_portal.catalog import national_catalog_pull
from motcua.national_portal.models import (
    CatalogProposal,
    NationalCatalogEntry,
    ProposalState,
    SandboxPortalProcedure,
)
from motcua.national_portal.sandbox.catalog import NATIONAL_ONLY, sandbox_catalog_seed

from .conftest import DjangoTransport

pytestmark = pytest.mark.django_db

CODE = "1.001193"


def portal_differs(code: str = CODE) -> dict[str, Any]:
    """Seed the sandbox catalog from ours, then make the portal's record of ``code`` differ (time, a fee)."""
    sandbox_catalog_seed()
    row = SandboxPortalProcedure.objects.get(code=code)
    row.record["ThoiHanGiaiQuyet"] = int(row.record["ThoiHanGiaiQuyet"]) + 2
    row.record["PhiLePhi"] = [
        *row.record["PhiLePhi"],
        {"TenPhiLePhi": "Phí cung cấp thông tin", "MucThu": 20000},
    ]
    row.save()
    return dict(row.record)


def catalog_state(world: World) -> tuple[Any, ...]:
    versions = ProcedureVersion.objects.filter(procedure=world.version.procedure)
    return (
        versions.count(),
        [
            (v.version, v.time_limit_value, [f.amount_vnd for f in v.fees.all()])
            for v in versions.order_by("pk")
        ],
        world.version.procedure.__class__.objects.get(
            pk=world.version.procedure_id
        ).national_portal_connected,
    )


def admin_client() -> Client:
    admin = User.objects.create_superuser(username="quan-tri", password="x", full_name="Quản trị")
    web = Client()
    web.force_login(admin)
    return web


def test_a_pull_proposes_and_changes_nothing_until_published(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    record = portal_differs()
    before = catalog_state(connected)
    report = national_catalog_pull()
    assert report.proposed >= 1
    assert NATIONAL_ONLY in report.unknown
    assert catalog_state(connected) == before  # nothing changed
    assert NationalCatalogEntry.objects.get(procedure=connected.version.procedure).exists is True
    proposal = CatalogProposal.objects.get(procedure=connected.version.procedure, state=ProposalState.PENDING)
    assert proposal.proposed is not None
    assert proposal.proposed["time_limit_value"] == record["ThoiHanGiaiQuyet"]

    # A second pull refreshes the same proposal, never a second one.
    national_catalog_pull(code=CODE)
    assert CatalogProposal.objects.filter(procedure=connected.version.procedure).count() == 1

    # The officer's review: side by side, the changed rows marked; then "Công bố phiên bản mới".
    web = admin_client()
    page = web.get(
        reverse("admin:national_portal_catalogproposal_change", args=[proposal.pk])
    ).content.decode()
    assert 'id="catalog-diff"' in page
    assert 'data-field="time_limit_value" data-changed="1"' in page
    assert 'data-field="fees" data-changed="1"' in page
    assert 'data-field="name" data-changed' not in page
    assert "Công bố phiên bản mới" in page
    assert catalog_state(connected) == before  # looking changes nothing either

    response = web.post(reverse("admin:national_portal_catalogproposal_publish", args=[proposal.pk]))
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PUBLISHED
    new = procedure_version_in_force(connected.version.procedure)
    assert new.pk == proposal.published_version_id != connected.version.pk
    assert new.time_limit_value == record["ThoiHanGiaiQuyet"]
    assert [f.name for f in new.fees.all()][-1] == "Phí cung cấp thông tin"
    assert [s.name for s in new.steps.all()] == [s.name for s in connected.version.steps.all()]  # kept
    assert AuditEntry.objects.filter(action="national_catalog.publish").count() == 1
    # Published again? No: it is decided. A new pull finds nothing to propose.
    assert (
        web.post(reverse("admin:national_portal_catalogproposal_publish", args=[proposal.pk])).status_code
        == 302
    )
    assert ProcedureVersion.objects.filter(procedure=connected.version.procedure).count() == before[0] + 1
    assert national_catalog_pull(code=CODE).proposed == 0


def test_a_rejected_proposal_changes_nothing(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    portal_differs()
    before = catalog_state(connected)
    national_catalog_pull(code=CODE)
    proposal = CatalogProposal.objects.get(state=ProposalState.PENDING)
    web = admin_client()
    assert (
        web.post(reverse("admin:national_portal_catalogproposal_reject", args=[proposal.pk])).status_code
        == 302
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.REJECTED
    assert catalog_state(connected) == before


def test_a_procedure_missing_from_the_portal_is_proposed_as_not_connected(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    sandbox_catalog_seed()
    SandboxPortalProcedure.objects.filter(code=CODE).delete()
    before = catalog_state(connected)
    out = io.StringIO()
    call_command("pull_national_catalog", "--code", CODE, stdout=out)
    report = json.loads(out.getvalue())
    assert (report["checked"], report["proposed"], report["not_on_portal"]) == (1, 1, 1)
    assert catalog_state(connected) == before  # still connected until approved
    assert NationalCatalogEntry.objects.get(procedure=connected.version.procedure).exists is False
    proposal = CatalogProposal.objects.get(state=ProposalState.PENDING)
    assert (proposal.connected, proposal.proposed) == (False, None)
    web = admin_client()
    web.post(reverse("admin:national_portal_catalogproposal_publish", args=[proposal.pk]))
    count, versions, connected_now = catalog_state(connected)
    assert (count, versions, connected_now) == (before[0], before[1], False)  # no new version, disconnected


def test_an_officer_without_the_permission_cannot_publish(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    portal_differs()
    national_catalog_pull(code=CODE)
    proposal = CatalogProposal.objects.get(state=ProposalState.PENDING)
    officer = connected.officer_a
    officer.is_staff = True
    officer.save(update_fields=["is_staff"])
    web = Client()
    web.force_login(officer)
    response = web.post(reverse("admin:national_portal_catalogproposal_publish", args=[proposal.pk]))
    assert response.status_code in (302, 403)
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.PENDING
