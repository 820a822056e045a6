from __future__ import annotations

import datetime as dt

import factory

from motcua.worktime.calendar import VN_TZ
from motcua.worktime.constants import OverrideKind
from motcua.worktime.models import CalendarOverride


class CalendarOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarOverride
        django_get_or_create = ("date",)

    date = factory.Sequence(lambda n: dt.date(2030, 1, 1) + dt.timedelta(days=n))
    kind = OverrideKind.EXTRA_DAY_OFF
    name = factory.Sequence(lambda n: f"Ngày nghỉ thêm {n}")
    decision = "Quyết định 1/QĐ-UBND"


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """An aware datetime in Asia/Ho_Chi_Minh."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)
