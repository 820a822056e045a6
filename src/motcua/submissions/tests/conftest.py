"""Fixtures of the submissions tests: the portal tests' pinned "today" and language, a real clamd and an empty
MEDIA_ROOT per test (the online-submission world is ``portal.tests.submission_factories``)."""

from motcua.documents.tests.fixtures import clamd_address, media  # noqa: F401  (fixtures)
from motcua.portal.tests.conftest import _today, _vietnamese  # noqa: F401  (autouse fixtures)
