"""Mixed load at a province's daily peak: portal reads, submissions, back-office queues and actions, statistics.

Builds a throw-away PostgreSQL database (default ``motcua_bench_load``), migrates it, loads the demo data,
seeds ``--seed-dossiers`` received dossiers, starts gunicorn (``--workers`` × ``--threads``, gthread) on a
loopback port and drives it for ``--duration`` seconds (default 300) with an open-loop arrival process: each
operation is due at a Poisson-distributed instant at its own rate and is sent by the next free client thread
(``--clients``, each with a keep-alive connection); its latency is measured from its due instant to the end of
the answer (so a server that falls behind shows it), and any answer other than the expected status is an error.

**The workload** (rates per second at ``--scale 1``: a province of 4 million people at its daily peak hour):

- about 1.5 million dossiers a year (0.37 per inhabitant, the order of the provinces' published figures), 250
  working days: 6,000 a day; the peak hour carries 18% of a day: **0.30 submissions/s** (counter intake
  through the API, with an applicant and the component checklist);
- **portal reads** 8 per submission: 1.2/s procedure pages (``/thu-tuc/<code>/``, HTML) and 1.2/s status
  look-ups (``/api/v1/public/dossiers/<code>/``);
- **back-office queues**: 1,500 officers signed in at the peak, one queue refresh every 3 minutes: 8.3/s
  (``GET /api/v1/dossiers/?status=received`` as a one-stop officer); and 1.5/s dossier details;
- **actions**: a dossier sees about 5 actions after its intake: **1.5/s** (``POST …/actions/<name>/``, the
  first action the officer may take on a received dossier, on seeded or freshly submitted dossiers);
- **statistics**: 0.05/s monthly reports (``/api/v1/reports/monthly``, province statistician).

That is about 14 requests/s at scale 1. ``--scale`` multiplies every rate.

**The target** (issue 17: 0 errors and p95 < 300 ms for every page at 10× the seed province's peak hour). The
seed province (Vĩnh Phúc, DOMAIN.md §8) received 36,700 new dossiers in March 2023: 440,000 a year, so 10× is
4.4 million a year, 2.94× scale 1's 1.5 million. The default ``--scale 3`` (42 requests/s) is therefore 10.2× the
seed province's peak; scale 1 is the merged province of 4 million people.

Prints p50/p95/p99, count and errors per endpoint; exit code 1 when an endpoint has errors or a p95 of 300 ms
or more. Run: ``.venv/bin/python bench/load.py [--duration 300] [--scale 3] [--clients 24] [--workers 2]
[--threads 4] [--keep]``; ``make bench`` runs it too (``MOTCUA_BENCH_LOAD_DURATION`` shortens the default). Server and database as in
bench/intake.py (``--server`` / ``MOTCUA_BENCH_SERVER``, ``--db`` / ``MOTCUA_BENCH_LOAD_DB``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import queue
import random
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import check_db_name, django_setup, throwaway_database  # noqa: E402
from intake import Gunicorn, applicant, free_port, percentile, server_env  # noqa: E402

TARGET_P95_MS = 300.0
# 10x the seed province (440,000 dossiers a year) over scale 1 (1.5 million a year), rounded up.
SEED_TARGET_SCALE = 3.0

# Operation -> requests per second at scale 1 (see the module's docstring).
RATES = {
    "portal procedure page": 1.2,
    "portal status look-up": 1.2,
    "submission (counter intake)": 0.30,
    "back-office queue": 8.3,
    "back-office dossier detail": 1.5,
    "back-office action": 1.5,
    "statistics (monthly report)": 0.05,
}


@dataclass
class World:
    base: str
    officer_token: str
    statistician_token: str
    unit: str
    procedure: str
    procedure_codes: list[str]
    action: str
    action_body: dict[str, Any]
    checklist: list[dict[str, Any]]
    codes: list[str]  # dossiers to look up and read
    actionable: queue.SimpleQueue[str] = field(default_factory=queue.SimpleQueue)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Result:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    first_error: dict[str, str] = field(default_factory=dict)
    late_starts: int = 0


def operation(name: str, world: World, session: requests.Session, rng: random.Random) -> tuple[int, int, str]:
    """Send one ``name`` request; (expected status, actual status, body excerpt)."""
    staff = {"Authorization": f"Token {world.officer_token}"}
    if name == "portal procedure page":
        r = session.get(f"{world.base}/thu-tuc/{rng.choice(world.procedure_codes)}/", timeout=30)
        return 200, r.status_code, r.text[:200]
    if name == "portal status look-up":
        r = session.get(f"{world.base}/api/v1/public/dossiers/{rng.choice(world.codes)}/", timeout=30)
        return 200, r.status_code, r.text[:200]
    if name == "submission (counter intake)":
        body: dict[str, Any] = {
            "procedure": world.procedure,
            "unit": world.unit,
            "channel": "counter",
            "applicant": applicant(rng, rng.randrange(10**6)),
            "components": world.checklist,
        }
        r = session.post(f"{world.base}/api/v1/dossiers/", json=body, headers=staff, timeout=30)
        if r.status_code == 201:
            code = r.json()["code"]
            world.actionable.put(code)
            with world.lock:
                world.codes.append(code)
        return 201, r.status_code, r.text[:200]
    if name == "back-office queue":
        r = session.get(f"{world.base}/api/v1/dossiers/?status=received&limit=50", headers=staff, timeout=30)
        return 200, r.status_code, r.text[:200]
    if name == "back-office dossier detail":
        r = session.get(f"{world.base}/api/v1/dossiers/{rng.choice(world.codes)}/", headers=staff, timeout=30)
        return 200, r.status_code, r.text[:200]
    if name == "back-office action":
        try:
            code = world.actionable.get_nowait()
        except queue.Empty:
            return 0, 0, "no dossier left to act on (seed more)"
        r = session.post(
            f"{world.base}/api/v1/dossiers/{code}/actions/{world.action}/",
            json=world.action_body,
            headers=staff,
            timeout=30,
        )
        return 200, r.status_code, r.text[:200]
    if name == "statistics (monthly report)":
        today = dt.date.today()
        r = session.get(
            f"{world.base}/api/v1/reports/monthly",
            params={"from": today.replace(day=1).isoformat(), "to": today.isoformat()},
            headers={"Authorization": f"Token {world.statistician_token}"},
            timeout=30,
        )
        return 200, r.status_code, r.text[:200]
    raise ValueError(name)


def schedule(duration: float, scale: float, seed: int) -> list[tuple[float, str]]:
    """Every operation's due instant (seconds from the start): a Poisson process per operation."""
    rng = random.Random(seed)
    plan = []
    for name, rate in RATES.items():
        t = rng.expovariate(rate * scale)
        while t < duration:
            plan.append((t, name))
            t += rng.expovariate(rate * scale)
    return sorted(plan)


