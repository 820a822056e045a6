"""Every use of a private Django or DRF internal, in one place.

Performance work (ADR 0005) reads and writes a few attributes that are not public API:

- Django's prefetch cache on a model instance (``instance._prefetched_objects_cache``) and the result cache of
  a queryset (``QuerySet._result_cache``, ``QuerySet._prefetch_done``): a service that has just written the
  rows of a relation puts them in the cache, so ``instance.<relation>.all()`` answers them without a query;
- DRF's declared fields of a serializer class (``Serializer._declared_fields``) and the per-instance copy
  ``Serializer.get_fields`` makes of them.

Nothing else in ``src`` may touch these names (``core/tests/test_internals.py`` greps for them). The same
test module exercises each helper against the installed Django and DRF, so an upgrade that changes one of
these internals fails there, loudly, rather than somewhere far away.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import Model
from rest_framework import serializers
from rest_framework.fields import Field

__all__ = ["cache_related", "cached_related", "copy_declared_fields"]


def cached_related(instance: Model, relation: str) -> list[Any] | None:
    """The rows of ``relation`` cached on ``instance`` (Django's prefetch cache), or None if not loaded."""
    cache: dict[str, Any] = getattr(instance, "_prefetched_objects_cache", {})
    rows = cache.get(relation)
    if rows is None:
        return None
    return list(rows._result_cache if hasattr(rows, "_result_cache") else rows)


def cache_related(instance: Model, **relations: list[Any]) -> None:
    """Fill the prefetch cache: ``instance.<relation>.all()`` then answers these rows without a query."""
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for relation, rows in relations.items():
        manager = getattr(instance, relation)
        qs = manager.get_queryset()
        qs._result_cache = list(rows)
        qs._prefetch_done = True
        cache[relation] = qs


def _holds_fields(field: Field) -> bool:
    return isinstance(field, serializers.BaseSerializer) or any(
        hasattr(field, name) for name in ("child", "child_relation")
    )


def _leaf_copy(field: Field) -> Field:
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone


# Per serializer class: its declared fields, each with "holds other fields" (decided once).
_PLANS: dict[type, list[tuple[str, Field, bool]]] = {}


def copy_declared_fields(serializer: serializers.Serializer[Any]) -> dict[str, Field]:
    """What DRF's ``Serializer.get_fields`` answers (a copy of the declared fields), built more cheaply.

    A leaf field (no child field, not a serializer) gets a shallow copy (its own attribute dict; the
    constructor's validators and choices shared read-only); a field holding other fields is deep-copied, as
    DRF does. The test checks the result equals DRF's own ``copy.deepcopy(_declared_fields)``.
    """
    plan = _PLANS.get(type(serializer))
    if plan is None:
        declared = serializer._declared_fields.items()
        plan = _PLANS[type(serializer)] = [(name, f, _holds_fields(f)) for name, f in declared]
    return {name: copy.deepcopy(f) if deep else _leaf_copy(f) for name, f, deep in plan}
