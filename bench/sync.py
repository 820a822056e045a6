"""Benchmark of the national-portal sender: drain a backlog of pending updates against the sandbox portal.

Builds a throw-away PostgreSQL database (default ``motcua_bench_sync``), migrates it, loads the demo data and
writes, in bulk, ``--dossiers`` received dossiers (default 2,000) of a connected procedure with
``--per-dossier`` pending updates each (default 10: the whole record ``DongBoHoSoMC``, then progress
``CapNhatTienDoHoSoMC``), 20,000 updates in all, and one queued sender task per dossier
(``send_national_updates``). The sandbox portal is served by a **separate gunicorn** on a loopback port
(``--portal-workers`` × ``--portal-threads``, same database, as in the sandbox). Then ``--workers`` (default 2)
``motcua db_worker --batch`` processes drain the queue, each update through the real sender
(``services.sync_send``: the lease in its short transaction, the HTTP call with its idempotency key, the
outcome in a second short transaction).

Checked after the drain: every update sent once (the portal holds exactly the backlog, no duplicate
discarded, nothing pending or parked) and **in order per dossier** (the portal received each dossier's
updates in their sequence). Reported: the drain rate (updates / seconds from the first update sent to the last),
the wall time with process start-up, the CPU seconds the workers, the portal's gunicorn and PostgreSQL spent.
Target (issue 13, item 9): ≥ 500 updates/s.

Run: ``.venv/bin/python bench/sync.py [--dossiers 2000] [--per-dossier 10] [--workers 2] [--portal-workers 2]
[--portal-threads 4] [--keep]``; server and database: ``--server`` / ``MOTCUA_BENCH_SERVER`` (default
postgres://postgres@127.0.0.1:5432), ``--db``. The database is dropped at the end unless ``--keep``. Exit code
1 if the target is missed or a check fails.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import platform
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from _common import check_db_name, django_setup, throwaway_database  # noqa: E402
from intake import Gunicorn, children, cpu_seconds, free_port  # noqa: E402

TARGET = 500.0
PROCEDURE = "1.001193"
UNIT = "8707"


class Portal(Gunicorn):
    """The sandbox portal (motcua in sandbox mode) on its own gunicorn; ready when ``auth/`` answers."""

    def wait_ready(self, token: str = "", timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        body = json.dumps({"username": "motcua", "password": "motcua-sandbox"})
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("POST", "/sandbox/dvcqg/auth/", body, {"Content-Type": "application/json"})
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    return
                raise RuntimeError(f"auth/ answered {resp.status}:\n{self.tail()}")
            except (ConnectionError, OSError):
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s:\n{self.tail()}")


def backlog(n_dossiers: int, per_dossier: int, *, drains: int = 0, threads: int = 8) -> list[int]:
    """The dossiers, their sync states, their pending updates and one queued sender each; the dossier ids."""
    from django.db import transaction

    from motcua.catalog.selectors import procedure_version_by_code
    from motcua.core import clock
    from motcua.dossiers.constants import Status
    from motcua.dossiers.models import Dossier
    from motcua.national_portal.models import Service, SyncState, SyncUpdate
    from motcua.national_portal.tasks import send_national_updates
    from motcua.organisations.selectors import unit_by_code

    version = procedure_version_by_code(PROCEDURE, as_of=clock.today())
    procedure = version.procedure
    procedure.national_portal_connected = True
    procedure.save(update_fields=["national_portal_connected"])
    unit = unit_by_code(UNIT)
    now = clock.now()
    stamp = now.astimezone(clock.VN_TZ).strftime("%Y%m%d%H%M%S")
    run = secrets.token_hex(3)
    with transaction.atomic():
        dossiers = Dossier.objects.bulk_create(
            Dossier(
                code=f"BENCH-{run}-{i:06d}",
                procedure_version=version,
                unit=unit,
                applicant_name=f"Người nộp {i}",
                status=Status.PROCESSING,
                received_at=now,
                submitted_at=now,
            )
            for i in range(n_dossiers)
        )
        SyncState.objects.bulk_create(SyncState(dossier=d, last_sequence=per_dossier) for d in dossiers)
        updates = []
        for d in dossiers:
            record = {
                "MaHoSo": d.code,
                "MaTTHC": PROCEDURE,
                "TenTTHC": version.name,
                "ChuHoSo": d.applicant_name,
                "LoaiDoiTuong": 1,
                "KenhThucHien": 1,
                "TrangThaiHoSo": 2,
                "NgayTiepNhan": stamp,
                "NgayHenTra": stamp,
                "DonViXuLy": unit.name,
            }
            updates.append(
                SyncUpdate(
                    dossier=d,
                    sequence=1,
                    service=Service.SYNC_DOSSIER,
                    payload=record,
                    status_code=2,
                    idempotency_key=f"bench:{d.pk}:1",
                    created_at=now,
                )
            )
            for seq in range(2, per_dossier + 1):
                progress = {
                    "MaHoSo": d.code,
                    "NguoiXuLy": "Chuyên viên",
                    "ThoiDiemXuLy": stamp,
                    "PhongBanXuLy": unit.name,
                    "NoiDungXuLy": f"Bước {seq}",
                    "TrangThai": 4,
                    "NgayBatDau": stamp,
                    "NgayKetThucTheoQuyDinh": stamp,
                }
                updates.append(
                    SyncUpdate(
                        dossier=d,
                        sequence=seq,
                        service=Service.PROGRESS,
                        payload=progress,
                        status_code=4,
                        idempotency_key=f"bench:{d.pk}:{seq}",
                        created_at=now,
                    )
                )
        SyncUpdate.objects.bulk_create(updates, batch_size=2000)
        if drains:  # the backlog sender: each worker takes one drain task, batches of dossiers × threads
            from motcua.national_portal.tasks import drain_national_updates

            for _ in range(drains):
                drain_national_updates.enqueue(threads)
        else:
            for d in dossiers:
                send_national_updates.enqueue(d.pk)
    return [d.pk for d in dossiers]


def profile(n: int, ids: list[int], worker_env: dict[str, str]) -> int:
    """Drain the updates of the first ``n`` dossiers in this process (one drain loop, as a worker's) under
    cProfile; the other dossiers' updates are parked first so that the drain leaves them."""
    import cProfile
    import pstats

    from django.test import override_settings

    from motcua.national_portal.models import SyncUpdate, UpdateState
    from motcua.national_portal.services import sync_drain

    SyncUpdate.objects.filter(dossier_id__in=ids[n:]).update(state=UpdateState.PARKED)
    with override_settings(
        MOTCUA_DVCQG_CLIENT="dvcqg",
        MOTCUA_DVCQG_URL=worker_env["MOTCUA_DVCQG_URL"],
        MOTCUA_DVCQG_USERNAME="motcua",
        MOTCUA_DVCQG_PASSWORD="motcua-sandbox",
        MOTCUA_DVCQG_BATCH_SIZE=int(worker_env["MOTCUA_DVCQG_BATCH_SIZE"]),
    ):
        profiler = cProfile.Profile()
        t0, c0 = time.perf_counter(), time.process_time()
        profiler.enable()
        sent = sync_drain(threads=1)
        profiler.disable()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"profile: {sent} updates in {seconds:.2f} s by one drain loop, {1000 * cpu / max(sent, 1):.2f} ms CPU each"
    )
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="National-portal sender benchmark")
    parser.add_argument("--dossiers", type=int, default=2000)
    parser.add_argument("--per-dossier", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="motcua db_worker processes")
    parser.add_argument(
        "--portal-workers", type=int, default=2, help="gunicorn workers of the sandbox portal"
    )
    parser.add_argument("--portal-threads", type=int, default=4, help="threads per portal worker")
    parser.add_argument(
        "--senders",
        type=int,
        default=2,
        help="concurrent drain loops per worker (one drain_national_updates task each); 0: one task per dossier",
    )
    parser.add_argument(
        "--batch", type=int, default=50, help="records per call (MOTCUA_DVCQG_BATCH_SIZE; 1: one per call)"
    )
    parser.add_argument(
        "--server", default=os.environ.get("MOTCUA_BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db", default=os.environ.get("MOTCUA_BENCH_SYNC_DB", "motcua_bench_sync"))
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the drain")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        help="instead: send N dossiers' updates in this process under cProfile",
    )
    args = parser.parse_args()
    check_db_name(parser, args.db)
    import psycopg

    with throwaway_database(args.server, args.db, keep=args.keep) as dsn:
        portal: Portal | None = None
        workers: list[subprocess.Popen[bytes]] = []
        try:
            django_setup(dsn)
            from django.core.management import call_command
            from django.db import connections

            t0 = time.perf_counter()
            call_command("migrate", verbosity=0)
            call_command("load_demo", stdout=io.StringIO())
            ids = backlog(
                args.dossiers,
                args.per_dossier,
                drains=args.workers if args.senders else 0,
                threads=args.senders,
            )
            total = args.dossiers * args.per_dossier
            setup_seconds = time.perf_counter() - t0
            connections.close_all()

            env = {k: v for k, v in os.environ.items() if k not in ("MOTCUA_TESTING",)}
            env.update(
                SECRET_KEY=secrets.token_urlsafe(40), LOG_LEVEL="WARNING", MOTCUA_DVCQG_PULL_MINUTES="0"
            )
            port = free_port()
            portal = Portal(port=port, workers=args.portal_workers, threads=args.portal_threads, env=env)
            portal.wait_ready()
            worker_env = {
                **env,
                "MOTCUA_DVCQG_CLIENT": "dvcqg",
                "MOTCUA_DVCQG_URL": f"http://127.0.0.1:{port}/sandbox/dvcqg/",
                "MOTCUA_DVCQG_USERNAME": "motcua",
                "MOTCUA_DVCQG_PASSWORD": "motcua-sandbox",
                "MOTCUA_DVCQG_BATCH_SIZE": str(args.batch),
            }
            if args.profile:
                return profile(args.profile, ids, worker_env)
            # The workers' log goes to a file: a pipe nobody reads fills up and blocks them.
            worker_log = tempfile.TemporaryFile()  # noqa: SIM115 - closed with the process
            started = time.perf_counter()
            for k in range(args.workers):
                workers.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "motcua.cli.main", "db_worker", "--batch", "--interval", "0",
                         "--no-startup-delay", "--worker-id", f"bench-sync-{k}"],
                        env=worker_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=worker_log,
                        start_new_session=True,
                    )
                )  # fmt: skip
            pids = {"workers": [w.pid for w in workers], "portal": children(portal.proc.pid)}
            cpu_before = {k: sum(cpu_seconds(v).values()) for k, v in pids.items()}
            with psycopg.connect(dsn, autocommit=True) as db:
                # PostgreSQL's backends serving the bench database (the workers' and the portal's connections, on
                # this machine): each one's CPU seen last; those already there at the start count from then.
                backends_sql = (
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
                )
                db_start = cpu_seconds([r[0] for r in db.execute(backends_sql, [args.db]).fetchall()])
                db_seen: dict[int, float] = dict(db_start)
                last_cpu = dict(cpu_before)
                at_first: tuple[dict[str, float], int] | None = None
                while time.perf_counter() - started < args.timeout:
                    db_seen.update(
                        cpu_seconds([r[0] for r in db.execute(backends_sql, [args.db]).fetchall()])
                    )
                    last_cpu = {k: sum(cpu_seconds(v).values()) for k, v in pids.items()}
                    counts = db.execute(
                        "SELECT count(*) FILTER (WHERE state <> 'sent'), count(*) FILTER (WHERE state = 'sent') "
                        "FROM national_portal_syncupdate"
                    ).fetchone()
                    if counts is not None and counts[1] and at_first is None:
                        at_first = (dict(last_cpu), counts[1])  # start-up done: the workers are sending
                    if counts is not None and counts[0] == 0:
                        break
                    if all(w.poll() is not None for w in workers):
                        break
                    time.sleep(0.5)
                wall = time.perf_counter() - started
                first, last, sent = db.execute(
                    "SELECT min(sent_at), max(sent_at), count(*) FROM national_portal_syncupdate WHERE state = 'sent'"
                ).fetchone()  # type: ignore[misc]
                portal_rows = db.execute(
                    "SELECT d.code, u.idempotency_key FROM national_portal_sandboxportalupdate u "
                    "JOIN national_portal_sandboxportaldossier d ON d.id = u.dossier_id ORDER BY u.id"
                ).fetchall()
                duplicates = db.execute(
                    "SELECT coalesce(sum(duplicates), 0) FROM national_portal_sandboxportaldossier"
                ).fetchone()
            cpu = {k: last_cpu.get(k, 0.0) - cpu_before.get(k, 0.0) for k in ("workers", "portal")}
            cpu["db"] = sum(v - db_start.get(pid, 0.0) for pid, v in db_seen.items())

            # Order per dossier: the portal received each dossier's keys in sequence order.
            seen: dict[str, list[int]] = {}
            for code, key in portal_rows:
                seen.setdefault(code, []).append(int(str(key).rsplit(":", 1)[1]))
            in_order = sum(1 for seqs in seen.values() if seqs == list(range(1, args.per_dossier + 1)))
            drain = (last - first).total_seconds() if first and last and last > first else float("nan")
            rate = sent / drain if drain == drain and drain > 0 else 0.0
            print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
            print(
                f"backlog: {args.dossiers:,} dossiers × {args.per_dossier} = {total:,} pending updates "
                f"(set up in {setup_seconds:.1f} s); {args.workers} worker processes; sandbox portal on gunicorn "
                f"{args.portal_workers} × {args.portal_threads} threads; "
                + (
                    f"{args.senders} drain loops per worker (sync_drain), {args.batch} records per call"
                    if args.senders
                    else f"one task per dossier, {args.batch} records per call"
                )
            )
            discarded = duplicates[0] if duplicates else 0
            print(
                f"sent: {sent:,}/{total:,}; portal received {len(portal_rows):,}, duplicates discarded {discarded}"
            )
            print(f"order: {in_order:,}/{len(ids):,} dossiers received every update in sequence")
            print(
                f"drain: {drain:.1f} s first→last sent, {rate:,.0f} updates/s (wall with start-up {wall:.1f} s)"
            )
            per = {k: 1000 * v / max(sent, 1) for k, v in cpu.items()}
            print(
                f"CPU seconds: workers {cpu['workers']:.1f}, portal gunicorn {cpu['portal']:.1f}, PostgreSQL backends "
                f"{cpu['db']:.1f}: {per['workers']:.2f} + {per['portal']:.2f} + {per['db']:.2f} = "
                f"{sum(per.values()):.2f} ms per update; two idle cores: ~{2000 / max(sum(per.values()), 1e-9):,.0f} "
                f"updates/s"
            )
            if at_first is not None and sent > at_first[1]:
                steady = {
                    k: 1000 * (last_cpu[k] - at_first[0][k]) / (sent - at_first[1])
                    for k in ("workers", "portal")
                }
                print(
                    f"without start-up (from the first {at_first[1]:,} sent on): workers {steady['workers']:.2f}, "
                    f"portal {steady['portal']:.2f} ms per update"
                )
            print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
            ok = sent == total and len(portal_rows) == total and in_order == len(ids)
            print(
                f"target ≥ {TARGET:.0f} updates/s: {'met' if rate >= TARGET else 'MISSED'}; checks {'passed' if ok else 'FAILED'}"
            )
            if any(w.poll() not in (None, 0) for w in workers):
                worker_log.seek(0)
                print(
                    f"worker log (tail):\n{worker_log.read()[-2000:].decode(errors='replace')}",
                    file=sys.stderr,
                )
            return 0 if ok and rate >= TARGET else 1
        except BaseException:
            if portal is not None:
                print(f"portal gunicorn log (tail):\n{portal.tail()}", file=sys.stderr)
            raise
        finally:
            for w in workers:
                if w.poll() is None:
                    os.killpg(w.pid, signal.SIGTERM)
                    try:
                        w.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        os.killpg(w.pid, signal.SIGKILL)  # its own session: the worker only
                        w.wait(timeout=5)
            if portal is not None:
                portal.stop()


if __name__ == "__main__":
    sys.exit(main())
