"""On PostgreSQL: the same statement imported ten times at once credits once; receipts of one unit issued at
once get unique numbers without gaps."""

from __future__ import annotations

from pathlib import Path

import pytest

from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import dossier_in
from motcua.payments.bank import bank_statement_import
from motcua.payments.constants import BankLineStatus, EntryKind, Method, PaymentStatus
from motcua.payments.models import BankStatementImport, BankStatementLine, LedgerEntry, Receipt
from motcua.payments.services import payment_create

from .test_concurrency import THREADS, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_statement_imported_at_once_credits_once(
    awaiting: Dossier, world: World, tmp_path: Path
) -> None:
    order = payment_create(dossier=awaiting, actor=world.officer_a, method=Method.VIETQR)
    path = tmp_path / "saoke.csv"
    path.write_text(
        "transaction_id,booked_at,amount,description\n"
        f"FT1,2026-03-10 09:00,25000,{order.reference}\n"
        "FT2,2026-03-10 09:05,7000,khong ro\n",
        encoding="utf-8",
    )

    def run(i: int) -> str:
        result = bank_statement_import(path=path, account="113000006789")
        return f"{len(result.credited)}/{len(result.unmatched)}/{len(result.skipped)}"

    outcomes = race(run)
    assert sorted(outcomes) == ["0/0/2"] * (THREADS - 1) + ["1/1/0"]
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
    assert BankStatementLine.objects.count() == 2
    assert BankStatementLine.objects.get(transaction_id="FT2").status == BankLineStatus.UNMATCHED
    assert BankStatementImport.objects.count() == THREADS
    order.refresh_from_db()
    assert order.status == PaymentStatus.SUCCEEDED
    assert Receipt.objects.filter(payment=order).count() == 1
    awaiting.refresh_from_db()
    assert awaiting.status == Status.PROCESSING


def test_receipts_issued_at_once_are_numbered_without_gaps(world: World, fees: object) -> None:
    dossiers = [
        dossier_in(Status.AWAITING_PAYMENT, version=world.version, unit=world.unit_a) for _ in range(THREADS)
    ]

    def run(i: int) -> str:
        return payment_create(dossier=dossiers[i], actor=world.officer_a, method="cash").reference

    race(run)
    numbers = sorted(Receipt.objects.filter(unit=world.unit_a).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS + 1))


def test_a_statement_and_cash_on_the_same_dossiers_at_once(
    world: World, fees: object, tmp_path: Path
) -> None:
    """A statement crediting nine dossiers while an officer takes the rest of each in cash: no deadlock,
    every credit once, one receipt each, numbers 1..18 in the unit."""
    dossiers = [
        dossier_in(Status.AWAITING_PAYMENT, version=world.version, unit=world.unit_a) for _ in range(9)
    ]
    orders = [
        payment_create(dossier=d, actor=world.officer_a, method=Method.VIETQR, amount=20_000)
        for d in dossiers
    ]
    path = tmp_path / "saoke.csv"
    path.write_text(
        "transaction_id,booked_at,amount,description\n"
        + "".join(f"T{i},2026-03-10 09:0{i},20000,{o.reference}\n" for i, o in enumerate(orders)),
        encoding="utf-8",
    )

    def run(i: int) -> str:
        if i == 0:
            return str(len(bank_statement_import(path=path, account="113000006789").credited))
        return payment_create(
            dossier=dossiers[i - 1], actor=world.officer_a, method="cash", amount=5_000
        ).reference

    outcomes = race(run)
    assert "9" in outcomes
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 18
    numbers = sorted(Receipt.objects.filter(unit=world.unit_a).values_list("number", flat=True))
    assert numbers == list(range(1, 19))
    assert all(d.status == Status.PROCESSING for d in Dossier.objects.filter(pk__in=[d.pk for d in dossiers]))
