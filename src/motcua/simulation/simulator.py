"""Simulate a month of dossiers through the domain services (docs/simulator.md).

Three phases, all deterministic for a seed:

1. **Plan** (pure Python + the working calendar): arrivals by working day and office hour, level, channel,
   procedure and unit; each dossier's path (intake, hand-overs, supplement requests, withdrawal, extension,
   resolution, return) with instants computed by the same calendar the lifecycle uses.
2. **Calibrate**: per level, choose which dossiers resolve late so that the on-time rate of the dossiers
   resolved in the month hits the profile's target (a dossier with two supplement requests is late anyway).
3. **Run**: every event, in time order, with the domain clock frozen at its instant, through
   ``dossier_create``/``dossier_intake_counter``/``dossier_transition`` with an actor holding the role the
   transition table needs; one transaction per simulated day. A dossier still open at the month's end is
   carried over: its planned events after the end (resolution, return; late ones late) run in the weeks after,
   so a past month leaves no dossier open forever (each is counted in progress at the month's end by the
   report, which reads the timestamps, and finished since). Nothing after now is run: in the current month
   those dossiers stay in their state at now. A month that has not started is refused.

Simulated dossiers are recognisable by their actors: every receipt or intake refusal is done by a
``sim-officer-…`` account (``SIM_PREFIX``).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from motcua.catalog.constants import OnlineMode, SupplementRule
from motcua.catalog.selectors import versions_in_force
from motcua.core import clock
from motcua.core.errors import DomainError, ValidationFailed
from motcua.dossiers.constants import Action, ApplicantKind, Channel
from motcua.dossiers.consumers import outbound_consumers_off
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import Applicant, dossier_create, dossier_intake_counter
from motcua.organisations.constants import Role
from motcua.organisations.models import Membership, Unit
from motcua.organisations.services import membership_grant
from motcua.worktime.constants import LimitUnit
from motcua.worktime.services import get_calendar

from . import money
from .profiles import LEVELS, Profile, profile_get

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.worktime.calendar import WorkCalendar

SIM_PREFIX = "sim-"
DEMO_MONTH = "2023-03"
DEMO_PROFILE = "vinh-phuc"
DEMO_SCALE = 0.02
DEMO_SEED = 1

Progress = Callable[[int, int, int], None]  # (events done, events total, dossiers created)

# --- names -------------------------------------------------------------------------------------------------

_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô", "Dương", "Phan", "Hà"]
_FAMILY_W = [38, 11, 9, 7, 5, 5, 4, 3, 3, 3, 3, 3, 2]
_MIDDLE_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Xuân", "Công"]
_MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Phương", "Kim"]
_GIVEN_M = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Huy",
    "Khánh",
    "Long",
    "Nam",
    "Phong",
    "Sơn",
    "Tuấn",
]
_GIVEN_F = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân", "Yến"]
_COMPANY = ["Hưng Thịnh", "Phúc An", "Tam Đảo", "Minh Phát", "Vĩnh Tiến", "Đại Lải", "Sông Lô", "Thành Công"]
_COMPANY_KIND = ["Công ty TNHH", "Công ty cổ phần", "Doanh nghiệp tư nhân", "Hợp tác xã"]

_SUPPLEMENT_NOTES = [
    "Bổ sung bản sao giấy tờ chứng minh quyền sử dụng đất.",
    "Tờ khai chưa ghi đủ thông tin, đề nghị kê khai lại.",
    "Bổ sung văn bản ủy quyền có chứng thực.",
    "Bản vẽ chưa đúng quy cách, đề nghị nộp lại.",
]
_WITHDRAWAL_NOTES = ["Công dân không còn nhu cầu giải quyết.", "Nộp nhầm thủ tục, xin rút để nộp lại."]
_REFUSAL_NOTES = [
    "Hồ sơ không thuộc thẩm quyền giải quyết của đơn vị.",
    "Hồ sơ nộp trùng, đã có hồ sơ đang giải quyết.",
    "Thành phần hồ sơ đính kèm không đọc được.",
]
_EXTENSION_NOTES = [
    "Cần xác minh thực địa, xin lỗi công dân và hẹn lại ngày trả kết quả.",
    "Chờ ý kiến của cơ quan phối hợp, xin lỗi và hẹn lại.",
]


def fake_person(rng: random.Random, province: str = "026") -> tuple[str, str]:
    """A plausible Vietnamese name and a valid citizen ID registered in ``province`` (default Vĩnh Phúc, 026)."""
    female = rng.random() < 0.5
    year = rng.randint(1950, 2005)
    name = " ".join(
        (
            rng.choices(_FAMILY, _FAMILY_W)[0],
            rng.choice(_MIDDLE_F if female else _MIDDLE_M),
            rng.choice(_GIVEN_F if female else _GIVEN_M),
        )
    )
    century = 0 if year < 2000 else 2
    return name, f"{province}{century + int(female)}{year % 100:02d}{rng.randrange(10**6):06d}"


def fake_company(rng: random.Random) -> tuple[str, str]:
    """A plausible company name and a 10-digit tax code."""
    name = f"{rng.choice(_COMPANY_KIND)} {rng.choice(_COMPANY)} {rng.randint(1, 99)}"
    return name, f"25{rng.randrange(10**8):08d}"


# --- the world the plan is made in -------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionInfo:
    pk: int
    code: str
    name: str
    field: str
    level: str
    limit: int
    limit_unit: str
    rule: str
    online: bool
    specialist_step: int | None
    leader_step: int | None
    unit_ids: tuple[int, ...]
    component_ids: tuple[int, ...] = ()
    fees: int = 0  # VND: the version's fees and charges, as an applicant at the counter owes them


@dataclass
class Event:
    at: dt.datetime
    action: str  # a lifecycle action, or "intake" (counter/post) / "submit" (create + submit online)
    role: str  # officer, specialist, leader or applicant
    params: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass
class DossierPlan:
    index: int
    level: str
    version: VersionInfo
    unit_id: int
    channel: int
    applicant: Applicant
    owner: str | None
    received: dt.datetime
    outcome: str  # resolve, withdraw, refuse
    supplements: int = 0
    events: list[Event] = field(default_factory=list)
    last: dt.datetime | None = None  # the last planned event before the finish
    due: dt.datetime | None = None  # the statutory due after the supplements
    on_time_at: dt.datetime | None = None
    late_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None  # withdrawal accepted
    late: bool = False
    extend: bool = False
    specialist: int = 0  # index among the unit's specialists
    pay: str = ""  # how its fees are paid: vnpay, vietqr, cash, or "" (no fee, or not in the month)
    land: int = 0  # land financial obligations (VND) charged and paid during processing (money.land_plan)


@dataclass
class SimulationResult:
    month: str
    profile: str
    scale: float
    seed: int
    dossiers: int = 0
    events: int = 0
    errors: list[str] = field(default_factory=list)
    planned: Counter[str] = field(default_factory=Counter)
    payments: Counter[str] = field(default_factory=Counter)  # planned payments by kind, skipped ones
    seconds: float = 0.0


def parse_month(text: str) -> tuple[dt.datetime, dt.datetime]:
    """``YYYY-MM`` → the month's first instant and the first instant of the next month (Vietnam time)."""
    try:
        first = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise ValidationFailed(
            f"Tháng {text!r} không hợp lệ (YYYY-MM).", code="invalid_month", details={"month": text}
        ) from None
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return (
        dt.datetime.combine(first, dt.time(), tzinfo=clock.VN_TZ),
        dt.datetime.combine(nxt, dt.time(), tzinfo=clock.VN_TZ),
    )


