"""Start-up check of every plugin (``manage.py check``; also run before ``runserver`` and ``migrate``).

For each registry in ``core.registry.all_registries()`` and each plugin the settings turn on:

- a sandbox plugin outside a sandbox installation is an error (``motcua.core.E002``): demo plugins never run
  in production;
- each problem ``plugin.check()`` reports is an error outside the sandbox (``motcua.core.E001``: the process
  refuses to start) and a warning in it (``motcua.core.W001``);
- a setting that chooses a plugin that does not exist is ``E003`` / ``W003``.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register

from .registry import all_registries, sandbox_on

TAG = "motcua_plugins"


@register(TAG)
def plugins_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    production = not sandbox_on()
    suffix = "E" if production else "W"

    def level(msg: str, **kwargs: Any) -> CheckMessage:
        return Error(msg, **kwargs) if production else Warning(msg, **kwargs)

    messages: list[CheckMessage] = []
    for registry in all_registries():
        for problem in registry.problems():
            messages.append(level(problem, obj=f"{registry.kind} registry", id=f"motcua.core.{suffix}003"))
        for plugin in registry:
            if not plugin.is_requested():
                continue
            if plugin.sandbox and production:
                messages.append(
                    Error(
                        f"{plugin.label}: a sandbox plugin, turned on outside the sandbox.",
                        hint="Turn it off in the settings, or set MOTCUA_SANDBOX=1 on a test installation.",
                        obj=str(plugin),
                        id="motcua.core.E002",
                    )
                )
                continue
            for problem in plugin.check():
                messages.append(
                    level(
                        f"{plugin.label}: {problem}",
                        hint="Fix its settings or turn it off (docs/architecture.md, 'Plugins: how to add a provider').",
                        obj=str(plugin),
                        id=f"motcua.core.{suffix}001",
                    )
                )
    return messages


@register(Tags.database)
def vietnamese_collation(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """PostgreSQL has the ICU collation every Vietnamese-ordered list uses (``core.collation``).

    A database check: ``migrate`` and ``check --database default`` run it, so a server built without ICU is
    named at deployment instead of answering 500 on the first sorted list (``motcua.core.E004``).
    """
    from django.db import connections

    from .collation import VI_COLLATION

    messages: list[CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue  # SQLite: registered on every connection (core.collation)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [VI_COLLATION])
            found = cursor.fetchone() is not None
        if not found:
            messages.append(
                Error(
                    f"PostgreSQL ({alias}) has no collation {VI_COLLATION}: Vietnamese lists cannot be sorted.",
                    hint="Use a PostgreSQL built with ICU (the Debian and PGDG packages are); docs/deploy.md.",
                    obj=alias,
                    id="motcua.core.E004",
                )
            )
    return messages
