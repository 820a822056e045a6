"""Benchmark of the monthly report (form II.06a) on PostgreSQL at 1M and 5M dossiers.

Builds a throw-away database (default ``motcua_bench``), migrates it, loads the demo units and catalog, then
bulk-loads dossiers with ``INSERT … SELECT generate_series`` (no Python per row): about 36,700 new dossiers a
month (Vĩnh Phúc, DOMAIN.md §8) spread over the Vĩnh Phúc units of 2023, history running *backwards* from
April 2023. The first 1M cover the 27 months before 2023-04-10; growing to 5M adds 4M older dossiers (about
9 more years), so the reported month is the same and only the history grows.

For each size it times, in the same run, ``reports.selectors.monthly_report`` for the province and March 2023
(``--unit 26 --by unit``) and a hand-written SQL aggregate of the same numbers (which it checks are equal).
Targets (issue #6): report ≤ 2× the raw SQL and < 200 ms at 5M; 5M time ≤ 1.5× the 1M time.

The index the report needs is ``dossier_report_window`` on the Dossier model: the end instant
(``COALESCE(finished_at, returned_at, closed_at, '9999-12-31')``), ``received_at`` and the columns the
aggregate reads (an index-only scan). It is dropped before each bulk load and built after it.

Run: ``.venv/bin/python bench/report.py [--server postgres://postgres@127.0.0.1:5432] [--db motcua_bench]
[--repeat 15] [--keep]``. The database is dropped at the end unless ``--keep``. Exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

MONTH_NEW = 36_700
DATA_END = dt.datetime(2023, 4, 10, 0, 0)  # Vietnam time; the report runs on 10 April for March
FROM, TO = dt.date(2023, 3, 1), dt.date(2023, 3, 31)

RAW_SQL = """
SELECT unit_id,
       count(*) FILTER (WHERE received_at < %(start)s) AS carried_over,
       count(*) FILTER (WHERE received_at >= %(start)s) AS new,
       count(*) FILTER (WHERE received_at >= %(start)s AND channel = 2) AS online,
       count(*) FILTER (WHERE received_at >= %(start)s AND channel = 1) AS counter,
       count(*) FILTER (WHERE received_at >= %(start)s AND channel = 3) AS post,
       count(*) FILTER (WHERE ended < %(end)s) AS resolved,
       count(*) FILTER (WHERE ended < %(end)s AND classification = 'early') AS early,
       count(*) FILTER (WHERE ended < %(end)s AND classification = 'late') AS late,
       count(*) FILTER (WHERE ended >= %(end)s) AS in_progress,
       count(*) FILTER (WHERE ended >= %(end)s AND statutory_due_at < %(end)s) AS overdue
FROM (
    SELECT unit_id, channel, classification, statutory_due_at, received_at,
           COALESCE(finished_at, returned_at, closed_at, '9999-12-31 00:00:00+00'::timestamptz) AS ended
    FROM dossiers_dossier
    WHERE unit_id = ANY(%(units)s)
      AND received_at < %(end)s
      AND COALESCE(finished_at, returned_at, closed_at, '9999-12-31 00:00:00+00'::timestamptz) >= %(start)s
) AS window_rows
GROUP BY unit_id
"""

# One row per generated dossier. %(n)s rows received uniformly in [%(lo)s, %(hi)s) (Vietnam time).
# 88% of district/commune and 70% of province dossiers online; resolved 1 hour to 6 days after receipt
# (mostly well before the 3-day due), 60% returned a day later, 2% refused, 0.3% never finished (a backlog).
INSERT_SQL = """
INSERT INTO dossiers_dossier (
    procedure_version_id, unit_id, channel, applicant_kind, applicant_name, applicant_id_number,
    applicant_phone, applicant_email, applicant_address, status, received_at, due_at, statutory_due_at,
    finished_at, returned_at, closed_at, extension_minutes, supplement_requests, extended, classification,
    result_note, version, created_at)
