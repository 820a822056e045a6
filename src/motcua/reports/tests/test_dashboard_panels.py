"""``reports.selectors.dashboard_panels``: the dashboard's numbers as typed rows (the page and its query
count are tested in backoffice/tests/test_dashboard.py, with the same data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from motcua.backoffice.tests.test_dashboard import data  # noqa: F401 - the fixture
from motcua.dossiers.tests.conftest import World, frozen, world  # noqa: F401 - fixtures
from motcua.reports.selectors import (
    DashboardPanels,
    DashboardSummary,
    OfficerRow,
    OpenCounts,
    WorkloadDay,
    WorkRow,
    dashboard_panels,
    dashboard_units,
)


def test_panels_of_a_unit_as_typed_rows(
    world: World,  # noqa: F811
    data: dict[str, Any],  # noqa: F811
    frozen: dt.datetime,  # noqa: F811
) -> None:
    panels = dashboard_panels(world.leader_a, world.unit_a)
    assert isinstance(panels, DashboardPanels)
    assert panels.summary == DashboardSummary(
        in_progress=4,
        processing=3,
        due_soon=1,
        overdue=1,  # the paused dossier's clock is stopped: not overdue
        awaiting_supplement=1,
        awaiting_return=2,
        awaiting_check=0,
    )
    assert WorkRow(name="Thẩm định, xử lý", total=2, due_soon=1, overdue=0) in panels.by_step
    assert WorkRow(name="Chờ bổ sung", total=1, due_soon=0, overdue=0) in panels.by_step
    assert panels.by_officer[0] == OfficerRow(
        name=world.specialist_a.full_name, assigned=True, total=2, due_soon=1, overdue=0
    )
    assert panels.by_officer[-1] == OfficerRow(
        name="Chưa phân công", assigned=False, total=2, due_soon=0, overdue=1
    )
    assert len(panels.workload) == 30
    assert all(isinstance(day, WorkloadDay) for day in panels.workload)
    assert panels.workload[-1].day == frozen.date()
    assert panels.workload_from == frozen.date() - dt.timedelta(days=29)
    assert panels.month["resolved"]["total"] == 2


def test_sub_units_of_the_province(
    world: World,  # noqa: F811
    data: dict[str, Any],  # noqa: F811
    frozen: dt.datetime,  # noqa: F811
) -> None:
    panels = dashboard_panels(world.leader_p, world.province)
    by_code = {row.unit.code: row for row in panels.sub_units}
    assert by_code[world.unit_a.code].open == OpenCounts(total=4, due_soon=1, overdue=1)
    assert by_code[world.unit_b.code].open == OpenCounts(total=1, due_soon=0, overdue=1)
    assert by_code[world.unit_a.code].month["resolved"]["total"] == 2
    assert panels.summary.overdue == 2
    assert world.province in dashboard_units(world.leader_p)
    assert dashboard_units(world.officer_a) == []


def test_the_month_so_far_as_an_official_period(
    world: World,  # noqa: F811
    data: dict[str, Any],  # noqa: F811
    frozen: dt.datetime,  # noqa: F811
    client: Any,
) -> None:
    """Issue 15 item 3: the dashboard offers the official reporting period (15th – 14th) besides the month."""
    today = frozen.date()
    official = dashboard_panels(world.leader_a, world.unit_a, "official").month_period
    calendar = dashboard_panels(world.leader_a, world.unit_a).month_period
    assert calendar.start == today.replace(day=1)
    assert official.start.day == 15
    assert official.start < today <= official.start + dt.timedelta(days=31)
    assert official.end == calendar.end == today
    client.force_login(world.leader_a)
    html = client.get("/can-bo/thong-ke/", {"ky": "official"}).content.decode()
    assert 'data-period-kind="official"' in html
    assert f"từ {official.start:%d/%m/%Y} đến {today:%d/%m/%Y}" in html
    assert "ky=official" in html  # the links to the public statistics keep the kind
    assert 'data-period-kind="calendar"' in client.get("/can-bo/thong-ke/", {"ky": "nope"}).content.decode()