def _hour_slots(calendar: WorkCalendar) -> list[tuple[int, int]]:
    """Office hours cut into hour-long slots, as (first minute, end minute) of the day."""
    slots = []
    for start, end in calendar.office_hours:
        a, b = start.hour * 60 + start.minute, end.hour * 60 + end.minute
        while a < b:
            slots.append((a, min(a + 60, b)))
            a += 60
    return slots


def _versions(day: dt.date) -> list[VersionInfo]:
    result = []
    qs = (
        versions_in_force(as_of=day)
        .select_related("procedure__field")
        .prefetch_related("steps", "units", "components", "fees")
        .order_by("procedure__code", "pk")
    )
    for v in qs:
        steps = sorted(v.steps.all(), key=lambda s: s.order)
        units = sorted(
            u.pk
            for u in v.units.all()
            if (u.valid_from is None or u.valid_from <= day) and (u.valid_to is None or u.valid_to >= day)
        )
        result.append(
            VersionInfo(
                pk=v.pk,
                code=v.procedure.code,
                name=v.name,
                field=v.procedure.field.code,
                level=v.level,
                limit=v.time_limit_value,
                limit_unit=v.time_limit_unit,
                rule=v.supplement_rule,
                online=v.online_mode != OnlineMode.NONE,
                specialist_step=next((s.order for s in steps if s.role == Role.SPECIALIST), None),
                leader_step=next((s.order for s in steps if s.role == Role.LEADER), None),
                unit_ids=tuple(units),
                component_ids=tuple(sorted(c.pk for c in v.components.all())),
                fees=sum(int(f.amount_vnd) for f in v.fees.all() if f.amount_vnd and f.amount_vnd > 0),
            )
        )
    return result


