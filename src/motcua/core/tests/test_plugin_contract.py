"""The contract every registered plugin of every registry keeps, and the start-up check of the plugins.

Each kind's behaviour against its sandbox plugin is tested next to the kind (identity, notifications).
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import translation

from motcua.core.checks import plugins_configured
from motcua.core.registry import SLUG, Plugin, Registry, all_registries


def _switch_login_provider(settings: Any, plugin: Plugin, on: bool) -> None:
    providers = dict(settings.MOTCUA_LOGIN_PROVIDERS)
    entry = dict(providers.get(plugin.identifier, {}))
    entry["enabled"] = on
    entry["discovery_url"] = (
        entry.get("discovery_url") or "https://idp.example.vn/.well-known/openid-configuration"
    )
    entry["client_id"] = entry.get("client_id") or "motcua"
    entry["client_secret"] = entry.get("client_secret") or "motcua-secret"
    providers[plugin.identifier] = entry
    settings.MOTCUA_LOGIN_PROVIDERS = providers


def _switch_payment_gateway(settings: Any, plugin: Plugin, on: bool) -> None:
    others = [g for g in str(settings.MOTCUA_PAYMENT_GATEWAYS).split(",") if g and g != plugin.identifier]
    settings.MOTCUA_PAYMENT_GATEWAYS = ",".join([*others, plugin.identifier] if on else others)


# How to turn a plugin on or off in the settings, for the registries no single setting chooses from.
SWITCHES = {"login provider": _switch_login_provider, "payment gateway": _switch_payment_gateway}
# Registries whose plugins are on once registered (no setting turns them off).
ALWAYS_ON = {"transition consumer"}


def switch(settings: Any, registry: Registry[Any], plugin: Plugin, *, on: bool) -> bool:
    """Turn ``plugin`` on or off; False when it cannot be turned off (an always-on kind)."""
    if registry.setting is not None:
        setattr(settings, registry.setting, plugin.identifier if on else "")
    elif registry.kind in ALWAYS_ON:
        return on
    else:
        SWITCHES[registry.kind](settings, plugin, on)
    return True


PLUGINS = [
    pytest.param(registry, plugin, id=f"{registry.kind}:{plugin.identifier}")
    for registry in all_registries()
    for plugin in registry
]


def _vietnamese(text: str) -> bool:
    """Has a letter only Vietnamese spelling gives (a diacritic or đ): not an English or ASCII label."""
    return any(ch in "đĐ" or unicodedata.normalize("NFD", ch) != ch for ch in text)


def test_every_kind_is_listed_with_its_plugins() -> None:
    found = {f"{registry.kind}:{plugin.identifier}" for registry in all_registries() for plugin in registry}
    assert {
        "login provider:sandbox",
        "login provider:vneid",
        "login provider:dvcqg",
        "population register:sandbox",
        "sms channel:sandbox",
        "email channel:django",
    } <= found
    for registry in all_registries():
        assert registry.setting is not None or registry.kind in SWITCHES | dict.fromkeys(ALWAYS_ON), (
            f"say in SWITCHES how the settings turn a {registry.kind} on and off"
        )


@pytest.mark.parametrize(("registry", "plugin"), PLUGINS)
def test_plugin_contract(registry: Registry[Any], plugin: Plugin, settings: Any) -> None:
    assert isinstance(plugin, Plugin)
    assert registry[plugin.identifier] is plugin
    assert plugin.registry is registry
    assert SLUG.match(plugin.identifier)
    assert isinstance(plugin.sandbox, bool)
    with translation.override("vi"):
        label = str(plugin.label).strip()
    assert label
    assert label != plugin.identifier
    assert _vietnamese(label), label

    settings.SANDBOX = True
    switch(settings, registry, plugin, on=True)
    assert plugin.is_requested()
    problems = plugin.check()
    assert isinstance(problems, list)
    assert all(isinstance(problem, str) and problem for problem in problems)
    assert plugin.is_enabled()
    assert plugin in registry.enabled()

    if switch(settings, registry, plugin, on=False):
        assert not plugin.is_requested()
        assert not plugin.is_enabled()
        assert plugin not in registry.enabled()

    settings.SANDBOX = False
    switch(settings, registry, plugin, on=True)
    assert plugin.is_requested()
    assert plugin.is_enabled() is not plugin.sandbox  # a sandbox plugin never runs outside the sandbox


def test_plugins_register_when_the_apps_are_ready() -> None:
    """A fresh process has every plugin once ``django.setup()`` ran: none waits for a lazy import."""
    script = (
        "import django; django.setup()\n"
        "from motcua.core.registry import all_registries\n"
        "for r in all_registries(): print(r.kind, *r.identifiers(), sep=',')\n"
    )
    out = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    expected = {",".join([r.kind, *r.identifiers()]) for r in all_registries()}
    assert set(out.splitlines()) == expected


# --- the start-up check ---


@pytest.fixture
def production(settings: Any) -> Any:
    """A production installation with every plugin rightly configured: no sandbox plugin, real e-mail."""
    settings.SANDBOX = False
    settings.DEBUG = False
    providers = {key: dict(value) for key, value in settings.MOTCUA_LOGIN_PROVIDERS.items()}
    providers["sandbox"]["enabled"] = False
    providers["dvcqg-sandbox"]["enabled"] = False  # the national portal's sandbox SSO
    settings.MOTCUA_LOGIN_PROVIDERS = providers
    settings.MOTCUA_SMS_CHANNEL = ""
    settings.MOTCUA_POPULATION_REGISTER = ""
    settings.MOTCUA_PAYMENT_GATEWAYS = ""
    settings.MOTCUA_EMAIL_CHANNEL = "django"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.example.vn"
    settings.DEFAULT_FROM_EMAIL = "Một cửa <motcua@example.vn>"
    return settings


def _turn_on_vneid_without_client_id(settings: Any) -> None:
    providers = {key: dict(value) for key, value in settings.MOTCUA_LOGIN_PROVIDERS.items()}
    providers["vneid"].update(
        enabled=True,
        discovery_url="https://vneid.example.vn/.well-known/openid-configuration",
        client_id="",
        client_secret="s3cret",
    )
    settings.MOTCUA_LOGIN_PROVIDERS = providers


@pytest.mark.django_db  # the model checks ask the database for its features
def test_a_rightly_configured_production_passes(production: Any) -> None:
    assert plugins_configured() == []
    call_command("check", stdout=StringIO())


@pytest.mark.django_db  # the model checks ask the database for its features
def test_a_misconfigured_plugin_stops_production(production: Any) -> None:
    _turn_on_vneid_without_client_id(production)
    with pytest.raises(SystemCheckError) as info:
        call_command("check", stdout=StringIO(), stderr=StringIO())
    text = str(info.value)
    assert "motcua.core.E001" in text
    assert "login provider plugin 'vneid'" in text
    assert "MOTCUA_LOGIN_PROVIDERS['vneid']['client_id'] is empty" in text
    # migrate (and runserver) run the checks first: the process refuses to start.
    with pytest.raises(SystemCheckError, match="vneid"):
        call_command("migrate", skip_checks=False, stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db  # the model checks ask the database for its features
def test_a_misconfigured_plugin_only_warns_in_the_sandbox(settings: Any) -> None:
    settings.SANDBOX = True
    _turn_on_vneid_without_client_id(settings)
    out, err = StringIO(), StringIO()
    call_command("check", stdout=out, stderr=err)
    text = out.getvalue() + err.getvalue()
    assert "motcua.core.W001" in text
    assert "login provider plugin 'vneid'" in text
    assert [m.id for m in plugins_configured()] == ["motcua.core.W001"]


@pytest.mark.django_db  # the model checks ask the database for its features
@pytest.mark.parametrize(
    ("setting", "value", "plugin"),
    [
        ("MOTCUA_SMS_CHANNEL", "sandbox", "sms channel plugin 'sandbox'"),
        ("MOTCUA_POPULATION_REGISTER", "sandbox", "population register plugin 'sandbox'"),
    ],
)
def test_a_sandbox_plugin_is_refused_in_production(
    production: Any, setting: str, value: str, plugin: str
) -> None:
    setattr(production, setting, value)
    (message,) = plugins_configured()
    assert (message.id, message.is_serious()) == ("motcua.core.E002", True)
    assert message.obj == plugin
    with pytest.raises(SystemCheckError, match=plugin):
        call_command("check", stdout=StringIO(), stderr=StringIO())


def test_the_sandbox_login_provider_is_refused_in_production(production: Any) -> None:
    providers = {key: dict(value) for key, value in production.MOTCUA_LOGIN_PROVIDERS.items()}
    providers["sandbox"]["enabled"] = True
    production.MOTCUA_LOGIN_PROVIDERS = providers
    assert [(m.id, m.obj) for m in plugins_configured()] == [
        ("motcua.core.E002", "login provider plugin 'sandbox'")
    ]


def test_a_setting_naming_no_plugin_is_an_error(production: Any) -> None:
    production.MOTCUA_SMS_CHANNEL = "viettel"
    (message,) = plugins_configured()
    assert message.id == "motcua.core.E003"
    assert "MOTCUA_SMS_CHANNEL names 'viettel'" in message.msg


def test_production_email_must_be_delivered(production: Any) -> None:
    production.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    production.DEFAULT_FROM_EMAIL = "motcua <no-reply@localhost>"
    messages = plugins_configured()
    assert {m.id for m in messages} == {"motcua.core.E001"}
    assert all(m.obj == "email channel plugin 'django'" for m in messages)
    assert len(messages) == 2
    production.DEBUG = True  # a developer's machine may print its e-mail
    assert plugins_configured() == []
