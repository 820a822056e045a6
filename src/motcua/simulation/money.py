"""Payments and Project 06 in the simulated month (docs/simulator.md, "Payments" and "Project 06").

Planning (pure, deterministic for the planner's random generator):

- ``project06_quota``: how many dossiers of each Project 06 procedure the month has (the seed's to-date figures
  divided by the profile's ``divisor``, times the scale; largest remainders, so the proportions hold);
- ``land_plan``: exactly ``round(count × scale / period_months)`` dossiers of the land procedures get their
  financial obligations (tax notice by the specialist, paid at the counter ``delay`` office minutes later, both
  in the month), their clock paused in between (the planned due moves as the lifecycle will move it); amounts
  around the seed's mean, adding up exactly to the month's amount;
- ``payments_plan``: which dossiers with fees pay online through VNPay (exact count, amount within a fraction of
  a percent of the target), by VietQR transfer (amount up to the target) or cash at the counter.

Running goes through the payment services only: ``payment_create`` (VNPay order; cash taken by the officer),
the sandbox gateway's ``pay`` (what the buyer does at VNPay) then ``vnpay_ipn`` with its signed result (the
service the IPN endpoint calls; it credits as ``system:vnpay``), ``vietqr_order_for`` and, at the end of each
day, ``bank_statement_import`` of the day's transfers, ``obligations_notice_record`` for land obligations.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings

from motcua.core import clock
from motcua.core.errors import Conflict
from motcua.dossiers.constants import Channel

if TYPE_CHECKING:
    from motcua.accounts.models import User
    from motcua.dossiers.models import Dossier

    from .simulator import DossierPlan, Planner

P06_DATA = Path(__file__).resolve().parent / "data" / "p06_catalog.json"
# How the simulated transfers' statement lines are named (unique per simulated payment reference).
TRANSFER_PREFIX = "SIM"


def largest_remainder(weights: dict[str, float], total: int) -> dict[str, int]:
    """``total`` split in proportion to ``weights`` (integers adding up to ``total``)."""
    whole = sum(weights.values())
    if whole <= 0 or total <= 0:
        return dict.fromkeys(weights, 0)
    exact = {k: total * w / whole for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    left = total - sum(counts.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - counts[k]), k))[:left]:
        counts[k] += 1
    return counts


def project06_quota(profile: dict[str, Any], scale: float) -> dict[str, int]:
    """Project 06 kind → dossiers this month (see the module)."""
    conf = profile.get("project06") or {}
    to_date = {k: float(v) for k, v in (conf.get("to_date") or {}).items() if k in conf.get("procedures", {})}
    if not to_date:
        return {}
    total = round(sum(to_date.values()) / float(conf.get("divisor", 1)) * scale)
    return largest_remainder(to_date, total)


def project06_ensure(profile: dict[str, Any]) -> dict[str, str]:
    """Import the profile's Project 06 procedures missing from the catalog and flag their ``p06_kind``."""
    from motcua.catalog.models import Procedure
    from motcua.catalog.services import catalog_import_file

    procedures: dict[str, str] = (profile.get("project06") or {}).get("procedures", {})
    if not procedures:
        return {}
    known = set(Procedure.objects.filter(code__in=procedures.values()).values_list("code", flat=True))
    if set(procedures.values()) - known and P06_DATA.is_file():
        catalog_import_file(path=P06_DATA)
    for kind, code in procedures.items():
        Procedure.objects.filter(code=code).exclude(p06_kind=kind).update(p06_kind=kind)
    return procedures


def _monthly(value: float, conf: dict[str, Any], scale: float) -> float:
    return float(value) * scale / float(conf.get("period_months", 1))


