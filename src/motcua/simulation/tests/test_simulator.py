"""The month simulator: calibration, calendar, valid histories, determinism, the demo month, the command."""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from motcua.catalog.services import catalog_load_demo
from motcua.core import clock
from motcua.core.errors import ValidationFailed
from motcua.dossiers.constants import Channel, Status
from motcua.dossiers.lifecycle import TRANSITIONS
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.selectors import WORKING_STATES, overdue_q
from motcua.organisations.services import demo_staff_create, demo_units_load
from motcua.reports.selectors import monthly_report
from motcua.simulation import simulator
from motcua.simulation.profiles import VINH_PHUC, profile_get, profile_validate
from motcua.simulation.simulator import parse_month, simulate_month, simulation_load_demo_month
from motcua.worktime.services import calendar_overrides_load_demo, get_calendar

START, END = parse_month("2023-03")


@pytest.fixture
def demo(db: None) -> None:
    """Vĩnh Phúc's units (2023), the demo calendar overrides and the demo catalog (version 1 in 2023)."""
    demo_units_load()
    calendar_overrides_load_demo()
    catalog_load_demo()


def signature(dossiers: list[Dossier]) -> list[tuple[object, ...]]:
    """What a run produced, without database ids or codes (which depend on what is already there)."""
    return sorted(
        tuple(
            "" if value is None else str(value)
            for value in (
                d.received_at,
                d.submitted_at,
                d.unit.code,
                d.procedure_version.procedure.code,
                d.channel,
                d.status,
                d.classification,
                d.finished_at,
                d.returned_at,
                d.closed_at,
                d.supplement_requests,
                d.extended,
                d.applicant_name,
            )
        )
        for d in dossiers
    )


def level_rows(report: dict) -> dict[str, dict]:
    return {row["key"]: row for row in report["rows"]}


