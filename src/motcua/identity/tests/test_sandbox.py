from typing import Any

import pytest
from oauth2_provider.models import get_application_model

from motcua.core.citizen_id import validate_citizen_id
from motcua.identity.contrib.sandbox.people import CITIZEN_COUNT, generate_people
from motcua.identity.contrib.sandbox.services import sandbox_client_ensure, sandbox_people_ensure
from motcua.identity.models import SandboxPerson
from motcua.identity.providers import login_providers


def test_people_are_deterministic_valid_and_realistic() -> None:
    people = generate_people()
    assert people == generate_people()
    citizens = [p for p in people if p.kind == "citizen"]
    assert len(citizens) == CITIZEN_COUNT
    assert len({p.id_number for p in citizens}) == CITIZEN_COUNT
    for person in citizens:
        assert validate_citizen_id(person.id_number, birth_date=person.birth_date, sex=person.sex)
        family, *middle, given = person.full_name.split()
        assert family
        assert middle
        assert given
        if "Thị" in middle:
            assert person.sex == "female"
    assert {p.level for p in citizens} == {1, 2}
    businesses = [p for p in people if p.kind == "business"]
    assert businesses
    assert all(len(p.tax_code) == 10 and p.organisation_name for p in businesses)


@pytest.mark.django_db
def test_client_and_people_ensure_are_idempotent(settings: Any) -> None:
    settings.MOTCUA_PUBLIC_URL = "http://127.0.0.1:8000"
    first = sandbox_client_ensure()
    second = sandbox_client_ensure()
    application_model = get_application_model()
    assert application_model.objects.count() == 1
    assert first.pk == second.pk  # type: ignore[attr-defined]
    app = application_model.objects.get()
    assert app.client_id == "motcua-sandbox"
    assert "http://127.0.0.1:8000/auth/callback/sandbox/" in app.redirect_uris.split()
    assert app.algorithm == "RS256"
    assert app.client_secret != "motcua-sandbox-secret"  # stored hashed
    assert SandboxPerson.objects.count() == len(generate_people())
    assert sandbox_people_ensure() == 0


def test_providers_are_registered() -> None:
    assert {"sandbox", "vneid", "dvcqg"} <= set(login_providers.identifiers())
    assert login_providers["sandbox"].is_enabled()  # tests run with MOTCUA_SANDBOX=1
    assert not login_providers["vneid"].is_enabled()  # no discovery URL / client configured
