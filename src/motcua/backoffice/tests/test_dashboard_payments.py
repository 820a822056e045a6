"""The dashboard's payments panel (issue 12, item 9): the month's credits by channel, per level."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client

from motcua.dossiers.tests.conftest import World
from motcua.payments.constants import EntryKind, EntrySource
from motcua.payments.models import LedgerEntry

from .test_dashboard import URL, _rows, data  # noqa: F401  (the dashboard's fixture)


def _credit(dossier: Any, amount: int, source: str, at: dt.datetime, key: str, **extra: Any) -> None:
    LedgerEntry.objects.create(
        dossier=dossier,
        kind=EntryKind.PAYMENT,
        amount=-amount,
        name="Lệ phí",
        source=source,
        source_reference=key,
        idempotency_key=key,
        at=at,
        **extra,
    )


def test_the_month_payments_by_channel(
    client: Client,
    world: World,
    data: dict[str, Any],  # noqa: F811
    frozen: dt.datetime,
) -> None:
    client.force_login(world.leader_a)
    assert 'id="table-payments"' not in client.get(URL).content.decode()  # nothing paid: no panel
    early, late = data["early"], data["late"]
    _credit(early, 20_000, EntrySource.GATEWAY, frozen, "a")
    _credit(late, 15_000, EntrySource.BANK_STATEMENT, frozen, "b")
    _credit(late, 10_000, EntrySource.COUNTER, frozen, "c", recorded_by=world.leader_a)
    _credit(data["other"], 99_000, EntrySource.GATEWAY, frozen, "d")  # unit B: not this dashboard's
    _credit(early, 50_000, EntrySource.GATEWAY, frozen - dt.timedelta(days=62), "e")  # another month
    html = client.get(URL).content.decode()
    rows = _rows(html, "table-payments")
    # online, bank, counter, total: count and amount each
    assert rows["Tổng cộng"] == ["1", "20.000", "1", "15.000", "1", "10.000", "3", "45.000"]
