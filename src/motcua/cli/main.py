"""The ``motcua`` console script: Django's management commands with kebab-case names.

``motcua import-catalog FILE`` runs the ``import_catalog`` command; every Django command works too
(``motcua migrate``, ``motcua db_worker``).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