@pytest.mark.django_db
def test_a_month_at_small_scale_is_calibrated_and_valid(demo: None) -> None:
    scale = 0.03
    done: list[tuple[int, int, int]] = []
    result = simulate_month(
        month="2023-03", profile="vinh-phuc", scale=scale, seed=7, progress=lambda *a: done.append(a)
    )
    assert result.errors == []
    assert done[-1][0] == done[-1][1] > 0  # the progress callback reaches 100%

    # Volume: exactly the profile's new dossiers at this scale (refused-at-intake submissions come on top).
    report = monthly_report(date_from=dt.date(2023, 3, 1), date_to=dt.date(2023, 3, 31), by="level")
    assert report["totals"]["received"]["new"] == round(36700 * scale)
    assert result.planned["refuse"] > 0
    assert (
        Dossier.objects.filter(status=Status.NOT_RECEIVED, received_at__isnull=True).count()
        == (result.planned["refuse"])
    )

    # Calibration (DOMAIN.md §8): on-time rates of the dossiers resolved in the month and the online share.
    # The simulator picks the late dossiers to hit the target, so the only slack is rounding: half a dossier.
    rows = level_rows(report)
    for level, target in (("province", 0.99), ("district", 0.977), ("commune", 0.985)):
        resolved = rows[level]["resolved"]["total"]
        assert resolved > 50
        assert abs(rows[level]["on_time_rate"] - target) <= 0.5 / resolved + 0.0001, level
        assert rows[level]["resolved"]["late"] >= 1
    district_new = rows["district"]["received"]["new"]
    assert abs(rows["district"]["online_rate"] - 0.93) <= 0.5 / district_new + 0.0001
    assert rows["province"]["online_rate"] < rows["district"]["online_rate"]
    assert rows["province"]["received"]["post"] > 0
    # Dossiers are still open at the end of the month, some of them already overdue.
    assert report["totals"]["in_progress"]["total"] > 0
    assert report["totals"]["resolved"]["early"] > report["totals"]["resolved"]["late"]

    # Arrivals: working days, office hours, more on Mondays, more in the morning.
    calendar = get_calendar()
    received = list(Dossier.objects.exclude(received_at=None).values_list("received_at", flat=True))
    assert all(START <= r < END for r in received)
    assert all(calendar.is_office_time(r) for r in received)
    local = [r.astimezone(clock.VN_TZ) for r in received]
    assert {r.weekday() for r in local} <= {0, 1, 2, 3, 4}
    per_weekday: dict[int, list[int]] = defaultdict(list)
    by_day: dict[dt.date, int] = defaultdict(int)
    for r in local:
        by_day[r.date()] += 1
    for day, count in by_day.items():
        per_weekday[day.weekday()].append(count)
    mean = {w: sum(c) / len(c) for w, c in per_weekday.items()}
    assert mean[0] > mean[4]
    morning = sum(1 for r in local if r.hour < 12)
    assert morning > len(local) * 0.55

    # Procedures: the catalog versions in force (version 1) at the level's units of 2023.
    versions = set(Dossier.objects.values_list("procedure_version__version", flat=True))
    assert versions == {1}
    levels = set(Dossier.objects.values_list("unit__level", flat=True))
    assert levels == {"department", "district", "commune"}
    assert not Dossier.objects.filter(unit__valid_to__lt=dt.date(2023, 3, 31)).exists()
    assert not Dossier.objects.filter(channel=Channel.ONLINE, procedure_version__online_mode="none").exists()

    # Every dossier's history is a path of the transition table, in time order, ending in its status.
    dossiers = {d.pk: d for d in Dossier.objects.all()}
    histories: dict[int, list[DossierEvent]] = defaultdict(list)
    for event in DossierEvent.objects.order_by("dossier_id", "at", "pk"):
        histories[event.dossier_id].append(event)
    assert set(histories) == set(dossiers)
    actions: set[str] = set()
    for pk, events in histories.items():
        state = Status.DRAFT
        previous = None
        for event in events:
            transition = TRANSITIONS[event.action]
            assert event.from_status == state, (pk, event.action)
            assert state in transition.sources, (pk, event.action, state)
            assert event.to_status == (transition.target or state)
            assert previous is None or event.at >= previous
            # dossiers open at the month's end are carried over and finish in the weeks after it
            assert START - dt.timedelta(days=1) < event.at < END + dt.timedelta(days=92)
            assert event.at < END or event.action not in ("submit", "receive", "intake"), (pk, event.action)
            state, previous = event.to_status, event.at
            actions.add(event.action)
        assert dossiers[pk].status == state
    assert {
        "submit",
        "receive",
        "refuse",
        "forward",
        "assign",
        "resolve",
        "return",
        "request-supplement",
        "supplement-received",
        "extend",
        "request-withdrawal",
        "accept-withdrawal",
    } <= actions
    # The classification is the engine's: late exactly when finished after the statutory due (or 2 requests).
    for d in Dossier.objects.filter(status__in=[Status.RESOLVED, Status.RETURNED]):
        late = d.finished_at > d.statutory_due_at or d.supplement_requests > 1
        assert (d.classification == "late") == late


@pytest.mark.django_db
def test_same_seed_same_month_other_seed_other_month(demo: None) -> None:
    first = simulate_month(month="2023-03", scale=0.004, seed=3)
    run1 = list(Dossier.objects.select_related("unit", "procedure_version__procedure"))
    second = simulate_month(month="2023-03", scale=0.004, seed=3)
    run2 = list(
        Dossier.objects.select_related("unit", "procedure_version__procedure").exclude(
            pk__in=[d.pk for d in run1]
        )
    )
    assert first.dossiers == second.dossiers == len(run1) == len(run2) > 100
    assert first.planned == second.planned
    assert signature(run1) == signature(run2)
    # Codes are issued by the engine: the second run continues the daily sequences, never reuses a code.
    assert not {d.code for d in run1} & {d.code for d in run2}

    seen = {d.pk for d in run1 + run2}
    simulate_month(month="2023-03", scale=0.004, seed=4)
    run3 = list(Dossier.objects.select_related("unit", "procedure_version__procedure").exclude(pk__in=seen))
    assert signature(run3) != signature(run1)