def land_plan(planner: Planner, plans: list[DossierPlan]) -> None:
    """Give land financial obligations to the month's quota of land dossiers (before calibration)."""
    conf = planner.profile.get("payments") or {}
    land = conf.get("land") or {}
    count = round(_monthly(land.get("count", 0), conf, planner.scale))
    if count <= 0:
        return
    cal, rng = planner.calendar, planner.rng
    codes = set(land.get("procedures", []))
    candidates = [
        p
        for p in plans
        if p.outcome == "resolve"
        and p.version.code in codes
        and p.last is not None
        and p.on_time_at is not None
        and p.due is not None
    ]
    rng.shuffle(candidates)
    low, high = (int(x) for x in land.get("delay", [240, 4800]))
    chosen: list[DossierPlan] = []
    for plan in candidates:
        if len(chosen) >= count:
            break
        assert plan.last is not None
        assert plan.on_time_at is not None
        assert plan.due is not None
        gap = cal.office_minutes_between(plan.last, plan.on_time_at)
        if gap < 4:
            continue
        notice = planner.after(planner.add(plan.last, max(1, round(rng.uniform(0.1, 0.5) * gap))), plan.last)
        paid = planner.after(planner.add(notice, rng.randint(low, high)), notice)
        if paid >= planner.end or notice >= plan.on_time_at:
            continue
        # The lifecycle pauses the clock at the notice and resumes it at the payment: the due and the planned
        # finishing instants move by the paused office time.
        plan.due = cal.resume(cal.pause(plan.due, notice), paid)
        plan.on_time_at = cal.resume(cal.pause(plan.on_time_at, notice), paid)
        plan.late_at = planner.add(plan.due, planner.span("late_by"))
        plan.events.append(planner_event(notice, "land-notice", "specialist"))
        plan.events.append(planner_event(paid, "land-pay", "officer"))
        plan.last = paid
        chosen.append(plan)
    amounts = _amounts(rng, len(chosen), round(_monthly(land.get("amount", 0), conf, planner.scale)))
    for plan, amount in zip(chosen, amounts, strict=True):
        plan.land = amount


def planner_event(at: dt.datetime, action: str, role: str) -> Any:
    from .simulator import Event

    return Event(at, action, role)


def _amounts(rng: random.Random, count: int, total: int) -> list[int]:
    """``count`` amounts in thousands of VND, spread around the mean (×0.3 to ×2.5), adding up to ``total``."""
    if count == 0:
        return []
    raw = [rng.lognormvariate(0, 0.6) for _ in range(count)]
    whole = sum(raw)
    amounts = [max(1000, round(total * r / whole / 1000) * 1000) for r in raw]
    amounts[-1] = max(1000, amounts[-1] + total - sum(amounts))
    return amounts


def _pick_amount(
    rng: random.Random, items: list[tuple[int, DossierPlan]], count: int, target: float
) -> set[int]:
    """``count`` of ``items`` (amount, plan) whose amounts add up close to ``target``: a random start, then
    swaps that bring the sum closer (deterministic for ``rng``)."""
    if count <= 0 or not items:
        return set()
    count = min(count, len(items))
    order = list(range(len(items)))
    rng.shuffle(order)
    chosen, rest = order[:count], order[count:]
    total = sum(items[i][0] for i in chosen)
    for _round in range(3):
        improved = False
        rng.shuffle(rest)
        for j_pos, j in enumerate(rest):
            error = target - total
            if abs(error) <= max(1.0, target * 0.0005):
                break
            i_pos = rng.randrange(len(chosen))
            i = chosen[i_pos]
            new_error = error + items[i][0] - items[j][0]
            if abs(new_error) < abs(error):
                chosen[i_pos], rest[j_pos] = j, i
                total += items[j][0] - items[i][0]
                improved = True
        if not improved:
            break
    return {id(items[i][1]) for i in chosen}


def payments_plan(planner: Planner, plans: list[DossierPlan]) -> None:
    """Choose how each dossier with fees pays (``plan.pay``): ``vnpay``, ``vietqr``, ``cash`` or not at all."""
    conf = planner.profile.get("payments") or {}
    if not conf:
        return
    rng = planner.rng
    payable = [
        p for p in plans if p.outcome != "refuse" and p.version.fees > 0 and p.events[0].at < planner.end
    ]
    online = [(p.version.fees, p) for p in payable if p.channel == Channel.ONLINE]
    target = conf.get("online") or {}
    vnpay = _pick_amount(
        rng,
        online,
        round(_monthly(target.get("count", 0), conf, planner.scale)),
        _monthly(target.get("amount", 0), conf, planner.scale),
    )
    for p in payable:
        if id(p) in vnpay:
            p.pay = "vnpay"
    rest = [p for p in payable if not p.pay]
    rng.shuffle(rest)
    bank_left = _monthly(conf.get("bank_amount", 0), conf, planner.scale)
    for p in rest:
        if p.version.fees <= bank_left:
            p.pay = "vietqr"
            bank_left -= p.version.fees
        elif conf.get("cash") and p.channel == Channel.COUNTER:
            p.pay = "cash"


# ---------------------------------------------------------------------------------------------------- running


