"""One registry pattern for every pluggable provider (ARCHITECTURE.md rule 4).

A provider kind defines a small base class; vendors subclass it under ``contrib/<vendor>/`` and register
themselves with ``@registry.register("identifier")``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")


class Registry[T]:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._plugins: dict[str, T] = {}

    def register(self, identifier: str) -> Callable[[type[T]], type[T]]:
        def decorator(cls: type[T]) -> type[T]:
            if identifier in self._plugins:
                raise ValueError(f"{self.kind} plugin {identifier!r} is registered twice")
            plugin = cls()
            plugin.identifier = identifier  # type: ignore[attr-defined]
            self._plugins[identifier] = plugin
            return cls

        return decorator

    def __getitem__(self, identifier: str) -> T:
        try:
            return self._plugins[identifier]
        except KeyError:
            raise KeyError(f"no {self.kind} plugin {identifier!r}; known: {sorted(self._plugins)}") from None

    def __contains__(self, identifier: object) -> bool:
        return identifier in self._plugins

    def __iter__(self) -> Iterator[T]:
        return iter(self._plugins.values())

    def identifiers(self) -> list[str]:
        return sorted(self._plugins)
