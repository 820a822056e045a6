"""motcua.core.rows: its inserts, updates, locks and reads write and give what the ORM's would (SQLite and
PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from motcua.core.rows import insert_row, insert_rows, lock_row, read_row, update_row
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import dossier_in
from motcua.payments.constants import EntryKind, EntrySource
from motcua.payments.models import LedgerEntry

pytestmark = pytest.mark.django_db

RELATED = ("procedure_version", "unit", "current_step")


def _fields(obj: object) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}  # type: ignore[attr-defined]


def _same_as_the_orm(pk: int) -> None:
    ours = read_row(Dossier, pk, RELATED)
    orm = Dossier.objects.select_related(*RELATED).get(pk=pk)
    assert _fields(ours) == _fields(orm)  # datetimes, dates, JSON, booleans converted alike
    assert _fields(ours.procedure_version) == _fields(orm.procedure_version)
    assert _fields(ours.unit) == _fields(orm.unit)
    if orm.current_step is None:
        assert ours.current_step is None
    else:
        assert _fields(ours.current_step) == _fields(orm.current_step)
    assert ours._state.adding is False
    assert ours._state.db == "default"
    with CaptureQueriesContext(connection) as queries:  # the relations are cached: no lazy read
        seen = (ours.procedure_version.pk, ours.unit.code, ours.current_step)
    assert queries.captured_queries == []
    assert seen[0] == orm.procedure_version_id


def test_read_row_reads_what_select_related_reads(world: World) -> None:
    world.version.result_documents = ["Giấy khai sinh (bản chính)"]  # a JSON column through its converter
    world.version.save(update_fields=["result_documents"])
    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a, extended=True)
    _same_as_the_orm(dossier.pk)  # no current step: the LEFT JOIN's row is missing
    dossier_transition(dossier=dossier, action=Action.FORWARD, actor=world.officer_a)
    moved = Dossier.objects.get(pk=dossier.pk)
    assert moved.current_step_id is not None
    _same_as_the_orm(dossier.pk)


def test_read_row_of_a_missing_row_raises_does_not_exist(world: World) -> None:
    with pytest.raises(Dossier.DoesNotExist):
        read_row(Dossier, 987654, RELATED)
    with pytest.raises(Dossier.DoesNotExist):
        read_row(Dossier, 987654, lock=True)


def test_read_row_locks_only_a_row_read_alone(world: World) -> None:
    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    assert _fields(read_row(Dossier, dossier.pk, lock=True)) == _fields(Dossier.objects.get(pk=dossier.pk))
    with pytest.raises(ValueError, match="lock the row first"):
        read_row(Dossier, dossier.pk, RELATED, lock=True)


def test_update_row_writes_the_named_fields_only(world: World) -> None:
    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    mine = Dossier.objects.get(pk=dossier.pk)
    mine.status, mine.version, mine.applicant_name = Status.PROCESSING, 7, "Không được ghi"
    update_row(mine, ["status", "version"])
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert (fresh.status, fresh.version, fresh.applicant_name) == (
        Status.PROCESSING,
        7,
        dossier.applicant_name,
    )
    mine.pk = 987654
    with pytest.raises(DatabaseError, match="changed 0 rows"):
        update_row(mine, ["status", "version"])


def test_lock_row_of_a_missing_row_raises_does_not_exist(world: World) -> None:
    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    lock_row(Dossier, dossier.pk)
    with pytest.raises(Dossier.DoesNotExist):
        lock_row(Dossier, dossier.pk + 1000)


def test_insert_rows_sets_each_id_in_order_and_insert_row_skips_a_conflict(world: World) -> None:
    dossier = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_a)
    events = [
        DossierEvent(
            dossier=dossier, action="receive", at=dossier.received_at, to_status=Status.RECEIVED, note=n
        )
        for n in ("một", "hai", "ba")
    ]
    insert_rows(events)
    assert [DossierEvent.objects.get(pk=e.pk).note for e in events] == ["một", "hai", "ba"]
    assert all(e._state.adding is False for e in events)

    def entry() -> LedgerEntry:
        return LedgerEntry(
            dossier=dossier,
            kind=EntryKind.CHARGE,
            amount=20_000,
            name="Lệ phí",
            source=EntrySource.FEE,
            idempotency_key="fee:once",
            at=dossier.received_at,
        )

    first, again = entry(), entry()
    assert insert_row(first, unless_exists="idempotency_key") is True
    assert insert_row(again, unless_exists="idempotency_key") is False
    assert again.pk is None
    assert again._state.adding is True
    assert LedgerEntry.objects.filter(idempotency_key="fee:once").count() == 1
