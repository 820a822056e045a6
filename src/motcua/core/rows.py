"""Row inserts, updates, locks and reads in statements built once per process, for the hot paths where the
ORM's cost shows.

The ORM spends several hundred Python calls building each statement, every time; on the paths measured by the
benchmarks (a payment's credit and the dossier's move on: ``bench/payments.py``, docs/performance.md "VNPay IPN
handling") that was most of the CPU. The statements here are the ones the ORM would send, built from the
model's own metadata once per process and connection: the columns and their conversions are the model's
(``concrete_fields``, ``pre_save``, ``get_db_prep_save`` on the way in, ``get_db_converters`` and ``from_db``
on the way out). Only for models with no ``save()`` logic and no signal receivers of their own (events, audit
entries, notices, receipts, deliveries, payments, dossiers); elsewhere use the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Model

# Statements built once per process: (connection alias, kind, model, detail) -> what ``build`` made of them.
_built: dict[tuple[str, str, type[Model], Any], Any] = {}


def _statement(kind: str, model: type[Model], detail: Any, build: Callable[[Any, Any], Any]) -> Any:
    key = (connection.alias, kind, model, detail)
    found = _built.get(key)
    if found is None:
        found = _built[key] = build(connection.ops.quote_name, model._meta)
    return found


def insert_row(obj: Model, *, unless_exists: str = "") -> bool:
    """Insert the new row ``obj`` in one statement, ``RETURNING`` its id; whether it was inserted.

    ``unless_exists``: a unique column; the insert is ``ON CONFLICT (…) DO NOTHING`` and a conflict returns
    False with nothing written (PostgreSQL and SQLite). On success ``obj`` is a saved instance (its ``pk``
    set, no longer "adding").
    """
    return bool(_insert([obj], unless_exists=unless_exists))


def insert_rows(objs: Sequence[Model]) -> None:
    """Insert the new rows ``objs`` (one model) in one statement and set their ids (as ``bulk_create`` does,
    which returns the ids in the order of the rows on PostgreSQL and SQLite)."""
    if objs:
        _insert(objs)


def _insert(objs: Sequence[Model], *, unless_exists: str = "") -> int:
    def build(qn: Any, meta: Any) -> tuple[list[Any], str]:
        # The key too when the model makes it (a UUID's default), not when the database does (an AutoField).
        fields = [f for f in meta.concrete_fields if not (f.primary_key and f.db_returning)]
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
        conflict = f"ON CONFLICT ({qn(unless_exists)}) DO NOTHING " if unless_exists else ""
        return fields, (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
            f"VALUES {', '.join([row] * len(objs))} {conflict}RETURNING {qn(meta.pk.column)}"
        )

    fields, sql = _statement("insert", type(objs[0]), (len(objs), unless_exists), build)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    for obj, row in zip(objs, rows, strict=False):
        if obj._meta.pk.db_returning:  # made by the database (else the instance has it already)
            obj.pk = row[0]
        obj._state.adding = False
        obj._state.db = connection.alias
    return len(rows)


def update_row(obj: Model, fields: Sequence[str]) -> None:
    """``obj.save(update_fields=fields)`` in one statement built once per process: the same ``UPDATE`` of the
    named fields (``pre_save`` and ``get_db_prep_save`` of each), ``DatabaseError`` if no row was updated."""

    def build(qn: Any, meta: Any) -> tuple[list[Any], str]:
        chosen = [meta.get_field(name) for name in fields]
        sets = ", ".join(f"{qn(f.column)} = %s" for f in chosen)
        return chosen, f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {qn(meta.pk.column)} = %s"  # noqa: S608

    chosen, sql = _statement("update", type(obj), tuple(fields), build)
    values = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in chosen]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, obj.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"{type(obj).__name__} {obj.pk}: the update changed {cursor.rowcount} rows")


def lock_row(model: type[Model], pk: int) -> None:
    """Lock ``model``'s row ``pk`` until the transaction ends (``SELECT … FOR UPDATE``; nothing on SQLite,
    whose writers are serialised by the database lock): ``model.DoesNotExist`` if there is none.

    The statement ``select_for_update().filter(pk=pk).values_list("pk").get()`` sends, without the ORM's
    cost of building it (a lock taken on every credit and transition).
    """

    def build(qn: Any, meta: Any) -> tuple[list[Any], str]:
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        return [], f"SELECT 1 FROM {qn(meta.db_table)} WHERE {qn(meta.pk.column)} = %s{lock}"  # noqa: S608

    _, sql = _statement("lock", model, None, build)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        if cursor.fetchone() is None:
            raise model.DoesNotExist(f"{model._meta.object_name} {pk} does not exist")  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Read:
    sql: str
    # Per model read, in the row's order: the model, where its columns start, how many, where its primary
    # key is among them, and the relation's name on the main model ("" for the main model).
    parts: tuple[tuple[type[Model], int, int, int, str], ...]
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]


def _read_plan(qn: Any, meta: Any, related: tuple[str, ...], lock: bool) -> _Read:
    columns: list[Any] = []
    parts: list[tuple[type[Model], int, int, int, str]] = []
    joins: list[str] = []
    tables: list[tuple[type[Model], str, str]] = [(meta.model, "t0", "")]
    for n, name in enumerate(related, start=1):
        field: Any = meta.get_field(name)
        target: type[Model] = field.related_model
        joins.append(
            f"{'LEFT OUTER JOIN' if field.null else 'INNER JOIN'} {qn(target._meta.db_table)} t{n} "
            f"ON t0.{qn(field.column)} = t{n}.{qn(field.target_field.column)}"
        )
        tables.append((target, f"t{n}", name))
    for table_model, alias, name in tables:
        fields = table_model._meta.concrete_fields
        pk_at = fields.index(table_model._meta.pk)
        parts.append((table_model, len(columns), len(fields), pk_at, name))
        columns.extend(field.get_col(alias) for field in fields)
    converters = []
    for i, col in enumerate(columns):
        found = tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        if found:
            converters.append((i, found, col))
    select = ", ".join(f"{col.alias}.{qn(col.target.column)}" for col in columns)
    for_update = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
    sql = (
        f"SELECT {select} FROM {qn(meta.db_table)} t0 {' '.join(joins)} "  # noqa: S608
        f"WHERE t0.{qn(meta.pk.column)} = %s{for_update}"
    )
    return _Read(sql=sql, parts=tuple(parts), converters=tuple(converters))


def read_row[M: Model](model: type[M], pk: int, related: tuple[str, ...] = (), *, lock: bool = False) -> M:
    """``model.objects.select_related(*related).get(pk=pk)`` (foreign keys of ``model`` only), in one
    statement built once per process: the ORM spent up to a millisecond of CPU building and reading it on
    every credit and transition (issue 12, item 11). The values go through the same converters as the ORM's
    (``get_db_converters`` of the backend and the fields), the instances come from ``from_db`` and the related
    ones are cached on the main one as ``select_related`` does. ``model.DoesNotExist`` if there is none.

    ``lock``: ``select_for_update()`` too, only without ``related``: a ``FOR UPDATE`` that waited re-reads the
    locked row but not the joined ones (``dossiers.lifecycle.dossier_lock`` locks, then reads).
    """
    if lock and related:
        raise ValueError("read_row: lock the row first (lock_row), then read it with its relations")
    plan: _Read = _statement(
        "read", model, (related, lock), lambda qn, meta: _read_plan(qn, meta, related, lock)
    )
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, [pk])
        row = cursor.fetchone()
    if row is None:
        raise model.DoesNotExist(f"{model._meta.object_name} {pk} does not exist")  # type: ignore[attr-defined]
    values = list(row)
    for i, converters, col in plan.converters:
        for converter in converters:
            values[i] = converter(values[i], col, connection)
    _, start, size, _, _ = plan.parts[0]
    obj = model.from_db(connection.alias, (), values[start : start + size])
    for part_model, start, size, pk_at, name in plan.parts[1:]:
        chunk = values[start : start + size]
        related_obj = None if chunk[pk_at] is None else part_model.from_db(connection.alias, (), chunk)
        model._meta.get_field(name).set_cached_value(obj, related_obj)  # type: ignore[union-attr]
    return obj
