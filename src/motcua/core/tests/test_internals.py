"""The private Django/DRF internals ``core.internals`` relies on still behave as it assumes.

These tests run against the installed Django and DRF: an upgrade that renames or changes the prefetch cache,
the queryset result cache or DRF's declared-field copy fails here, naming the helper to fix.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from motcua.core.internals import cache_related, cached_related, copy_declared_fields

PRIVATE = re.compile(r"\b(_prefetched_objects_cache|_result_cache|_prefetch_done|_declared_fields)\b")


@pytest.mark.django_db
def test_cache_related_makes_all_answer_without_a_query() -> None:
    group = Group.objects.create(name="Một cửa")
    rows = list(Permission.objects.order_by("pk")[:3])
    assert len(rows) == 3
    fresh = Group.objects.get(pk=group.pk)
    assert cached_related(fresh, "permissions") is None
    cache_related(fresh, permissions=rows)
    with CaptureQueriesContext(connection) as queries:
        answered = list(fresh.permissions.all())
        cached = cached_related(fresh, "permissions")
    assert len(queries) == 0, "Django's prefetch cache changed: fix motcua.core.internals.cache_related"
    assert answered == rows
    assert cached == rows


@pytest.mark.django_db
def test_cached_related_reads_what_prefetch_related_loaded() -> None:
    group = Group.objects.create(name="Lãnh đạo")
    group.permissions.set(Permission.objects.order_by("pk")[:2])
    loaded = Group.objects.prefetch_related("permissions").get(pk=group.pk)
    with CaptureQueriesContext(connection) as queries:
        cached = cached_related(loaded, "permissions")
    assert len(queries) == 0
    assert cached is not None, "Django's prefetch cache changed: fix motcua.core.internals.cached_related"
    assert sorted(p.pk for p in cached) == sorted(group.permissions.values_list("pk", flat=True))
    assert cached_related(loaded, "user_set") is None


class _Line(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=5)
    count = serializers.IntegerField(min_value=0, default=1)


class _Order(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField(source="ref", max_length=20)
    kind = serializers.ChoiceField(choices=[("a", "A"), ("b", "B")])
    at = serializers.DateTimeField(required=False)
    total = serializers.SerializerMethodField()
    lines = _Line(many=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    extra = serializers.DictField(child=serializers.IntegerField(), required=False)

    def get_total(self, obj: dict[str, Any]) -> int:
        return len(obj["lines"])


def _shape(field: serializers.Field) -> Any:  # type: ignore[type-arg]
    """A comparable picture of a field: its type, its attributes and (recursively) its children."""
    attrs = {
        key: repr(value) if key == "validators" or key.startswith("_") else value
        for key, value in vars(field).items()
        if key not in {"child", "child_relation", "parent", "_validators", "_creation_counter"}
    }
    attrs["validators"] = [(type(v), getattr(v, "limit_value", None)) for v in field.validators]
    children: dict[str, Any] = {}
    if isinstance(field, serializers.ListSerializer):
        children["child"] = type(field.child)
    elif isinstance(field, serializers.Serializer):
        children = {name: _shape(f) for name, f in field._declared_fields.items()}
    elif hasattr(field, "child"):
        children["child"] = _shape(field.child)
    return type(field), attrs, children


def test_copy_declared_fields_equals_drfs_own_deepcopy() -> None:
    """DRF's ``Serializer.get_fields`` is ``copy.deepcopy(self._declared_fields)``: ours must match it."""
    ours = copy_declared_fields(_Order())
    drfs = copy.deepcopy(_Order._declared_fields)  # type: ignore[attr-defined]
    assert list(ours) == list(drfs)
    for name in drfs:
        assert _shape(ours[name]) == _shape(drfs[name]), name
        assert ours[name] is not _Order._declared_fields[name]  # type: ignore[attr-defined]


def test_drf_get_fields_is_still_a_deepcopy_of_the_declared_fields() -> None:
    """If DRF's base ``get_fields`` stops being that copy, ``copy_declared_fields`` must be revisited."""
    plain = serializers.Serializer.get_fields(_Order())
    assert list(plain) == list(_Order._declared_fields)  # type: ignore[attr-defined]
    for name, field in plain.items():
        assert field is not _Order._declared_fields[name]  # type: ignore[attr-defined]
        assert _shape(field) == _shape(copy_declared_fields(_Order())[name]), name


def test_bound_copies_render_and_validate_like_drf() -> None:
    class Ours(_Order):
        def get_fields(self) -> dict[str, Any]:
            return copy_declared_fields(self)

    obj = {"ref": "HS-1", "kind": "a", "lines": [{"name": "x", "count": 2}], "tags": ["ab"]}
    assert Ours(obj).data == _Order(obj).data
    bad = {"code": "X" * 30, "kind": "z", "lines": [{"name": "too long", "count": -1}], "tags": ["abcd"]}
    ours, drfs = Ours(data=bad), _Order(data=bad)
    assert not ours.is_valid()
    assert not drfs.is_valid()
    assert ours.errors == drfs.errors


def test_no_other_module_touches_these_internals() -> None:
    src = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if path.name != "internals.py"
        and "tests" not in path.parts
        and PRIVATE.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "Use motcua.core.internals instead of private framework attributes"
