"""Fixtures of the back-office tests: the dossiers app's small world (two communes under a province)."""

from __future__ import annotations

from motcua.dossiers.tests.conftest import World, frozen, immediate_tasks, world  # noqa: F401

__all__ = ["World"]