class Cashier:
    """Runs the planned payments through the payment services; gathers the day's VietQR transfers."""

    def __init__(self) -> None:
        from motcua.payments.gateways import payment_gateways

        def on(name: str) -> bool:
            gateway = payment_gateways.get(name)
            return gateway is not None and gateway.is_enabled()

        from motcua.core.registry import sandbox_on

        # Simulated money only ever reaches the sandbox gateways, never a real one.
        self.vnpay = on("vnpay") and sandbox_on()
        self.vietqr = on("vietqr") and sandbox_on()
        self.transfers: dict[dt.date, list[tuple[dt.datetime, str, int]]] = {}
        self.skipped = 0
        self.account = str(getattr(settings, "MOTCUA_VIETQR_ACCOUNT", "") or "SIM-ACCOUNT")

    def pay(self, plan: DossierPlan, dossier: Dossier, *, applicant: User | None, officer: User) -> None:
        """The payment ``plan.pay`` of ``dossier`` just submitted (online) or taken in (counter)."""
        from motcua.payments.constants import Method
        from motcua.payments.services import payment_create, vietqr_order_for

        if plan.pay == "vnpay":
            if not self.vnpay or applicant is None:
                self.skipped += 1
                return
            payment = payment_create(dossier=dossier, actor=applicant, method=Method.VNPAY)
            self._vnpay_pay(payment.pay_url)
        elif plan.pay == "vietqr":
            if not self.vietqr:
                self.skipped += 1
                return
            order = vietqr_order_for(dossier=dossier)
            if order is None:
                return
            rng = random.Random(f"motcua-sim-transfer:{order.reference}")
            booked = clock.now() + dt.timedelta(minutes=rng.randint(3, 90))
            self.transfers.setdefault(booked.astimezone(clock.VN_TZ).date(), []).append(
                (booked, order.reference, int(order.amount))
            )
        elif plan.pay == "cash":
            payment_create(dossier=dossier, actor=officer, method=Method.CASH)

    @staticmethod
    def _vnpay_pay(pay_url: str) -> None:
        """The buyer pays at the (sandbox) VNPay page; VNPay's signed result is handled by the IPN service."""
        from motcua.payments.sandbox.services import pay
        from motcua.payments.services import vnpay_ipn

        order = dict(parse_qsl(urlsplit(pay_url).query))
        txn = pay(order, "success")
        code, message = vnpay_ipn(params=dict(txn.params))
        if code != "00":
            raise Conflict(f"IPN VNPay trả lời {code} {message}.", code="simulated_ipn_refused")

    def land_notice(self, plan: DossierPlan, dossier: Dossier, *, specialist: User) -> None:
        from motcua.payments.services import obligations_notice_record

        notice = f"TB-{clock.now().astimezone(clock.VN_TZ):%y%m%d}-{plan.index:06d}"
        obligations_notice_record(
            dossier=dossier,
            actor=specialist,
            notice_number=notice,
            amount=plan.land,
            due_date=clock.today() + dt.timedelta(days=30),
        )

    def land_pay(self, dossier: Dossier, *, officer: User) -> None:
        from motcua.payments.constants import Method
        from motcua.payments.services import payment_create

        payment_create(dossier=dossier, actor=officer, method=Method.CASH)

    def statement_import(self, day: dt.date) -> int:
        """Import the statement of ``day``'s transfers (clock frozen at its end by the caller)."""
        from motcua.payments.bank import bank_statement_import

        lines = self.transfers.pop(day, [])
        if not lines:
            return 0
        with tempfile.TemporaryDirectory(prefix="motcua-sim-") as folder:
            path = Path(folder) / f"sao-ke-{day:%Y%m%d}.csv"
            _write_statement(path, lines)
            result = bank_statement_import(path=path, account=self.account)
        if result.unmatched:
            raise Conflict(
                f"{len(result.unmatched)} dòng sao kê mô phỏng không khớp lệnh chuyển khoản nào.",
                code="simulated_transfer_unmatched",
                details={"lines": result.unmatched[:5]},
            )
        return len(result.credited)


def _write_statement(path: Path, lines: Iterable[tuple[dt.datetime, str, int]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["transaction_id", "booked_at", "amount", "description"])
        for booked, reference, amount in sorted(lines):
            writer.writerow(
                [
                    f"{TRANSFER_PREFIX}{reference}",
                    booked.astimezone(clock.VN_TZ).strftime("%Y-%m-%d %H:%M:%S"),
                    amount,
                    f"{reference} nop phi le phi ho so",
                ]
            )
