"""Fees waived or reduced for online submission (per procedure version): the catalog's online_fee_percent
(import/export round trip, validation), the charges of an online dossier, the amount shown before submitting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from motcua.catalog.importing import CatalogFileInvalid
from motcua.catalog.models import Fee, ProcedureVersion
from motcua.catalog.services import catalog_import_file
from motcua.catalog.tests.conftest import small_catalog, small_units  # noqa: F401  (fixture)
from motcua.dossiers.constants import Channel, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import dossier_in
from motcua.payments.constants import EntryKind
from motcua.payments.fees import fee_lines, online_payable
from motcua.payments.models import LedgerEntry
from motcua.payments.selectors import dossier_balance
from motcua.payments.services import fee_charges_post

from .conftest import CHARGE, FEE


@given(amount=st.integers(min_value=0, max_value=10**13), percent=st.integers(min_value=0, max_value=100))
def test_online_payable_is_the_floor_of_the_percentage(amount: int, percent: int) -> None:
    payable = online_payable(amount, percent)
    assert 0 <= payable <= amount
    assert payable * 100 <= amount * percent < (payable + 1) * 100
    assert online_payable(amount, 100) == amount
    assert online_payable(amount, 0) == 0


def _catalog(percent: object) -> dict[str, object]:
    data = small_catalog()
    data["procedures"][1]["versions"][0]["online_fee_percent"] = percent  # type: ignore[index]
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xlsx"])
@pytest.mark.usefixtures("small_units")
def test_the_catalog_round_trips_the_online_fee_percent(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(_catalog(50), ensure_ascii=False), encoding="utf-8")
    catalog_import_file(path=path)
    stored = sorted(ProcedureVersion.objects.values_list("online_fee_percent", flat=True))
    assert stored == [50] + [100] * (len(stored) - 1)
    exported = tmp_path / f"export.{fmt}"
    call_command("export_catalog", "--format", fmt, "--output", str(exported))
    ProcedureVersion.objects.update(online_fee_percent=100)
    catalog_import_file(path=exported)
    assert sorted(ProcedureVersion.objects.values_list("online_fee_percent", flat=True)) == stored
    if fmt == "json":
        versions = [
            v for p in json.loads(exported.read_text(encoding="utf-8"))["procedures"] for v in p["versions"]
        ]
        assert sorted(v["online_fee_percent"] for v in versions) == stored


@pytest.mark.django_db
@pytest.mark.parametrize("percent", [101, -1, "nửa"])
@pytest.mark.usefixtures("small_units")
def test_a_bad_percent_is_refused_by_name(tmp_path: Path, percent: object) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(_catalog(percent), ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogFileInvalid) as failed:
        catalog_import_file(path=path)
    assert "online_fee_percent" in str(failed.value.details)
    assert not ProcedureVersion.objects.exists()


@pytest.mark.django_db
def test_an_online_dossier_is_charged_the_fee_and_the_reduction(world: World, fees: list[Fee]) -> None:
    ProcedureVersion.objects.filter(pk=world.version.pk).update(online_fee_percent=50)
    online = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    Dossier.objects.filter(pk=online.pk).update(channel=Channel.ONLINE)
    online = Dossier.objects.select_related("procedure_version").get(pk=online.pk)
    fee_charges_post(dossier=online)
    assert fee_charges_post(dossier=online) == []  # once
    entries = {(e.kind, e.amount, e.name) for e in LedgerEntry.objects.filter(dossier=online)}
    assert entries == {
        (EntryKind.CHARGE, FEE, "Lệ phí đăng ký"),
        (EntryKind.CHARGE, CHARGE, "Phí cấp bản sao"),
        (EntryKind.ADJUSTMENT, -FEE // 2, "Giảm 50% khi nộp trực tuyến: Lệ phí đăng ký"),
        (EntryKind.ADJUSTMENT, -CHARGE // 2, "Giảm 50% khi nộp trực tuyến: Phí cấp bản sao"),
    }
    assert dossier_balance(online).due == (FEE + CHARGE) // 2
    # The same procedure at the counter pays in full.
    counter = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    fee_charges_post(dossier=Dossier.objects.select_related("procedure_version").get(pk=counter.pk))
    assert dossier_balance(counter).due == FEE + CHARGE


@pytest.mark.django_db
def test_waived_online(world: World, fees: list[Fee]) -> None:
    ProcedureVersion.objects.filter(pk=world.version.pk).update(online_fee_percent=0)
    version = ProcedureVersion.objects.get(pk=world.version.pk)
    assert [(line.amount, line.reduction, line.due) for line in fee_lines(version, online=True)] == [
        (FEE, FEE, 0),
        (CHARGE, CHARGE, 0),
    ]
    online = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    Dossier.objects.filter(pk=online.pk).update(channel=Channel.ONLINE)
    fee_charges_post(dossier=Dossier.objects.select_related("procedure_version").get(pk=online.pk))
    assert dossier_balance(online).due == 0
    assert LedgerEntry.objects.filter(name__startswith="Miễn khi nộp trực tuyến").count() == 2


@pytest.mark.django_db
def test_the_amount_is_shown_before_submitting(client: Client) -> None:
    from motcua.portal.tests.submission_factories import login, make_world

    world = make_world(online_fee_percent=50)
    Fee.objects.create(version=world.version, order=1, name="Lệ phí đăng ký khai sinh", amount_vnd=20_000)
    login(client, world.citizen)
    client.post(
        f"/thu-tuc/{world.code}/nop-truc-tuyen/",
        {"unit": world.unit.code, "phone": "0912345678", "email": "an@example.vn", "privacy_ack": "on"},
    )
    dossier = Dossier.objects.get(owner=world.citizen)
    review = client.get(f"/ho-so-cua-toi/nhap/{dossier.pk}/xem-lai/").content.decode()
    assert "Lệ phí đăng ký khai sinh" in review
    assert "20.000" in review
    assert "−10.000" in review
    assert 'data-fees-due="10000"' in review
