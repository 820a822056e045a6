import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import translation

from motcua.core import clock


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    """Pages show what is in force "today": pin today to a date after the demo versions start."""
    with clock.frozen(dt.datetime(2026, 3, 2, 9, 0, tzinfo=clock.VN_TZ)):
        yield


@pytest.fixture(autouse=True)
def _vietnamese() -> Iterator[None]:
    with translation.override("vi"):
        yield


# Online submission tests: a real clamd (session) and an empty MEDIA_ROOT per test.
from motcua.documents.tests.fixtures import clamd_address, media  # noqa: E402, F401

# The sandbox e-ID provider on the live server (the browser journey test).
from motcua.identity.tests.conftest import sandbox_idp  # noqa: E402, F401
