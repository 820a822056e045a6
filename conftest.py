"""Fixtures shared by the whole suite."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Every test starts and ends without a cached working calendar or cached reference data.

    The tables are rolled back between tests, and the test settings turn the periodic re-check of the
    calendar off (``MOTCUA_CALENDAR_RECHECK_SECONDS``), so nothing depends on how long a test takes.
    """
    from motcua.core.refcache import refcache_clear
    from motcua.worktime.services import invalidate_calendar_cache

    invalidate_calendar_cache()
    refcache_clear()
    yield
    invalidate_calendar_cache()
    refcache_clear()


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Every test starts in the default language (Vietnamese).

    A request activates its language in the serving thread and leaves it active (Django's locale
    middleware does not switch back), so a test client request with the English cookie would otherwise
    leave English active for the next test of the same process.
    """
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` only run when DATABASE_URL points at PostgreSQL."""
    import os

    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


# --- Browser tests (Playwright driving Debian's Chromium; browsers cannot be downloaded here) -----------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def page() -> Iterator[Any]:
    """A Chromium page (Vietnamese locale) that records console errors (CSP violations, script errors).

    Skips the test when the ``playwright`` package or ``/usr/bin/chromium`` is missing. Tests using it mark
    themselves ``browser`` and need ``live_server``.
    """
    import os
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    playwright_sync = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise refuse to run here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="vi-VN")
        context.set_default_timeout(15000)
        new_page = context.new_page()
        new_page.console_errors = []
        new_page.on(
            "console",
            lambda m: m.type == "error" and new_page.console_errors.append(f"{new_page.url}: {m.text}"),
        )
        yield new_page
        context.close()
        browser.close()
        # While Playwright's event loop runs in this thread, asgiref keeps Django's connections in a
        # context variable, apart from the thread's own: the test's queries open a second connection
        # that only a close made here, before the loop stops, can reach (it kept the test database busy
        # at the end of a PostgreSQL run: "being accessed by other users").
        connections.close_all()
