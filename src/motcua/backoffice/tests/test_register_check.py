"""The population register at the counter (issue 16, item 4): look up by ID number with a reason (logged),
prefill the applicant, show a name that differs from the register before saving."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import World
from motcua.identity.contrib.sandbox.services import sandbox_people_ensure
from motcua.identity.models import PopulationLookup, SandboxPerson

pytestmark = pytest.mark.django_db
URL = "/can-bo/tiep-nhan/"


@pytest.fixture
def person() -> SandboxPerson:
    sandbox_people_ensure()
    return SandboxPerson.objects.filter(kind="citizen").order_by("pk").first()  # type: ignore[return-value]


def _post(client: Client, world: World, **data: Any) -> Any:
    component_ids = [str(c.pk) for c in world.version.components.filter(required=True)]
    fields = {
        "procedure": "1.001193",
        "unit": "8707",
        "kind": "citizen",
        "name": "",
        "id_number": "",
        "phone": "0912345678",
        "address": "",
        "components": component_ids,
        "lookup_reason": "Tiếp nhận hồ sơ khai sinh",
        **data,
    }
    return client.post(URL, fields)


def test_the_officer_looks_up_prefills_and_sees_a_mismatch_before_saving(
    client: Client, world: World, frozen: dt.datetime, person: SandboxPerson
) -> None:
    world.officer_a.refresh_from_db()
    client.force_login(world.officer_a)
    form = client.get(URL, {"thu_tuc": "1.001193"}).content.decode()
    assert "Tra cứu CSDL quốc gia về dân cư" in form
    assert 'value="Tiếp nhận hồ sơ Thủ tục' in form or 'name="lookup_reason"' in form

    # Look up: nothing saved; the empty name and address are filled from the register; logged with the reason.
    found = _post(client, world, id_number=person.id_number, register_lookup="1")
    assert found.status_code == 200
    page = found.content.decode()
    assert 'data-register="found"' in page
    assert f'name="name" value="{person.full_name}"' in page
    assert f'name="register_name" value="{person.full_name}"' in page
    assert 'data-register="mismatch"' not in page
    assert not Dossier.objects.exists()
    entry = PopulationLookup.objects.get()
    assert (entry.officer_id, entry.id_number, entry.reason) == (
        world.officer_a.pk,
        person.id_number,
        "Tiếp nhận hồ sơ khai sinh",
    )

    # A name typed that differs from the register is shown at the look-up…
    typed = _post(client, world, id_number=person.id_number, name="Nguyễn Văn Khác", register_lookup="1")
    assert 'data-register="mismatch"' in typed.content.decode()
    assert "Nguyễn Văn Khác" in typed.content.decode()

    # …and saving it is refused until corrected or confirmed.
    keep = {"id_number": person.id_number, "register_name": person.full_name, "register_id": person.id_number}
    refused = _post(client, world, name="Nguyễn Văn Khác", **keep)
    assert refused.status_code == 400
    assert "khác với Cơ sở dữ liệu quốc gia về dân cư" in refused.content.decode()
    assert not Dossier.objects.exists()
    confirmed = _post(client, world, name="Nguyễn Văn Khác", register_confirm="on", **keep)
    assert confirmed.status_code == 302
    corrected = _post(client, world, name=person.full_name.upper(), **keep)  # case and spaces do not count
    assert corrected.status_code == 302
    assert Dossier.objects.count() == 2
    assert PopulationLookup.objects.count() == 2  # saving does not look up again


def test_a_look_up_without_a_reason_is_refused_and_explained(
    client: Client, world: World, frozen: dt.datetime, person: SandboxPerson
) -> None:
    world.officer_a.refresh_from_db()
    client.force_login(world.officer_a)
    response = _post(client, world, id_number=person.id_number, lookup_reason=" ", register_lookup="1")
    assert response.status_code == 200
    assert 'data-register="error"' in response.content.decode()
    assert "lý do tra cứu" in response.content.decode()
    unknown = _post(client, world, id_number="001099012345", register_lookup="1")
    assert "Không tìm thấy số định danh này" in unknown.content.decode()
    assert not Dossier.objects.exists()
