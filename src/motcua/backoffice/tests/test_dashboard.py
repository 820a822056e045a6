"""The back-office dashboard of a unit: numbers, scoping, links to the queues, query counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.constants import Status
from motcua.dossiers.selectors import queue_counts
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import UnitFactory, dossier_in, staff
from motcua.organisations.constants import Level, Role
from motcua.reports.selectors import monthly_report

URL = "/can-bo/thong-ke/"


@pytest.fixture
def data(world: World, frozen: dt.datetime) -> dict[str, Any]:
    """Unit A: two assigned, one overdue unassigned, one paused, two resolved this month; unit B: one overdue."""
    now = frozen
    steps = list(world.version.steps.order_by("order"))
    common = {"version": world.version}
    a, b = world.unit_a, world.unit_b
    return {
        "later": dossier_in(
            Status.PROCESSING, **common, unit=a, assignee=world.specialist_a, current_step=steps[1]
        ),
        "due_soon": dossier_in(
            Status.PROCESSING,
            **common,
            unit=a,
            assignee=world.specialist_a,
            current_step=steps[1],
            due_at=now + dt.timedelta(hours=3),
        ),
        "overdue": dossier_in(
            Status.RECEIVED,
            **common,
            unit=a,
            current_step=steps[0],
            due_at=now - dt.timedelta(days=1),
            received_at=now - dt.timedelta(days=3),
        ),
        "paused": dossier_in(Status.AWAITING_SUPPLEMENT, **common, unit=a, due_at=now - dt.timedelta(days=2)),
        "early": dossier_in(Status.RESOLVED, **common, unit=a, classification="early"),
        "late": dossier_in(
            Status.RESOLVED,
            **common,
            unit=a,
            classification="late",
            finished_at=now - dt.timedelta(days=2),
            received_at=now - dt.timedelta(days=5),
        ),
        "other": dossier_in(
            Status.PROCESSING,
            **common,
            unit=b,
            assignee=world.specialist_b,
            current_step=steps[1],
            due_at=now - dt.timedelta(hours=1),
        ),
    }


def _kpi(html: str, name: str) -> str:
    match = re.search(rf'data-kpi="{name}">(?:<a[^>]*>)?([^<]*)<', html)
    assert match, name
    return match[1]


def _rows(html: str, table: str) -> dict[str, list[str]]:
    body = re.search(rf'id="{table}">(.*?)</table>', html, re.S)
    assert body, table
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body[1], re.S):
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        if cells and 'scope="col"' not in row:
            rows[cells[0]] = cells[1:]
    return rows


def test_anonymous_users_go_to_the_login_page(client: Client, db: None) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/can-bo/thong-ke/"


def test_users_without_a_reporting_role_are_refused(client: Client, world: World, frozen: Any) -> None:
    client.force_login(world.officer_a)
    response = client.get(URL)
    assert response.status_code == 403
    assert "lãnh đạo, cán bộ thống kê" in response.content.decode()


def test_leader_of_a_unit_sees_its_numbers(
    client: Client, world: World, data: dict[str, Any], frozen: dt.datetime
) -> None:
    client.force_login(world.leader_a)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thống kê đơn vị — Phường Vĩnh Yên" in html
    assert _kpi(html, "due_soon") == "1"
    assert _kpi(html, "overdue") == "1"  # the paused dossier's clock is stopped: not overdue
    assert _kpi(html, "processing") == "3"
    assert _kpi(html, "awaiting_return") == "2"
    # the panels agree with the queues they link to
    counts = queue_counts(world.leader_a)
    assert counts["sap-den-han"] == 1
    assert counts["qua-han"] == 1
    assert counts["dang-xu-ly"] == 3
    assert 'href="/can-bo/hang-doi/qua-han/"' in html
    assert 'href="/can-bo/hang-doi/sap-den-han/"' in html
    # in progress by step and by officer
    steps = _rows(html, "table-steps")
    assert steps["Thẩm định, xử lý"] == ["2", "1", "0"]
    assert steps["Tiếp nhận, chuyển hồ sơ"] == ["1", "0", "1"]
    assert steps["Chờ bổ sung"] == ["1", "0", "0"]
    officers = _rows(html, "table-officers")
    assert officers[world.specialist_a.full_name] == ["2", "1", "0"]
    assert officers["Chưa phân công"] == ["2", "0", "1"]
    assert world.specialist_b.full_name not in html  # unit B's officer
    # the month's on-time rate is the monthly report's
    report = monthly_report(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 10), unit_code="8707")
    assert report["totals"]["on_time_rate"] == 0.5
    assert _kpi(html, "month_on_time_rate") == "50,0 %"
    # workload per day over the last 30 days
    workload = _rows(html, "table-workload")
    assert len(workload) == 30
    assert list(workload)[-1] == "10/03/2025"
    assert workload["10/03/2025"] == ["4", "1"]  # received an hour ago: 4; "early" resolved now
    assert workload["07/03/2025"] == ["1", "0"]  # the overdue one
    assert workload["08/03/2025"] == ["0", "1"]  # "late" finished two days ago (Saturday)
    assert workload["05/03/2025"] == ["1", "0"]
    assert "table-sub-units" not in html  # no units below a ward


def test_a_leader_of_another_unit_sees_nothing_of_this_unit(
    client: Client, world: World, data: dict[str, Any], frozen: Any
) -> None:
    leader_b = staff(world.unit_b, Role.LEADER, username="lanhdao_b")
    client.force_login(leader_b)
    html = client.get(URL).content.decode()
    assert "Thống kê đơn vị — Xã Tam Đảo" in html
    assert _kpi(html, "overdue") == "1"
    assert _kpi(html, "due_soon") == "0"
    assert world.specialist_a.full_name not in html
    assert client.get(URL, {"don_vi": "8707"}).status_code == 404
    assert client.get(URL, {"don_vi": "không-có"}).status_code == 404
    assert client.get(URL, {"don_vi": "x" * 40}).status_code == 404


def test_a_statistician_may_open_the_dashboard(client: Client, world: World, data: dict[str, Any]) -> None:
    statistician = staff(world.unit_a, Role.STATISTICIAN, username="thongke_a")
    client.force_login(statistician)
    html = client.get(URL).content.decode()
    assert _kpi(html, "due_soon") == "1"


def test_a_leader_of_the_parent_unit_sees_the_units_below(
    client: Client, world: World, data: dict[str, Any], frozen: Any
) -> None:
    client.force_login(world.leader_p)
    html = client.get(URL).content.decode()
    assert "Thống kê đơn vị — Tỉnh Vĩnh Phúc" in html
    assert _kpi(html, "overdue") == "2"
    sub_units = _rows(html, "table-sub-units")
    assert sub_units["Phường Vĩnh Yên"] == ["4", "1", "1", "2", "50,0 %"]
    assert sub_units["Xã Tam Đảo"] == ["1", "0", "1", "0", "—"]
    assert 'href="?don_vi=8707"' in html
    drill = client.get(URL, {"don_vi": "8707"})
    assert drill.status_code == 200
    assert _kpi(drill.content.decode(), "due_soon") == "1"
    assert world.specialist_b.full_name not in drill.content.decode()


def test_csp_and_chart_data(client: Client, world: World, data: dict[str, Any]) -> None:
    client.force_login(world.leader_a)
    response = client.get(URL)
    html = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert ("src=" in tag and f'nonce="{nonce[1]}"' in tag) or 'type="application/json"' in tag, tag
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html)
    assert '<script id="chart-workload" type="application/json">' in html
    assert response["Cache-Control"] == "private, no-store"
    assert '<a href="/can-bo/thong-ke/" aria-current="page">Thống kê</a>' in html


def test_query_count_is_bounded_and_independent_of_units_and_dossiers(
    client: Client, world: World, data: dict[str, Any], frozen: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(world.leader_p)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    client.get(URL)  # warm the working calendar
    before = count()
    for i in range(12):
        commune = UnitFactory(code=f"X{i}", name=f"Xã thêm {i}", level=Level.COMMUNE, parent=world.province)
        officer = staff(commune, Role.SPECIALIST, username=f"cv_x{i}")
        for _j in range(3):
            dossier_in(Status.PROCESSING, version=world.version, unit=commune, assignee=officer)
    assert count() == before
    with django_assert_max_num_queries(20):
        html = client.get(URL).content.decode()
    assert "Xã thêm 11" in html


def test_the_province_statistician_sees_the_province_live_figures(
    client: Client, world: World, data: dict[str, Any]
) -> None:
    """Issue 16: the statistician of the province (no dossier of their own) saw zeros; the dashboard counts
    every dossier of the units below, the same numbers as the province's leader, and lists no dossier."""
    statistician = staff(world.province, Role.STATISTICIAN, username="thongke_tinh")
    client.force_login(statistician)
    html = client.get(URL).content.decode()
    client.force_login(world.leader_p)
    leader = client.get(URL).content.decode()
    for kpi in ("overdue", "due_soon"):
        assert _kpi(html, kpi) == _kpi(leader, kpi)
    assert _kpi(html, "overdue") == "2"
    assert _rows(html, "table-sub-units")["Phường Vĩnh Yên"] == ["4", "1", "1", "2", "50,0 %"]
    client.force_login(statistician)
    assert client.get(f"/can-bo/ho-so/{data['overdue'].code}/").status_code == 404  # figures, not dossiers
