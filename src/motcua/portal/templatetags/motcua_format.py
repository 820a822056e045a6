"""Display helpers shared by the portal and the back office: money, time limits, online modes."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from motcua.worktime.constants import LimitUnit

register = template.Library()


def group_thousands(amount: int, separator: str) -> str:
    return f"{amount:,}".replace(",", separator)


@register.filter
def vnd(amount: int | None) -> str:
    """``200000`` → ``200.000 đ`` (Vietnamese) / ``200,000 VND`` (English); 0 → "Miễn phí"."""
    if amount is None or amount == "":
        return ""
    value = int(amount)
    if value == 0:
        return _("Miễn phí")
    separator = "," if (get_language() or "vi").startswith("en") else "."
    return _("%(amount)s đ") % {"amount": group_thousands(value, separator)}


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
