"""Step budgets must sum exactly to the time limit in working hours (days × 8, hours, same day = 8)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from motcua.catalog.importing import limit_hours, parse_json


def _catalog(limit_value: int, limit_unit: str, budgets: list[Decimal]) -> dict[str, Any]:
    steps = [
        {"name": f"Bước {i}", "role": "specialist", "unit_level": "commune", "budget_hours": str(b)}
        for i, b in enumerate(budgets, start=1)
    ]
    version = {
        "version": 1,
        "valid_from": "2020-01-01",
        "level": "commune",
        "time_limit_value": limit_value,
        "time_limit_unit": limit_unit,
        "online_mode": "none",
        "steps": steps,
    }
    return {"procedures": [{"code": "X.1", "name": "X", "field": "F", "versions": [version]}]}


limits = st.one_of(
    st.tuples(st.integers(1, 60), st.just("days")),
    st.tuples(st.integers(1, 480), st.just("hours")),
    st.just((0, "same_day")),
)


def _split(total: Decimal, cuts: list[int]) -> list[Decimal]:
    """Split ``total`` hours into positive parts with 2 decimals, at the given cut points (in cents)."""
    cents = int(total * 100)
    points = sorted({c for c in cuts if 0 < c < cents})
    edges = [0, *points, cents]
    return [Decimal(b - a) / 100 for a, b in itertools.pairwise(edges)]


@given(limit=limits, cuts=st.lists(st.integers(1, 480 * 100), max_size=6))
def test_budgets_summing_to_the_limit_are_accepted(limit: tuple[int, str], cuts: list[int]) -> None:
    value, unit = limit
    budgets = _split(limit_hours(value, unit), cuts)
    spec, errors = parse_json(_catalog(value, unit, budgets))
    assert not errors, [str(e) for e in errors.items]
    assert sum(s.budget_hours for s in spec.procedures[0].versions[0].steps) == limit_hours(value, unit)


@given(
    limit=limits,
    cuts=st.lists(st.integers(1, 480 * 100), max_size=6),
    delta=st.integers(-99, 99).filter(lambda d: d != 0),
)
def test_budgets_off_by_any_amount_are_refused(limit: tuple[int, str], cuts: list[int], delta: int) -> None:
    value, unit = limit
    budgets = _split(limit_hours(value, unit), cuts)
    budgets[-1] += Decimal(delta) / 100
    if budgets[-1] <= 0:
        budgets[-1] += Decimal(1)  # still positive, still wrong
    spec, errors = parse_json(_catalog(value, unit, budgets))
    assert [e.field for e in errors.items] == ["budget_hours"]
    assert "step budgets sum to" in errors.items[0].reason
    assert spec.procedures[0].versions == []


def test_limit_hours() -> None:
    assert limit_hours(3, "days") == 24
    assert limit_hours(0, "same_day") == 8
    assert limit_hours(5, "hours") == 5
