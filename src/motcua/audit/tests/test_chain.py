"""The audit trail's hash chain: one chain per Vietnam day; ``motcua verify-audit`` finds edited and deleted rows."""

from __future__ import annotations

import datetime as dt
import threading
import time
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection, transaction

from motcua.audit.chain import entry_digest, genesis_hash, link_hash
from motcua.audit.models import AuditChainHead, AuditEntry
from motcua.audit.selectors import audit_verify
from motcua.audit.services import audit_record
from motcua.core import clock

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 10)
MORNING = dt.datetime(2025, 3, 10, 9, 0, tzinfo=clock.VN_TZ)


def record(n: int, at: dt.datetime = MORNING, **data: object) -> list[AuditEntry]:
    with clock.frozen(at):
        return [
            audit_record(actor=None, action="test.act", object_type="x", object_id=i, data={"i": i, **data})
            for i in range(n)
        ]


def raw(sql: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_command(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify_audit", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def test_entries_form_one_chain_per_vietnam_day() -> None:
    first, second, third = record(3)
    # 23:59 and 00:01 Vietnam time (16:59 and 17:01 UTC): two days, two chains
    (late,) = record(1, dt.datetime(2025, 3, 10, 16, 59, tzinfo=dt.UTC))
    (next_day,) = record(1, dt.datetime(2025, 3, 10, 17, 1, tzinfo=dt.UTC))
    assert [(e.chain_day, e.seq) for e in (first, second, third, late)] == [
        (DAY, 1),
        (DAY, 2),
        (DAY, 3),
        (DAY, 4),
    ]
    assert (next_day.chain_day, next_day.seq) == (dt.date(2025, 3, 11), 1)
    assert first.prev_hash == genesis_hash(DAY)
    assert next_day.prev_hash == genesis_hash(dt.date(2025, 3, 11)) != first.prev_hash
    assert [e.prev_hash for e in (second, third, late)] == [first.hash, second.hash, third.hash]
    stored = AuditEntry.objects.get(pk=second.pk)
    assert stored.hash == link_hash(stored.prev_hash, entry_digest(stored))
    head = AuditChainHead.objects.get(day=DAY)
    assert (head.count, head.prev_hash, head.last_hash) == (4, third.hash, late.hash)
    result = audit_verify()
    assert result.ok
    assert [(d.day, d.entries) for d in result.days] == [(DAY, 4), (dt.date(2025, 3, 11), 1)]
    code, out = verify_command()
    assert code == 0, out
    assert f"2025-03-10  4 bản ghi  {late.hash}  ok" in out
    assert "Chuỗi nhật ký nguyên vẹn: 2 ngày, 5 bản ghi." in out


def test_numbers_dates_and_text_hash_as_they_read_back() -> None:
    record(1, f=0.5, whole=2.0, big=1e300, tiny=1.5e-300, text='Nguyễn Văn A \u2028 "=x"', none=None)
    with clock.frozen(MORNING.replace(microsecond=123456)):
        audit_record(actor=None, action="t", object_type="x", object_id="ä", data={"d": dt.date(2025, 1, 2)})
    entry = AuditEntry.objects.get(seq=1)
    assert entry.data["whole"] == 2
    assert isinstance(entry.data["whole"], int)
    assert audit_verify().ok


def test_an_edited_row_is_caught() -> None:
    entries = record(4)
    raw("UPDATE audit_auditentry SET object_id = %s WHERE id = %s", "999", entries[2].pk)
    result = audit_verify()
    (broken,) = result.breaks
    assert (broken.day, broken.entry_id, broken.seq) == (DAY, entries[2].pk, 3)
    assert "nội dung bản ghi không khớp mã băm" in broken.problem
    assert broken.found == entries[2].hash
    code, out = verify_command("--from", "2025-03-10", "--to", "2025-03-10")
    assert code == 1
    assert f"bản ghi id {entries[2].pk} (số 3 của ngày 2025-03-10)" in out
    assert "Chuỗi nhật ký bị đứt ở 1 ngày" in out


def test_an_edited_json_field_or_instant_is_caught() -> None:
    entries = record(3)
    raw("UPDATE audit_auditentry SET at = %s WHERE id = %s", MORNING + dt.timedelta(seconds=1), entries[0].pk)
    assert [b.entry_id for b in audit_verify().breaks] == [entries[0].pk]


def test_a_rehashed_edit_breaks_the_next_link() -> None:
    entries = record(3)
    edited = AuditEntry.objects.get(pk=entries[1].pk)
    edited.action = "forged"
    forged = link_hash(edited.prev_hash, entry_digest(edited))
    raw("UPDATE audit_auditentry SET action = 'forged', hash = %s WHERE id = %s", forged, edited.pk)
    (broken,) = audit_verify().breaks
    assert broken.entry_id == entries[2].pk
    assert "chuỗi bị đứt" in broken.problem
    assert (broken.expected, broken.found) == (forged, entries[1].hash)


def test_a_deleted_row_is_caught() -> None:
    entries = record(5)
    raw("DELETE FROM audit_auditentry WHERE id IN (%s, %s)", entries[1].pk, entries[2].pk)
    (broken,) = audit_verify().breaks
    assert (broken.entry_id, broken.seq) == (entries[3].pk, 4)
    assert broken.problem.startswith("thiếu bản ghi số 2–3 của chuỗi")
    code, out = verify_command()
    assert code == 1
    assert f"bản ghi id {entries[3].pk}" in out


def test_the_deleted_last_row_and_a_deleted_head_are_caught() -> None:
    entries = record(3)
    record(2, MORNING + dt.timedelta(days=1))
    raw("DELETE FROM audit_auditentry WHERE id = %s", entries[2].pk)
    (broken,) = audit_verify().breaks
    assert (broken.day, broken.entry_id) == (DAY, None)
    assert "đầu chuỗi ghi 3 bản ghi, còn 2" in broken.problem
    AuditChainHead.objects.filter(day=DAY + dt.timedelta(days=1)).delete()
    assert [b.problem for b in audit_verify().breaks][1] == "mất đầu chuỗi của ngày (bị xóa)"
    # a range leaves other days out
    assert audit_verify(since=DAY + dt.timedelta(days=2)).ok


def test_a_rolled_back_write_leaves_no_trace_in_the_chain() -> None:
    record(1)

    def write_then_fail() -> None:
        with transaction.atomic(), clock.frozen(MORNING):
            audit_record(actor=None, action="gone", object_type="x", object_id=1)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    (entry,) = record(1)
    assert entry.seq == 2
    assert audit_verify().ok


def test_bad_dates_exit_2() -> None:
    assert verify_command("--from", "2025-13-01")[0] == 2
    assert verify_command("--from", "2025-03-02", "--to", "2025-03-01")[0] == 2


def test_the_migration_chains_existing_rows() -> None:
    migration = __import__("motcua.audit.migrations.0002_audit_hash_chain", fromlist=["x"])
    entries = record(3) + record(2, MORNING + dt.timedelta(days=1))
    # as before the migration: no chain yet
    raw("UPDATE audit_auditentry SET seq = 1000 + id, prev_hash = '', hash = '', chain_day = '2000-01-01'")
    AuditChainHead.objects.all().delete()

    class Editor:
        class connection:
            alias = "default"

    migration.chain_existing_entries(apps, Editor)
    result = audit_verify()
    assert result.ok
    assert [(d.day, d.entries) for d in result.days] == [(DAY, 3), (DAY + dt.timedelta(days=1), 2)]
    assert [e.hash for e in AuditEntry.objects.order_by("pk")] == [e.hash for e in entries]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_one_day_do_not_fork_the_chain() -> None:
    """Eight threads, each appending in its own transactions that stay open a while after the entry: the head
    row's lock makes them take turns; every position is taken once and the chain verifies."""
    assert connection.vendor == "postgresql"
    threads, per_thread = 8, 5
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            for j in range(per_thread):
                with transaction.atomic():
                    audit_record(actor=None, action="race", object_type="t", object_id=f"{i}-{j}")
                    time.sleep(0.01)  # other work of the same transaction, the head still locked
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    with clock.frozen(MORNING):
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    assert errors == []
    seqs = sorted(AuditEntry.objects.filter(chain_day=DAY).values_list("seq", flat=True))
    assert seqs == list(range(1, threads * per_thread + 1))
    result = audit_verify()
    assert result.ok, result.breaks
    assert result.entries == threads * per_thread
