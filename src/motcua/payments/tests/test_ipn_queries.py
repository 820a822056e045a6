"""How many SQL statements a VNPay IPN runs (credited, duplicate): an upper bound that fails if it regresses.

The numbers are the benchmark's concern (bench/payments.py, docs/performance.md "VNPay IPN handling"): every
statement of the IPN is paid per notice, at VNPay's retry rate. Lower them freely; raise them only with a reason.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.payments.constants import EntryKind
from motcua.payments.models import LedgerEntry, Receipt

from .test_vnpay import ipn_params, open_vnpay, send_ipn

pytestmark = pytest.mark.django_db

# 37 before issue 12 item 11's first cuts, 29 after, 23 now (3 of them: system:vnpay made on this first credit):
# the credit's insert without a savepoint, no receipt lookup, one read for the balance and the fee names,
# payment_received_check handed the balance; +1 to close the dossier's other open orders (the defect fix).
CREDITED_MAX = 23
DUPLICATE_MAX = 2  # 4 before: now one indexed read and the notice, no lock, no transaction


def test_a_credited_and_a_duplicate_ipn_stay_within_their_statement_budgets(
    awaiting: Dossier, world: World
) -> None:
    payment, _url = open_vnpay(awaiting, world.officer_a)
    run_queued_tasks()
    params = ipn_params(payment)
    with CaptureQueriesContext(connection) as credited:
        assert send_ipn(params) == {"RspCode": "00", "Message": "Confirm Success"}
    with CaptureQueriesContext(connection) as duplicate:
        assert send_ipn(params)["RspCode"] == "02"
    if os.environ.get("MOTCUA_DUMP_IPN_SQL"):  # to see them: -s with MOTCUA_DUMP_IPN_SQL=1
        for name, ctx in (("credited", credited), ("duplicate", duplicate)):
            print(f"--- {name}: {len(ctx.captured_queries)}")
            for q in ctx.captured_queries:
                print(q["sql"][:300])
    # Behaviour, not only counts: one credit, one receipt, the dossier moved on.
    assert LedgerEntry.objects.filter(payment=payment, kind=EntryKind.PAYMENT).count() == 1
    assert Receipt.objects.filter(payment=payment).count() == 1
    awaiting.refresh_from_db()
    assert awaiting.status != Status.AWAITING_PAYMENT
    assert len(credited.captured_queries) <= CREDITED_MAX, len(credited.captured_queries)
    assert len(duplicate.captured_queries) <= DUPLICATE_MAX, len(duplicate.captured_queries)
