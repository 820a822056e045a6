"""Data written once for a test module instead of once per test (the demo units and catalog, mostly)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction


def module_data(load: Callable[[], Any]) -> Any:
    """A module-scoped fixture that runs ``load`` once for a module's tests, inside a transaction.

    The data is written once per test module (and xdist worker) instead of once per test. Each test still runs
    in its own savepoint (pytest-django's ``db``: Django's ``TestCase`` atomics nest inside this transaction),
    so what a test changes is rolled back before the next one, and the module's data is rolled back after its
    last test: no test sees another's rows, and no other module sees these.

    Pytest keeps a module fixture until the module's last test, so once a test asked for it, the module's
    later tests run over the data too, asked or not: use it where the module's database tests start from it
    (or do not mind it). Only for tests that use ``db``: a ``transactional_db`` (``transaction=True``) test
    flushes the tables and commits, which this transaction cannot survive. ``load`` must not depend on the
    clock a test freezes (it runs before the test's fixtures). The fixture's value is what ``load`` returns;
    request it beside ``db`` in a function-scoped fixture.
    """

    @pytest.fixture(scope="module")
    def fixture(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic._from_testcase = True  # like TestCase's own: a durable block inside stays allowed
            atomic.__enter__()
            try:
                value = load()
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
        try:
            yield value
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)

    return fixture
