"""Settings for the test suite: the normal settings with sandbox and test switches on."""

import os

os.environ.setdefault("MOTCUA_TESTING", "1")
os.environ.setdefault("MOTCUA_SANDBOX", "1")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The process-local calendar cache re-checks the override table only when a test asks for it (the root
# conftest empties the cache around every test); a wall-clock re-check would make query counts flaky.
MOTCUA_CALENDAR_RECHECK_SECONDS = 3600.0
# Likewise the reference cache's shared change counter (a read per check, a write per change) is off unless a
# test turns it on (core/tests/test_refcache_shared.py): suites count statements.
MOTCUA_REFERENCE_CACHE_CHECK_SECONDS = 0.0

# The national-portal sync is off unless a test turns it on (national_portal/tests): other suites count the
# transition consumers' deliveries and queries.
MOTCUA_DVCQG_CLIENT = ""

# Wrong API tokens are throttled per address (accounts.authentication); every test client comes from 127.0.0.1,
# so the suite as a whole would trip the default rate: the lockout tests set their own.
MOTCUA_API_TOKEN_FAILURE_RATE = "100000/hour"  # noqa: S105 (a rate, not a password)

# Signing is off unless a test turns it on (signatures/tests): other suites count the transition consumers'
# deliveries and queries. The sandbox CA is generated once per machine into a temporary directory (keys made
# at test time, never committed).
MOTCUA_SIGNER = ""
MOTCUA_SANDBOX_CA_DIR = os.path.join(__import__("tempfile").gettempdir(), f"motcua-test-ca-{os.getuid()}")

# PostgreSQL: the test database's commits do not wait for the WAL flush (a crash could lose the last commits
# of a test run, nothing else); the transactional tests, live servers and workers commit often.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
    # A request served by ``live_server`` closes its database connection when it ends. With persistent
    # connections, a server thread waiting on a client's keep-alive HTTP connection kept its database
    # connection open to the end of the run, and the test database could not be dropped ("being accessed
    # by other users"). The test client's requests are not affected (Django keeps their connection).
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
