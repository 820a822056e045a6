import datetime as dt
from typing import Any

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from motcua.audit.models import AppendOnlyError
from motcua.core import clock
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.identity.constants import LookupResult, Verification
from motcua.identity.contrib.sandbox.services import sandbox_people_ensure
from motcua.identity.models import PersonalDataAccess, PopulationLookup, SandboxPerson
from motcua.identity.population import get_population_register
from motcua.identity.services import personal_data_view_log, population_lookup

from .factories import UserFactory, officer

pytestmark = pytest.mark.django_db
URL = "/auth/population/lookup/"
AT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=clock.VN_TZ)


@pytest.fixture
def citizen() -> SandboxPerson:
    sandbox_people_ensure()
    return SandboxPerson.objects.filter(kind="citizen").order_by("pk").first()  # type: ignore[return-value]


def test_lookup_url_is_the_identity_namespace_under_auth() -> None:
    """The API view lives in ``api/v1/identity.py``; its URL and name stay those of the identity app."""
    from django.urls import resolve, reverse

    from motcua.api.v1.identity import PopulationLookupApi

    assert reverse("identity:population_lookup") == URL
    assert resolve(URL).func.view_class is PopulationLookupApi  # type: ignore[attr-defined]
    assert reverse("identity:login") == "/auth/login/"


def test_sandbox_register_contract(citizen: SandboxPerson) -> None:
    register = get_population_register()
    person = register.lookup(citizen.id_number)
    assert person is not None
    assert (person.full_name, person.birth_date) == (citizen.full_name, citizen.birth_date)
    assert register.verify(citizen.id_number, citizen.full_name.upper(), citizen.birth_date)
    assert not register.verify(
        citizen.id_number, citizen.full_name, citizen.birth_date + dt.timedelta(days=1)
    )
    assert not register.verify("001090000000", citizen.full_name, citizen.birth_date)


def test_officer_lookup_is_logged(citizen: SandboxPerson) -> None:
    desk = officer()
    with clock.frozen(AT):
        outcome = population_lookup(
            officer=desk, id_number=citizen.id_number, reason="Tiếp nhận hồ sơ khai sinh"
        )
    assert outcome.person is not None
    assert outcome.person.full_name == citizen.full_name
    assert outcome.verification == Verification.NONE
    entry = PopulationLookup.objects.get()
    assert entry.officer_id == desk.pk
    assert entry.id_number == citizen.id_number
    assert entry.reason == "Tiếp nhận hồ sơ khai sinh"
    assert entry.result == LookupResult.FOUND
    assert entry.register == "sandbox"
    assert entry.at == AT


def test_verification_and_not_found(citizen: SandboxPerson) -> None:
    desk = officer()
    ok = population_lookup(
        officer=desk,
        id_number=citizen.id_number,
        reason="Đối chiếu",
        full_name=citizen.full_name,
        birth_date=citizen.birth_date,
    )
    wrong = population_lookup(
        officer=desk, id_number=citizen.id_number, reason="Đối chiếu", full_name="Lê Thị Khác"
    )
    missing = population_lookup(officer=desk, id_number="001090000000", reason="Đối chiếu")
    assert ok.verification == Verification.MATCH
    assert wrong.verification == Verification.MISMATCH
    assert missing.person is None
    assert list(PopulationLookup.objects.order_by("pk").values_list("result", "verification")) == [
        (LookupResult.FOUND, Verification.MATCH),
        (LookupResult.FOUND, Verification.MISMATCH),
        (LookupResult.NOT_FOUND, ""),
    ]


def test_refusals(citizen: SandboxPerson) -> None:
    with pytest.raises(ValidationFailed) as no_reason:
        population_lookup(officer=officer(), id_number=citizen.id_number, reason="   ")
    assert no_reason.value.code == "reason_required"
    assert not PopulationLookup.objects.exists()
    with pytest.raises(ValidationFailed):
        population_lookup(officer=officer("o2"), id_number="12345", reason="x")
    leader = officer("leader-1", role="leader")
    with pytest.raises(PermissionDenied) as refused:
        population_lookup(officer=leader, id_number=citizen.id_number, reason="Xem thử")
    assert refused.value.code == "not_an_officer"
    # The refused attempt is logged for auditors, without any person data.
    entry = PopulationLookup.objects.get()
    assert (entry.officer_id, entry.result) == (leader.pk, LookupResult.REFUSED)


