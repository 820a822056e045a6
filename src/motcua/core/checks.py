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

from django.core.checks import CheckMessage, Error, Warning, register

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
