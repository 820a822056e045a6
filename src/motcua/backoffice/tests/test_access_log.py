"""Decree 13/2023 access log on the staff dossier page: every view of an applicant, with or without an ID."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_intake_counter
from motcua.dossiers.tests.conftest import World
from motcua.identity.models import PersonalDataAccess
from motcua.identity.selectors import personal_data_accesses

from .test_backoffice import APPLICANT, html, login

pytestmark = pytest.mark.django_db


def intake(world: World, **applicant: str) -> Dossier:
    return dossier_intake_counter(
        officer=world.officer_a,
        procedure_code="1.001193",
        unit_code="8707",
        applicant={**APPLICANT, **applicant},
    )


def test_dossier_without_id_number_is_logged_against_the_dossier(
    client: Client, world: World, frozen: dt.datetime
) -> None:
    dossier = intake(world, id_number="", name="Lê Văn Cường", email="cuong@example.vn")
    login(client, world.officer_a)
    page = html(client.get(f"/can-bo/ho-so/{dossier.code}/"))
    assert "Lê Văn Cường" in page  # the applicant's data is shown ...
    [entry] = PersonalDataAccess.objects.all()  # ... and the view is logged, once
    assert (entry.viewer_id, entry.subject_id_number, entry.dossier_code) == (
        world.officer_a.pk,
        "",
        dossier.code,
    )
    assert entry.at == frozen
    assert entry.path == f"/can-bo/ho-so/{dossier.code}/"
    assert dossier.code in entry.purpose
    assert dossier.code in str(entry)
    # Auditors find it by the dossier code (selector and the admin's exact search).
    assert list(personal_data_accesses(dossier_code=dossier.code)) == [entry]


def test_dossier_with_id_number_is_logged_as_before(
    client: Client, world: World, frozen: dt.datetime
) -> None:
    dossier = intake(world)
    login(client, world.officer_a)
    client.get(f"/can-bo/ho-so/{dossier.code}/")
    [entry] = PersonalDataAccess.objects.all()
    assert (entry.subject_id_number, entry.dossier_code) == (APPLICANT["id_number"], dossier.code)
    assert list(personal_data_accesses(subject_id_number=APPLICANT["id_number"])) == [entry]
    assert "026******321" in str(entry)


def test_admin_finds_entries_by_id_number_and_by_dossier_code(
    admin_client: Client, client: Client, world: World, frozen: dt.datetime
) -> None:
    with_id = intake(world)
    without_id = intake(world, id_number="", name="Lê Văn Cường")
    login(client, world.officer_a)
    client.get(f"/can-bo/ho-so/{with_id.code}/")
    client.get(f"/can-bo/ho-so/{without_id.code}/")
    url = "/quan-tri/identity/personaldataaccess/"
    by_code = html(admin_client.get(url, {"q": without_id.code}))
    assert f"/ho-so/{without_id.code}/" in by_code
    assert f"/ho-so/{with_id.code}/" not in by_code
    by_id = html(admin_client.get(url, {"q": APPLICANT["id_number"]}))
    assert f"/ho-so/{with_id.code}/" in by_id
    assert f"/ho-so/{without_id.code}/" not in by_id
    assert "026******321" in by_id  # masked in the list