def test_logs_are_append_only(citizen: SandboxPerson) -> None:
    outcome = population_lookup(officer=officer(), id_number=citizen.id_number, reason="Tiếp nhận")
    outcome.log.reason = "đổi"
    with pytest.raises(AppendOnlyError):
        outcome.log.save()
    with pytest.raises(AppendOnlyError):
        PopulationLookup.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        PopulationLookup.objects.update(reason="x")


def _post(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post(URL, body, content_type="application/json", **headers)


def test_api_for_officer_with_session(client: Client, citizen: SandboxPerson) -> None:
    desk = officer()
    client.force_login(desk)
    response = _post(
        client, {"id_number": citizen.id_number, "reason": "Tiếp nhận", "birth_date": str(citizen.birth_date)}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["person"]["full_name"] == citizen.full_name
    assert body["person"]["birth_date"] == citizen.birth_date.isoformat()
    assert body["verification"] == "match"
    assert PopulationLookup.objects.get().pk == body["lookup"]


def test_api_with_token(client: Client, citizen: SandboxPerson) -> None:
    token = Token.objects.create(user=officer())
    response = _post(
        client, {"id_number": "001090000000", "reason": "Tiếp nhận"}, HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "person_not_found"


def test_api_refusals(client: Client, citizen: SandboxPerson) -> None:
    assert _post(client, {"id_number": citizen.id_number, "reason": "x"}).status_code in (401, 403)
    client.force_login(officer())
    no_reason = _post(client, {"id_number": citizen.id_number})
    assert no_reason.status_code == 400
    assert no_reason.json()["code"] == "reason_required"
    bad_id = _post(client, {"id_number": "abc", "reason": "Tiếp nhận"})
    assert bad_id.status_code == 400
    assert bad_id.json()["code"] == "invalid_citizen_id"
    assert _post(client, ["not", "an", "object"]).status_code == 400  # type: ignore[arg-type]
    client.force_login(UserFactory(username="citizen-like"))
    forbidden = _post(client, {"id_number": citizen.id_number, "reason": "Tò mò"})
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "not_an_officer"
    assert "person" not in forbidden.json()


def test_admin_log_is_read_only_for_auditors(admin_client: Client, citizen: SandboxPerson) -> None:
    population_lookup(officer=officer(), id_number=citizen.id_number, reason="Tiếp nhận hồ sơ")
    page = admin_client.get("/quan-tri/identity/populationlookup/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tiếp nhận hồ sơ" in text
    assert citizen.id_number[:3] + "******" + citizen.id_number[-3:] in text
    entry = PopulationLookup.objects.get()
    assert admin_client.get(f"/quan-tri/identity/populationlookup/{entry.pk}/delete/").status_code == 403
    assert admin_client.get("/quan-tri/identity/populationlookup/add/").status_code == 403


def test_personal_data_view_log() -> None:
    viewer = officer()
    with clock.frozen(AT):
        entry = personal_data_view_log(
            viewer=viewer,
            subject_id_number="026090001234",
            purpose="Xem hồ sơ 25-260302-0001",
            path="/can-bo/hs/1/",
        )
    assert (entry.viewer_id, entry.subject_id_number, entry.at) == (viewer.pk, "026090001234", AT)
    assert entry.purpose == "Xem hồ sơ 25-260302-0001"
    with pytest.raises(ValidationFailed):
        personal_data_view_log(viewer=viewer, subject_id_number="026090001234", purpose=" ")
    assert PersonalDataAccess.objects.count() == 1


def test_personal_data_view_log_by_dossier_without_id_number() -> None:
    viewer = officer()
    with clock.frozen(AT):
        entry = personal_data_view_log(
            viewer=viewer, dossier_code=" 8707-250310-0001 ", purpose="Xem hồ sơ 8707-250310-0001"
        )
    assert (entry.subject_id_number, entry.dossier_code, entry.at) == ("", "8707-250310-0001", AT)
    with pytest.raises(ValidationFailed):  # neither a person nor a dossier: nothing to log against
        personal_data_view_log(viewer=viewer, subject_id_number=" ", dossier_code="", purpose="Xem")
    assert PersonalDataAccess.objects.count() == 1
