"""The plugin base and the registry (``core.registry``), on toy registries kept out of ``all_registries()``."""

from __future__ import annotations

from typing import Any

import pytest

from motcua.core.registry import Plugin, Registry, all_registries


class Toy(Plugin):
    label = "Đồ chơi"


def toys(setting: str | None = "MOTCUA_TOY") -> Registry[Toy]:
    registry: Registry[Toy] = Registry("toy", setting=setting, listed=False)

    @registry.register("alpha")
    class Alpha(Toy):
        pass

    @registry.register("demo")
    class Demo(Toy):
        sandbox = True

    return registry


def test_register_sets_identifier_and_registry_and_keeps_the_order() -> None:
    registry = toys()
    alpha = registry["alpha"]
    assert (alpha.identifier, alpha.registry, str(alpha)) == ("alpha", registry, "toy plugin 'alpha'")
    assert [p.identifier for p in registry] == ["alpha", "demo"]
    assert registry.identifiers() == ["alpha", "demo"]
    assert len(registry) == 2
    assert "alpha" in registry
    assert "beta" not in registry
    assert registry.get("beta") is None
    with pytest.raises(KeyError, match=r"no toy plugin 'beta'; known: \['alpha', 'demo'\]"):
        registry["beta"]


def test_register_refuses_duplicates_non_slugs_and_non_plugins() -> None:
    registry = toys()
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("alpha")(Toy)
    for bad in ("Alpha", "two words", "", "-x", "đ"):
        with pytest.raises(ValueError, match="not a slug"):
            registry.register(bad)
    with pytest.raises(TypeError, match="not a Plugin"):
        registry.register("thing")(object)  # type: ignore[arg-type]


def test_a_setting_chooses_one_plugin_and_sandbox_plugins_need_the_sandbox(settings: Any) -> None:
    registry = toys()
    settings.SANDBOX = True
    settings.MOTCUA_TOY = "alpha"
    assert [p.identifier for p in registry.enabled()] == ["alpha"]
    assert registry.chosen() is registry["alpha"]
    settings.MOTCUA_TOY = "demo"
    assert registry.chosen() is registry["demo"]
    settings.SANDBOX = False
    assert registry["demo"].is_requested()
    assert not registry["demo"].is_enabled()
    assert registry.chosen() is None
    assert registry.enabled() == []
    settings.MOTCUA_TOY = ""
    assert (registry.chosen_identifier(), registry.chosen(), registry.problems()) == ("", None, [])
    settings.MOTCUA_TOY = "gamma"
    assert registry.chosen() is None
    assert registry.problems() == [
        "MOTCUA_TOY names 'gamma', which is not a toy plugin; known: ['alpha', 'demo']"
    ]


def test_without_a_setting_each_plugin_must_say_when_it_is_on() -> None:
    registry = toys(setting=None)
    assert registry.chosen_identifier() is None
    with pytest.raises(NotImplementedError, match="must say when the settings turn it on"):
        registry["alpha"].is_enabled()


def test_toy_registries_stay_out_of_the_list_and_the_real_ones_are_in_it() -> None:
    registry = toys()
    assert registry not in all_registries()
    kinds = {r.kind for r in all_registries()}
    assert {"login provider", "population register", "sms channel", "email channel"} <= kinds
    assert len(kinds) == len(all_registries())
