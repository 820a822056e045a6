"""The report equals a plain Python recount of the definitions (docs/reports.md) over random datasets."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.catalog.constants import OnlineMode, PublicationStatus
from motcua.catalog.models import Field, Procedure, ProcedureVersion
from motcua.core.clock import VN_TZ
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.organisations.constants import Level
from motcua.organisations.models import Unit
from motcua.reports.selectors import monthly_report

START = dt.date(2023, 3, 1)
MINUTES = 24 * 60


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    province = Unit.objects.create(code="P", name="Tỉnh", level=Level.PROVINCE)
    department = Unit.objects.create(code="P-S", name="Sở", level=Level.DEPARTMENT, parent=province)
    district = Unit.objects.create(code="D", name="Huyện", level=Level.DISTRICT, parent=province)
    commune = Unit.objects.create(code="C", name="Xã", level=Level.COMMUNE, parent=district)
    field = Field.objects.create(code="F", name="Lĩnh vực")
    procedure = Procedure.objects.create(code="1.1", name="Thủ tục", field=field)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        version=1,
        status=PublicationStatus.PUBLISHED,
        valid_from=dt.date(2020, 1, 1),
        name="Thủ tục",
        level=Level.COMMUNE,
        time_limit_value=3,
        time_limit_unit="days",
        online_mode=OnlineMode.FULL,
    )
    return {"units": [province, department, district, commune], "version": version}


def _minutes() -> st.SearchStrategy[int]:
    """Minutes from 2023-03-01 00:00 (VN), clustered on the boundaries of a March report."""
    end = 31 * MINUTES
    return st.one_of(
        st.integers(-45 * MINUTES, 75 * MINUTES),
        st.sampled_from([-1, 0, 1, end - 1, end, end + 1]),
    )


dossier_strategy = st.fixed_dictionaries(
    {
        "unit": st.integers(0, 3),
        "channel": st.sampled_from([1, 2, 3]),
        "received": _minutes(),
        "due_after": st.one_of(st.none(), st.integers(0, 20 * MINUTES)),
        "end_after": st.one_of(st.none(), st.integers(0, 40 * MINUTES)),
        "end_kind": st.sampled_from(["finished_at", "returned_at", "closed_at"]),
        "classification": st.sampled_from(["early", "on_time", "late"]),
        # the clock paused (supplement, financial obligations) this long after receipt, still paused now
        "paused_after": st.one_of(st.none(), st.integers(0, 30 * MINUTES)),
    }
)


def _at(minutes: int) -> dt.datetime:
    return dt.datetime.combine(START, dt.time(), tzinfo=VN_TZ) + dt.timedelta(minutes=minutes)


def dossiers_replace(world: dict[str, Any], items: list[dict[str, Any]]) -> None:
    """Replace every dossier by the ones ``dossier_strategy`` generated (minutes after 2023-03-01 00:00)."""
    Dossier.objects.all().delete()
    units, version = world["units"], world["version"]
    objects = []
    for d in items:
        received = _at(d["received"])
        due = None if d["due_after"] is None else _at(d["received"] + d["due_after"])
        ended = None if d["end_after"] is None else _at(d["received"] + d["end_after"])
        objects.append(
            Dossier(
                procedure_version=version,
                unit=units[d["unit"]],
                channel=d["channel"],
                applicant_name="A",
                status=Status.PROCESSING if ended is None else Status.RESOLVED,
                received_at=received,
                statutory_due_at=due,
                paused_at=None if d["paused_after"] is None else _at(d["received"] + d["paused_after"]),
                classification="" if ended is None else d["classification"],
                **({d["end_kind"]: ended} if ended is not None else {}),
            )
        )
    Dossier.objects.bulk_create(objects)


def _rate(a: int, b: int) -> float | None:
    if b == 0:
        return None
    return float((Decimal(a) / Decimal(b)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def _recount(items: list[dict[str, Any]], start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    c = dict.fromkeys(["carried", "new", "on", "co", "po", "res", "early", "late", "prog", "over"], 0)
    for d in items:
        received = _at(d["received"])
        ended = None if d["end_after"] is None else _at(d["received"] + d["end_after"])
        due = None if d["due_after"] is None else _at(d["received"] + d["due_after"])
        if received >= end or (ended is not None and ended < start):
            continue
        if received < start:
            c["carried"] += 1
        else:
            c["new"] += 1
            c[{2: "on", 1: "co", 3: "po"}[d["channel"]]] += 1
        if ended is not None and ended < end:
            c["res"] += 1
            if d["classification"] == "early":
                c["early"] += 1
            if d["classification"] == "late":
                c["late"] += 1
        else:
            c["prog"] += 1
            paused = None if d["paused_after"] is None else _at(d["received"] + d["paused_after"])
            if due is not None and due < end and (paused is None or paused > end):
                c["over"] += 1
    on_time = c["res"] - c["early"] - c["late"]
    return {
        "received": {
            "carried_over": c["carried"],
            "online": c["on"],
            "counter": c["co"],
            "post": c["po"],
            "counter_post": c["co"] + c["po"],
            "new": c["new"],
            "total": c["carried"] + c["new"],
        },
        "resolved": {"early": c["early"], "on_time": on_time, "late": c["late"], "total": c["res"]},
        "in_progress": {"within": c["prog"] - c["over"], "overdue": c["over"], "total": c["prog"]},
        "on_time_rate": _rate(c["early"] + on_time, c["res"]),
        "online_rate": _rate(c["on"], c["new"]),
    }


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(dossier_strategy, max_size=25), days=st.integers(1, 40))
def test_report_matches_a_recount(world: dict[str, Any], items: list[dict[str, Any]], days: int) -> None:
    dossiers_replace(world, items)
    units = world["units"]
    date_to = START + dt.timedelta(days=days - 1)
    start = dt.datetime.combine(START, dt.time(), tzinfo=VN_TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tzinfo=VN_TZ)

    report = monthly_report(date_from=START, date_to=date_to, by="unit")
    expected = _recount(items, start, end)
    assert report["totals"] == expected
    assert report["totals"]["received"]["total"] == (
        report["totals"]["resolved"]["total"] + report["totals"]["in_progress"]["total"]
    )
    rows = {r["key"]: r for r in report["rows"]}
    for index, unit in enumerate(units):
        row = {k: v for k, v in rows[unit.code].items() if k not in ("key", "name", "level", "valid_to")}
        assert row == _recount([d for d in items if d["unit"] == index], start, end)

    by_level = {r["key"]: r for r in monthly_report(date_from=START, date_to=date_to, by="level")["rows"]}
    province_items = [d for d in items if d["unit"] in (0, 1)]  # the department counts at province level
    province = {k: v for k, v in by_level["province"].items() if k not in ("key", "name", "level")}
    assert province == _recount(province_items, start, end)

    sub = monthly_report(date_from=START, date_to=date_to, unit_code="D")["totals"]
    assert sub == _recount([d for d in items if d["unit"] in (2, 3)], start, end)
