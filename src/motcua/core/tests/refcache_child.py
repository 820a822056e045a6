"""The second process of test_refcache_shared: reads a unit's name through the reference cache on request.

``python -m motcua.core.tests.refcache_child CHECK_SECONDS UNIT_CODE`` (DATABASE_URL: the test database);
for each line ``read`` on stdin it prints the unit's name as the cache gives it, with a cache lifetime of an
hour: only the shared change counter can make it read again.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.test_settings")
    import django

    django.setup()
    from django.conf import settings

    from motcua.core.refcache import refcache_get
    from motcua.organisations.models import Unit

    settings.MOTCUA_REFERENCE_CACHE_CHECK_SECONDS = float(sys.argv[1])
    settings.MOTCUA_REFERENCE_CACHE_SECONDS = 3600.0
    code = sys.argv[2]
    for line in sys.stdin:
        if line.strip() != "read":
            break
        name = refcache_get(("test-unit-name", code), lambda: Unit.objects.get(code=code).name)
        print(name, flush=True)


if __name__ == "__main__":
    main()
