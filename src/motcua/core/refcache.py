"""A per-process cache of reference data: units, the procedure versions in force, dossier code templates,
and who a request is: the account of an API token, the roles of a user.

Every intake reads the same few rows again (the unit, the procedure version in force with its components and
the units offering it, the unit's code template, the officer's token and roles). They change seldom, by an
administrator or an import, so each process keeps what it read for ``MOTCUA_REFERENCE_CACHE_SECONDS``
(0 turns the cache off):

- a change saved or deleted in this process (model signals of the watched apps and models) empties the cache
  at once and again when its transaction commits; until then that transaction reads around the cache, so
  nothing it wrote is cached before it commits (nor ever, if it rolls back);
- the other processes and nodes see it within ``MOTCUA_REFERENCE_CACHE_CHECK_SECONDS`` (default 1): the
  change also bumps a shared counter (``core.models.RefcacheVersion``, one row, in the change's transaction),
  and each process reads that counter at most that often (one indexed read) and empties its cache when it
  moved; with the check off (0) they see it after ``MOTCUA_REFERENCE_CACHE_SECONDS`` at the latest;
- bulk writes send no signals: services that use them call ``refcache_clear()`` (``catalog.services`` does
  it through the delete signals it triggers first).

Values are shared by the threads of a process: read them, never change or save them. A failed lookup
(``NotFound``) is not cached. At most ``MAX_ENTRIES`` keys; beyond that the cache starts again empty.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

MAX_ENTRIES = 10_000
# What the cached values are read from: whole apps, or single models as "app_label.ModelName".
WATCHED = ("organisations", "catalog", "dossiers.CodeFormat", "accounts.User", "authtoken.Token")

_entries: dict[Hashable, tuple[float, Any]] = {}
_lock = threading.Lock()
# The shared counter as this process last read it, and when (time.monotonic()); None: not read yet.
_seen: dict[str, Any] = {"version": None, "at": 0.0}


def _shared_version() -> int:
    from .models import RefcacheVersion

    return RefcacheVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _check_shared(now: float) -> None:
    """Empty this process's cache if another process changed reference data since the last check."""
    interval = float(getattr(settings, "MOTCUA_REFERENCE_CACHE_CHECK_SECONDS", 0))
    if interval <= 0 or now - _seen["at"] < interval:
        return
    version = _shared_version()
    with _lock:
        if version != _seen["version"]:
            _entries.clear()
        _seen["version"], _seen["at"] = version, now


def _bump_shared() -> None:
    """Tell the other processes: one upsert of the counter, in the caller's transaction."""
    if float(getattr(settings, "MOTCUA_REFERENCE_CACHE_CHECK_SECONDS", 0)) <= 0:
        return
    from django.db.models import F

    from .models import RefcacheVersion

    if not RefcacheVersion.objects.filter(pk=1).update(version=F("version") + 1):
        RefcacheVersion.objects.get_or_create(pk=1, defaults={"version": 1})


def refcache_get[T](key: Hashable, build: Callable[[], T]) -> T:
    """The value cached under ``key`` if it is younger than the setting, else ``build()`` (then cached)."""
    ttl = float(settings.MOTCUA_REFERENCE_CACHE_SECONDS)
    if ttl <= 0 or _pending():
        return build()
    now = time.monotonic()
    _check_shared(now)
    hit = _entries.get(key)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    value = build()
    with _lock:
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[key] = (now, value)
    return value


def refcache_clear() -> None:
    """Forget every cached value (this process)."""
    with _lock:
        _entries.clear()


def _after_commit() -> None:
    refcache_clear()


def _pending() -> bool:
    """This thread's open transaction changed watched data: it must read its own writes, never cache them.

    The clearing callback it registered sits in Django's list of on-commit callbacks until the transaction
    commits (it then runs) or rolls back (Django drops it), so the state ends with the transaction.
    """
    return connection.in_atomic_block and any(entry[1] is _after_commit for entry in connection.run_on_commit)


# A login only stamps ``last_login`` (``update_fields``): nothing cached depends on it.
_IGNORED_UPDATES = frozenset({"last_login"})


def _changed(**kwargs: Any) -> None:
    if kwargs.get("update_fields") == _IGNORED_UPDATES:
        return
    refcache_clear()
    _bump_shared()
    if connection.in_atomic_block and not _pending():
        transaction.on_commit(_after_commit)


def watched_models() -> list[type[Model]]:
    models: list[type[Model]] = []
    for name in WATCHED:
        if "." in name:
            models.append(apps.get_model(name))
        else:
            models.extend(apps.get_app_config(name).get_models())
    return models


def connect_signals() -> None:
    """Clear the cache on every save or delete of a watched model (called once, from ``CoreConfig.ready``)."""
    for model in watched_models():
        uid = f"motcua.refcache:{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}:save", weak=False)
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}:delete", weak=False)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(_changed, sender=through, dispatch_uid=f"{uid}:{field.name}", weak=False)
