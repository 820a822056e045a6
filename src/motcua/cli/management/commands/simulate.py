"""``motcua simulate --month 2023-03 --profile vinh-phuc [--scale 1.0] [--seed N]``: a realistic month.

See docs/simulator.md. Every dossier goes through the domain services; a progress bar goes to stderr.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from motcua.core.errors import DomainError
from motcua.simulation.recent import demo_recent_load
from motcua.simulation.simulator import DEMO_MONTH, simulate_month, simulation_load_demo_month


class ProgressBar:
    """``[#####-----]  45.2%  12,345/27,300 events  3,100 dossiers  850 ev/s  ETA 0:20`` updated in place."""

    def __init__(
        self, stream: TextIO | OutputWrapper, label: str, width: int = 30, interval: float = 0.2
    ) -> None:
        self.stream, self.label, self.width, self.interval = stream, label, width, interval
        self.started = time.monotonic()
        self.shown = 0.0

    def __call__(self, done: int, total: int, dossiers: int) -> None:
        now = time.monotonic()
        if done < total and now - self.shown < self.interval:
            return
        self.shown = now
        fraction = done / total if total else 1.0
        filled = int(self.width * fraction)
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        eta = (total - done) / rate if rate > 0 else 0.0
        self._write(
            f"\r{self.label} [{'#' * filled}{'-' * (self.width - filled)}] {fraction * 100:5.1f}%  "
            f"{done:,}/{total:,} events  {dossiers:,} dossiers  {rate:,.0f} ev/s  "
            f"ETA {int(eta // 60)}:{int(eta % 60):02d} "
        )
        if done >= total:
            self._write("\n")
        self.stream.flush()

    def _write(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")  # the wrapper would add a newline to every update
        else:
            self.stream.write(text)


class Command(BaseCommand):
    help = "Simulate a month of dossiers through the domain services (arrivals, channels, outcomes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM, e.g. 2023-03")
        parser.add_argument(
            "--demo",
            action="store_true",
            help="the demo month (2023-03, vinh-phuc, scale 0.02, seed 1) and the recent dossiers of today's "
            "demo units (docs/simulator.md), each unless already loaded",
        )
        parser.add_argument("--profile", default="vinh-phuc", help="a built-in profile or a JSON file")
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the province's real volume")
        parser.add_argument("--seed", type=int, default=0, help="same seed, same month")
        parser.add_argument(
            "--notifications",
            action="store_true",
            help="give applicants phone numbers so transitions queue SMS (off: no messages are queued)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
        parser.add_argument(
            "--no-carry",
            action="store_true",
            help="run nothing after the month's end (its open dossiers stay open); by default they are carried "
            "over and finished after it as planned",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["demo"]:
            bar = None if options["no_progress"] else ProgressBar(self.stderr, f"Simulating {DEMO_MONTH}")
            try:
                created = simulation_load_demo_month(progress=bar)
                recent = demo_recent_load()
            except DomainError as exc:
                raise CommandError(f"{exc.code}: {exc.message}", returncode=2) from None
            self.stdout.write(
                f"Demo month {DEMO_MONTH}: {created} dossiers simulated."
                if created
                else f"Demo month {DEMO_MONTH} already simulated: nothing changed."
            )
            self.stdout.write(
                f"Recent dossiers for the demo staff (today's units): {recent} created."
                if recent
                else "Recent dossiers for the demo staff already loaded: nothing changed."
            )
            return
        if not options["month"]:
            raise CommandError("--month YYYY-MM (or --demo) is required", returncode=2)
        bar = None if options["no_progress"] else ProgressBar(self.stderr, f"Simulating {options['month']}")
        try:
            result = simulate_month(
                month=options["month"],
                profile=options["profile"],
                scale=options["scale"],
                seed=options["seed"],
                progress=bar,
                notifications=options["notifications"],
                carry=not options["no_carry"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}", returncode=2) from None
        planned = ", ".join(f"{k} {v}" for k, v in sorted(result.planned.items()))
        self.stdout.write(
            f"Simulated {result.month} ({result.profile}, scale {result.scale}, seed {result.seed}): "
            f"{result.dossiers} dossiers, {result.events} events in {result.seconds:.1f} s (planned: {planned})."
        )
        if result.payments:
            paid = ", ".join(f"{k} {v}" for k, v in sorted(result.payments.items()))
            self.stdout.write(f"Payments planned: {paid}.")
        for error in result.errors[:20]:
            self.stderr.write(f"error: {error}")
        if result.errors:
            raise CommandError(f"{len(result.errors)} events failed", returncode=1)
