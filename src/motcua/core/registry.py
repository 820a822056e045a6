"""One plugin base and one registry for every pluggable provider (ARCHITECTURE.md rule 4).

A provider kind (login provider, population register, SMS channel, e-mail channel, later payment gateway,
signer …) defines a small base class over ``Plugin`` and one ``Registry`` of it. Vendors subclass the base
under ``<app>/contrib/<vendor>/`` and register with ``@registry.register("identifier")``; the app's
``AppConfig.ready()`` imports its contrib packages, so every plugin is registered once the apps are loaded.

A plugin carries its identifier (a slug, set by ``register``), a Vietnamese ``label``, whether it is a
``sandbox`` (demo) plugin, whether the settings turn it on (``is_requested``) and a configuration ``check``.
``is_enabled`` = turned on by the settings, and a sandbox plugin only when ``settings.SANDBOX`` is on.
``motcua.core.checks`` runs every requested plugin's ``check`` at start-up (``manage.py check``, before
``runserver`` and ``migrate``): an error outside the sandbox, a warning in it. ``docs/architecture.md``
("How to add a provider") is the recipe.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from django.conf import settings
from django.utils.functional import Promise

SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

_registries: list[Registry[Any]] = []


def sandbox_on() -> bool:
    """Whether this installation is a sandbox (``MOTCUA_SANDBOX``): demo plugins may run only then."""
    return bool(getattr(settings, "SANDBOX", False))


class Plugin:
    """Base of every plugin.

    Subclasses set ``label`` (Vietnamese, shown to users and administrators), ``sandbox = True`` for a demo
    plugin that must never run in production, and override ``check`` to report configuration problems.
    A plugin in a registry chosen by one setting (``Registry(..., setting=...)``) is requested when that
    setting names it; other kinds override ``is_requested``.
    """

    identifier: str = ""  # set by Registry.register
    label: str | Promise = ""
    sandbox: ClassVar[bool] = False
    registry: Registry[Any]  # set by Registry.register

    def is_requested(self) -> bool:
        """Whether the settings turn this plugin on (before the sandbox rule and the configuration check)."""
        chosen = self.registry.chosen_identifier()
        if chosen is None:
            raise NotImplementedError(f"{type(self).__name__} must say when the settings turn it on")
        return chosen == self.identifier

    def is_enabled(self) -> bool:
        """Turned on by the settings; a sandbox plugin only in a sandbox installation."""
        return self.is_requested() and (not self.sandbox or sandbox_on())

    def check(self) -> list[str]:
        """The problems of this plugin's configuration, ``[]`` when it is ready (English, for operators).

        Called at start-up for requested plugins only. Read settings; never touch the network or the
        database (checks run before migrations).
        """
        return []

    def __str__(self) -> str:
        kind = self.registry.kind if hasattr(self, "registry") else type(self).__name__
        return f"{kind} plugin {self.identifier!r}"


def all_registries() -> list[Registry[Any]]:
    """Every registry of the project (each adds itself when created), for the check and the contract test."""
    return list(_registries)


class Registry[P: Plugin]:
    """The plugins of one kind, by identifier, in registration order.

    ``setting`` names the setting that chooses one plugin of the kind (e.g. ``MOTCUA_SMS_CHANNEL``); without
    it, each plugin says itself whether it is on (e.g. login providers, several at once). ``listed=False``
    keeps a registry out of ``all_registries()`` (toy registries in tests).
    """

    def __init__(self, kind: str, *, setting: str | None = None, listed: bool = True) -> None:
        self.kind = kind
        self.setting = setting
        self._plugins: dict[str, P] = {}
        if listed:
            _registries.append(self)

    def register(self, identifier: str) -> Callable[[type[P]], type[P]]:
        if not SLUG.match(identifier):
            raise ValueError(f"{self.kind} plugin identifier {identifier!r} is not a slug")

        def decorator(cls: type[P]) -> type[P]:
            if identifier in self._plugins:
                raise ValueError(f"{self.kind} plugin {identifier!r} is registered twice")
            if not issubclass(cls, Plugin):
                raise TypeError(f"{cls.__name__} is not a Plugin")
            plugin = cls()
            plugin.identifier = identifier
            plugin.registry = self
            self._plugins[identifier] = plugin
            return cls

        return decorator

    def __getitem__(self, identifier: str) -> P:
        try:
            return self._plugins[identifier]
        except KeyError:
            raise KeyError(f"no {self.kind} plugin {identifier!r}; known: {sorted(self._plugins)}") from None

    def get(self, identifier: str) -> P | None:
        return self._plugins.get(identifier)

    def __contains__(self, identifier: object) -> bool:
        return identifier in self._plugins

    def __iter__(self) -> Iterator[P]:
        return iter(list(self._plugins.values()))

    def __len__(self) -> int:
        return len(self._plugins)

    def identifiers(self) -> list[str]:
        return sorted(self._plugins)

    def enabled(self) -> list[P]:
        """The enabled plugins, in registration order."""
        return [plugin for plugin in self if plugin.is_enabled()]

    def chosen_identifier(self) -> str | None:
        """The identifier ``self.setting`` names (``""`` for none); ``None`` when no setting chooses."""
        if self.setting is None:
            return None
        return str(getattr(settings, self.setting, "") or "")

    def chosen(self) -> P | None:
        """The plugin the setting chooses, if it is registered and enabled."""
        plugin = self.get(self.chosen_identifier() or "")
        return plugin if plugin is not None and plugin.is_enabled() else None

    def problems(self) -> list[str]:
        """Problems of the registry itself: the setting names a plugin that does not exist."""
        chosen = self.chosen_identifier()
        if chosen and chosen not in self._plugins:
            return [
                f"{self.setting} names {chosen!r}, which is not a {self.kind} plugin; known: {self.identifiers()}"
            ]
        return []

    def __repr__(self) -> str:
        return f"<Registry {self.kind}: {', '.join(self._plugins)}>"
