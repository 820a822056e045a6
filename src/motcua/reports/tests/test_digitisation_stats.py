"""Digitisation statistics per unit and month, the dashboard's panel and 766 indicators 4.2 / 4.3 (issue 14)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from motcua.core import clock
from motcua.documents.constants import ScanResult, UploadPurpose
from motcua.documents.digitisation import component_digitise
from motcua.documents.models import Upload
from motcua.documents.results import result_record_issue
from motcua.documents.services import dossier_result_attach
from motcua.documents.tests import files
from motcua.documents.tests.fixtures import media  # noqa: F401  (fixture)
from motcua.dossiers.constants import Action, Channel, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import MONDAY_10, World, frozen, world  # noqa: F401  (fixtures)
from motcua.dossiers.tests.factories import dossier_in
from motcua.reports.digitisation import (
    DigitisationCounts,
    digitisation_counts,
    digitisation_indicators,
    digitisation_statistics,
    digitisation_totals,
)
from motcua.reports.selectors import Period
from motcua.signatures.constants import DocumentKind, RequestState
from motcua.signatures.models import SignatureRequest

pytestmark = pytest.mark.django_db

MARCH = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))


def plain_file(dossier: Dossier, *, reused_from: Upload | None = None) -> Upload:
    """A component file as an online submission or a re-use leaves it (the checks are tested elsewhere)."""
    return Upload.objects.create(
        dossier=dossier,
        component=dossier.components.first(),
        purpose=UploadPurpose.SUBMISSION,
        original_name="giay-to.pdf",
        stored_name=f"uploads/test/{uuid.uuid4().hex}.pdf",
        content_type="application/pdf",
        size=10,
        sha256="a" * 64,
        scan_result=ScanResult.NOT_SCANNED,
        uploaded_at=clock.now(),
        reused_from=reused_from,
        reuse_verified=reused_from is not None,
    )


def digitise(world: World, dossier: Dossier) -> Upload:  # noqa: F811
    component = dossier.components.first()
    assert component is not None
    return component_digitise(
        dossier=dossier,
        component=component,
        actor=world.officer_a,
        file=SimpleUploadedFile("a.png", files.png()),
    )


def resolved_with(world: World, dossier: Dossier, *, result_file: bool, signed: bool = False) -> None:  # noqa: F811
    dossier_transition(
        dossier=dossier,
        action=Action.RESOLVE,
        actor=world.leader_a,
        note="Đã giải quyết",
        result="Giấy chứng nhận",
    )
    dossier.refresh_from_db()
    if result_file:
        dossier_result_attach(
            dossier=dossier, actor=world.leader_a, files=[files.upload("kq.pdf", files.pdf())]
        )
    result_record_issue(dossier=dossier)
    if signed:
        SignatureRequest.objects.create(
            dossier=dossier,
            kind=DocumentKind.RESULT,
            source="upload:1",
            title="Kết quả",
            signer_name="Lãnh đạo",
            unit_name=dossier.unit.name,
            state=RequestState.SIGNED,
            created_at=clock.now(),
            signed_at=clock.now(),
        )


@pytest.fixture
def march(world: World, frozen: dt.datetime, media: Path) -> dict[str, Any]:  # noqa: F811
    """Unit A in March 2025: two counter dossiers (one digitised), one online re-using a stored file."""
    a1 = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a, channel=Channel.COUNTER)
    a2 = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a, channel=Channel.COUNTER)
    a3 = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a, channel=Channel.ONLINE)
    scanned = digitise(world, a1)
    plain_file(a3, reused_from=scanned)
    plain_file(a3)
    resolved_with(world, a1, result_file=True, signed=True)
    resolved_with(world, a2, result_file=False)
    # unit B in April (another month, another unit)
    with clock.frozen(MONDAY_10 + dt.timedelta(days=31)):
        b1 = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_b, channel=Channel.COUNTER)
    return {"a1": a1, "a2": a2, "a3": a3, "b1": b1}


def test_counts_per_unit_and_month(world: World, march: dict[str, Any]) -> None:  # noqa: F811
    counts = digitisation_counts(Period(dt.date(2025, 3, 1), dt.date(2025, 4, 30)))
    assert set(counts) == {(world.unit_a.pk, dt.date(2025, 3, 1)), (world.unit_b.pk, dt.date(2025, 4, 1))}
    a = counts[(world.unit_a.pk, dt.date(2025, 3, 1))]
    assert a == DigitisationCounts(
        received=3,
        received_with_files=2,
        received_reusing=1,
        counter_received=2,
        counter_digitised=1,
        results=2,
        results_digitised=1,
        results_signed=1,
        results_complete=1,
        components=3,
        components_reused=1,
    )
    assert (a.intake_rate, a.results_digitised_rate, a.results_signed_rate) == (0.5, 0.5, 0.5)
    assert a.reuse_rate == 0.3333
    b = counts[(world.unit_b.pk, dt.date(2025, 4, 1))]
    assert (b.received, b.counter_received, b.counter_digitised, b.intake_rate) == (1, 1, 0, 0.0)
    assert b.results_digitised_rate is None  # no result issued: no rate, not 0


def test_the_selector_by_unit_and_month(world: World, march: dict[str, Any]) -> None:  # noqa: F811
    rows = digitisation_statistics(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 4, 30))
    assert [(r.unit.code, r.month) for r in rows] == [
        ("8707", dt.date(2025, 3, 1)),
        ("9001", dt.date(2025, 4, 1)),
    ]
    only_b = digitisation_statistics(
        date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 4, 30), unit_code="9001"
    )
    assert [r.unit.code for r in only_b] == ["9001"]
    assert digitisation_statistics(date_from=dt.date(2025, 5, 1), date_to=dt.date(2025, 5, 31)) == []


def test_decision_766_indicators_4_2_and_4_3(world: World, march: dict[str, Any]) -> None:  # noqa: F811
    indicators = digitisation_indicators(MARCH, {world.unit_a.pk})
    assert indicators["4.2"]["rate"] == 0.5  # a1: digitised components and result; a2: neither
    assert indicators["4.2"]["value"]["results"] == 2
    assert indicators["4.3"]["rate"] == 0.5  # a3 re-used a stored file; a1 and a3 have component files
    empty = digitisation_indicators(MARCH, {world.unit_b.pk})
    assert empty["4.2"]["rate"] is None
    assert empty["4.3"]["rate"] is None


def test_query_count_does_not_grow_with_units_or_months(
    world: World,  # noqa: F811
    march: dict[str, Any],
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(3):
        digitisation_counts(Period(dt.date(2024, 1, 1), dt.date(2025, 12, 31)))


def test_the_dashboard_shows_the_months_shares(
    client: Client,
    world: World,  # noqa: F811
    march: dict[str, Any],
) -> None:
    world.leader_a.refresh_from_db()
    client.force_login(world.leader_a)
    page = client.get("/can-bo/thong-ke/?don_vi=8707").content.decode()
    assert 'id="table-digitisation"' in page
    for key in ("intake", "results", "signed", "reused"):
        assert f'data-digitisation="{key}"' in page
    assert "50,0" in page
    assert "33,3" in page
    assert digitisation_totals(MARCH, {world.unit_a.pk}).results == 2


@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)),
        min_size=1,
        max_size=6,
    )
)
def test_sums_and_shares_stay_consistent(parts: list[tuple[int, int, int, int]]) -> None:
    """Adding units' counts adds every field; a share is in [0, 1] and None only without a denominator."""
    counts = [
        DigitisationCounts(
            counter_received=total,
            counter_digitised=min(part, total),
            components=comp,
            components_reused=min(r, comp),
        )
        for total, part, comp, r in parts
    ]
    total = DigitisationCounts()
    for c in counts:
        total = total + c
    assert total.counter_received == sum(c.counter_received for c in counts)
    assert total.components_reused == sum(c.components_reused for c in counts)
    for share, denominator in (
        (total.intake_rate, total.counter_received),
        (total.reuse_rate, total.components),
    ):
        assert (share is None) == (denominator == 0)
        assert share is None or 0 <= share <= 1
