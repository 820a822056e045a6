"""Money and time-limit formatting shown to citizens."""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from motcua.portal.templatetags.motcua_format import time_limit, vnd
from motcua.worktime.constants import LimitUnit


def test_vnd_examples() -> None:
    assert vnd(200000) == "200.000 đ"
    assert vnd(1250000) == "1.250.000 đ"
    assert vnd(500) == "500 đ"
    assert vnd(0) == "Miễn phí"
    assert vnd(None) == ""
    with translation.override("en"):
        assert vnd(75000) == "75,000 VND"
        assert vnd(0) == "Free of charge"


@given(st.integers(min_value=1, max_value=10**15))
def test_vnd_groups_thousands_with_dots(amount: int) -> None:
    with translation.override("vi"):
        text = vnd(amount)
    assert re.fullmatch(r"\d{1,3}(\.\d{3})* đ", text), text
    assert int(text.removesuffix(" đ").replace(".", "")) == amount


def test_time_limit_in_words() -> None:
    def version(value: int, unit: str) -> SimpleNamespace:
        return SimpleNamespace(time_limit_value=value, time_limit_unit=unit)

    assert time_limit(version(5, LimitUnit.DAYS)) == "05 ngày làm việc"
    assert time_limit(version(15, LimitUnit.DAYS)) == "15 ngày làm việc"
    assert time_limit(version(8, LimitUnit.HOURS)) == "08 giờ làm việc"
    assert time_limit(version(0, LimitUnit.SAME_DAY)) == "Trong ngày"
    assert time_limit(version(0, LimitUnit.DAYS)) == "Trong ngày"
    with translation.override("en"):
        assert time_limit(version(1, LimitUnit.DAYS)) == "01 working day"
        assert time_limit(version(3, LimitUnit.DAYS)) == "03 working days"
        assert time_limit(version(0, LimitUnit.SAME_DAY)) == "Same day"
