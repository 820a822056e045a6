"""The audit trail's hash chain: one chain per Vietnam day (Asia/Ho_Chi_Minh), in append order.

Each entry stores ``prev_hash`` (the hash of the entry before it in its day's chain, or the day's genesis
hash for the first one) and ``hash = sha256(prev_hash + digest)``, where ``digest`` is the SHA-256 of a
canonical serialisation of the entry's own fields (``canonical``). ``AuditChainHead`` keeps each day's
length and last hash. Appending is one statement (``chain_append``): an upsert of the day's head row that
computes the new hash in SQL, returns the entry's position and both hashes, and keeps the row locked until
the transaction ends, so two transactions appending on the same day follow one another (no fork).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import connection

from .models import AuditChainHead

CHAIN_VERSION = "motcua-audit-v1"


def genesis_hash(day: dt.date) -> str:
    """The ``prev_hash`` of a day's first entry: bound to the day, so a chain cannot pass for another day's."""
    return hashlib.sha256(f"{CHAIN_VERSION}:{day.isoformat()}".encode()).hexdigest()


def normalise_data(value: Any) -> Any:
    """JSON data as it reads back from either database: integral floats become integers.

    PostgreSQL's jsonb keeps numbers as decimals (``1e100`` reads back as an integer), so a float that is a
    whole number is stored as the integer it is; other floats read back with the same ``repr``.
    """
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {key: normalise_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalise_data(item) for item in value]
    return value


def canonical(
    *,
    chain_day: dt.date,
    actor_id: int | None,
    actor_repr: str,
    action: str,
    object_type: str,
    object_id: str,
    at: dt.datetime,
    data: Any,
) -> bytes:
    """The bytes an entry's digest is computed over: sorted-key compact JSON, UTF-8, the instant in UTC."""
    fields = {
        "v": CHAIN_VERSION,
        "day": chain_day.isoformat(),
        "actor": actor_id,
        "actor_repr": actor_repr,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "data": data,
    }
    return json.dumps(
        fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False
    ).encode()


def entry_digest(entry: Any) -> str:
    """The digest of an ``AuditEntry`` (or any object with its fields) as stored."""
    return hashlib.sha256(
        canonical(
            chain_day=entry.chain_day,
            actor_id=entry.actor_id,
            actor_repr=entry.actor_repr,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            at=entry.at,
            data=entry.data,
        )
    ).hexdigest()


def link_hash(prev_hash: str, digest: str) -> str:
    """An entry's hash: SHA-256 of the previous hash followed by its digest (both lowercase hex, as text)."""
    return hashlib.sha256((prev_hash + digest).encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    seq: int
    prev_hash: str
    hash: str


def _sha256_sql(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"encode(sha256(convert_to({expression}, 'UTF8')), 'hex')"
    # Django registers SHA256(text) -> hex on its SQLite connections (the SHA256 database function).
    return f"SHA256({expression})"


def chain_append(*, day: dt.date, digest: str) -> Link:
    """Take the next position in ``day``'s chain for an entry with ``digest``: one locking upsert.

    Call inside the transaction that inserts the entry: the head row stays locked until it commits or rolls
    back (with it), which orders the appends of a day.
    """
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    first = genesis_hash(day)
    # The table name is the model's and the values are parameters.
    sql = (
        f"INSERT INTO {table} (day, count, prev_hash, last_hash) VALUES (%s, 1, %s, %s) "  # noqa: S608
        f"ON CONFLICT (day) DO UPDATE SET count = {table}.count + 1, prev_hash = {table}.last_hash, "
        f"last_hash = {_sha256_sql(f'{table}.last_hash || %s')} "
        "RETURNING count, prev_hash, last_hash"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, first, link_hash(first, digest), digest])
        seq, prev_hash, new_hash = cursor.fetchone()
    return Link(seq=seq, prev_hash=prev_hash, hash=new_hash)
