"""Limit/offset paging of every API list: at most ``MAX_LIMIT`` rows a page, strict parameters.

DRF's ``LimitOffsetPagination`` takes any ``limit`` when no maximum is set, and reads ``limit=false``,
``limit=0`` or a repeated ``offset`` as "not given" (issue 17). Here ``limit`` is an integer from 1 (larger
values are capped at ``MAX_LIMIT``), ``offset`` an integer from 0, each given at most once; anything else is a
400 ``invalid_pagination``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from motcua.core.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

LIMIT = OpenApiParameter(
    "limit",
    {"type": "integer", "minimum": 1},
    description=f"Số dòng mỗi trang, từ 1 (mặc định {DEFAULT_LIMIT}; lớn hơn {MAX_LIMIT} được tính là {MAX_LIMIT})",
    required=False,
)
OFFSET = OpenApiParameter(
    "offset", {"type": "integer", "minimum": 0}, description="Bỏ qua bao nhiêu dòng, từ 0", required=False
)


class Pagination(LimitOffsetPagination):
    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT

    def get_limit(self, request: Request) -> int:
        value = _integer(request, self.limit_query_param, minimum=1)
        if value is None:
            return self.default_limit
        return min(value, self.max_limit)

    def get_offset(self, request: Request) -> int:
        value = _integer(request, self.offset_query_param, minimum=0)
        return value or 0


def _integer(request: Request, name: str, *, minimum: int) -> int | None:
    values = request.query_params.getlist(name)
    if not values:
        return None
    value = values[0].strip()
    if len(values) > 1 or not value.isascii() or not value.isdigit() or int(value) < minimum:
        raise ValidationFailed(
            _("Tham số phân trang không hợp lệ."),
            code="invalid_pagination",
            details={name: [_("Một số nguyên không nhỏ hơn %(minimum)s.") % {"minimum": minimum}]},
        )
    return int(value)
