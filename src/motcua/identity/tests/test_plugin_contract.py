"""What every login provider and population register does, checked against their sandbox plugins.

The contract every plugin keeps (identifier, label, sandbox flag, settings, check) is in
``core/tests/test_plugin_contract.py``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from motcua.identity.contrib.sandbox.services import sandbox_people_ensure
from motcua.identity.errors import RegisterUnavailable
from motcua.identity.models import SandboxPerson
from motcua.identity.population import Person, get_population_register, population_registers
from motcua.identity.providers import LoginProvider, ProviderConfig, enabled_login_providers, login_providers
from motcua.identity.services import population_lookup

from .factories import officer

PROVIDERS = [pytest.param(p, id=p.identifier) for p in login_providers]


def _provider_settings(settings: Any, identifier: str, **entry: object) -> None:
    settings.MOTCUA_LOGIN_PROVIDERS = {**settings.MOTCUA_LOGIN_PROVIDERS, identifier: entry}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_login_provider_contract(provider: LoginProvider, settings: Any) -> None:
    assert str(provider.description).strip()
    _provider_settings(settings, provider.identifier)  # nothing configured: off, the defaults read
    config = provider.config()
    assert isinstance(config, ProviderConfig)
    assert (config.enabled, config.scopes, provider.is_enabled()) == (False, ("openid",), False)

    settings.SANDBOX = True
    _provider_settings(settings, provider.identifier, enabled=True, scopes=["profile"])
    assert provider.config().scopes == ("openid", "profile")  # openid is always asked for
    assert not provider.is_enabled()  # on, but neither discovery URL nor client: not on the login page
    assert provider not in enabled_login_providers()
    problems = provider.check()
    assert any("'discovery_url'] is empty" in p for p in problems)
    assert any("'client_id'] is empty" in p for p in problems)
    assert any("'client_secret'] is empty" in p for p in problems)

    _provider_settings(
        settings,
        provider.identifier,
        enabled=True,
        discovery_url="https://idp.example.vn/.well-known/openid-configuration",
        client_id="motcua",
        client_secret="s3cret",
        acr_values="LoA2",
        claim_map={"id_number": "cccd"},
    )
    assert provider.check() == []
    assert provider in enabled_login_providers()
    assert provider.config().claim_map == {"id_number": "cccd"}


def test_a_real_provider_needs_https(settings: Any) -> None:
    _provider_settings(
        settings,
        "vneid",
        enabled=True,
        discovery_url="http://vneid.example.vn/.well-known/openid-configuration",
        client_id="motcua",
        client_secret="s3cret",
    )
    assert login_providers["vneid"].check() == [
        "MOTCUA_LOGIN_PROVIDERS['vneid']['discovery_url'] is not an https:// URL: "
        "http://vneid.example.vn/.well-known/openid-configuration"
    ]


@pytest.mark.django_db
def test_the_sandbox_provider_serves_its_discovery_document(client: Client) -> None:
    provider = login_providers["sandbox"]
    assert provider.sandbox is True
    assert provider.is_enabled()  # tests run with MOTCUA_SANDBOX=1 and the default settings
    config = provider.config()
    assert provider.check() == []
    path = config.discovery_url.split("://", 1)[1].partition("/")[2]
    document = client.get(f"/{path}").json()
    assert document["issuer"].endswith("/sandbox/vneid")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        assert document[key].startswith(document["issuer"])


def test_the_sandbox_provider_is_off_outside_the_sandbox(settings: Any) -> None:
    settings.SANDBOX = False
    assert login_providers["sandbox"].config().enabled  # even if the settings ask for it
    assert not login_providers["sandbox"].is_enabled()
    assert login_providers["sandbox"] not in enabled_login_providers()


@pytest.mark.django_db
def test_sandbox_population_register_finds_a_known_fake_citizen() -> None:
    sandbox_people_ensure()
    citizen = SandboxPerson.objects.filter(kind="citizen").order_by("pk").first()
    assert citizen is not None
    register = population_registers["sandbox"]
    assert register.sandbox is True
    assert get_population_register() is register
    assert register.lookup(citizen.id_number) == Person(
        id_number=citizen.id_number,
        full_name=citizen.full_name,
        birth_date=citizen.birth_date,
        sex=citizen.sex,
        permanent_address=citizen.permanent_address,
    )
    assert register.verify(citizen.id_number, f"  {citizen.full_name.upper()} ", citizen.birth_date)
    assert not register.verify(
        citizen.id_number, citizen.full_name, citizen.birth_date + dt.timedelta(days=1)
    )
    assert register.lookup("001090000000") is None


@pytest.mark.django_db
@pytest.mark.parametrize(("sandbox", "chosen"), [(False, "sandbox"), (True, ""), (True, "bogus")])
def test_without_an_enabled_register_a_lookup_says_so(settings: Any, sandbox: bool, chosen: str) -> None:
    settings.SANDBOX = sandbox
    settings.MOTCUA_POPULATION_REGISTER = chosen
    with pytest.raises(RegisterUnavailable) as info:
        get_population_register()
    assert (info.value.code, info.value.http_status) == ("population_register_unavailable", 503)
    with pytest.raises(RegisterUnavailable):
        population_lookup(officer=officer(), id_number="001090000000", reason="Kiểm tra hồ sơ")  # type: ignore[arg-type]
