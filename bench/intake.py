"""Benchmark of counter intake through the HTTP API (gunicorn + PostgreSQL) beside the same rows in raw SQL.

Builds a throw-away database (default ``motcua_bench_intake``), migrates it, loads the demo data (units,
calendar, catalog, staff), takes the API token of a one-stop officer of a commune valid today (default
``officer-8707``, Phường Vĩnh Yên) and starts gunicorn on a free loopback port against that database. Then, in
alternating rounds so that both see the same load on a shared machine:

- **API**: ``--clients`` threads (default 8), each with its own keep-alive ``http.client`` connection, send
  ``POST /api/v1/dossiers/`` (counter intake of a commune-level procedure, default 1.001193 birth
  registration, with the component checklist, and an applicant with email and phone so the receipt
  notification is handed to its transition consumer: one delivery row and one ``django.tasks`` row in the same
  transaction; the worker renders and queues the messages later). Each request is timed from
  send to the end of the response body; only ``201`` counts.
- **raw SQL**: as many psycopg connections as clients writing, per dossier, the same rows the service writes,
  in the same two steps: the day's ``CodeSequence`` number (an upsert ``… RETURNING last``, a transaction of
  its own as in ``dossier_intake_counter``), then one transaction with the received dossier, its components,
  the receipt event, its audit entry (after the upsert of the audit chain's day head, which stays locked
  until the commit), the notifications consumer's delivery and one task row.

Targets (issue #4, item 11): API throughput ≥ 15% of the raw SQL rate, p95 latency < 100 ms. Also printed:
the statements one intake request runs (``CaptureQueriesContext`` on an in-process request) and the Python
function calls it makes (``cProfile``, 20 in-process requests): unlike times, both are the same on any machine.

Gunicorn: ``--workers 2 --threads 2`` (gthread) by default on a 2-core machine (one process per core), see
docs/performance.md.
Besides the rates, the CPU time the gunicorn workers and the PostgreSQL backends of the database spend per
intake is read from ``/proc`` (Linux): it hardly depends on what else runs on the machine, and
1000 ms × cores / (CPU ms per intake) bounds the request rate. One client alone is timed too (informational).

Run: ``.venv/bin/python bench/intake.py [--requests 2000] [--clients 8] [--workers 2] [--threads 2]
[--max-seconds 30] [--keep]``. Server and database: ``--server`` / ``MOTCUA_BENCH_SERVER`` (default
postgres://postgres@127.0.0.1:5432) and ``--db`` / ``MOTCUA_BENCH_INTAKE_DB``. The database is dropped at the
end, also on failure, unless ``--keep``. Exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import http.client
import io
import json
import os
import platform
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _common import check_db_name, django_setup, throwaway_database  # noqa: E402

API_PATH = "/api/v1/dossiers/"
TARGET_RATIO = 0.15
TARGET_P95_MS = 100.0

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN = ["Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Đức Huy", "Thanh Lan", "Hữu Nam"]


def applicant(rng: random.Random, i: int) -> dict[str, str]:
    return {
        "kind": "citizen",
        "name": f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
        "id_number": f"026{rng.randrange(10**9):09d}",
        "phone": f"09{rng.randrange(10**8):08d}",
        "email": f"nguoinop{i}@example.vn",
        "address": f"Số {rng.randrange(1, 300)} đường Mê Linh, phường Vĩnh Yên",
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU seconds of each live process in ``pids`` (Linux ``/proc``; empty elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    result = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        result[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return result


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Linux ``/proc``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@dataclass
class Phase:
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    first_error: str = ""
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds: "web", "db", "client"


def run_threads(n_threads: int, work: Any) -> None:
    threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def server_env() -> dict[str, str]:
    """The environment of a benchmark's gunicorn: this process's, without the test switches (tasks queued,
    not run at once), with a secret key of its own and warnings only in its log."""
    env = {k: v for k, v in os.environ.items() if k not in ("MOTCUA_TESTING", "MOTCUA_TASKS_IMMEDIATE")}
    env.update(SECRET_KEY=secrets.token_urlsafe(40), LOG_LEVEL="WARNING")
    return env


class Gunicorn:
    """gunicorn serving motcua on a loopback port, output in a temporary log file."""

    def __init__(self, *, port: int, workers: int, threads: int, env: dict[str, str]) -> None:
        self.port = port
        self.log = tempfile.NamedTemporaryFile(prefix="motcua-bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "motcua.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",  # keep-alive also with one thread (the sync worker closes every connection)
            "--keep-alive",
            "30",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ]
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, token: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", f"{API_PATH}?limit=1", headers={"Authorization": f"Token {token}"})
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    return
                raise RuntimeError(f"GET {API_PATH} answered {resp.status}:\n{self.tail()}")
            except (ConnectionError, OSError):
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        """Stopped in every case; on a failure its log's tail goes to stderr first."""
        if exc_type is not None:
            print(f"gunicorn log (tail):\n{self.tail()}", file=sys.stderr)
        self.stop()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: gunicorn and its workers only
                self.proc.wait(timeout=5)
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def api_phase(
    *, port: int, token: str, bodies: list[bytes], clients: int, max_seconds: float, record: bool = True
) -> Phase:
    """Send every body once with ``clients`` keep-alive connections; stop early after ``max_seconds``."""
    phase = Phase()
    lock = threading.Lock()
    cursor = iter(range(len(bodies)))
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Connection": "keep-alive",
    }
    deadline = time.monotonic() + max_seconds

    def client(_k: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies: list[float] = []
        ok = errors = 0
        first_error = ""
        while time.monotonic() < deadline:
            with lock:
                i = next(cursor, None)
            if i is None:
                break
            for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
                try:
                    t0 = time.perf_counter()
                    conn.request("POST", API_PATH, body=bodies[i], headers=headers)
                    resp = conn.getresponse()
                    payload = resp.read()
                    elapsed = (time.perf_counter() - t0) * 1000
                    break
                except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    if attempt == 2:
                        raise
            if resp.status == 201:
                ok += 1
                latencies.append(elapsed)
            else:
                errors += 1
                first_error = first_error or f"{resp.status}: {payload[:300]!r}"
        conn.close()
        with lock:
            phase.ok += ok
            phase.errors += errors
            phase.latencies_ms.extend(latencies)
            phase.first_error = phase.first_error or first_error

    t0 = time.perf_counter()
    run_threads(clients, client)
    phase.seconds = time.perf_counter() - t0
    return phase


@dataclass(frozen=True)
class RawTemplate:
    """What the raw SQL writes per dossier, taken from the database and from a dossier the API received."""

    unit_id: int
    version_id: int
    actor_id: int
    actor_repr: str
    procedure_code: str
    procedure_version: int
    unit_code: str
    prefix: str  # the CodeSequence prefix, e.g. "8707-261127-#"
    day: dt.date
    components: list[tuple[int, str, str, int, bool]]  # catalog component id, name, kind, count, required
    limit: tuple[int, str]
    snapshot: dict[str, Any]  # the notifications consumer's delivery snapshot (its message context)
    sample_code: str  # the code inside the snapshot's lookup URL, replaced by each new code


DOSSIER_SQL = """
INSERT INTO dossiers_dossier (
    code, procedure_version_id, unit_id, channel, owner_id, applicant_kind, applicant_name, applicant_id_number,
    applicant_phone, applicant_email, applicant_address, status, received_at, due_at, statutory_due_at,
    extension_minutes, supplement_requests, extended, classification, result_note, version, created_at)
VALUES (%s, %s, %s, 1, NULL, 'citizen', %s, %s, %s, %s, %s, 'received', %s, %s, %s, 0, 0, false, '', '', 2, %s)
RETURNING id
"""
SEQUENCE_SQL = """
INSERT INTO dossiers_codesequence (prefix, day, last) VALUES (%s, %s, 1)
ON CONFLICT (prefix, day) DO UPDATE SET last = dossiers_codesequence.last + 1
RETURNING last
"""
COMPONENT_SQL = """
INSERT INTO dossiers_dossiercomponent (dossier_id, component_id, name, kind, count, required, received, note)
VALUES (%s, %s, %s, %s, %s, %s, true, '')
"""
EVENT_SQL = """
INSERT INTO dossiers_dossierevent (
    dossier_id, action, actor_id, at, from_status, to_status, step_id, unit_id, note, budget_minutes, due_at,
    classification, data)
VALUES (%s, 'receive', %s, %s, 'draft', 'received', NULL, %s, '', %s, %s, '', %s)
RETURNING id
"""
AUDIT_HEAD_SQL = """
INSERT INTO audit_auditchainhead (day, count, prev_hash, last_hash) VALUES (%s, 1, %s, %s)
ON CONFLICT (day) DO UPDATE SET count = audit_auditchainhead.count + 1,
    prev_hash = audit_auditchainhead.last_hash,
    last_hash = encode(sha256(convert_to(audit_auditchainhead.last_hash || %s, 'UTF8')), 'hex')
RETURNING count, prev_hash, last_hash
"""
AUDIT_SQL = """
INSERT INTO audit_auditentry (
    actor_id, actor_repr, action, object_type, object_id, at, data, chain_day, seq, prev_hash, hash)
VALUES (%s, %s, %s, 'dossier', %s, %s, %s, %s, %s, %s, %s)
"""
DELIVERY_SQL = """
INSERT INTO dossiers_consumerdelivery (
    event_id, consumer, snapshot, state, attempts, last_error, created_at, next_attempt_at, done_at)
VALUES (%s, 'notifications', %s, 'queued', 0, '', %s, NULL, NULL)
RETURNING id
"""
DB_PIDS_SQL = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
TASK_SQL = """
INSERT INTO django_tasks_database_dbtaskresult (
    id, status, args_kwargs, priority, task_path, queue_name, backend_name, run_after, enqueued_at,
    finished_at, started_at, return_value, exception_class_path, traceback, worker_ids)
VALUES (%s, 'READY', %s, 0, 'motcua.dossiers.tasks.consume_deliveries', 'default', 'default',
        '9999-01-01 00:00:00+00', %s, NULL, NULL, NULL, '', '', '[]')
"""


def raw_phase(*, dsn: str, tpl: RawTemplate, people: list[dict[str, str]], connections: int) -> Phase:
    """Write one received dossier per entry of ``people``, one transaction each, over ``connections``."""
    import psycopg
    from psycopg.types.json import Jsonb

    from motcua.audit.chain import canonical, genesis_hash, link_hash
    from motcua.core.clock import VN_TZ
    from motcua.worktime.services import get_calendar

    calendar = get_calendar()
    phase = Phase()
    lock = threading.Lock()
    cursor = iter(range(len(people)))
    components_data = [{"name": c[1], "received": True} for c in tpl.components]
    marker = tpl.prefix.replace("#", "")

    def writer(_k: int) -> None:
        ok = 0
        with psycopg.connect(dsn, autocommit=True) as conn:
            while True:
                with lock:
                    i = next(cursor, None)
                if i is None:
                    break
                a = people[i]
                now = dt.datetime.now(dt.UTC)
                due = calendar.due(now, tpl.limit[0], tpl.limit[1])
                budget = calendar.office_minutes_between(now, due)
                # As the service does: the number in a statement of its own, then one transaction.
                (number,) = conn.execute(SEQUENCE_SQL, (tpl.prefix, tpl.day)).fetchone()  # type: ignore[misc]
                code = f"{marker}{number:04}"
                with conn.transaction():
                    (pk,) = conn.execute(  # type: ignore[misc]
                        DOSSIER_SQL,
                        (
                            code,
                            tpl.version_id,
                            tpl.unit_id,
                            a["name"],
                            a["id_number"],
                            a["phone"],
                            a["email"],
                            a["address"],
                            now,
                            due,
                            due,
                            now,
                        ),
                    ).fetchone()
                    with conn.cursor() as cur:
                        cur.executemany(
                            COMPONENT_SQL, [(pk, c[0], c[1], c[2], c[3], c[4]) for c in tpl.components]
                        )
                    (event_id,) = conn.execute(  # type: ignore[misc]
                        EVENT_SQL,
                        (
                            pk,
                            tpl.actor_id,
                            now,
                            tpl.unit_id,
                            budget,
                            due,
                            Jsonb({"components": components_data}),
                        ),
                    ).fetchone()
                    receive_data = {
                        "code": code,
                        "from": "draft",
                        "to": "received",
                        "version": 2,
                        "fields": ["code", "due_at", "received_at", "status", "statutory_due_at", "version"],
                        "note": "",
                        "components": components_data,
                        "created": {
                            "procedure": tpl.procedure_code,
                            "version": tpl.procedure_version,
                            "unit": tpl.unit_code,
                        },
                    }
                    # As audit_record does: the day's chain head (one locking upsert), then the entry.
                    chain_day = now.astimezone(VN_TZ).date()
                    digest = hashlib.sha256(
                        canonical(
                            chain_day=chain_day,
                            actor_id=tpl.actor_id,
                            actor_repr=tpl.actor_repr,
                            action="dossier.receive",
                            object_type="dossier",
                            object_id=str(pk),
                            at=now,
                            data=receive_data,
                        )
                    ).hexdigest()
                    first = genesis_hash(chain_day)
                    seq, prev_hash, new_hash = conn.execute(  # type: ignore[misc]
                        AUDIT_HEAD_SQL, (chain_day, first, link_hash(first, digest), digest)
                    ).fetchone()
                    conn.execute(
                        AUDIT_SQL,
                        (
                            tpl.actor_id,
                            tpl.actor_repr,
                            "dossier.receive",
                            str(pk),
                            now,
                            Jsonb(receive_data),
                            chain_day,
                            seq,
                            prev_hash,
                            new_hash,
                        ),
                    )
                    context = tpl.snapshot["context"]
                    snapshot = {
                        **tpl.snapshot,
                        "email": a["email"],
                        "phone": a["phone"],
                        "context": {
                            **context,
                            "code": code,
                            "name": a["name"],
                            "received": f"{now.astimezone(VN_TZ):%H:%M %d/%m/%Y}",
                            "due": f"{due.astimezone(VN_TZ):%H:%M %d/%m/%Y}",
                            "lookup_url": context["lookup_url"].replace(tpl.sample_code, code),
                        },
                    }
                    (delivery_id,) = conn.execute(  # type: ignore[misc]
                        DELIVERY_SQL, (event_id, Jsonb(snapshot), now)
                    ).fetchone()
                    conn.execute(
                        TASK_SQL, (uuid.uuid4(), Jsonb({"args": [[[delivery_id, 0]]], "kwargs": {}}), now)
                    )
                ok += 1
            db_cpu = sum(cpu_seconds([conn.info.backend_pid]).values())
        with lock:
            phase.ok += ok
            phase.cpu["db"] = phase.cpu.get("db", 0.0) + db_cpu

    t0, client0 = time.perf_counter(), time.process_time()
    run_threads(connections, writer)
    phase.seconds = time.perf_counter() - t0
    phase.cpu["client"] = time.process_time() - client0
    return phase


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (q in 0–100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description="Counter intake through the API vs raw SQL (PostgreSQL)")
    parser.add_argument(
        "--server", default=os.environ.get("MOTCUA_BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db", default=os.environ.get("MOTCUA_BENCH_INTAKE_DB", "motcua_bench_intake"))
    parser.add_argument("--requests", type=int, default=2000, help="API intakes (and raw SQL rows) in total")
    parser.add_argument("--rounds", type=int, default=2, help="alternating raw SQL / API rounds")
    parser.add_argument(
        "--clients", type=int, default=8, help="concurrent API clients and raw SQL connections"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--warmup", type=int, default=80, help="API requests before measuring")
    parser.add_argument("--max-seconds", type=float, default=30.0, help="cap on the measured API time")
    parser.add_argument("--solo", type=int, default=60, help="informational requests by one client alone")
    parser.add_argument("--officer", default="officer-8707")
    parser.add_argument("--unit", default="8707")
    parser.add_argument("--procedure", default="1.001193")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    check_db_name(parser, args.db)

    with throwaway_database(args.server, args.db, keep=args.keep) as dsn:
        django_setup(dsn)
        from django.core.management import call_command
        from django.db import connections

        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("load_demo", stdout=io.StringIO())
        setup_seconds = time.perf_counter() - t0
        token, tpl, queries, calls = prepare(args)
        connections.close_all()

        with Gunicorn(
            port=free_port(), workers=args.workers, threads=args.threads, env=server_env()
        ) as server:
            server.wait_ready(token)
            return measure(args, dsn, server, token, tpl, queries, calls, setup_seconds)


def prepare(args: argparse.Namespace) -> tuple[str, RawTemplate, list[str], float]:
    """The officer's token, in-process intakes (queries and Python calls counted), the raw SQL template."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from motcua.accounts.models import User
    from motcua.accounts.services import api_token_get_or_create
    from motcua.audit.models import AuditEntry
    from motcua.core.clock import VN_TZ
    from motcua.dossiers.models import ConsumerDelivery, Dossier

    token = api_token_get_or_create(username=args.officer).key
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    rng = random.Random(args.seed)
    body = {
        "procedure": args.procedure,
        "unit": args.unit,
        "channel": "counter",
        "applicant": applicant(rng, 0),
    }
    first = client.post(API_PATH, json.dumps(body), content_type="application/json")
    if first.status_code != 201:
        raise RuntimeError(f"in-process intake answered {first.status_code}: {first.content[:500]!r}")
    checklist = [{"component": c["component"], "received": True} for c in first.json()["components"]]
    body = {**body, "applicant": applicant(rng, 1), "components": checklist}
    with CaptureQueriesContext(connection) as ctx:
        second = client.post(API_PATH, json.dumps(body), content_type="application/json")
    assert second.status_code == 201, second.content
    queries = [q["sql"] for q in ctx.captured_queries]
    profile = cProfile.Profile()
    for i in range(20):
        payload = json.dumps({**body, "applicant": applicant(rng, 2 + i)})
        profile.enable()
        response = client.post(API_PATH, payload, content_type="application/json")
        profile.disable()
        assert response.status_code == 201, response.content
    calls = pstats.Stats(profile).total_calls / 20  # type: ignore[attr-defined]

    dossier = Dossier.objects.select_related("unit", "procedure_version__procedure").get(
        code=second.json()["code"]
    )
    version = dossier.procedure_version
    officer = User.objects.get(username=args.officer)
    delivery = ConsumerDelivery.objects.get(event__dossier=dossier, consumer="notifications")
    assert delivery.snapshot is not None
    assert dossier.code is not None
    assert dossier.due_at is not None
    day = dossier.received_at.astimezone(VN_TZ).date()  # type: ignore[union-attr]
    number = dossier.code.rsplit("-", 1)[-1]
    tpl = RawTemplate(
        unit_id=dossier.unit_id,
        version_id=version.pk,
        actor_id=officer.pk,
        actor_repr=AuditEntry.objects.filter(object_id=str(dossier.pk)).values_list("actor_repr", flat=True)[
            0
        ],
        procedure_code=version.procedure.code,
        procedure_version=version.version,
        unit_code=dossier.unit.code,
        prefix=dossier.code[: -len(number)] + "#",
        day=day,
        components=[(c.pk, c.name, c.kind, c.count, c.required) for c in version.components.all()],
        limit=(version.time_limit_value, version.time_limit_unit),
        snapshot=delivery.snapshot,
        sample_code=dossier.code,
    )
    return token, tpl, queries, calls


def measure(
    args: argparse.Namespace,
    dsn: str,
    server: Gunicorn,
    token: str,
    tpl: RawTemplate,
    queries: list[str],
    calls: float,
    setup_seconds: float,
) -> int:
    import psycopg

    rng = random.Random(args.seed + 1)
    checklist = [{"component": c[0], "received": True} for c in tpl.components]

    def bodies(n: int, start: int) -> list[bytes]:
        return [
            json.dumps(
                {
                    "procedure": args.procedure,
                    "unit": args.unit,
                    "channel": "counter",
                    "applicant": applicant(rng, start + i),
                    "components": checklist,
                }
            ).encode()
            for i in range(n)
        ]

    with psycopg.connect(dsn) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        sync_commit = conn.execute("SHOW synchronous_commit").fetchone()[0]  # type: ignore[index]
        before = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()[0]  # type: ignore[index]
    print(
        f"python {platform.python_version()}, PostgreSQL {pg_version} (synchronous_commit={sync_commit}), "
        f"{os.cpu_count()} CPUs, {platform.machine()}; setup (migrate + load-demo) {setup_seconds:.1f} s"
    )
    print(
        f"gunicorn {args.workers} workers × {args.threads} threads "
        f"({'gthread' if args.threads > 1 else 'sync'}, keep-alive) on 127.0.0.1:{server.port}; "
        f"{args.clients} clients; officer {args.officer}, unit {args.unit}, procedure {args.procedure} "
        f"({len(tpl.components)} components), the receipt notification handed to its consumer (one delivery, one task)"
    )
    kinds: dict[str, int] = {}
    for sql in queries:
        verb = sql.split(None, 1)[0].upper()
        kinds[verb] = kinds.get(verb, 0) + 1
    print(
        f"one intake request runs {len(queries)} SQL statements in-process: "
        + ", ".join(f"{n} {verb}" for verb, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
        + f"; {calls:,.0f} Python function calls"
    )

    warm = api_phase(
        port=server.port, token=token, bodies=bodies(args.warmup, 10), clients=args.clients, max_seconds=60
    )
    if warm.errors or not warm.ok:
        raise RuntimeError(f"warm-up failed: {warm.ok} ok, {warm.errors} errors, first: {warm.first_error}")
    raw_warm = raw_phase(
        dsn=dsn,
        tpl=tpl,
        people=[applicant(rng, i) for i in range(args.clients * 4)],
        connections=args.clients,
    )
    print(f"warm-up: {warm.ok} API intakes, {raw_warm.ok} raw SQL dossiers")

    monitor = psycopg.connect(dsn, autocommit=True)
    per_round = max(1, args.requests // args.rounds)
    api = Phase()
    raw = Phase()
    round_seconds = args.max_seconds / args.rounds  # the cap is shared evenly, so the rounds stay alternated
    for r in range(args.rounds):
        rp = raw_phase(
            dsn=dsn,
            tpl=tpl,
            people=[applicant(rng, 10**6 + i) for i in range(per_round)],
            connections=args.clients,
        )
        web_pids = children(server.proc.pid)
        db_pids = [row[0] for row in monitor.execute(DB_PIDS_SQL, (args.db,)).fetchall()]
        web0, db0, client0 = cpu_seconds(web_pids), cpu_seconds(db_pids), time.process_time()
        ap = api_phase(
            port=server.port,
            token=token,
            bodies=bodies(per_round, 10**5 + r * per_round),
            clients=args.clients,
            max_seconds=round_seconds,
        )
        db_pids = [row[0] for row in monitor.execute(DB_PIDS_SQL, (args.db,)).fetchall()]
        web1, db1 = cpu_seconds(web_pids), cpu_seconds(db_pids)
        ap.cpu = {
            "web": sum(web1[p] - web0.get(p, 0.0) for p in web1),
            "db": sum(db1[p] - db0.get(p, 0.0) for p in db1),
            "client": time.process_time() - client0,
        }
        print(
            f"  round {r + 1}: raw SQL {rp.ok:,} dossiers in {rp.seconds:.2f} s ({rp.ok / rp.seconds:,.0f}/s); "
            f"API {ap.ok:,} intakes in {ap.seconds:.2f} s ({ap.ok / ap.seconds:,.1f}/s), {ap.errors} errors"
        )
        for total, part in ((raw, rp), (api, ap)):
            total.ok += part.ok
            total.errors += part.errors
            total.seconds += part.seconds
            total.latencies_ms.extend(part.latencies_ms)
            total.first_error = total.first_error or part.first_error
            for key, value in part.cpu.items():
                total.cpu[key] = total.cpu.get(key, 0.0) + value

    monitor.close()
    # Informational: one client alone, i.e. the service time of a request without queueing behind the others.
    solo = api_phase(
        port=server.port, token=token, bodies=bodies(args.solo, 10**7), clients=1, max_seconds=10
    )
    with psycopg.connect(dsn) as conn:
        after = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()[0]  # type: ignore[index]
        tasks = conn.execute(  # one delivery task per dossier (load-demo queues other tasks of its own)
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'motcua.dossiers.tasks.consume_deliveries'"
        ).fetchone()[0]  # type: ignore[index]
        sequence = conn.execute(
            "SELECT last FROM dossiers_codesequence WHERE prefix = %s AND day = %s", (tpl.prefix, tpl.day)
        ).fetchone()
        coded = conn.execute(
            "SELECT count(*), count(DISTINCT code) FROM dossiers_dossier WHERE code LIKE %s",
            (tpl.prefix.replace("#", "") + "%",),
        ).fetchone()
    written = warm.ok + raw_warm.ok + api.ok + raw.ok + solo.ok
    assert after - before == written, (after, before, written)
    assert tasks == after, (tasks, after)
    assert coded is not None, "no dossier with the unit's code prefix"
    assert sequence is not None, "no CodeSequence row"
    assert coded[0] == coded[1] == sequence[0], (coded, sequence)

    lat = sorted(api.latencies_ms)
    api_rate = api.ok / api.seconds
    raw_rate = raw.ok / raw.seconds
    ratio = api_rate / raw_rate
    p50, p95, p99 = (percentile(lat, q) for q in (50, 95, 99))
    print(
        f"\nchecks: {after:,} dossiers, {tasks:,} consumer tasks (1 per dossier), codes unique and "
        f"consecutive ({coded[0]:,} from one CodeSequence row)"
    )
    print(
        f"API:     {api.ok:,} intakes in {api.seconds:.2f} s = {api_rate:,.1f} requests/s, {api.errors} errors"
    )
    if api.first_error:
        print(f"         first error: {api.first_error}")
    print(
        f"         latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms, "
        f"mean {statistics.fmean(lat):.1f} ms, max {lat[-1]:.1f} ms"
    )
    cpu_ms = {k: v / max(1, api.ok) * 1000 for k, v in api.cpu.items()}
    server_ms = cpu_ms.get("web", 0.0) + cpu_ms.get("db", 0.0)
    if server_ms:
        print(
            f"         CPU per intake: gunicorn {cpu_ms.get('web', 0):.1f} ms + PostgreSQL backend "
            f"{cpu_ms.get('db', 0):.1f} ms = {server_ms:.1f} ms (client {cpu_ms.get('client', 0):.1f} ms): "
            f"at most {1000 * (os.cpu_count() or 1) / server_ms:,.0f} requests/s on {os.cpu_count()} idle cores"
        )
    if solo.ok:
        solo_lat = sorted(solo.latencies_ms)
        print(
            f"         informational, 1 client alone ({solo.ok} intakes, {solo.ok / solo.seconds:.1f}/s): "
            f"p50 {percentile(solo_lat, 50):.1f} ms, p95 {percentile(solo_lat, 95):.1f} ms"
        )
    print(f"raw SQL: {raw.ok:,} dossiers in {raw.seconds:.2f} s = {raw_rate:,.1f} rows/s")
    if raw.cpu.get("db"):
        print(
            f"         CPU per dossier: PostgreSQL backend {raw.cpu['db'] / raw.ok * 1000:.2f} ms, "
            f"client {raw.cpu['client'] / raw.ok * 1000:.2f} ms"
        )
    ok_ratio = ratio >= TARGET_RATIO
    ok_p95 = p95 < TARGET_P95_MS and api.errors == 0
    print(f"API / raw SQL = {ratio:.1%} (target ≥ {TARGET_RATIO:.0%}): {'met' if ok_ratio else 'NOT met'}")
    print(
        f"p95 = {p95:.1f} ms (target < {TARGET_P95_MS:.0f} ms, no errors): {'met' if ok_p95 else 'NOT met'}"
    )
    met = ok_ratio and ok_p95
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    print(
        f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (other jobs share the machine)"
    )
    print(f"targets: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
