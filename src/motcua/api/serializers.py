"""The base class of every API serializer: DRF's, with a cheaper copy of the declared fields.

DRF gives each serializer instance its own fields with ``copy.deepcopy(self._declared_fields)``, and a
field's ``__deepcopy__`` builds it again from its constructor arguments. On counter intake that was about a
tenth of the request's instructions (the 201 body alone has some 70 fields; ADR 0005). A leaf field (no
child field, not a serializer) keeps nothing that validation or rendering changes: binding it to its
serializer only sets attributes of its own (``field_name``, ``parent``, ``source``, ``source_attrs``,
``label``). So each instance
gets a shallow copy of each leaf field (its own attributes, the constructor's validators and choices shared
read-only) and a deep copy, as in DRF, of every field that holds other fields (nested serializers,
``ListField``, ``DictField``, related-field lists), whose children are bound to their parent.
"""

from __future__ import annotations

import copy
from typing import Any

from rest_framework import serializers
from rest_framework.fields import Field


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


class Serializer(serializers.Serializer):
    def get_fields(self) -> dict[str, Any]:
        plan = _PLANS.get(type(self))
        if plan is None:
            declared = self._declared_fields.items()
            plan = _PLANS[type(self)] = [(name, f, _holds_fields(f)) for name, f in declared]
        return {name: copy.deepcopy(f) if deep else _leaf_copy(f) for name, f, deep in plan}
