"""Benchmark of VNPay IPN handling (gunicorn + PostgreSQL) beside the same writes in raw SQL, in one run.

Builds a throw-away database (default ``motcua_bench_payments``), migrates it and creates, in bulk, two equal
batches of ``--payments`` dossiers waiting for payment (each charged one 20,000 VND fee) with one pending
VNPay order each: one batch for the API, one for raw SQL. Then:

- **API**: ``--senders`` threads (default 8), each with its own keep-alive ``http.client`` connection, send
  ``GET /api/v1/payments/vnpay/ipn/`` (signed with the sandbox merchant's secret). Every order's IPN is sent
  **twice** (half of the requests are duplicates, as VNPay's retries are), shuffled so that a duplicate often
  arrives while the first is being handled. Only HTTP 200 with ``RspCode`` 00 or 02 counts.
- **raw SQL**: as many psycopg connections doing, per IPN, what the IPN must do at least: in one transaction
  lock the payment's row, stop if it succeeded already (a duplicate), else mark it succeeded, insert the
  credit (``ON CONFLICT (idempotency_key) DO NOTHING``), issue the receipt (the unit's gap-free sequence: an
  upsert whose row lock serialises the unit's credits, as in ``receipts.receipt_issue``), move the dossier on
  (its status, version, one event, the audit entry after the day's chain head: a second lock every audited
  write takes) and keep the notice. The API does more per IPN (the signature, reading the rows through the
  ORM, the balance, the transition's checks and its consumers' deliveries): the ratio is their price.

Checked after both phases: every order credited exactly once (0 double credits, 0 missing), every dossier
moved on once. Target (issue 12, item 11): API throughput ≥ 25% of the raw SQL rate, 0 double credits.

Run: ``.venv/bin/python bench/payments.py [--payments 300] [--units 20] [--senders 8] [--workers 2] [--threads 2]
[--keep]``. Server and database: ``--server`` / ``MOTCUA_BENCH_SERVER`` (default
postgres://postgres@127.0.0.1:5432) and ``--db`` / ``MOTCUA_BENCH_PAYMENTS_DB``. The database is dropped at
the end, also on failure, unless ``--keep``. Exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import logging
import os
import platform
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _common import check_db_name, django_setup, throwaway_database  # noqa: E402
from intake import (  # noqa: E402
    AUDIT_HEAD_SQL,
    AUDIT_SQL,
    DB_PIDS_SQL,
    Gunicorn,
    Phase,
    children,
    cpu_seconds,
    free_port,
    percentile,
    run_threads,
    server_env,
)

IPN_PATH = "/api/v1/payments/vnpay/ipn/"
TARGET_RATIO = 0.25
FEE = 20_000


class Server(Gunicorn):
    def wait_ready(self, token: str = "", timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", IPN_PATH)  # unsigned: answered 97, and logged
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    return
                raise RuntimeError(f"GET {IPN_PATH} answered {resp.status}:\n{self.tail()}")
            except (ConnectionError, OSError):
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s:\n{self.tail()}")


def build_batch(n: int, tag: str, units: list[Any]) -> list[int]:
    """``n`` dossiers awaiting payment, each charged one fee, with one pending VNPay order; the payment ids."""
    from motcua.catalog.models import Fee
    from motcua.core import clock
    from motcua.dossiers.constants import Status
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.tests.factories import procedure_version
    from motcua.payments.constants import EntryKind, EntrySource, Method
    from motcua.payments.models import LedgerEntry, Payment

    version = procedure_version(code=f"1.00{tag}")
    fee = Fee.objects.create(version=version, order=1, name="Lệ phí", amount_vnd=FEE)
    now = clock.now()
    dossiers = Dossier.objects.bulk_create(
        [
            Dossier(
                procedure_version=version,
                unit=units[i % len(units)],
                code=f"BENCH-{tag}-{i:06d}",
                applicant_name="Nguyễn Văn An",
                status=Status.AWAITING_PAYMENT,
                received_at=now - dt.timedelta(hours=1),
                due_at=now + dt.timedelta(days=10),
                statutory_due_at=now + dt.timedelta(days=10),
            )
            for i in range(n)
        ]
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                dossier=d,
                kind=EntryKind.CHARGE,
                amount=FEE,
                name=fee.name,
                source=EntrySource.FEE,
                fee=fee,
                idempotency_key=f"fee:{d.pk}:{fee.pk}",
                at=now,
            )
            for d in dossiers
        ]
    )
    payments = Payment.objects.bulk_create(
        [
            Payment(
                dossier=d,
                reference=f"MC{tag}{i:010d}",
                method=Method.VNPAY,
                amount=FEE,
                created_at=now,
                expires_at=now + dt.timedelta(hours=2),
                payer_name=d.applicant_name,
            )
            for i, d in enumerate(dossiers)
        ]
    )
    return [p.pk for p in payments]


def ipn_query(reference: str, secret: str, tmn: str) -> str:
    from motcua.payments.contrib.vnpay import protocol

    params = protocol.signed(
        {
            "vnp_Amount": str(FEE * 100),
            "vnp_BankCode": "NCB",
            "vnp_OrderInfo": "Thanh toan",
            "vnp_PayDate": "20250310103000",
            "vnp_ResponseCode": "00",
            "vnp_TmnCode": tmn,
            "vnp_TransactionNo": reference[-8:],
            "vnp_TransactionStatus": "00",
            "vnp_TxnRef": reference,
        },
        secret,
    )
    return urlencode(params)


def api_phase(*, port: int, queries: list[str], senders: int) -> tuple[Phase, dict[str, int]]:
    phase = Phase()
    lock = threading.Lock()
    codes: dict[str, int] = {}
    todo = list(queries)

    def sender(_k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                if not todo:
                    break
                query = todo.pop()
            t0 = time.perf_counter()
            try:
                conn.request("GET", f"{IPN_PATH}?{query}")
                resp = conn.getresponse()
                body = resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                with lock:
                    phase.errors += 1
                    phase.first_error = phase.first_error or repr(exc)
                continue
            elapsed = (time.perf_counter() - t0) * 1000
            code = json.loads(body).get("RspCode", "") if status == 200 else f"http{status}"
            with lock:
                codes[code] = codes.get(code, 0) + 1
                if code in ("00", "02"):
                    phase.ok += 1
                    phase.latencies_ms.append(elapsed)
                else:
                    phase.errors += 1
                    phase.first_error = phase.first_error or f"{status} {body[:200]!r}"
        conn.close()

    t0 = time.perf_counter()
    run_threads(senders, sender)
    phase.seconds = time.perf_counter() - t0
    return phase, codes


def raw_phase(*, dsn: str, payment_ids: list[int], senders: int, actor_id: int) -> Phase:
    """Per IPN, the least an IPN must write, in raw SQL (see the module's docstring)."""
    import hashlib

    import psycopg
    from psycopg.types.json import Jsonb

    from motcua.audit.chain import canonical, genesis_hash, link_hash
    from motcua.core.clock import VN_TZ

    phase = Phase()
    lock = threading.Lock()
    todo = list(payment_ids)

    def writer(_k: int) -> None:
        with psycopg.connect(dsn) as conn:
            backend = conn.info.backend_pid
            while True:
                with lock:
                    if not todo:
                        break
                    payment_id = todo.pop()
                t0 = time.perf_counter()
                now = dt.datetime.now(dt.UTC)
                with conn.transaction():
                    row = conn.execute(
                        "SELECT p.status, p.dossier_id, p.amount, p.reference, d.unit_id FROM payments_payment p "
                        "JOIN dossiers_dossier d ON d.id = p.dossier_id WHERE p.id = %s FOR UPDATE OF p",
                        (payment_id,),
                    ).fetchone()
                    assert row is not None
                    status, dossier_id, amount, reference, unit_id = row
                    answer = "02"
                    if status != "succeeded":
                        answer = "00"
                        conn.execute(
                            "UPDATE payments_payment SET status = 'succeeded', settled_at = %s, "
                            "gateway_transaction_no = %s, gateway_response_code = '00', "
                            "gateway_transaction_status = '00', gateway_bank_code = 'NCB' WHERE id = %s",
                            (now, reference[-8:], payment_id),
                        )
                        conn.execute(
                            "INSERT INTO payments_ledgerentry (dossier_id, kind, amount, name, source, "
                            "source_reference, payment_id, recorded_by_id, idempotency_key, at, note) "
                            "VALUES (%s, 'payment', %s, %s, 'gateway', %s, %s, %s, %s, %s, '') "
                            "ON CONFLICT (idempotency_key) DO NOTHING",
                            (
                                dossier_id,
                                -amount,
                                f"Nộp phí, lệ phí (mã {reference})",
                                f"VNPay {reference[-8:]}",
                                payment_id,
                                actor_id,
                                f"vnpay:MOTCUA01:{reference}",
                                now,
                            ),
                        )
                        moved = conn.execute(
                            "UPDATE dossiers_dossier SET status = 'processing', version = version + 1 "
                            "WHERE id = %s AND status = 'awaiting_payment' RETURNING id",
                            (dossier_id,),
                        ).fetchone()
                        # The receipt, numbered without gaps per unit and year (the sequence row's lock).
                        (number,) = conn.execute(  # type: ignore[misc]
                            "INSERT INTO payments_receiptsequence (unit_id, year, last_number) VALUES (%s, %s, 1) "
                            "ON CONFLICT (unit_id, year) DO UPDATE SET "
                            "last_number = payments_receiptsequence.last_number + 1 RETURNING last_number",
                            (unit_id, now.astimezone(VN_TZ).year),
                        ).fetchone()
                        conn.execute(
                            "INSERT INTO payments_receipt (unit_id, year, number, kind, payment_id, dossier_id, "
                            "amount, payer_name, fee_names, method, issued_at, note) "
                            "VALUES (%s, %s, %s, 'receipt', %s, %s, %s, 'Nguyễn Văn An', 'Lệ phí', 'vnpay', %s, '')",
                            (
                                unit_id,
                                now.astimezone(VN_TZ).year,
                                number,
                                payment_id,
                                dossier_id,
                                amount,
                                now,
                            ),
                        )
                        if moved:
                            # As audit_record does for the transition: the day's chain head, then the entry.
                            chain_day = now.astimezone(VN_TZ).date()
                            data = {"from": "awaiting_payment", "to": "processing"}
                            digest = hashlib.sha256(
                                canonical(
                                    chain_day=chain_day,
                                    actor_id=actor_id,
                                    actor_repr="system:vnpay",
                                    action="dossier.payment-received",
                                    object_type="dossier",
                                    object_id=str(dossier_id),
                                    at=now,
                                    data=data,
                                )
                            ).hexdigest()
                            first = genesis_hash(chain_day)
                            seq, prev_hash, new_hash = conn.execute(  # type: ignore[misc]
                                AUDIT_HEAD_SQL, (chain_day, first, link_hash(first, digest), digest)
                            ).fetchone()
                            conn.execute(
                                AUDIT_SQL,
                                (
                                    actor_id,
                                    "system:vnpay",
                                    "dossier.payment-received",
                                    str(dossier_id),
                                    now,
                                    Jsonb(data),
                                    chain_day,
                                    seq,
                                    prev_hash,
                                    new_hash,
                                ),
                            )
                            conn.execute(
                                "INSERT INTO dossiers_dossierevent (dossier_id, action, actor_id, at, from_status, "
                                "to_status, note, classification, data) VALUES (%s, 'payment-received', %s, %s, "
                                "'awaiting_payment', 'processing', %s, '', %s)",
                                (dossier_id, actor_id, now, f"Đã nộp đủ (mã {reference})", Jsonb({})),
                            )
                    conn.execute(
                        "INSERT INTO payments_gatewaynotice (gateway, reference, params, answer_code, "
                        "answer_message, at) VALUES ('vnpay', %s, %s, %s, '', %s)",
                        (reference, Jsonb({"vnp_TxnRef": reference}), answer, now),
                    )
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    phase.ok += 1
                    phase.latencies_ms.append(elapsed)
            used = cpu_seconds([backend]).get(backend, 0.0)  # the backend began with this phase
            with lock:
                phase.cpu["db"] = phase.cpu.get("db", 0.0) + used

    t0, client0 = time.perf_counter(), time.process_time()
    run_threads(senders, writer)
    phase.seconds = time.perf_counter() - t0
    phase.cpu["client"] = time.process_time() - client0
    return phase


def check(payment_ids: list[int]) -> tuple[int, int, int]:
    """(double credits, payments not credited, dossiers not moved on exactly once) of a batch."""
    from django.db.models import Count

    from motcua.dossiers.models import DossierEvent
    from motcua.payments.models import LedgerEntry, Payment

    per_payment = dict(
        LedgerEntry.objects.filter(kind="payment", payment_id__in=payment_ids)
        .values("payment_id")
        .annotate(n=Count("id"))
        .values_list("payment_id", "n")
    )
    double = sum(1 for n in per_payment.values() if n > 1)
    missing = len(payment_ids) - len(per_payment)
    dossiers = list(Payment.objects.filter(pk__in=payment_ids).values_list("dossier_id", flat=True))
    moves = dict(
        DossierEvent.objects.filter(dossier_id__in=dossiers, action="payment-received")
        .values("dossier_id")
        .annotate(n=Count("id"))
        .values_list("dossier_id", "n")
    )
    not_once = sum(1 for d in dossiers if moves.get(d, 0) != 1)
    return double, missing, not_once


def main() -> int:
    parser = argparse.ArgumentParser(description="VNPay IPN handling through the API vs raw SQL (PostgreSQL)")
    parser.add_argument(
        "--server", default=os.environ.get("MOTCUA_BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db", default=os.environ.get("MOTCUA_BENCH_PAYMENTS_DB", "motcua_bench_payments"))
    parser.add_argument("--payments", type=int, default=300, help="orders per batch (each IPN sent twice)")
    parser.add_argument("--senders", type=int, default=8, help="concurrent senders (and raw SQL connections)")
    parser.add_argument(
        "--units",
        type=int,
        default=20,
        help="collecting units the dossiers spread over (1: every credit waits "
        "for the same receipt sequence)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    check_db_name(parser, args.db)

    import psycopg

    with throwaway_database(args.server, args.db, keep=args.keep) as dsn:
        django_setup(dsn, quiet_below=logging.WARNING)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        from motcua.accounts.services import system_actor
        from motcua.dossiers.tests.factories import UnitFactory

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        units = [
            UnitFactory(code=f"{8700 + k}", name=f"Xã {k}", agency_code=f"000.00.{k:02d}.H56")
            for k in range(args.units)
        ]
        api_ids = build_batch(args.payments, "1", units)
        raw_ids = build_batch(args.payments, "2", units)
        actor_id = system_actor("vnpay", label="Cổng thanh toán VNPay").pk
        from motcua.payments.models import Payment

        references = list(Payment.objects.filter(pk__in=api_ids).values_list("reference", flat=True))
        secret, tmn = str(settings.MOTCUA_VNPAY_HASH_SECRET), str(settings.MOTCUA_VNPAY_TMN_CODE)
        rng = random.Random(args.seed)
        queries = [ipn_query(r, secret, tmn) for r in references] * 2  # every IPN twice: half are duplicates
        rng.shuffle(queries)
        raw_todo = raw_ids * 2
        rng.shuffle(raw_todo)
        setup_seconds = time.perf_counter() - t0
        connections.close_all()

        with Server(port=free_port(), workers=args.workers, threads=args.threads, env=server_env()) as server:
            server.wait_ready()

            raw = raw_phase(dsn=dsn, payment_ids=raw_todo, senders=args.senders, actor_id=actor_id)
            with psycopg.connect(f"{args.server}/postgres", autocommit=True) as monitor:
                web_pids = children(server.proc.pid)
                db_pids = [row[0] for row in monitor.execute(DB_PIDS_SQL, (args.db,)).fetchall()]
                web0, db0 = cpu_seconds(web_pids), cpu_seconds(db_pids)
                api, codes = api_phase(port=server.port, queries=queries, senders=args.senders)
                db_pids = [row[0] for row in monitor.execute(DB_PIDS_SQL, (args.db,)).fetchall()]
                web1, db1 = cpu_seconds(web_pids), cpu_seconds(db_pids)
            api.cpu = {
                "web": sum(web1[p] - web0.get(p, 0.0) for p in web1),
                "db": sum(db1[p] - db0.get(p, 0.0) for p in db1),
            }
            api_check, raw_check = check(api_ids), check(raw_ids)

    def line(name: str, phase: Phase) -> str:
        lat = sorted(phase.latencies_ms)
        rate = phase.ok / phase.seconds if phase.seconds else 0.0
        return (
            f"{name:8} {phase.ok:6d} ok {phase.errors:4d} errors in {phase.seconds:6.2f} s: {rate:8.1f} IPN/s, "
            f"p50 {percentile(lat, 50):6.1f} ms, p95 {percentile(lat, 95):6.1f} ms"
        )

    api_rate = api.ok / api.seconds if api.seconds else 0.0
    raw_rate = raw.ok / raw.seconds if raw.seconds else 0.0
    ratio = api_rate / raw_rate if raw_rate else 0.0
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; {dt.date.today()}"
    )
    print(
        f"setup {setup_seconds:.1f} s; {args.payments} orders per batch over {args.units} units, each IPN twice, "
        f"{args.senders} senders; "
        f"gunicorn {args.workers} workers x {args.threads} threads"
    )
    print(line("raw SQL", raw))
    print(line("API", api))
    print(f"API answers: {dict(sorted(codes.items()))}")
    print(f"API / raw SQL: {ratio:.1%} (target >= {TARGET_RATIO:.0%})")
    cores = os.cpu_count() or 1
    api_cpu = (api.cpu.get("web", 0.0) + api.cpu.get("db", 0.0)) / max(1, api.ok) * 1000
    raw_cpu = (raw.cpu.get("db", 0.0) + raw.cpu.get("client", 0.0)) / max(1, raw.ok) * 1000
    if api_cpu and raw_cpu:
        print(
            f"CPU per IPN: API {api_cpu:.1f} ms (gunicorn {api.cpu['web'] / max(1, api.ok) * 1000:.1f} + PostgreSQL "
            f"{api.cpu['db'] / max(1, api.ok) * 1000:.1f}), raw SQL {raw_cpu:.2f} ms (PostgreSQL "
            f"{raw.cpu['db'] / max(1, raw.ok) * 1000:.2f} + client {raw.cpu['client'] / max(1, raw.ok) * 1000:.2f}); "
            f"on {cores} idle cores at most {1000 * cores / api_cpu:,.0f} vs {1000 * cores / raw_cpu:,.0f} IPN/s "
            f"({raw_cpu / api_cpu:.1%}; independent of the machine's other load)"
        )
    print(
        f"API batch: {api_check[0]} double credits, {api_check[1]} not credited, {api_check[2]} dossiers not moved once"
    )
    print(
        f"raw batch: {raw_check[0]} double credits, {raw_check[1]} not credited, {raw_check[2]} dossiers not moved once"
    )
    if api.first_error:
        print(f"first API error: {api.first_error}")
    ok = (
        ratio >= TARGET_RATIO
        and api_check == (0, 0, 0)
        and raw_check == (0, 0, 0)
        and api.errors == 0
        and codes.get("00", 0) == args.payments
    )
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
