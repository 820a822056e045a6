"""What every PostgreSQL benchmark in bench/ sets up the same way: a throw-away database and Django on it.

(``bench/intake.py`` holds the rest the others share: ``Gunicorn``, ``free_port``, ``percentile``, ``cpu_seconds``.)
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import warnings
from collections.abc import Iterator


def check_db_name(parser: argparse.ArgumentParser, name: str) -> None:
    """The database is dropped: letters, digits and underscores only, and "bench" in its name."""
    if not name.replace("_", "").isalnum() or "bench" not in name:
        parser.error("--db: letters, digits and underscores, with 'bench' in the name (it is dropped)")


@contextlib.contextmanager
def throwaway_database(server: str, name: str, *, keep: bool) -> Iterator[str]:
    """Create ``name`` on ``server`` afresh (an old one is dropped first) and yield its DSN; at the end close
    Django's connections and drop it, also on failure, unless ``keep``."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may not be set up yet
            pass
        if not keep:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"dropped database {name}")


def django_setup(dsn: str, *, quiet_below: int = logging.INFO, **env: str) -> None:
    """Django in sandbox mode on ``dsn`` (tasks go to the database queue, not run at once); log records below
    ``quiet_below`` dropped. ``env``: more environment settings."""
    os.environ.update(
        DATABASE_URL=dsn,
        MOTCUA_SANDBOX="1",
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="motcua.config.settings",
        **env,
    )
    os.environ.pop("MOTCUA_TASKS_IMMEDIATE", None)
    import django

    # whitenoise warns that there is no collected static directory: the API needs none
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    logging.disable(quiet_below)