class Planner:
    """Makes the month's plan; pure apart from reading the catalog and units."""

    def __init__(
        self, *, profile: Profile, start: dt.datetime, end: dt.datetime, scale: float, seed: int
    ) -> None:
        self.profile = profile
        self.start, self.end = start, end
        self.scale = scale
        self.rng = random.Random(f"motcua-sim:{profile['name']}:{start:%Y-%m}:{seed}")
        self.calendar = get_calendar()
        self.outcomes: dict[str, Any] = profile["outcomes"]
        self.units = {u.pk: u for u in Unit.objects.all()}
        self._versions: dict[dt.date, list[VersionInfo]] = {}

    # helpers
    def span(self, key: str) -> int:
        low, high = self.outcomes[key]
        return self.rng.randint(int(low), int(high))

    def add(self, instant: dt.datetime, minutes: int) -> dt.datetime:
        return self.calendar.add_office_minutes(instant, minutes)

    def after(self, instant: dt.datetime, earliest: dt.datetime) -> dt.datetime:
        return instant if instant > earliest else earliest + dt.timedelta(minutes=1)

    def versions(self, day: dt.date) -> list[VersionInfo]:
        if day not in self._versions:
            self._versions[day] = _versions(day)
        return self._versions[day]

    # phase 1
    def arrivals(self) -> list[tuple[dt.datetime, str]]:
        """Receipt instants with their level, sorted: working days by weekday weight, office hours by hour."""
        total = round(self.profile["new_dossiers"] * self.scale)
        days = []
        day = self.start.date()
        while day < self.end.date():
            if self.calendar.is_working_day(day):
                days.append(day)
            day += dt.timedelta(days=1)
        if not days or total == 0:
            return []
        weekday = self.profile["weekday_weights"]
        day_weights = [weekday[min(d.weekday(), 4)] for d in days]
        slots = _hour_slots(self.calendar)
        hour_w = self.profile.get("hour_weights", {})
        slot_weights = [float(hour_w.get(str(a // 60), 1.0)) for a, _b in slots]
        levels: list[str] = []
        remaining = total
        names = [name for name in LEVELS if name in self.profile["levels"]]
        for i, name in enumerate(names):
            count = remaining if i == len(names) - 1 else round(total * self.profile["levels"][name]["share"])
            count = min(count, remaining)
            levels += [name] * count
            remaining -= count
        self.rng.shuffle(levels)
        chosen_days = self.rng.choices(days, day_weights, k=total)
        chosen_slots = self.rng.choices(slots, slot_weights, k=total)
        result = []
        for level, d, (a, b) in zip(levels, chosen_days, chosen_slots, strict=True):
            minute = self.rng.randrange(a, b)
            instant = dt.datetime.combine(d, dt.time(minute // 60, minute % 60), tzinfo=clock.VN_TZ)
            result.append((instant, level))
        result.sort(key=lambda item: (item[0], LEVELS.index(item[1])))
        return result

    def channels(self, level: str, count: int) -> list[int]:
        conf = self.profile["levels"][level]
        online, post = round(conf["online"] * count), round(conf["post"] * count)
        post = min(post, count - online)
        values = (
            [Channel.ONLINE] * online + [Channel.POST] * post + [Channel.COUNTER] * (count - online - post)
        )
        self.rng.shuffle(values)
        return [int(v) for v in values]

    def pick_version(self, level: str, day: dt.date, online: bool) -> VersionInfo | None:
        conf = self.profile["levels"][level]
        default = float(self.profile.get("default_procedure_weight", 1.0))
        options = [
            v for v in self.versions(day) if v.level == level and v.unit_ids and (v.online or not online)
        ]
        if not options:
            return None
        p06 = set((self.profile.get("project06") or {}).get("procedures", {}).values())
        weights = [0.0 if v.code in p06 else float(conf["procedures"].get(v.code, default)) for v in options]
        if sum(weights) <= 0:
            return None
        return self.rng.choices(options, weights)[0]

    def project06(self, by_level: dict[str, list[int]]) -> dict[int, str]:
        """Arrival index → the Project 06 procedure code it is (exact monthly counts, ``money.project06_quota``)."""
        conf = self.profile.get("project06") or {}
        quota = money.project06_quota(self.profile, self.scale)
        indexes = list(by_level.get(conf.get("level", "province"), []))
        self.rng.shuffle(indexes)
        forced: dict[int, str] = {}
        for kind in sorted(quota):
            for _ in range(quota[kind]):
                if indexes:
                    forced[indexes.pop()] = conf["procedures"][kind]
        return forced

    def forced_version(self, code: str | None, level: str, day: dt.date, online: bool) -> VersionInfo | None:
        if code is None:
            return None
        for v in self.versions(day):
            if v.code == code and v.level == level and v.unit_ids and (v.online or not online):
                return v
        return None

    def pick_unit(self, level: str, version: VersionInfo) -> int:
        weights_by_code = self.profile["levels"][level].get("units", {})
        weights = [float(weights_by_code.get(self.units[pk].code, 1.0)) for pk in version.unit_ids]
        return self.rng.choices(version.unit_ids, weights)[0]

    def applicant(self, version: VersionInfo, owner_index: int | None) -> tuple[Applicant, str | None]:
        organisation = version.field in self.profile.get("organisation_fields", [])
        if owner_index is not None:
            # An online applicant is an account of the pool: the same index is always the same person.
            person_rng = random.Random(f"motcua-sim-person:{'org' if organisation else 'cit'}:{owner_index}")
        else:
            person_rng = self.rng
        name, number = fake_company(person_rng) if organisation else fake_person(person_rng)
        owner = None
        if owner_index is not None:
            owner = f"{SIM_PREFIX}{'business' if organisation else 'citizen'}-{owner_index:06d}"
        phone = f"09{person_rng.randrange(10**8):08d}" if self.profile.get("_contacts") else ""
        kind = ApplicantKind.ORGANISATION if organisation else ApplicantKind.CITIZEN
        return Applicant(name=name, kind=kind, id_number=number, phone=phone), owner

    def plan(self) -> list[DossierPlan]:
        arrivals = self.arrivals()
        by_level: dict[str, list[int]] = defaultdict(list)
        for i, (_at, level) in enumerate(arrivals):
            by_level[level].append(i)
        channel_of: dict[int, int] = {}
        for level, indexes in by_level.items():
            for i, channel in zip(indexes, self.channels(level, len(indexes)), strict=True):
                channel_of[i] = channel
        pool = max(50, round(20000 * self.scale))
        forced = self.project06(by_level)
        plans: list[DossierPlan] = []
        for i, (received, level) in enumerate(arrivals):
            channel = channel_of[i]
            online = channel == Channel.ONLINE
            version = self.forced_version(forced.get(i), level, received.date(), online)
            if version is None:
                version = self.pick_version(level, received.date(), online)
            if version is None and online:  # no online procedure at this level: the applicant comes in person
                channel, online = int(Channel.COUNTER), False
                version = self.pick_version(level, received.date(), False)
            if version is None:
                continue
            applicant, owner = self.applicant(version, self.rng.randrange(pool) if online else None)
            plan = DossierPlan(
                index=len(plans),
                level=level,
                version=version,
                unit_id=self.pick_unit(level, version),
                channel=channel,
                applicant=applicant,
                owner=owner,
                received=received,
                outcome="resolve",
                specialist=self.rng.randrange(self.profile["levels"][level].get("specialists", 1)),
            )
            self.skeleton(plan)
            plans.append(plan)
            if online and self.rng.random() < self.outcomes["intake_refusal"]:  # an extra, refused submission
                extra_applicant, extra_owner = self.applicant(version, self.rng.randrange(pool))
                refused = DossierPlan(
                    index=len(plans),
                    level=level,
                    version=version,
                    unit_id=self.pick_unit(level, version),
                    channel=int(Channel.ONLINE),
                    applicant=extra_applicant,
                    owner=extra_owner,
                    received=self.after(self.add(received, self.span("handover_delay")), received),
                    outcome="refuse",
                )
                self.skeleton(refused)
                plans.append(refused)
        return plans

    def skeleton(self, plan: DossierPlan) -> None:
        """The events up to the finish, the statutory due and both candidate finishing instants."""
        cal, rng, r = self.calendar, self.rng, plan.received
        ev = plan.events
        if plan.channel == Channel.ONLINE:
            submitted = self.add(r, -self.span("receive_delay"))
            if submitted < self.start:
                submitted = r - dt.timedelta(minutes=1)
            ev.append(Event(submitted, "submit", "applicant"))
            if plan.outcome == "refuse":
                ev.append(Event(r, Action.REFUSE, Role.OFFICER, note=rng.choice(_REFUSAL_NOTES)))
                return
            # the officer checks the uploaded components: all of them are there
            checked = [{"component": pk, "received": True} for pk in plan.version.component_ids]
            ev.append(Event(r, Action.RECEIVE, Role.OFFICER, {"components": checked}))
        else:
            ev.append(Event(r, "intake", Role.OFFICER))
        v = plan.version
        forward = self.after(self.add(r, self.span("handover_delay")), r)
        params = {"step": v.specialist_step} if v.specialist_step is not None else {}
        ev.append(Event(forward, Action.FORWARD, Role.OFFICER, params))
        assign = self.after(self.add(forward, rng.randint(1, 15)), forward)
        ev.append(Event(assign, Action.ASSIGN, Role.OFFICER, {"assignee": "specialist"}))
        last = assign
        due = cal.due(r, v.limit, v.limit_unit)
        anchor = r
        roll = rng.random()
        o = self.outcomes
        plan.supplements = 2 if roll < o["supplement_twice"] else 1 if roll < o["supplement_once"] else 0
        for _ in range(plan.supplements):
            length = cal.office_minutes_between(anchor, due)
            request = self.after(self.add(anchor, max(1, round(rng.uniform(0.05, 0.5) * length))), last)
            ev.append(
                Event(request, Action.REQUEST_SUPPLEMENT, Role.SPECIALIST, note=rng.choice(_SUPPLEMENT_NOTES))
            )
            arrival = self.after(self.add(request, self.span("supplement_turnaround")), request)
            ev.append(Event(arrival, Action.SUPPLEMENT_RECEIVED, Role.OFFICER))
            if v.rule == SupplementRule.PAUSE:
                due = cal.resume(cal.pause(due, request), arrival)
            else:
                due = cal.reset(v.limit, LimitUnit(v.limit_unit), arrival)
            anchor = last = arrival
        plan.due = due
        length = cal.office_minutes_between(anchor, due)
        if rng.random() < o["withdrawal"]:
            plan.outcome = "withdraw"
            request = self.after(self.add(anchor, max(1, round(rng.uniform(0.1, 0.6) * length))), last)
            who = "applicant" if plan.channel == Channel.ONLINE else Role.OFFICER
            ev.append(Event(request, Action.REQUEST_WITHDRAWAL, who, note=rng.choice(_WITHDRAWAL_NOTES)))
            accept = self.after(self.add(request, rng.randint(5, 240)), request)
            ev.append(Event(accept, Action.ACCEPT_WITHDRAWAL, Role.OFFICER))
            plan.ends_at = accept
            return
        on_time = self.add(anchor, max(2, round(rng.uniform(0.3, 1.0) * length)))
        if on_time > due:
            on_time = due
        plan.on_time_at = max(on_time, last + dt.timedelta(minutes=2))
        plan.late_at = self.add(due, self.span("late_by"))
        plan.extend = rng.random() < o["extension_of_late"]
        plan.last = last

    def finish(self, plan: DossierPlan) -> None:
        """The events from the leader's step to the return, once the plan knows whether it is late."""
        if plan.outcome != "resolve":
            return
        assert plan.on_time_at is not None
        assert plan.late_at is not None
        assert plan.last is not None
        assert plan.due is not None
        rng, ev, last = self.rng, plan.events, plan.last
        finish = plan.late_at if plan.late else plan.on_time_at
        if plan.late and plan.extend:
            extend_at = self.add(plan.due, -(self.calendar.day_minutes + rng.randint(15, 240)))
            if extend_at > last:
                new_due = self.add(finish, rng.randint(30, 960))
                ev.append(
                    Event(
                        extend_at,
                        Action.EXTEND,
                        Role.LEADER,
                        {"due": new_due},
                        note=rng.choice(_EXTENSION_NOTES),
                    )
                )
                last = extend_at
        if self.profile.get("leader_step", True):
            # the specialist hands the draft decision to the leader, who signs it (resolve)
            gap = self.calendar.office_minutes_between(last, finish)
            to_leader = self.add(last, max(1, round(gap * rng.uniform(0.5, 0.9))))
            if not last < to_leader < finish:
                to_leader = last + (finish - last) / 2
            params = {"step": plan.version.leader_step} if plan.version.leader_step is not None else {}
            ev.append(Event(to_leader, Action.FORWARD, Role.SPECIALIST, params))
        result = f"Kết quả giải quyết thủ tục: {plan.version.name}"[:2000]
        ev.append(Event(finish, Action.RESOLVE, Role.LEADER, {"result": result}))
        key = "return_online" if plan.channel == Channel.ONLINE else "return_counter"
        ev.append(Event(self.after(self.add(finish, self.span(key)), finish), Action.RETURN, Role.OFFICER))

    # phase 2
    def calibrate(self, plans: list[DossierPlan]) -> dict[str, dict[str, int]]:
        """Mark late dossiers so each level's resolved-in-month on-time rate is the profile's target."""
        summary: dict[str, dict[str, int]] = {}
        for level in LEVELS:
            rate = 1 - self.profile["levels"].get(level, {}).get("on_time", 1.0)
            mine = [p for p in plans if p.level == level and p.outcome != "refuse"]
            # Dossiers that would finish in the month on time but after it if late: late at the target rate.
            # Those are the ones overdue (in progress past their statutory due) at the end of the month.
            for p in mine:
                if (
                    p.outcome == "resolve"
                    and p.supplements < 2
                    and p.on_time_at is not None
                    and p.late_at is not None
                    and p.on_time_at < self.end <= p.late_at
                ):
                    p.late = self.rng.random() < rate
            ends = [p for p in mine if not p.late and (p.ends_at or p.on_time_at or self.end) < self.end]
            already = sum(1 for p in ends if p.outcome == "resolve" and p.supplements > 1)
            target = round(rate * len(ends))
            candidates = [
                p
                for p in mine
                if p.outcome == "resolve"
                and p.supplements < 2
                and p.late_at is not None
                and p.late_at < self.end
            ]
            extra = max(0, min(target - already, len(candidates)))
            for p in self.rng.sample(candidates, extra):
                p.late = True
            # Dossiers finishing after the month anyway are late at the same rate.
            for p in mine:
                if p.outcome == "resolve" and p.on_time_at is not None and p.on_time_at >= self.end:
                    p.late = self.rng.random() < rate
            summary[level] = {"resolved_in_month": len(ends), "late": already + extra}
        for p in plans:
            self.finish(p)
        return summary


# --- running the plan ----------------------------------------------------------------------------------


class Staff:
    """The simulation's accounts: ``sim-<role>-<unit code>[-<valid_from>]`` staff and applicant accounts."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.by_unit: dict[tuple[int, str], list[User]] = {}
        self.owners: dict[str, User] = {}
        self.codes: dict[int, str] = {}  # unit id -> code

    @staticmethod
    def username(role: str, unit: Unit, n: int = 0) -> str:
        suffix = f"-{unit.valid_from:%Y%m%d}" if unit.valid_from else ""
        return f"{SIM_PREFIX}{role}-{unit.code}{suffix}" + (f"-{n + 1}" if n else "")

    def ensure(self, units: list[Unit], levels: dict[int, str]) -> None:
        """Create (idempotently) the staff of ``units`` with memberships through ``membership_grant``."""
        from motcua.accounts.models import AccountKind, User

        wanted: list[tuple[str, str, Unit, str]] = []
        for unit in units:
            self.codes[unit.pk] = unit.code
            specialists = int(self.profile["levels"].get(levels[unit.pk], {}).get("specialists", 1))
            roles = [(Role.OFFICER.value, 0), (Role.LEADER.value, 0)]
            roles += [(Role.SPECIALIST.value, n) for n in range(max(1, specialists))]
            for role, n in roles:
                full = f"{Role(role).label} {unit.name}" + (f" {n + 1}" if n else "") + " (mô phỏng)"
                wanted.append((self.username(role, unit, n), full, unit, role))
        existing = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
        unusable = make_password(None)
        User.objects.bulk_create(
            [
                User(username=name, full_name=full[:200], kind=AccountKind.STAFF, password=unusable)
                for name, full, _unit, _role in wanted
                if name not in existing
            ]
        )
        users = {u.username: u for u in User.objects.filter(username__in=[w[0] for w in wanted])}
        granted = set(
            Membership.objects.filter(user__in=users.values()).values_list("user_id", "unit_id", "role")
        )
        for name, _full, unit, role in wanted:
            user = users[name]
            if (user.pk, unit.pk, role) not in granted:
                membership_grant(user=user, unit=unit, role=role)
            self.by_unit.setdefault((unit.pk, role), []).append(user)

    def ensure_owners(self, names: set[str]) -> None:
        from motcua.accounts.models import AccountKind, User

        existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
        unusable = make_password(None)
        User.objects.bulk_create(
            [
                User(
                    username=name,
                    kind=AccountKind.BUSINESS if "-business-" in name else AccountKind.CITIZEN,
                    full_name="Tài khoản mô phỏng",
                    password=unusable,
                )
                for name in sorted(names - existing)
            ],
            batch_size=2000,
        )
        self.owners = {u.username: u for u in User.objects.filter(username__in=names)}

    def get(self, unit_id: int, role: str, n: int = 0) -> User:
        users = self.by_unit[(unit_id, role)]
        return users[n % len(users)]


def _progress_step(total: int) -> int:
    return max(1, total // 400)


@outbound_consumers_off()
def simulate_month(
    *,
    month: str,
    profile: str | Profile = "vinh-phuc",
    scale: float = 1.0,
    seed: int = 0,
    progress: Progress | None = None,
    notifications: bool = False,
    carry: bool = True,
) -> SimulationResult:
    """Simulate ``month`` (``YYYY-MM``) for ``profile`` at ``scale``; deterministic for ``seed``.

    Needs the units and catalog in force in that month (``motcua load-demo`` for Vĩnh Phúc 2023). Without
    ``notifications`` the simulated applicants have no phone or e-mail, so no message is queued (a past month's
    messages would otherwise be sent now by the worker); with it, they get phone numbers and every notifying
    transition queues an SMS like in production.

    Never creates the future: a month that starts after today is refused (``ValidationFailed``
    ``month_in_future``), and in the current month only the events before ``clock.now()`` are run (a dossier
    whose later events are cut stays in its state at now). With ``carry`` (the default) the dossiers open at
    the month's end are carried over and finished by their planned events after it (up to now); without it
    nothing after the month's end is run and they stay open.
    """
    started = time.monotonic()
    conf = profile_get(profile) if isinstance(profile, str) else profile
    if not 0 < scale <= 10:
        raise ValidationFailed("Hệ số quy mô phải trong khoảng (0, 10].", code="invalid_scale")
    start, end = parse_month(month)
    now = clock.now()
    if start.date() > clock.today():
        raise ValidationFailed(
            f"Tháng {month} chưa bắt đầu: không mô phỏng được tương lai.",
            code="month_in_future",
            details={"month": month, "today": clock.today().isoformat()},
        )
    conf = {**conf, "_contacts": notifications}
    result = SimulationResult(month=month, profile=str(conf["name"]), scale=scale, seed=seed)
    with transaction.atomic():
        money.project06_ensure(conf)  # before planning: the plan draws from the catalog in force
    with clock.frozen(start):
        planner = Planner(profile=conf, start=start, end=end, scale=scale, seed=seed)
        plans = planner.plan()
        money.land_plan(planner, plans)
        planner.calibrate(plans)
        money.payments_plan(planner, plans)
    result.planned = Counter(p.outcome for p in plans)
    result.planned["late"] = sum(1 for p in plans if p.late)
    result.planned["supplement_twice"] = sum(1 for p in plans if p.supplements > 1)
    result.payments = Counter(p.pay for p in plans if p.pay)
    if land := sum(1 for p in plans if p.land):
        result.payments["land"] = land

    staff = Staff(conf)
    unit_ids = sorted({p.unit_id for p in plans})
    levels = {p.unit_id: p.level for p in plans}
    with clock.frozen(start), transaction.atomic():
        staff.ensure(list(Unit.objects.filter(pk__in=unit_ids).order_by("pk")), levels)
        staff.ensure_owners({p.owner for p in plans if p.owner})

    # Nothing after now: the simulator never creates the future. Carried over, the dossiers open at the month's
    # end finish after it as planned; without carrying, nothing after the month's end is run.
    cut = now if carry else min(end, now)
    events = sorted(
        (
            (e.at, p.index, n, e)
            for p in plans
            if p.events and p.events[0].at < end  # a dossier of the month: submitted or received in it
            for n, e in enumerate(p.events)
            if e.at < cut
        ),
        key=lambda item: (item[0], item[1], item[2]),
    )
    total = len(events)
    by_day: dict[dt.date, list[tuple[dt.datetime, int, int, Event]]] = defaultdict(list)
    for item in events:
        by_day[item[0].astimezone(clock.VN_TZ).date()].append(item)
    dossier_of: dict[int, Dossier] = {}
    cashier = money.Cashier()
    failed: set[int] = set()
    done = 0
    step = _progress_step(total)
    if progress:
        progress(0, total, 0)
    for day in sorted(by_day):
        with transaction.atomic():
            for at, index, _n, event in by_day[day]:
                done += 1
                if index in failed:
                    continue
                plan = plans[index]
                try:
                    with clock.frozen(at):
                        _apply(plan, event, staff, dossier_of, cashier)
                    result.events += 1
                except DomainError as exc:  # a planning bug: recorded, the dossier's later events skipped
                    failed.add(index)
                    result.errors.append(f"#{index} {event.action} at {at:%Y-%m-%d %H:%M}: {exc.code}: {exc}")
                if progress and done % step == 0:
                    progress(done, total, len(dossier_of))
            # The collection account's statement of the day: its VietQR transfers credited by the import.
            closing = dt.datetime.combine(day, dt.time(23, 30), tzinfo=clock.VN_TZ)
            if closing < cut:
                try:
                    with clock.frozen(closing), transaction.atomic():
                        cashier.statement_import(day)
                except DomainError as exc:
                    result.errors.append(f"bank statement {day}: {exc.code}: {exc}")
    if progress:
        progress(done, total, len(dossier_of))
    result.dossiers = len(dossier_of)
    if cashier.skipped:
        result.payments["skipped"] = cashier.skipped
    result.seconds = time.monotonic() - started
    return result


def _apply(
    plan: DossierPlan, event: Event, staff: Staff, dossier_of: dict[int, Dossier], cashier: money.Cashier
) -> None:
    unit = plan.unit_id
    if event.action == "intake":
        with transaction.atomic():
            officer = staff.get(unit, Role.OFFICER)
            dossier_of[plan.index] = dossier_intake_counter(
                officer=officer,
                procedure_code=plan.version.code,
                unit_code=staff.codes[unit],
                applicant=plan.applicant,
                channel=plan.channel,
            )
            if plan.pay:
                cashier.pay(plan, dossier_of[plan.index], applicant=None, officer=officer)
        return
    if event.action == "land-notice":
        with transaction.atomic():
            cashier.land_notice(
                plan, dossier_of[plan.index], specialist=staff.get(unit, Role.SPECIALIST, plan.specialist)
            )
        dossier_of[plan.index] = Dossier.objects.get(pk=dossier_of[plan.index].pk)
        return
    if event.action == "land-pay":
        with transaction.atomic():
            cashier.land_pay(dossier_of[plan.index], officer=staff.get(unit, Role.OFFICER))
        dossier_of[plan.index] = Dossier.objects.get(pk=dossier_of[plan.index].pk)
        return
    if event.action == "submit":
        owner = staff.owners[plan.owner or ""]
        with transaction.atomic():
            draft = dossier_create(
                actor=owner,
                procedure_code=plan.version.code,
                unit_code=staff.codes[unit],
                applicant=plan.applicant,
                channel=Channel.ONLINE,
                owner=owner,
            )
            dossier_of[plan.index] = dossier_transition(dossier=draft, action=Action.SUBMIT, actor=owner)
            if plan.pay:
                cashier.pay(
                    plan, dossier_of[plan.index], applicant=owner, officer=staff.get(unit, Role.OFFICER)
                )
        return
    if event.role == "applicant":
        actor = staff.owners[plan.owner or ""]
    elif event.role == Role.SPECIALIST:
        actor = staff.get(unit, Role.SPECIALIST, plan.specialist)
    else:
        actor = staff.get(unit, event.role)
    params = dict(event.params)
    if params.get("assignee") == "specialist":
        params["assignee"] = staff.get(unit, Role.SPECIALIST, plan.specialist)
    dossier_of[plan.index] = dossier_transition(
        dossier=dossier_of[plan.index], action=event.action, actor=actor, note=event.note, **params
    )


# --- the demo month --------------------------------------------------------------------------------------


def simulated_dossiers(*, month: str) -> int:
    """How many dossiers of ``month`` were received (or refused at intake) by a simulation account."""
    start, end = parse_month(month)
    return (
        DossierEvent.objects.filter(
            action__in=[Action.RECEIVE, Action.REFUSE],
            actor__username__startswith=f"{SIM_PREFIX}officer-",
            at__gte=start,
            at__lt=end,
        )
        .values("dossier_id")
        .distinct()
        .count()
    )


def simulation_load_demo_month(progress: Progress | None = None) -> int:
    """Simulate the demo month (2023-03, Vĩnh Phúc, scale 0.02, seed 1) once; return the dossiers created.

    Idempotent: returns 0 and does nothing when simulated dossiers of that month already exist. Needs the demo
    data (``motcua load-demo``).
    """
    if simulated_dossiers(month=DEMO_MONTH):
        return 0
    result = simulate_month(
        month=DEMO_MONTH, profile=DEMO_PROFILE, scale=DEMO_SCALE, seed=DEMO_SEED, progress=progress
    )
    return result.dossiers


__all__ = [
    "DEMO_MONTH",
    "SIM_PREFIX",
    "SimulationResult",
    "parse_month",
    "simulate_month",
    "simulated_dossiers",
    "simulation_load_demo_month",
]
