"""Petitions (issue 16, item 5): submit, routing, due time, answer, publication, unit isolation, bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from motcua.accounts.tests.factories import CitizenFactory
from motcua.audit.models import AuditEntry
from motcua.core import clock
from motcua.core.errors import PermissionDenied, ValidationFailed
from motcua.dossiers.constants import Status
from motcua.dossiers.tests.factories import UnitFactory, dossier_in, procedure_version, staff
from motcua.notifications.models import Message
from motcua.organisations.constants import Role
from motcua.petitions.constants import THROTTLE_PER_HOUR, PetitionStatus, Subject
from motcua.petitions.models import Petition
from motcua.petitions.selectors import answered_on_time, masked_sender, petitions_for_staff
from motcua.petitions.services import PetitionInput, petition_answer, petition_due, petition_submit
from motcua.worktime.services import get_calendar

pytestmark = pytest.mark.django_db

# Monday 2026-03-02 09:00 in Vietnam (02:00 UTC)
MONDAY = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def world() -> dict[str, Any]:
    a, b = UnitFactory(name="UBND xã Tam Đảo"), UnitFactory(name="UBND xã Đại Đình")
    version = procedure_version(units=(b,))
    dossier = dossier_in(Status.PROCESSING, version=version, unit=a)
    return {
        "a": a,
        "b": b,
        "version": version,
        "dossier": dossier,
        "officer_a": staff(a, Role.OFFICER),
        "leader_b": staff(b, Role.LEADER),
    }


def _input(**kw: Any) -> PetitionInput:
    values: dict[str, Any] = {
        "subject": Subject.DOSSIER,
        "title": "Hồ sơ chậm",
        "content": "Hồ sơ của tôi đã quá hẹn.",
        "contact_name": "Nguyễn Thị Hoa",
        "contact_phone": "0912 345 678",
    }
    values.update(kw)
    return PetitionInput(**values)


def test_anonymous_petition_about_a_dossier_goes_to_its_unit_with_a_working_day_due(world: Any) -> None:
    with clock.frozen(MONDAY):
        p = petition_submit(data=_input(dossier_code=world["dossier"].code), address="10.0.0.1")
    assert p.unit == world["a"]
    assert p.dossier == world["dossier"]
    assert p.contact_phone == "0912345678"
    assert p.sender is None
    assert p.status == PetitionStatus.OPEN
    assert p.due_at == get_calendar().add_working_days(MONDAY, 10)
    assert p.due_at.astimezone(clock.VN_TZ).date() == dt.date(2026, 3, 16)  # two weeks of working days
    assert Message.objects.filter(
        object_type="petition", object_id=p.code, event="petition_received"
    ).exists()


def test_due_follows_the_setting(world: Any, settings: Any) -> None:
    settings.MOTCUA_PETITION_ANSWER_DAYS = 3
    assert petition_due(MONDAY).astimezone(clock.VN_TZ).date() == dt.date(2026, 3, 5)


def test_procedure_petition_goes_to_the_offering_unit_and_unit_petition_to_the_unit(world: Any) -> None:
    code = world["version"].procedure.code
    p = petition_submit(
        data=_input(subject=Subject.PROCEDURE, procedure_code=code, unit_code=world["a"].code)
    )
    assert p.unit == world["b"]  # unit a does not offer it: the offering unit
    q = petition_submit(
        data=_input(subject=Subject.UNIT, unit_code=world["a"].code, contact_phone="0987654321")
    )
    assert q.unit == world["a"]


def test_logged_in_citizen_needs_no_contact(world: Any) -> None:
    citizen = CitizenFactory(full_name="Trần Văn Bình", email="binh@example.vn")
    p = petition_submit(
        data=_input(contact_name="", contact_phone="", dossier_code=world["dossier"].code), user=citizen
    )
    assert p.sender == citizen
    assert p.contact_name == "Trần Văn Bình"
    assert p.contact_email == "binh@example.vn"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"content": "x" * 4001}, "content"),
        ({"contact_phone": ""}, "contact_phone"),
        ({"contact_phone": "abc"}, "contact_phone"),
        ({"contact_email": "not-an-email", "contact_phone": ""}, "contact_email"),
        ({"contact_name": ""}, "contact_name"),
        ({"dossier_code": "KHONG-CO"}, "dossier_code"),
        ({"subject": "other"}, "subject"),
        ({"subject": Subject.UNIT, "unit_code": ""}, "unit_code"),
    ],
)
def test_bad_input_is_refused_on_the_field(world: Any, kw: dict[str, Any], field: str) -> None:
    kw.setdefault("dossier_code", world["dossier"].code)
    with pytest.raises(ValidationFailed) as exc:
        petition_submit(data=_input(**kw))
    assert field in exc.value.details
    assert not Petition.objects.exists()


def test_throttle_per_address(world: Any) -> None:
    for n in range(THROTTLE_PER_HOUR):
        petition_submit(
            data=_input(dossier_code=world["dossier"].code, contact_phone=f"091234500{n}"), address="1.2.3.4"
        )
    with pytest.raises(ValidationFailed) as exc:
        petition_submit(
            data=_input(dossier_code=world["dossier"].code, contact_phone="0999999999"), address="1.2.3.4"
        )
    assert exc.value.code == "throttled"
    petition_submit(
        data=_input(dossier_code=world["dossier"].code, contact_phone="0999999999"), address="5.6.7.8"
    )


def test_answer_by_the_units_staff_is_audited_and_sent(world: Any) -> None:
    p = petition_submit(data=_input(dossier_code=world["dossier"].code, contact_email="hoa@example.vn"))
    with pytest.raises(PermissionDenied):
        petition_answer(petition=p, user=world["leader_b"], answer="Không phải đơn vị tôi")
    with pytest.raises(ValidationFailed):
        petition_answer(petition=p, user=world["officer_a"], answer="   ")
    petition_answer(petition=p, user=world["officer_a"], answer="Hồ sơ sẽ được trả trong tuần.")
    p.refresh_from_db()
    assert p.status == PetitionStatus.ANSWERED
    assert p.answered_by == world["officer_a"]
    assert AuditEntry.objects.filter(action="petition.answer", object_id=p.code).count() == 1
    sent = Message.objects.filter(object_id=p.code, event="petition_answered")
    assert {m.recipient for m in sent} == {"hoa@example.vn", "0912345678"}
    assert "Hồ sơ sẽ được trả trong tuần." in sent.get(recipient="hoa@example.vn").body
    with pytest.raises(ValidationFailed) as exc:
        petition_answer(petition=p, user=world["officer_a"], answer="lần hai")
    assert exc.value.code == "already_answered"


def test_on_time_share(world: Any) -> None:
    with clock.frozen(MONDAY):
        late = petition_submit(data=_input(dossier_code=world["dossier"].code))
        early = petition_submit(data=_input(dossier_code=world["dossier"].code, contact_phone="0911111111"))
        petition_answer(petition=early, user=world["officer_a"], answer="Đã xử lý.")
    with clock.frozen(MONDAY + dt.timedelta(days=30)):
        petition_answer(petition=late, user=world["officer_a"], answer="Xin lỗi vì chậm.")
        assert answered_on_time(MONDAY, MONDAY + dt.timedelta(days=31)) == (1, 2)
        assert answered_on_time(MONDAY, MONDAY + dt.timedelta(days=31), {world["b"].pk}) == (0, 0)


def test_staff_see_only_their_units_petitions(world: Any, client: Client) -> None:
    p = petition_submit(data=_input(dossier_code=world["dossier"].code))
    assert list(petitions_for_staff(world["leader_b"])) == []
    assert list(petitions_for_staff(world["officer_a"])) == [p]
    client.force_login(world["leader_b"])
    assert p.code not in client.get("/can-bo/phan-anh-kien-nghi/").content.decode()
    assert client.get(f"/can-bo/phan-anh-kien-nghi/{p.code}/").status_code == 404
    assert client.post(f"/can-bo/phan-anh-kien-nghi/{p.code}/", {"answer": "x"}).status_code == 404
    p.refresh_from_db()
    assert p.status == PetitionStatus.OPEN


def test_portal_anonymous_submit_track_answer_and_publish(world: Any, client: Client) -> None:
    page = client.get(f"/phan-anh-kien-nghi/gui/?ho_so={world['dossier'].code}")
    assert page.status_code == 200
    assert world["dossier"].code in page.content.decode()
    form = {
        "subject": "dossier",
        "dossier_code": world["dossier"].code,
        "title": "Hồ sơ chậm trả",
        "content": "Đã quá hẹn ba ngày.",
        "contact_name": "Lê Thị Mai",
        "contact_phone": "0912345678",
        "publish_consent": "on",
    }
    response = client.post("/phan-anh-kien-nghi/gui/", form)
    assert response.status_code == 302
    p = Petition.objects.get()
    assert p.publish_consent
    assert response["Location"].endswith(f"/da-gui/{p.code}/")
    assert p.code in client.get(response["Location"]).content.decode()
    # tracking needs the contact as well as the code
    assert (
        client.get("/phan-anh-kien-nghi/tra-cuu/", {"ma": p.code, "lien_he": "0900000000"}).status_code == 404
    )
    track = client.get("/phan-anh-kien-nghi/tra-cuu/", {"ma": p.code, "lien_he": "0912 345 678"})
    assert track.status_code == 200
    assert "Đã quá hẹn ba ngày." in track.content.decode()
    assert p.title not in client.get("/phan-anh-kien-nghi/").content.decode()  # not answered yet

    officer = Client()
    officer.force_login(world["officer_a"])
    queue = officer.get("/can-bo/phan-anh-kien-nghi/").content.decode()
    assert p.code in queue
    assert officer.post(f"/can-bo/phan-anh-kien-nghi/{p.code}/", {"answer": ""}).status_code == 400
    assert (
        officer.post(f"/can-bo/phan-anh-kien-nghi/{p.code}/", {"answer": "Đã trả kết quả."}).status_code
        == 302
    )

    public = client.get("/phan-anh-kien-nghi/").content.decode()
    assert "Đã trả kết quả." in public
    assert "091****678" in public
    assert "0912345678" not in public
    assert "Lê Thị Mai" not in public
    assert "L. T. M." in public
    assert (
        "Đã trả kết quả."
        in client.get(
            "/phan-anh-kien-nghi/tra-cuu/", {"ma": p.code, "lien_he": "0912345678"}
        ).content.decode()
    )


def test_no_consent_no_publication(world: Any) -> None:
    p = petition_submit(data=_input(dossier_code=world["dossier"].code))
    petition_answer(petition=p, user=world["officer_a"], answer="Trả lời riêng.")
    assert not p.publish_consent
    assert "Trả lời riêng." not in Client().get("/phan-anh-kien-nghi/").content.decode()


def test_masked_sender() -> None:
    p = Petition(contact_name="Nguyễn Văn An", contact_email="an@example.vn")
    assert masked_sender(p) == "N. V. A. (a***@example.vn)"


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"subject": "dossier"},
        {"subject": "x" * 5000, "title": "\x00", "content": "y"},
        {
            "subject": "unit",
            "unit_code": "\u0000",
            "title": "t",
            "content": "c",
            "contact_phone": "0912345678",
        },
        {
            "subject": "procedure",
            "procedure_code": "'; drop table",
            "title": "t",
            "content": "c",
            "contact_email": "a@b.vn",
        },
        {"subject": "dossier", "dossier_code": "x" * 100, "title": "t" * 300, "content": "c" * 5000},
    ],
)
def test_portal_never_500s(world: Any, client: Client, form: dict[str, str]) -> None:
    response = client.post("/phan-anh-kien-nghi/gui/", form)
    assert response.status_code in {400, 302}
    assert client.get(
        "/phan-anh-kien-nghi/tra-cuu/", {"ma": "x" * 500, "lien_he": "y" * 500}
    ).status_code in {200, 404}
    assert client.get("/phan-anh-kien-nghi/", {"trang": "abc"}).status_code == 200


def test_counted_in_the_766_index_group_5(world: Any) -> None:
    from motcua.reports.index import service_index

    with clock.frozen(MONDAY):
        p = petition_submit(data=_input(dossier_code=world["dossier"].code))
        petition_answer(petition=p, user=world["officer_a"], answer="Đã xử lý.")
    index = service_index(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    entry = next(i for i in index["indicators"] if i["code"] == "5.2")
    assert entry["rate"] == 1.0
    assert entry["score"] == 6.0
    assert entry["value"] == {"answered_on_time": 1, "petitions": 1}
    group = next(g for g in index["groups"] if g["group"] == 5)
    assert group["score"] == 6.0
