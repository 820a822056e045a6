"""Benchmark of the deadline engine: due computations per second on one core (target ≥ 200,000).

Random receipt instants across 2019–2026 (any minute of any day, weekends and nights included) and limits of
1–30 working days, on the real calendar (``holidays`` VN + the default office hours), built without a database.
The target scenario is the first line; the others show the cost of other inputs.

Run: ``.venv/bin/python bench/deadline.py [--n 500000] [--repeat 5] [--seed 1]``; exit code 1 if the target
is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.test_settings")

TARGET = 200_000


def best_rate(run: Callable[[], object], n: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main() -> int:
    parser = argparse.ArgumentParser(description="Deadline engine benchmark")
    parser.add_argument("--n", type=int, default=500_000, help="due computations per run")
    parser.add_argument("--repeat", type=int, default=5, help="runs per scenario; the best is reported")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import django

    django.setup()
    from motcua.worktime.calendar import VN_TZ
    from motcua.worktime.services import build_calendar

    t0 = time.perf_counter()
    calendar = build_calendar(overrides=(), office_hours="08:00-12:00,13:00-17:00", cutoff="15:00")
    build_seconds = time.perf_counter() - t0

    rng = random.Random(args.seed)
    start = dt.datetime(2019, 1, 1, tzinfo=VN_TZ)
    span = int((dt.datetime(2027, 1, 1, tzinfo=VN_TZ) - start).total_seconds() // 60)
    receipts = [start + dt.timedelta(minutes=rng.randrange(span)) for _ in range(args.n)]
    limits = [rng.randint(1, 30) for _ in range(args.n)]
    naive = [r.replace(tzinfo=None) for r in receipts]
    in_utc = [r.astimezone(dt.UTC) for r in receipts]
    due = calendar.due
    pairs = list(zip(receipts, limits, strict=True))

    scenarios: list[tuple[str, Callable[[], object]]] = [
        (
            "days 1–30, aware Asia/Ho_Chi_Minh receipts (target)",
            lambda: [due(r, n, "days") for r, n in pairs],
        ),
        (
            "days 1–30, naive receipts",
            lambda: [due(r, n, "days") for r, n in zip(naive, limits, strict=True)],
        ),
        ("days 1–30, UTC receipts", lambda: [due(r, n, "days") for r, n in zip(in_utc, limits, strict=True)]),
        ("hours 1–30", lambda: [due(r, n, "hours") for r, n in pairs]),
        ("same day with the 15:00 cut-off", lambda: [due(r, 0, "same_day") for r in receipts]),
    ]
    print(f"python {platform.python_version()} ({platform.python_implementation()}) on {platform.machine()}")
    print(
        f"calendar built in {build_seconds * 1000:.0f} ms; {args.n:,} due computations per run, best of {args.repeat}"
    )
    rates = []
    for name, run in scenarios:
        rate = best_rate(run, args.n, args.repeat)
        rates.append(rate)
        print(f"  {rate:>12,.0f} /s  {name}")
    met = rates[0] >= TARGET
    print(f"target ≥ {TARGET:,}/s on the first scenario: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
