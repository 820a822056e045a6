"""Display helpers shared by the portal and the back office: money, numbers, dates, time limits.

The number and date filters are ``motcua.core.formatting`` (the same functions exports and messages use).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motcua.core import formatting
from motcua.worktime.constants import LimitUnit

register = template.Library()


@register.filter
def thousands(value: int | Decimal | None) -> str:
    """``1234567`` → ``1.234.567`` (``1,234,567`` in English)."""
    return formatting.thousands(value)


@register.filter
def percent(ratio: float | Decimal | None, decimals: int = 1) -> str:
    """``0.977`` → ``97,7 %`` (``97.7 %`` in English); ``—`` without a ratio."""
    return formatting.percent(ratio, decimals=int(decimals))


@register.filter
def day(value: dt.date | None) -> str:
    """``dd/mm/yyyy`` (an instant: its day in Vietnam)."""
    return formatting.day(value)


@register.filter
def instant(value: dt.datetime | None) -> str:
    """``HH:MM dd/mm/yyyy`` in Vietnam time."""
    return formatting.instant(value)


@register.filter
def vnd(amount: int | None) -> str:
    """``200000`` → ``200.000 đ`` (Vietnamese) / ``200,000 VND`` (English); 0 → "Miễn phí"."""
    if amount is None or amount == "":
        return ""
    value = int(amount)
    if value == 0:
        return _("Miễn phí")
    return _("%(amount)s đ") % {"amount": formatting.thousands(value)}


@register.filter
def time_limit(version: object) -> str:
    """The legal time limit of a procedure version in words: "05 ngày làm việc", "Trong ngày"."""
    value = getattr(version, "time_limit_value", None)
    unit = getattr(version, "time_limit_unit", None)
    if unit == LimitUnit.SAME_DAY or (value == 0 and unit in (LimitUnit.DAYS, LimitUnit.HOURS)):
        return _("Trong ngày")
    if value is None:
        return ""
    count = f"{int(value):02d}"
    if unit == LimitUnit.HOURS:
        return ngettext("%(count)s giờ làm việc", "%(count)s giờ làm việc", int(value)) % {"count": count}
    return ngettext("%(count)s ngày làm việc", "%(count)s ngày làm việc", int(value)) % {"count": count}
