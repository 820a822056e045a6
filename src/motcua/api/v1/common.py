"""Pieces shared by the API v1 modules: query-parameter parsing with stable error codes, schema helpers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.request import Request

from motcua.core.errors import ValidationFailed

AS_OF = OpenApiParameter(
    "as_of", OpenApiTypes.DATE, description="Ngày tra cứu (YYYY-MM-DD), mặc định hôm nay", required=False
)


class QueryBoolean(serializers.BooleanField):
    """A boolean query parameter as OpenAPI writes it: ``true`` or ``false``, nothing else.

    DRF's ``BooleanField`` also takes ``1``, ``yes``, ``on``, ``True`` …, and with ``allow_null`` ``null`` and
    the empty string: values the schema calls invalid were answered as if valid (issue 17).
    """

    TRUE_VALUES = {"true", True}
    FALSE_VALUES = {"false", False}
    NULL_VALUES: set[str | None] = set()
    # DRF reads a boolean missing from form-like data (a query string) as ``False`` (an unticked checkbox):
    # a query parameter left out is "not given", never "false" (else every unfiltered list hid the overdue).
    default_empty_html = empty


def query_params(
    serializer_class: type[serializers.Serializer],
    request: Request,
    codes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The validated query parameters, or a 400 whose code names the first invalid parameter.

    ``codes`` maps a parameter to its stable error code (e.g. ``{"as_of": "invalid_date"}``); any other
    invalid parameter answers ``invalid_parameters``.
    """
    serializer = serializer_class(data=request.query_params)
    for name, field in serializer.fields.items():
        # A parameter given twice, or given empty where an empty string means nothing (a date, a choice), is
        # an error, not "not given" (DRF's reading of a form).
        values = request.query_params.getlist(name)
        if len(values) > 1 or (values == [""] and not isinstance(field, serializers.CharField)):
            code = (codes or {}).get(name, "invalid_parameters")
            message = _("Tham số %(name)s phải có đúng một giá trị.") % {"name": name}
            raise ValidationFailed(_("Tham số truy vấn không hợp lệ."), code=code, details={name: [message]})
    if not serializer.is_valid():
        first = next(iter(serializer.errors))
        code = (codes or {}).get(first, "invalid_parameters")
        raise ValidationFailed(_("Tham số truy vấn không hợp lệ."), code=code, details=serializer.errors)
    return dict(serializer.validated_data)


def paginated(name: str, item: serializers.Serializer) -> serializers.Serializer:
    """Schema of a limit/offset page of ``item``s."""
    return inline_serializer(
        name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item,
        },
    )