@pytest.mark.django_db
def test_demo_month_is_loaded_once(demo: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulator, "DEMO_SCALE", 0.003)  # the real demo month is scale 0.02: same code path
    created = simulation_load_demo_month()
    assert created == Dossier.objects.count() > 0
    assert simulator.simulated_dossiers(month="2023-03") == created
    assert simulation_load_demo_month() == 0
    # --demo also loads the recent dossiers of today's demo units (test_recent.py), which need the demo staff.
    with pytest.raises(CommandError, match="demo_staff_missing"):
        call_command("simulate", "--demo", "--no-progress", stdout=io.StringIO())
    demo_staff_create(password="demo")
    out = io.StringIO()
    call_command("simulate", "--demo", "--no-progress", stdout=out)
    assert "already simulated: nothing changed" in out.getvalue()
    recent = Dossier.objects.count() - created
    assert f"today's units): {recent} created" in out.getvalue()
    assert recent > 0
    assert simulator.simulated_dossiers(month="2023-03") == created
    out = io.StringIO()
    call_command("simulate", "--demo", "--no-progress", stdout=out)
    assert "already loaded: nothing changed" in out.getvalue()
    assert Dossier.objects.count() == created + recent
    # Simulation accounts cannot log in.
    from motcua.accounts.models import User

    sim_users = User.objects.filter(username__startswith="sim-")
    assert sim_users.exists()
    assert not any(u.has_usable_password() for u in sim_users)


@pytest.mark.django_db
def test_simulated_staff_hold_the_roles_of_the_unit(demo: None) -> None:
    simulate_month(month="2023-03", scale=0.002, seed=5)
    from motcua.organisations.models import Membership

    for d in Dossier.objects.select_related("unit"):
        for event in d.events.select_related("actor"):
            if event.actor.username.startswith("sim-citizen") or event.actor.username.startswith(
                "sim-business"
            ):
                assert d.owner_id == event.actor_id
                continue
            assert Membership.objects.filter(user=event.actor, unit=d.unit).exists()


@pytest.mark.django_db
def test_the_command_prints_a_progress_bar_and_a_summary(demo: None) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("simulate", "--month", "2023-03", "--scale", "0.002", "--seed", "9", stdout=out, stderr=err)
    assert "Simulated 2023-03 (vinh-phuc, scale 0.002, seed 9)" in out.getvalue()
    assert "100.0%" in err.getvalue()
    assert "\r" in err.getvalue()
    assert "events" in err.getvalue()


@pytest.mark.django_db
def test_bad_input_is_refused(demo: None) -> None:
    with pytest.raises(CommandError):
        call_command("simulate", "--scale", "0.01")
    with pytest.raises(ValidationFailed):
        simulate_month(month="2023-13", scale=0.01)
    with pytest.raises(ValidationFailed):
        simulate_month(month="2023-03", scale=0)
    with pytest.raises(ValidationFailed):
        simulate_month(month="2023-03", profile="atlantis", scale=0.01)
    assert not Dossier.objects.exists()


def test_profiles_are_validated() -> None:
    profile = profile_get("vinh-phuc")
    assert profile is not VINH_PHUC
    assert profile["new_dossiers"] == 36700
    assert math.isclose(sum(level["share"] for level in profile["levels"].values()), 1.0)
    broken = profile_get("vinh-phuc")
    broken["levels"]["district"]["online"] = 1.2
    with pytest.raises(ValidationFailed):
        profile_validate(broken)
    broken = profile_get("vinh-phuc")
    broken["levels"]["district"]["share"] = 0.9
    with pytest.raises(ValidationFailed):
        profile_validate(broken)


def test_parse_month() -> None:
    start, end = parse_month("2023-12")
    assert start == dt.datetime(2023, 12, 1, tzinfo=clock.VN_TZ)
    assert end == dt.datetime(2024, 1, 1, tzinfo=clock.VN_TZ)


@pytest.mark.django_db
def test_no_arrivals_on_days_off(demo: None) -> None:
    """January 2023 has Tết (20–26 January off): nothing is received or submitted on those days."""
    simulate_month(month="2023-01", scale=0.003, seed=2)
    calendar = get_calendar()
    tet = [dt.date(2023, 1, d) for d in range(20, 27)]
    assert not any(calendar.is_working_day(day) for day in tet)
    received = list(Dossier.objects.exclude(received_at=None).values_list("received_at", flat=True))
    assert len(received) == round(36700 * 0.003)
    days = {r.astimezone(clock.VN_TZ).date() for r in received}
    assert all(calendar.is_working_day(day) for day in days)
    assert not days & set(tet)
    assert all(calendar.is_office_time(r) for r in received)