def drive(world: World, plan: list[tuple[float, str]], clients: int) -> tuple[Result, float]:
    result = Result()
    todo: queue.SimpleQueue[tuple[float, str] | None] = queue.SimpleQueue()
    for item in plan:
        todo.put(item)
    for _ in range(clients):
        todo.put(None)
    start = time.monotonic() + 0.5
    record = threading.Lock()

    def client(k: int) -> None:
        session = requests.Session()
        rng = random.Random(k)
        while (item := todo.get()) is not None:
            due, name = item
            wait = start + due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                expected, status, excerpt = operation(name, world, session, rng)
            except requests.RequestException as exc:
                expected, status, excerpt = 200, -1, repr(exc)
            elapsed_ms = (time.monotonic() - start - due) * 1000
            with record:
                if expected == 0:  # nothing to do: not a request
                    continue
                result.latencies[name].append(elapsed_ms)
                if status != expected:
                    result.errors[name] += 1
                    result.first_error.setdefault(name, f"{status}: {excerpt}")
                if wait < -0.05:
                    result.late_starts += 1

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return result, time.monotonic() - start


def prepare(args: argparse.Namespace) -> World:
    """Tokens, the action an officer takes on a received dossier, and ``--seed-dossiers`` dossiers."""
    from django.test import Client

    from motcua.accounts.models import User
    from motcua.accounts.services import api_token_get_or_create
    from motcua.catalog.models import Procedure

    officer = api_token_get_or_create(username=args.officer).key
    statistician = User.objects.filter(username__startswith="statistician-").values_list(
        "username", flat=True
    )[0]
    stat_token = api_token_get_or_create(username=statistician).key
    client = Client(HTTP_AUTHORIZATION=f"Token {officer}", HTTP_HOST="127.0.0.1")
    rng = random.Random(args.seed)
    body = {
        "procedure": args.procedure,
        "unit": args.unit,
        "channel": "counter",
        "applicant": applicant(rng, 0),
    }
    first = client.post("/api/v1/dossiers/", json.dumps(body), content_type="application/json")
    if first.status_code != 201:
        raise RuntimeError(f"intake answered {first.status_code}: {first.content[:300]!r}")
    checklist = [{"component": c["component"], "received": True} for c in first.json()["components"]]
    action, action_body = "", {}
    for name in first.json()["actions"]:  # the first the officer can take with a note only
        for candidate in ({"note": "Chuyển xử lý (bench)"}, {}):
            response = client.post(
                f"/api/v1/dossiers/{first.json()['code']}/actions/{name}/",
                json.dumps(candidate),
                content_type="application/json",
            )
            if response.status_code == 200:
                action, action_body = name, candidate
                break
        if action:
            break
    if not action:
        raise RuntimeError(f"no action of {first.json()['actions']} works with a note alone")
    codes = []
    for i in range(args.seed_dossiers):
        response = client.post(
            "/api/v1/dossiers/",
            json.dumps({**body, "applicant": applicant(rng, 10 + i), "components": checklist}),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content[:300]
        codes.append(response.json()["code"])
    public = Client(HTTP_HOST="127.0.0.1")
    candidates = Procedure.objects.order_by("code").values_list("code", flat=True)[:60]
    pages = [code for code in candidates if public.get(f"/thu-tuc/{code}/").status_code == 200]
    if not pages:
        raise RuntimeError("no procedure page answers 200")
    world = World(
        base="",
        officer_token=officer,
        statistician_token=stat_token,
        unit=args.unit,
        procedure=args.procedure,
        procedure_codes=pages,
        action=action,
        action_body=action_body,
        checklist=checklist,
        codes=list(codes),
    )
    for code in codes:
        world.actionable.put(code)
    return world


def report(args: argparse.Namespace, result: Result, seconds: float, setup_seconds: float) -> int:
    total = sum(len(v) for v in result.latencies.values())
    errors = sum(result.errors.values())
    print(
        f"\n{platform.node()} · {os.cpu_count()} CPUs · {platform.python_version()} · "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · load average {os.getloadavg()[0]:.1f} (1 min)"
    )
    print(
        f"scale {args.scale} ({sum(RATES.values()) * args.scale:.1f} req/s planned, "
        f"{args.scale * 1_500_000 / 440_000:.1f}x the seed province's peak) · {seconds:.0f} s · "
        f"{total} requests ({total / seconds:.1f}/s) · {errors} errors · gunicorn {args.workers}×{args.threads} "
        f"· {args.clients} clients · setup {setup_seconds:.0f} s · starts late by > 50 ms: {result.late_starts}"
    )
    print(f"\n{'endpoint':32} {'n':>6} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    failed = False
    for name in RATES:
        values = sorted(result.latencies.get(name, []))
        p95 = percentile(values, 95)
        if not values:  # too rare for this run's length (statistics in a short run): not measured
            print(f"{name:32} {0:6d}    -        -        -        -   (none in this run)")
            continue
        bad = result.errors.get(name, 0) > 0 or not p95 < TARGET_P95_MS
        failed |= bad
        print(
            f"{name:32} {len(values):6d} {result.errors.get(name, 0):4d} {percentile(values, 50):8.1f} "
            f"{p95:8.1f} {percentile(values, 99):8.1f}{'  <- target missed' if bad else ''}"
        )
    for name, error in result.first_error.items():
        print(f"first error of {name}: {error}")
    print(
        f"\ntarget: 0 errors and p95 < {TARGET_P95_MS:.0f} ms on every endpoint: {'MISSED' if failed else 'met'}"
    )
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Mixed load at a province's daily peak (gunicorn + PostgreSQL)"
    )
    parser.add_argument(
        "--server", default=os.environ.get("MOTCUA_BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db", default=os.environ.get("MOTCUA_BENCH_LOAD_DB", "motcua_bench_load"))
    parser.add_argument(
        "--duration",
        type=float,
        default=float(os.environ.get("MOTCUA_BENCH_LOAD_DURATION", "300")),
        help="seconds of load (default 5 minutes)",
    )
    parser.add_argument(
        "--scale",
        type=float,
        default=SEED_TARGET_SCALE,
        help="multiple of a 4-million province's peak (default 3: 10.2x the seed province's peak)",
    )
    parser.add_argument("--clients", type=int, default=24, help="client threads (keep-alive connections)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument(
        "--seed-dossiers", type=int, default=0, help="received dossiers made before (0: enough)"
    )
    parser.add_argument("--officer", default="officer-8707")
    parser.add_argument("--unit", default="8707")
    parser.add_argument("--procedure", default="1.001193")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    check_db_name(parser, args.db)
    if not args.seed_dossiers:  # every action needs a received dossier; submissions add some during the run
        args.seed_dossiers = int(RATES["back-office action"] * args.scale * args.duration * 0.9) + 20

    with throwaway_database(args.server, args.db, keep=args.keep) as dsn:
        django_setup(dsn, MOTCUA_STATIC_FROM_SOURCE="1")
        from django.core.management import call_command
        from django.db import connections

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("load_demo", stdout=io.StringIO())
        world = prepare(args)
        setup_seconds = time.perf_counter() - t0
        connections.close_all()
        port = free_port()
        with Gunicorn(port=port, workers=args.workers, threads=args.threads, env=server_env()) as server:
            server.wait_ready(world.officer_token)
            world.base = f"http://127.0.0.1:{port}"
            plan = schedule(args.duration, args.scale, args.seed)
            print(f"{len(plan)} requests planned over {args.duration:.0f} s; action: {world.action}")
            result, seconds = drive(world, plan, args.clients)
            return report(args, result, seconds, setup_seconds)


if __name__ == "__main__":
    sys.exit(main())
