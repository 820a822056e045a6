"""The API's base serializer copies leaf fields shallowly: each instance still has fields of its own."""

from __future__ import annotations

from rest_framework import serializers

from motcua.api.serializers import Serializer


class Item(Serializer):
    name = serializers.CharField(max_length=5)
    count = serializers.IntegerField(min_value=0, default=1)


class Order(Serializer):
    code = serializers.CharField(source="ref")
    total = serializers.SerializerMethodField()
    items = Item(many=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=3), required=False)

    def get_total(self, obj: dict[str, object]) -> int:
        return len(obj["items"]) * self.context["factor"]  # type: ignore[arg-type,no-any-return]


def test_each_instance_binds_copies_of_its_own() -> None:
    first, second = Order(context={"factor": 1}), Order(context={"factor": 10})
    for name in ("code", "total", "items", "tags"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first
        assert second.fields[name].parent is second
        assert Order._declared_fields[name].parent is None  # type: ignore[attr-defined]
    assert first.fields["items"].child is not second.fields["items"].child
    assert first.fields["items"].child.fields["name"] is not second.fields["items"].child.fields["name"]
    assert first.fields["tags"].child.parent is first.fields["tags"]
    assert second.fields["tags"].child.parent is second.fields["tags"]


def test_rendering_and_validation_do_not_leak_between_instances() -> None:
    obj = {"ref": "HS-1", "items": [{"name": "a", "count": 2}, {"name": "b", "count": 3}]}
    assert Order(obj, context={"factor": 1}).data["total"] == 2
    assert Order(obj, context={"factor": 10}).data == {
        "code": "HS-1",
        "total": 20,
        "items": [{"name": "a", "count": 2}, {"name": "b", "count": 3}],
    }
    bad = Item(data={"name": "too long", "count": -1})
    assert not bad.is_valid()
    assert set(bad.errors) == {"name", "count"}
    good = Item(data={"name": "ok"})
    assert good.is_valid(), good.errors
    assert good.validated_data == {"name": "ok", "count": 1}
    tagged = Order(data={"code": "X", "items": [], "tags": ["abcd"]})
    assert not tagged.is_valid()
    assert "tags" in tagged.errors
