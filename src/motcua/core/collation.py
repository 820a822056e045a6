"""One Vietnamese sort order in the database: the ``vi-x-icu`` collation on PostgreSQL and SQLite alike.

PostgreSQL (built with ICU) has the ``vi-x-icu`` collation: đ after d, ă and â after a, ơ after ô, ư after u,
tones as a second level (CLDR's "vi"). SQLite has no ICU, so every SQLite connection gets a collation of the
same name whose comparison is :func:`motcua.core.text.vi_sort_key` (registered from ``CoreConfig.ready``).
``ORDER BY name COLLATE "vi-x-icu"`` then sorts in Vietnamese order on both databases:
``queryset.order_by(vi_collate("name"))``. Lists built in Python use ``core.text.vi_sorted`` (same order).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.db.models.functions import Collate

from .text import vi_sort_key

VI_COLLATION = "vi-x-icu"


def vi_collate(field: str) -> Collate:
    """``field`` in Vietnamese order, for ``order_by`` (and admin ``ordering``)."""
    return Collate(F(field), VI_COLLATION)


def _compare(a: str, b: str) -> int:
    ka, kb = vi_sort_key(a), vi_sort_key(b)
    return (ka > kb) - (ka < kb)


def sqlite_collation_register(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: give an SQLite connection the ``vi-x-icu`` collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(VI_COLLATION, _compare)
