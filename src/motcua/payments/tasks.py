"""Tasks of the payments app: the sandbox VNPay gateway's IPN, sent and retried like VNPay's."""

from __future__ import annotations

import datetime as dt

import requests
import structlog
from django.conf import settings
from django.db import transaction
from django.tasks import task, task_backends

from motcua.core import clock

from .models import SandboxVnpayTransaction

logger = structlog.get_logger(__name__)

# Replaced in tests by a session that hands the call to Django's test client.
transport: requests.Session | None = None


@task()
def sandbox_vnpay_send_ipn(transaction_id: int) -> str:
    """Send the IPN of a sandbox transaction; again later until motcua answers RspCode 00 or 02.

    ``MOTCUA_SANDBOX_VNPAY_IPN_ATTEMPTS`` attempts, ``MOTCUA_SANDBOX_VNPAY_IPN_RETRY_SECONDS`` apart; then the
    transaction's IPN is ``failed`` (motcua's reconciliation would query it).
    """
    # The call is made outside any transaction: on SQLite (make run) a transaction held open across it would
    # keep the database's write lock, and motcua's own IPN handler, answering this call, would wait for it
    # until the call timed out (10 s late, one wasted attempt).
    with transaction.atomic():
        txn = SandboxVnpayTransaction.objects.select_for_update().filter(pk=transaction_id).first()
        if txn is None or txn.ipn_state != "pending":
            return "skipped"
        txn.ipn_attempts += 1
        txn.save(update_fields=["ipn_attempts"])
    answer = ""
    try:
        response = (transport or requests).get(
            str(settings.MOTCUA_SANDBOX_VNPAY_IPN_URL), params=txn.params, timeout=10
        )
        answer = response.text[:500]
        code = str(response.json().get("RspCode", ""))
    except (requests.RequestException, ValueError, AttributeError) as exc:
        code = ""
        answer = answer or f"{type(exc).__name__}: {exc}"[:500]
    with transaction.atomic():
        txn = SandboxVnpayTransaction.objects.select_for_update().get(pk=transaction_id)
        if txn.ipn_state != "pending":
            return txn.ipn_state
        txn.ipn_last_answer = answer
        retry = False
        if code in ("00", "02"):
            txn.ipn_state = "delivered"
        elif (
            txn.ipn_attempts < settings.MOTCUA_SANDBOX_VNPAY_IPN_ATTEMPTS
            and task_backends[sandbox_vnpay_send_ipn.backend].supports_defer
        ):
            retry = True
        else:
            txn.ipn_state = "failed"
        txn.save(update_fields=["ipn_state", "ipn_last_answer"])
        logger.info("sandbox_vnpay_ipn", txn_ref=txn.txn_ref, attempt=txn.ipn_attempts, rsp_code=code)
        if retry:
            wait = dt.timedelta(seconds=settings.MOTCUA_SANDBOX_VNPAY_IPN_RETRY_SECONDS)
            sandbox_vnpay_send_ipn.using(run_after=clock.now() + wait).enqueue(txn.pk)
        return txn.ipn_state