@pytest.mark.django_db
def test_the_current_month_stops_at_now(demo: None) -> None:
    """Simulating the month we are in runs only what happened before now: no receipt, no event after it."""
    now = dt.datetime(2023, 3, 15, 10, 30, tzinfo=clock.VN_TZ)  # a Wednesday in the middle of March
    with clock.frozen(now):
        result = simulate_month(month="2023-03", scale=0.004, seed=3)
    assert result.errors == []
    full_month = round(36700 * 0.004)
    received = list(Dossier.objects.exclude(received_at=None).values_list("received_at", flat=True))
    assert 0 < len(received) < full_month
    assert all(START <= r < now for r in received)
    assert not Dossier.objects.filter(submitted_at__gte=now).exists()
    assert not DossierEvent.objects.filter(at__gte=now).exists()
    assert DossierEvent.objects.filter(at__gte=now - dt.timedelta(days=1)).exists()  # up to now, though
    # Cut short, dossiers stay in their state at now: in progress, some submitted and not yet checked.
    statuses = set(Dossier.objects.values_list("status", flat=True))
    assert {Status.PROCESSING, Status.RETURNED} <= statuses
    assert result.dossiers == Dossier.objects.count()


@pytest.mark.django_db
def test_a_month_after_the_current_one_is_refused(demo: None) -> None:
    with clock.frozen(dt.datetime(2023, 3, 15, 10, 30, tzinfo=clock.VN_TZ)):
        with pytest.raises(ValidationFailed) as caught:
            simulate_month(month="2023-04", scale=0.004, seed=3)
        assert caught.value.code == "month_in_future"
        assert "tương lai" in caught.value.message
        with pytest.raises(CommandError) as command:
            call_command("simulate", "--month", "2023-04", "--scale", "0.004", "--no-progress")
        assert command.value.returncode == 2
        assert "month_in_future" in str(command.value)
    with pytest.raises(ValidationFailed):  # and with the real clock: a month far ahead
        simulate_month(month="2999-01", scale=0.004, seed=3)
    assert not Dossier.objects.exists()
    from motcua.accounts.models import User

    assert not User.objects.filter(username__startswith="sim-").exists()


def test_a_past_month_leaves_no_dossier_open_forever(demo: None) -> None:
    """Issue 15 item 7: the dossiers open at the month's end are carried over and finished after it as
    planned; months later none is open, so none shows as overdue "now", while the month's own report still
    sees them in progress (and some overdue) at its end."""
    later = dt.datetime(2023, 7, 3, 9, 0, tzinfo=clock.VN_TZ)
    with clock.frozen(later):
        result = simulate_month(month="2023-03", scale=0.004, seed=3)
        assert result.errors == []
        open_now = Dossier.objects.filter(status__in=WORKING_STATES | {Status.SUBMITTED}).count()
        overdue_now = Dossier.objects.filter(overdue_q()).count()
        report = monthly_report(date_from=dt.date(2023, 3, 1), date_to=dt.date(2023, 3, 31))
        april = monthly_report(date_from=dt.date(2023, 4, 1), date_to=dt.date(2023, 4, 30))
    assert (open_now, overdue_now) == (0, 0)
    carried = report["totals"]["in_progress"]["total"]
    assert carried > 0  # in progress at the end of March …
    assert april["totals"]["received"]["carried_over"] == carried  # … carried into April
    assert april["totals"]["received"]["new"] == 0
    assert not DossierEvent.objects.filter(at__gte=later).exists()


def test_without_carrying_nothing_runs_after_the_month(demo: None) -> None:
    with clock.frozen(dt.datetime(2023, 7, 3, 9, 0, tzinfo=clock.VN_TZ)):
        simulate_month(month="2023-03", scale=0.004, seed=3, carry=False)
    assert not DossierEvent.objects.filter(at__gte=END).exists()
    assert Dossier.objects.filter(status__in=WORKING_STATES).exists()
