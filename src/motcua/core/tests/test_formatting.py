"""The one set of formatters: Vietnamese thousands, percent with the decimal comma, days and instants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from motcua.core import clock
from motcua.core.formatting import day, instant, number, percent, thousands


def test_numbers_in_vietnamese_and_english() -> None:
    with translation.override("vi"):
        assert thousands(1234567) == "1.234.567"
        assert thousands(Decimal(200000)) == "200.000"
        assert number(1234.5, decimals=2) == "1.234,50"
        assert percent(0.977) == "97,7 %"
    with translation.override("en"):
        assert thousands(1234567) == "1,234,567"
        assert percent(0.977) == "97.7 %"
    assert thousands(1234567, language="vi") == "1.234.567"
    assert thousands(None) == ""
    assert thousands(0) == "0"


def test_percent_rounds_half_up_and_shows_missing() -> None:
    assert percent(0.71425, decimals=2, language="vi") == "71,43 %"
    assert percent(0.5, decimals=2, sign=False, language="vi") == "50,00"
    assert percent(1, language="vi") == "100,0 %"
    assert percent(0.00049, language="vi") == "0,0 %"
    assert percent(None) == "—"
    assert percent(None, missing="–") == "–"


def test_days_and_instants_in_vietnam_time() -> None:
    utc = dt.datetime(2025, 3, 9, 20, 30, tzinfo=dt.UTC)  # 03:30 on 10 March in Vietnam
    assert instant(utc) == "03:30 10/03/2025"
    assert day(utc) == "10/03/2025"
    assert day(dt.date(2023, 5, 2)) == "02/05/2023"
    assert instant(dt.datetime(2025, 3, 10, 10, 0, tzinfo=clock.VN_TZ)) == "10:00 10/03/2025"
    assert instant(None) == ""
    assert day(None) == ""


def test_template_filters_are_the_same_functions() -> None:
    template = Template(
        "{% load motcua_format %}{{ n|thousands }}|{{ r|percent }}|{{ r|percent:2 }}|{{ d|day }}|{{ t|instant }}|"
        "{{ fee|vnd }}"
    )
    context = Context(
        {
            "n": 1234567,
            "r": 0.977,
            "d": dt.date(2025, 3, 10),
            "t": dt.datetime(2025, 3, 10, 3, 0, tzinfo=dt.UTC),
            "fee": 200000,
        }
    )
    with translation.override("vi"):
        assert template.render(context) == "1.234.567|97,7 %|97,70 %|10/03/2025|10:00 10/03/2025|200.000 đ"