SELECT version_id, unit_id, channel, 'citizen', 'Người nộp', '', '', '', '',
       CASE WHEN closed IS NOT NULL THEN 'not_received' WHEN finished IS NULL THEN 'processing'
            WHEN returned IS NOT NULL THEN 'returned' ELSE 'resolved' END,
       received, due, due, finished, returned, closed, 0, supplements, false,
       CASE WHEN closed IS NOT NULL THEN 'on_time'
            WHEN finished IS NULL THEN ''
            WHEN supplements > 1 OR finished > due THEN 'late'
            WHEN (finished AT TIME ZONE 'Asia/Ho_Chi_Minh')::date < (due AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                 THEN 'early'
            ELSE 'on_time' END,
       '', 1, now()
FROM (
    SELECT version_id, unit_id, channel, received, due, supplements,
           CASE WHEN refused OR stuck OR ends >= %(data_end)s THEN NULL ELSE ends END AS finished,
           CASE WHEN NOT refused AND NOT stuck AND returns AND ends + interval '1 day' < %(data_end)s
                THEN ends + interval '1 day' END AS returned,
           CASE WHEN refused AND ends < %(data_end)s THEN ends END AS closed
    FROM (
        SELECT version_id, unit_id, received,
               received + interval '3 days' AS due,
               received + interval '1 hour' + random() * random() * interval '6 days' AS ends,
               CASE WHEN random() < CASE WHEN level = 'p' THEN 0.70 ELSE 0.88 END THEN 2
                    WHEN random() < 0.9 THEN 1 ELSE 3 END AS channel,
               (random() < 0.02) AS refused, (random() < 0.003) AS stuck, (random() < 0.6) AS returns,
               CASE WHEN random() < 0.01 THEN 2 WHEN random() < 0.05 THEN 1 ELSE 0 END AS supplements
        FROM (
            SELECT %(lo)s::timestamptz + (%(hi)s::timestamptz - %(lo)s::timestamptz) * random() AS received,
                   pick.unit_id, pick.level,
                   (%(versions)s::bigint[])[1 + floor(random() * %(n_versions)s)::int] AS version_id
            FROM generate_series(1, %(n)s) AS g
            CROSS JOIN LATERAL (
                SELECT CASE WHEN r < 0.10 THEN 'p' WHEN r < 0.35 THEN 'd' ELSE 'c' END AS level,
                       CASE WHEN r < 0.10 THEN (%(province)s::bigint[])[1 + floor(random() * %(n_province)s)::int]
                            WHEN r < 0.35 THEN (%(district)s::bigint[])[1 + floor(random() * %(n_district)s)::int]
                            ELSE (%(commune)s::bigint[])[1 + floor(random() * %(n_commune)s)::int] END AS unit_id
                FROM (SELECT random() + g * 0 AS r) AS rr
            ) AS pick
        ) AS base
    ) AS timed
) AS rows
"""


def timed_pair(
    first: Callable[[], Any], second: Callable[[], Any], repeat: int
) -> tuple[tuple[float, float, Any], tuple[float, float, Any]]:
    """(median ms, best ms, last result) of each of two functions, run alternately after a warm-up of each, so
    that both see the same load on a shared machine."""
    results = [first(), second()]
    samples: list[list[float]] = [[], []]
    for _ in range(repeat):
        for index, run in enumerate((first, second)):
            t0 = time.perf_counter()
            results[index] = run()
            samples[index].append((time.perf_counter() - t0) * 1000)
    a, b = samples
    return (statistics.median(a), min(a), results[0]), (statistics.median(b), min(b), results[1])


def main() -> int:
    parser = argparse.ArgumentParser(description="Monthly report benchmark (PostgreSQL)")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="motcua_bench")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--sizes", default="1000000,5000000", help="cumulative dataset sizes")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{args.db}"')
        admin.execute(f'CREATE DATABASE "{args.db}"')
    os.environ["DATABASE_URL"] = f"{args.server}/{args.db}"
    os.environ.setdefault("MOTCUA_SANDBOX", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.core.management import call_command
    from django.db import connection

    try:
        return run(args, call_command, connection)
    finally:
        connection.close()
        if not args.keep:
            with psycopg.connect(f"{args.server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
            print(f"dropped database {args.db}")


def run(args: argparse.Namespace, call_command: Callable[..., Any], connection: Any) -> int:
    from motcua.catalog.models import ProcedureVersion
    from motcua.catalog.services import catalog_load_demo
    from motcua.core.clock import VN_TZ
    from motcua.dossiers.models import Dossier
    from motcua.organisations.models import Unit
    from motcua.organisations.selectors import unit_by_code, unit_descendant_ids
    from motcua.organisations.services import demo_units_load
    from motcua.reports.selectors import Period, monthly_report

    call_command("migrate", verbosity=0)
    window_index = next(i for i in Dossier._meta.indexes if i.name == "dossier_report_window")
    index_sql = str(window_index.create_sql(Dossier, connection.schema_editor(collect_sql=True)))
    demo_units_load()
    catalog_load_demo()
    province = unit_by_code("26", as_of=TO)
    scope = unit_descendant_ids(province)
    units = Unit.objects.filter(pk__in=scope)
    ids = {
        "province": [u.pk for u in units if u.level in ("province", "department", "centre")],
        "district": [u.pk for u in units if u.level == "district"],
        "commune": [u.pk for u in units if u.level == "commune"],
    }
    versions = list(ProcedureVersion.objects.filter(version=1).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        server = cursor.fetchone()[0].split(",")[0]
    print(f"python {platform.python_version()}, {server}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(f"scope: unit 26 (Tỉnh Vĩnh Phúc) and {len(scope) - 1} sub-units; period {FROM} – {TO}")

    period = Period(FROM, TO)
    raw_params = {"start": period.start_at, "end": period.end_at, "units": sorted(scope)}
    data_end = DATA_END.replace(tzinfo=VN_TZ)
    months_per_dossier = 30.44 / MONTH_NEW  # days per dossier
    loaded = 0
    low = data_end
    results: list[dict[str, Any]] = []
    for size in (int(s) for s in args.sizes.split(",")):
        add = size - loaded
        high = low
        low = high - dt.timedelta(days=add * months_per_dossier)
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
            cursor.execute("DROP INDEX IF EXISTS dossier_report_window")
            # no autovacuum racing the load: an ANALYZE snapshot taken mid-load would keep the explicit VACUUM
            # below from marking pages all-visible, and index-only scans need that (as on a settled table)
            cursor.execute("ALTER TABLE dossiers_dossier SET (autovacuum_enabled = false)")
            chunk = 500_000
            for start in range(0, add, chunk):
                n = min(chunk, add - start)
                # slice the time span proportionally so each chunk fills its own stretch of history
                hi = high - dt.timedelta(days=start * months_per_dossier)
                lo = hi - dt.timedelta(days=n * months_per_dossier)
                cursor.execute(
                    INSERT_SQL,
                    {
                        "n": n,
                        "lo": lo,
                        "hi": hi,
                        "data_end": data_end,
                        "versions": versions,
                        "n_versions": len(versions),
                        "province": ids["province"],
                        "n_province": len(ids["province"]),
                        "district": ids["district"],
                        "n_district": len(ids["district"]),
                        "commune": ids["commune"],
                        "n_commune": len(ids["commune"]),
                    },
                )
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(index_sql)
        build = time.perf_counter() - t0
        t1 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE dossiers_dossier")
            cursor.execute("SELECT relpages, relallvisible FROM pg_class WHERE relname = 'dossiers_dossier'")
            pages, visible = cursor.fetchone()
            cursor.execute("SELECT count(*), min(received_at), max(received_at) FROM dossiers_dossier")
            count, first, last = cursor.fetchone()
        vacuum = time.perf_counter() - t1
        loaded = size
        print(
            f"\n{count:,} dossiers received {first:%Y-%m-%d} – {last:%Y-%m-%d}: "
            f"loaded +{add:,} in {load:.1f} s, report index built in {build:.1f} s, VACUUM ANALYZE {vacuum:.1f} s "
            f"({visible:,} of {pages:,} pages all-visible)"
        )

        def raw() -> list[tuple[Any, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(RAW_SQL, raw_params)
                return list(cursor.fetchall())

        def report() -> dict[str, Any]:
            return monthly_report(date_from=FROM, date_to=TO, unit_code="26", by="unit")

        (raw_median, raw_best, raw_rows), (rep_median, rep_best, rep) = timed_pair(raw, report, args.repeat)
        raw_totals = [sum(r[i] for r in raw_rows) for i in range(1, 11)]
        t = rep["totals"]
        mine = [
            t["received"]["carried_over"],
            t["received"]["new"],
            t["received"]["online"],
            t["received"]["counter"],
            t["received"]["post"],
            t["resolved"]["total"],
            t["resolved"]["early"],
            t["resolved"]["late"],
            t["in_progress"]["total"],
            t["in_progress"]["overdue"],
        ]
        assert mine == raw_totals, (mine, raw_totals)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + RAW_SQL, raw_params)
            plan = [r[0] for r in cursor.fetchall()]
        uses_index = any("dossier_report_window" in line for line in plan)
        index_only = any("Index Only Scan" in line for line in plan)
        if os.environ.get("BENCH_PLAN"):
            print("\n".join(plan))
        print(
            f"  March 2023: {t['received']['total']:,} received ({t['received']['carried_over']:,} carried over), "
            f"{t['resolved']['total']:,} resolved, on-time rate {t['on_time_rate']}, online rate {t['online_rate']}"
        )
        print(
            f"  raw SQL:  median {raw_median:7.1f} ms, best {raw_best:7.1f} ms (index used: {uses_index}, index-only: {index_only})"
        )
        print(f"  report:   median {rep_median:7.1f} ms, best {rep_best:7.1f} ms ({len(rep['rows'])} rows)")
        results.append({"size": size, "raw": raw_median, "report": rep_median})

    # Informational (no target): a month deep in the history. The index range starts at the period's start, so
    # it reads every dossier that ended after it: the cost grows with the history *after* the month.
    old_from = dt.date(DATA_END.year - 7, 3, 1)
    old_to = dt.date(old_from.year, 3, 31)
    old_median, old_best, old = timed_pair(
        lambda: monthly_report(date_from=old_from, date_to=old_to, unit_code="26", by="unit"),
        lambda: None,
        max(3, args.repeat // 3),
    )[0]
    print(
        f"\ninformational: report for {old_from:%m/%Y} on {loaded:,} dossiers: median {old_median:.1f} ms, "
        f"best {old_best:.1f} ms ({old['totals']['received']['total']:,} received)"
    )

    ok = True
    print()
    for r in results:
        ratio = r["report"] / r["raw"]
        print(f"{r['size']:>10,}: report / raw SQL = {ratio:.2f} (target ≤ 2)")
        ok &= ratio <= 2
    last = results[-1]
    print(f"report at {last['size']:,}: {last['report']:.1f} ms (target < 200 ms)")
    ok &= last["report"] < 200
    if len(results) > 1:
        growth = last["report"] / results[0]["report"]
        print(f"report {last['size']:,} / {results[0]['size']:,} = {growth:.2f} (target ≤ 1.5)")
        ok &= growth <= 1.5
    print(f"targets: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
