"""The base class of every API serializer: DRF's, with a cheaper copy of the declared fields.

DRF gives each serializer instance its own fields with a deep copy of the class's declared fields, and a
field's ``__deepcopy__`` builds it again from its constructor arguments. On counter intake that was about a
tenth of the request's instructions (the 201 body alone has some 70 fields; ADR 0005). A leaf field (no
child field, not a serializer) keeps nothing that validation or rendering changes: binding it to its
serializer only sets attributes of its own (``field_name``, ``parent``, ``source``, ``source_attrs``,
``label``). So each instance
gets a shallow copy of each leaf field (its own attributes, the constructor's validators and choices shared
read-only) and a deep copy, as in DRF, of every field that holds other fields (nested serializers,
``ListField``, ``DictField``, related-field lists), whose children are bound to their parent. The copy
itself lives in ``motcua.core.internals`` with the other uses of private framework internals.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from motcua.core.internals import copy_declared_fields


class Serializer(serializers.Serializer):
    def get_fields(self) -> dict[str, Any]:
        return copy_declared_fields(self)