@task()
def sandbox_paygov_send_notify(transaction_id: int) -> str:
    """Send the notification of a sandbox platform transaction; again later until motcua answers MaLoi 00 or
    02 (``MOTCUA_SANDBOX_PAYGOV_NOTIFY_ATTEMPTS`` attempts, ``..._RETRY_SECONDS`` apart). Misbehaves as
    ``MOTCUA_SANDBOX_PAYGOV_FAULTS`` says: an attempt lost before sending (error), delivered with its answer lost
    (timeout), or sent twice (duplicate)."""
    from .models import SandboxPaygovTransaction
    from .sandbox.paygov import faults_draw

    # Outside any transaction, as in sandbox_vnpay_send_ipn.
    with transaction.atomic():
        txn = SandboxPaygovTransaction.objects.select_for_update().filter(pk=transaction_id).first()
        if txn is None or txn.callback_state != "pending":
            return "skipped"
        txn.callback_attempts += 1
        txn.save(update_fields=["callback_attempts"])
    faults, draw = faults_draw()
    code, answer = "", ""
    if draw < faults.error_rate:
        answer = "sandbox fault: error (not sent)"
    else:
        sends = 2 if draw >= 1 - faults.duplicate_rate else 1
        for _ in range(sends):
            try:
                response = (transport or requests).post(
                    str(settings.MOTCUA_SANDBOX_PAYGOV_NOTIFY_URL), json=txn.result, timeout=10
                )
                answer = response.text[:500]
                code = str(response.json().get("MaLoi", ""))
            except (requests.RequestException, ValueError, AttributeError) as exc:
                code = ""
                answer = answer or f"{type(exc).__name__}: {exc}"[:500]
        if draw < faults.error_rate + faults.timeout_rate:
            code, answer = "", "sandbox fault: timeout (answer lost)"
    with transaction.atomic():
        txn = SandboxPaygovTransaction.objects.select_for_update().get(pk=transaction_id)
        if txn.callback_state != "pending":
            return txn.callback_state
        txn.callback_last_answer = answer
        retry = False
        if code in ("00", "02"):
            txn.callback_state = "delivered"
        elif (
            txn.callback_attempts < settings.MOTCUA_SANDBOX_PAYGOV_NOTIFY_ATTEMPTS
            and task_backends[sandbox_paygov_send_notify.backend].supports_defer
        ):
            retry = True
        else:
            txn.callback_state = "failed"
        txn.save(update_fields=["callback_state", "callback_last_answer"])
        logger.info(
            "sandbox_paygov_notify", reference=txn.lookup_code, attempt=txn.callback_attempts, code=code
        )
        if retry:
            wait = dt.timedelta(seconds=settings.MOTCUA_SANDBOX_PAYGOV_NOTIFY_RETRY_SECONDS)
            sandbox_paygov_send_notify.using(run_after=clock.now() + wait).enqueue(txn.pk)
        return txn.callback_state


def _next_night(now: dt.datetime) -> dt.datetime:
    """01:00 Vietnam time after ``now``: the nightly reconciliation's next run."""
    local = now.astimezone(clock.VN_TZ)
    run = local.replace(hour=1, minute=0, second=0, microsecond=0)
    return run if run > local else run + dt.timedelta(days=1)


@task()
def reconcile_payments_daily(*, reschedule: bool = True) -> str:
    """The nightly reconciliation (issue 12, item 7): settle what is pending after its expiry at every
    queryable gateway, then build and keep yesterday's report (per gateway and unit: expected, received,
    differences; finance staff download it in the back office). Then queue the next night's run: a chain of
    one task at a time, started by ``motcua reconcile-payments --schedule``."""
    from .reconciliation import report_build, settle_expired

    try:
        counts = settle_expired()
        yesterday = clock.now().astimezone(clock.VN_TZ).date() - dt.timedelta(days=1)
        report = report_build(yesterday)
        outcome = (
            f"settled:{counts['succeeded']} expired:{counts['expired']} differences:{report.differences}"
        )
    except Exception as exc:  # the chain goes on: tomorrow's run tries again
        logger.exception("payment_reconciliation_failed")
        outcome = f"failed: {type(exc).__name__}"
    if reschedule:
        reconcile_payments_daily.using(run_after=_next_night(clock.now())).enqueue(reschedule=True)
    return outcome


def reconcile_schedule_ensure() -> bool:
    """Queue the nightly reconciliation unless a run is queued already; ``True`` when one was queued now."""
    try:  # the database task backend: is a run of the chain waiting?
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - another backend: queue one
        DBTaskResult = None  # type: ignore[misc, assignment]
    if DBTaskResult is not None:
        path = reconcile_payments_daily.module_path
        if DBTaskResult.objects.filter(task_path=path, status="READY").exists():
            return False
    reconcile_payments_daily.using(run_after=_next_night(clock.now())).enqueue(reschedule=True)
    return True
