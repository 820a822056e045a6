"""The reference cache across processes (issue 17, item 5): a change in one process empties the others' caches.

Two real processes on one PostgreSQL database: this one changes a unit, the other (``refcache_child``) reads
it through its cache, whose lifetime is an hour; only the shared change counter makes it read again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from motcua.core.models import RefcacheVersion
from motcua.dossiers.tests.factories import UnitFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Child:
    def __init__(self, check_seconds: str, code: str) -> None:
        env = {**os.environ, "DATABASE_URL": _database_url(), "PYTHONPATH": "src"}
        self.process = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
            [sys.executable, "-m", "motcua.core.tests.refcache_child", check_seconds, code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )

    def read(self) -> str:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("read\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def children() -> Iterator[list[Child]]:
    started: list[Child] = []
    yield started
    for child in started:
        child.close()


def test_a_change_in_one_process_reaches_the_cache_of_another(settings: Any, children: list[Child]) -> None:
    settings.MOTCUA_REFERENCE_CACHE_CHECK_SECONDS = 0.001
    unit = UnitFactory(code="7001", name="Xã Cũ")
    shared, alone = Child("0.001", "7001"), Child("0", "7001")  # the second never checks the counter
    children += [shared, alone]
    assert (shared.read(), alone.read()) == ("Xã Cũ", "Xã Cũ")
    unit.name = "Xã Mới"
    unit.save(update_fields=["name"])  # committed: the counter moved
    assert RefcacheVersion.objects.get(pk=1).version >= 1
    time.sleep(0.01)  # past the child's check interval (1 ms)
    assert shared.read() == "Xã Mới"
    assert alone.read() == "Xã Cũ"  # without the counter: stale for the cache's lifetime (an hour here)


def test_a_rolled_back_change_moves_nothing(settings: Any) -> None:
    from django.db import transaction

    settings.MOTCUA_REFERENCE_CACHE_CHECK_SECONDS = 0.001
    unit = UnitFactory(code="7002")
    before = RefcacheVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0

    def rename_then_fail() -> None:
        with transaction.atomic():
            unit.name = "x"
            unit.save(update_fields=["name"])
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rename_then_fail()
    assert (RefcacheVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0) == before
