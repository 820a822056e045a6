"""API v1 dossiers: intake, lists, details, actions, public lookup; scope across units for every endpoint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.core import clock
from motcua.dossiers.constants import Status
from motcua.dossiers.lifecycle import allowed_actions
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.notifications.models import Message

from .conftest import MONDAY_10, World
from .factories import dossier_in
from .outbox import run_queued_tasks

pytestmark = pytest.mark.django_db

INTAKE = {
    "procedure": "1.001193",
    "unit": "8707",
    "channel": "counter",
    "applicant": {
        "kind": "citizen",
        "name": "Trần Thị Bình",
        "id_number": "026098765412",
        "phone": "0987654321",
        "email": "binh@example.vn",
        "address": "Số 1 Kim Ngọc, Vĩnh Yên",
    },
    "components": [
        {"name": "Tờ khai đăng ký khai sinh"},
        {"name": "Giấy chứng sinh", "note": "bản chính"},
        {"name": "Giấy tờ tùy thân", "kind": "copy", "count": 1},
    ],
}


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with clock.frozen(MONDAY_10):
        yield


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_counter_intake_returns_a_received_dossier(world: World) -> None:
    response = client_for(world.officer_a).post("/api/v1/dossiers/", INTAKE, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == "000.00.14.H56-250310-0001"
    assert (body["status"], body["status_code"], body["channel"]) == ("received", 2, 1)
    assert dt.datetime.fromisoformat(body["received_at"]) == MONDAY_10
    assert dt.datetime.fromisoformat(body["due_at"]) == dt.datetime(2025, 3, 13, 10, tzinfo=clock.VN_TZ)
    assert body["due_at"] == body["statutory_due_at"]
    assert body["applicant_id_number"] == "026098765412"  # full in the detail
    assert [(c["name"], c["received"], c["required"]) for c in body["components"]] == [
        ("Tờ khai đăng ký khai sinh", True, True),
        ("Giấy chứng sinh", True, True),
        ("Giấy tờ tùy thân", True, False),
        ("Giấy tờ khác", False, False),
    ]
    assert body["components"][0]["component"] is not None
    assert body["components"][2]["component"] is None
    assert [e["action"] for e in body["events"]] == ["receive"]
    assert "forward" in body["actions"]
    assert "receive" not in body["actions"]


@pytest.mark.parametrize("checklist", [True, False])
def test_intake_answers_the_detail_in_few_statements(world: World, checklist: bool) -> None:
    """The 201 body is what GET answers for the new dossier, written without reading it back (bench/intake.py).

    The dossier is inserted once, already received (no UPDATE), with one audit entry. 18 statements with
    the per-process caches cold (this test's own writes keep the reference cache so): the roles, the unit,
    the version and its components, the units offering it, the code template, the working calendar (2),
    the day's number (one upsert), the dossier, the checklist, the event, the audit chain's day head (one
    locking upsert, issue 17) and the audit entry, the notifications consumer's delivery, its task; plus the
    test's savepoint and its release. Before: 50 (17 before the audit chain). With warm
    caches the 7 reads of reference data go (test_a_second_intake_takes_the_reference_data_from_the_cache).
    """
    world.version.units.set([world.unit_a, world.unit_b])  # offered by a list of units, like the real catalog
    client = client_for(world.officer_a)
    body = INTAKE if checklist else {k: v for k, v in INTAKE.items() if k != "components"}
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/dossiers/", body, format="json")
    assert response.status_code == 201, response.json()
    statements = [q["sql"].split(None, 1)[0].upper() for q in ctx.captured_queries]
    assert len(statements) == 18, statements
    assert statements.count("INSERT") == 8  # the audit chain head's upsert is an INSERT … ON CONFLICT
    assert "UPDATE" not in statements
    created = response.json()
    assert created == client.get(f"/api/v1/dossiers/{created['code']}/").json()
    assert [c["received"] for c in created["components"]] == (
        [True, True, True, False] if checklist else [True] * 3
    )
    dossier = Dossier.objects.get()
    run_queued_tasks()  # the notifications consumer queues the receipt's email and SMS
    assert Message.objects.filter(object_id=str(dossier.pk)).count() == 2
    (entry,) = AuditEntry.objects.filter(object_type="dossier", object_id=str(dossier.pk))
    assert entry.action == "dossier.receive"
    assert entry.data["created"] == {"procedure": "1.001193", "version": 1, "unit": "8707"}
    assert (entry.data["from"], entry.data["to"], entry.data["version"]) == ("draft", "received", 2)


@pytest.mark.django_db(transaction=True)
def test_a_second_intake_takes_the_reference_data_from_the_cache(world: World) -> None:
    """After the first intake the unit, the version in force with its components and offering units, and the
    code template come from the process's reference cache (core/refcache.py): 5 statements fewer; a change
    to the catalog is seen by the next intake all the same."""
    world.version.units.set([world.unit_a, world.unit_b])
    client = client_for(world.officer_a)
    reference_tables = ("organisations_unit", "catalog_", "dossiers_codeformat")

    def intake() -> tuple[dict[str, Any], list[str]]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.post("/api/v1/dossiers/", INTAKE, format="json")
        reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
        return response.json(), [sql for sql in reads if any(f'FROM "{t}' in sql for t in reference_tables)]

    first, first_reads = intake()
    assert len(first_reads) == 5, first_reads
    second, second_reads = intake()
    assert second_reads == []
    assert second["code"].endswith("-0002")
    assert [c["name"] for c in second["components"]] == [c["name"] for c in first["components"]]

    component = world.version.components.get(name="Giấy tờ khác")
    component.name = "Giấy tờ khác (nếu có)"
    component.save()
    third, third_reads = intake()
    assert len(third_reads) == 5, third_reads  # a change empties the whole cache of the process
    assert third["components"][-1]["name"] == "Giấy tờ khác (nếu có)"

    world.version.units.set([world.unit_b])
    refused = client.post("/api/v1/dossiers/", INTAKE, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "procedure_not_offered")


def test_intake_refuses_a_unit_not_offering_the_procedure(world: World) -> None:
    world.version.units.set([world.unit_b])
    response = client_for(world.officer_a).post("/api/v1/dossiers/", INTAKE, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "procedure_not_offered")
    assert not Dossier.objects.exists()
    world.version.units.set([world.unit_a])
    assert client_for(world.officer_a).post("/api/v1/dossiers/", INTAKE, format="json").status_code == 201


def test_intake_with_token_authentication(world: World) -> None:
    token = Token.objects.create(user=world.officer_a)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.post("/api/v1/dossiers/", INTAKE, format="json").status_code == 201


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        (None, 401, "not_authenticated"),
        ("officer_b", 403, "permission_denied"),
        ("specialist_a", 403, "permission_denied"),
        ("leader_p", 403, "permission_denied"),
    ],
)
def test_intake_needs_an_officer_of_the_unit(world: World, who: str | None, status: int, code: str) -> None:
    user = getattr(world, who) if who else None
    response = client_for(user).post("/api/v1/dossiers/", INTAKE, format="json")
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"applicant": {**INTAKE["applicant"], "id_number": "12345"}}, 400, "applicant"),  # type: ignore[dict-item]
        ({"applicant": {"name": ""}}, 400, "applicant"),
        ({"procedure": "9.999999"}, 404, None),
        ({"unit": "0000"}, 404, None),
        ({"channel": "pigeon"}, 400, "channel"),
        ({"components": [{"component": 999999}]}, 400, "components"),
        ({"components": "all"}, 400, "components"),
    ],
)
def test_intake_rejects_bad_input(
    world: World, change: dict[str, Any], status: int, field: str | None
) -> None:
    response = client_for(world.officer_a).post("/api/v1/dossiers/", {**INTAKE, **change}, format="json")
    assert response.status_code == status, response.json()
    if field:
        assert field in str(response.json()["details"])
    assert not Dossier.objects.exists()


def _seed(world: World) -> tuple[Dossier, Dossier]:
    a = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a, code="A-1")
    b = dossier_in(Status.RECEIVED, version=world.version, unit=world.unit_b, code="B-1")
    return a, b


def test_lists_are_scoped_and_mask_id_numbers(world: World) -> None:
    _seed(world)
    seen = {}
    for who in ("officer_a", "specialist_b", "leader_p", "leader_a"):
        response = client_for(getattr(world, who)).get("/api/v1/dossiers/")
        assert response.status_code == 200
        seen[who] = sorted(row["code"] for row in response.json()["results"])
    assert seen == {
        "officer_a": ["A-1"],
        "specialist_b": ["B-1"],
        "leader_p": ["A-1", "B-1"],  # read-only below the unit they lead
        "leader_a": ["A-1"],
    }
    row = client_for(world.officer_a).get("/api/v1/dossiers/").json()["results"][0]
    assert row["applicant_id_number"] == "026******612"
    assert client_for(None).get("/api/v1/dossiers/").status_code == 401


def test_list_filters(world: World) -> None:
    _a, _b = _seed(world)
    late = dossier_in(
        Status.PROCESSING, version=world.version, unit=world.unit_a, code="A-LATE", due_in_days=-2
    )
    late.applicant_name = "Lê Văn Chậm"
    late.save(update_fields=["applicant_name"])
    client = client_for(world.leader_p)

    def codes(query: str) -> list[str]:
        response = client.get(f"/api/v1/dossiers/?{query}")
        assert response.status_code == 200, response.json()
        return sorted(r["code"] for r in response.json()["results"])

    assert codes("status=received") == ["B-1"]
    assert codes("status=processing,received") == ["A-1", "A-LATE", "B-1"]
    assert codes("unit=8707") == ["A-1", "A-LATE"]
    assert codes("overdue=true") == ["A-LATE"]
    assert codes("overdue=false") == ["A-1", "B-1"]
    assert codes("q=Chậm") == ["A-LATE"]
    assert codes("q=026012345612") == ["A-1", "A-LATE", "B-1"]
    assert client.get("/api/v1/dossiers/?status=flying").status_code == 400
    assert client.get("/api/v1/dossiers/?overdue=maybe").status_code == 400
    row = next(r for r in client.get("/api/v1/dossiers/").json()["results"] if r["code"] == "A-LATE")
    assert row["overdue"] is True


def test_list_query_count_does_not_grow(world: World) -> None:
    def client() -> APIClient:  # a fresh user object: no roles cached from an earlier request
        return client_for(User.objects.get(pk=world.officer_a.pk))

    dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    with CaptureQueriesContext(connection) as one:
        assert len(client().get("/api/v1/dossiers/").json()["results"]) == 1
    for _ in range(6):
        dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a)
    with CaptureQueriesContext(connection) as seven:
        assert len(client().get("/api/v1/dossiers/").json()["results"]) == 7
    assert len(seven) == len(one) <= 6


def test_detail_is_404_outside_scope(world: World) -> None:
    _a, _b = _seed(world)
    assert client_for(world.officer_a).get("/api/v1/dossiers/A-1/").status_code == 200
    assert client_for(world.leader_p).get("/api/v1/dossiers/A-1/").status_code == 200
    for who, code in (("officer_a", "B-1"), ("officer_b", "A-1"), ("leader_a", "B-1")):
        response = client_for(getattr(world, who)).get(f"/api/v1/dossiers/{code}/")
        assert (response.status_code, response.json()["code"]) == (404, "dossier_not_found")
    # Same answer as for a code that does not exist.
    missing = client_for(world.officer_a).get("/api/v1/dossiers/NOPE/")
    assert missing.json()["code"] == "dossier_not_found"
    assert client_for(None).get("/api/v1/dossiers/A-1/").status_code == 401


def test_detail_query_count_is_bounded(world: World) -> None:
    client = client_for(world.officer_a)
    client.post("/api/v1/dossiers/", INTAKE, format="json")
    code = Dossier.objects.get().code
    client.post(f"/api/v1/dossiers/{code}/actions/forward/", {}, format="json")
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/api/v1/dossiers/{code}/").json()
    assert len(body["events"]) == 2
    assert len(body["steps"]) == 1
    assert len(queries) <= 12


def test_actions_through_the_api(world: World) -> None:
    client = client_for(world.officer_a)
    code = client.post("/api/v1/dossiers/", INTAKE, format="json").json()["code"]
    url = f"/api/v1/dossiers/{code}/actions"

    forbidden = client.post(f"{url}/return/", {}, format="json")
    assert forbidden.status_code == 409
    assert forbidden.json()["code"] == "transition_not_allowed"
    assert forbidden.json()["details"]["allowed"] == allowed_actions(Status.RECEIVED)

    ok = client.post(f"{url}/forward/", {"expected_version": 2, "note": "Chuyển xử lý"}, format="json")
    assert ok.status_code == 200, ok.json()
    assert (ok.json()["status"], ok.json()["status_code"], ok.json()["version"]) == ("processing", 4, 3)

    stale = client.post(f"{url}/request-supplement/", {"expected_version": 2, "note": "x"}, format="json")
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_version")

    bad = client.post(f"{url}/request-supplement/", {"note": ""}, format="json")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid_params")
    bad_type = client.post(f"{url}/forward/", {"expected_version": "two"}, format="json")
    assert bad_type.status_code == 400

    unknown = client.post(f"{url}/teleport/", {}, format="json")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_action")

    specialist = client_for(world.specialist_a)
    assigned = client_for(world.leader_a).post(f"{url}/assign/", {"assignee": "chuyenvien_a"}, format="json")
    assert assigned.status_code == 200, assigned.json()
    # The process has a leader's step: the specialist cannot complete without the leader (issue 16).
    skipped = specialist.post(f"{url}/resolve/", {"result": "Giấy khai sinh số 12"}, format="json")
    assert (skipped.status_code, skipped.json()["code"]) == (403, "leader_approval_required")
    to_leader = specialist.post(f"{url}/forward/", {}, format="json")
    assert to_leader.status_code == 200, to_leader.json()
    leader = client_for(world.leader_a)
    resolved = leader.post(f"{url}/resolve/", {"result": "Giấy khai sinh số 12"}, format="json")
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["status_code"] == 9
    assert resolved.json()["finished_at"]
    returned = client.post(f"{url}/return/", {}, format="json")
    assert returned.json()["status_code"] == 10
    assert returned.json()["returned_at"]
    assert [e["action"] for e in returned.json()["events"]] == [
        "receive",
        "forward",
        "assign",
        "forward",
        "resolve",
        "return",
    ]
    assert DossierEvent.objects.count() == 6


def test_actions_are_404_outside_scope_and_403_read_only(world: World) -> None:
    a, _b = _seed(world)
    for who in ("officer_b", "specialist_b"):
        response = client_for(getattr(world, who)).post(
            "/api/v1/dossiers/A-1/actions/resolve/", {"result": "x"}, format="json"
        )
        assert response.status_code == 404
    # The province leader sees the commune's dossier but may not act on it.
    response = client_for(world.leader_p).post(
        "/api/v1/dossiers/A-1/actions/stop/", {"note": "x"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert Dossier.objects.get(pk=a.pk).status == Status.PROCESSING


def test_extend_through_the_api(world: World) -> None:
    client = client_for(world.officer_a)
    code = client.post("/api/v1/dossiers/", INTAKE, format="json").json()["code"]
    url = f"/api/v1/dossiers/{code}/actions/extend/"
    body = {"note": "Cần xác minh thêm", "due": "2025-03-17T10:00:00+07:00"}
    assert client.post(url, body, format="json").status_code == 403  # officers do not extend
    response = client_for(world.leader_a).post(url, body, format="json")
    assert response.status_code == 200, response.json()
    assert dt.datetime.fromisoformat(response.json()["due_at"]) == dt.datetime(
        2025, 3, 17, 10, tzinfo=clock.VN_TZ
    )
    assert response.json()["extended"] is True
    again = client_for(world.leader_a).post(url, body, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_extended")


def test_public_lookup_has_no_personal_data(world: World) -> None:
    client_for(world.officer_a).post("/api/v1/dossiers/", INTAKE, format="json")
    code = Dossier.objects.get().code
    response = APIClient().get(f"/api/v1/public/dossiers/{code}/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "code",
        "procedure",
        "procedure_name",
        "unit",
        "unit_name",
        "status",
        "status_code",
        "status_display",
        "received_at",
        "due_at",
        "finished_at",
        "returned_at",
    }
    assert "Bình" not in str(body)
    assert "0260" not in str(body)
    assert (body["procedure"], body["unit"], body["status_code"]) == ("1.001193", "8707", 2)
    assert APIClient().get("/api/v1/public/dossiers/NOPE/").status_code == 404
    # Submitted online and not checked yet: public at once, like the lookup page (issue 16).
    online = dossier_in(Status.SUBMITTED, version=world.version, unit=world.unit_a, code="ONLINE-9")
    waiting = APIClient().get(f"/api/v1/public/dossiers/{online.code}/")
    assert (waiting.status_code, waiting.json()["status_code"]) == (200, 1)
    assert "026012345612" not in str(waiting.json())
    draft = dossier_in(Status.DRAFT, version=world.version, unit=world.unit_a)
    assert draft.code is None  # a draft has no code to look up


def test_schema_is_valid(world: World) -> None:
    response = APIClient().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/dossiers/{code}/actions/{action}/" in paths
    assert "/api/v1/public/dossiers/{code}/" in paths
