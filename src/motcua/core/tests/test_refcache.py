"""The per-process reference cache: lifetime, bounds, and invalidation by the writes of this process."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from django.test import override_settings

from motcua.core import refcache
from motcua.core.errors import NotFound
from motcua.core.refcache import refcache_get
from motcua.organisations.models import Unit
from motcua.organisations.tests.factories import UnitFactory


class Builds:
    """A build function that counts its calls and returns what ``value`` says at the time."""

    def __init__(self, value: Callable[[], object]) -> None:
        self.calls = 0
        self.value = value

    def __call__(self) -> object:
        self.calls += 1
        return self.value()


@pytest.fixture
def clock_seconds(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The monotonic clock the cache reads, moved by the test."""
    now = [1000.0]
    monkeypatch.setattr(refcache.time, "monotonic", lambda: now[0])
    return now


@override_settings(MOTCUA_REFERENCE_CACHE_SECONDS=10)
def test_a_value_is_built_once_per_lifetime(clock_seconds: list[float]) -> None:
    build = Builds(lambda: "A")
    assert [refcache_get("k", build) for _ in range(3)] == ["A"] * 3
    assert build.calls == 1
    clock_seconds[0] += 9.9
    refcache_get("k", build)
    assert build.calls == 1
    clock_seconds[0] += 0.2  # 10.1 s after the build: too old
    refcache_get("k", build)
    assert build.calls == 2
    assert refcache_get("other", build) == "A"
    assert build.calls == 3


@override_settings(MOTCUA_REFERENCE_CACHE_SECONDS=0)
def test_zero_seconds_turns_the_cache_off() -> None:
    build = Builds(lambda: "A")
    refcache_get("k", build)
    refcache_get("k", build)
    assert build.calls == 2


def test_a_failed_lookup_is_not_cached() -> None:
    def missing() -> object:
        raise NotFound("Không tìm thấy.")

    build = Builds(missing)
    for _ in range(2):
        with pytest.raises(NotFound):
            refcache_get("k", build)
    assert build.calls == 2


def test_the_number_of_keys_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(refcache, "MAX_ENTRIES", 3)
    build = Builds(lambda: "A")
    for key in ("a", "b", "c", "d"):  # the fourth key starts the cache again
        refcache_get(key, build)
    refcache_get("a", build)
    assert build.calls == 5
    refcache_get("d", build)
    assert build.calls == 5


@pytest.mark.django_db(transaction=True)
def test_a_change_is_seen_at_once_by_its_transaction_and_cached_only_once_committed() -> None:
    unit = UnitFactory(name="Xã Một")
    build = Builds(lambda: Unit.objects.get(pk=unit.pk).name)

    def name() -> object:
        return refcache_get(("unit", unit.pk), build)

    assert (name(), name(), build.calls) == ("Xã Một", "Xã Một", 1)
    with transaction.atomic():
        unit.name = "Xã Hai"
        unit.save()  # the signal empties the cache; this transaction reads around it until it commits
        assert (name(), name(), build.calls) == ("Xã Hai", "Xã Hai", 3)
    assert (name(), name(), build.calls) == ("Xã Hai", "Xã Hai", 4)

    def change_then_fail() -> None:
        with transaction.atomic():
            unit.name = "Xã Ba"
            unit.save()
            assert name() == "Xã Ba"
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert (name(), name()) == ("Xã Hai", "Xã Hai")  # what was rolled back was never cached
    assert build.calls == 6


@pytest.mark.django_db(transaction=True)
def test_deletes_and_many_to_many_changes_empty_the_cache() -> None:
    from motcua.dossiers.tests.factories import procedure_version

    version = procedure_version(code="1.000001")
    unit = UnitFactory()
    build = Builds(lambda: sorted(version.units.values_list("pk", flat=True)))
    assert refcache_get("units", build) == []
    version.units.add(unit)
    assert refcache_get("units", build) == [unit.pk]
    version.components.first().delete()  # type: ignore[union-attr]
    assert refcache_get("units", build) == [unit.pk]
    assert build.calls == 3


def test_every_catalog_and_unit_model_and_the_accounts_are_watched() -> None:
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from rest_framework.authtoken.models import Token

    from motcua.accounts.models import User
    from motcua.dossiers.models import CodeFormat

    expected = {
        *apps.get_app_config("catalog").get_models(),
        *apps.get_app_config("organisations").get_models(),
        CodeFormat,
        User,
        Token,
    }
    assert expected == set(refcache.watched_models())
    for model in expected:
        assert post_save.has_listeners(model), model
        assert post_delete.has_listeners(model), model


@pytest.mark.django_db(transaction=True)
def test_a_login_stamp_keeps_the_cache_and_other_account_changes_empty_it() -> None:
    from django.contrib.auth.models import update_last_login

    from motcua.accounts.tests.factories import UserFactory

    user = UserFactory()
    build = Builds(lambda: "value")
    refcache_get("key", build)
    update_last_login(None, user)  # what every login does
    refcache_get("key", build)
    assert build.calls == 1
    user.is_active = False
    user.save(update_fields=["is_active"])
    refcache_get("key", build)
    assert build.calls == 2
