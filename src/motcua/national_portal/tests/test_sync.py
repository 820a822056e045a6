"""Outbound sync: every change of a connected dossier reaches the (sandbox) portal, in order, at least once,
with an idempotency key; failures are retried, then parked for an operator who sends them again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests
from django.test import Client

from motcua.accounts.models import User
from motcua.audit.models import AuditEntry
from motcua.core import clock
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import ConsumerDelivery, Dossier
from motcua.dossiers.services import dossier_intake_counter
from motcua.dossiers.tasks import consume_deliveries
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.national_portal.client import PortalRejected, national_portal_clients
from motcua.national_portal.mapping import portal_date
from motcua.national_portal.models import (
    SandboxPortalDossier,
    SandboxPortalUpdate,
    Service,
    SyncState,
    SyncUpdate,
    UpdateState,
)
from motcua.national_portal.selectors import dossier_sync

from .conftest import DjangoTransport

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "Phạm Thị Thu Hương", "id_number": "026190054321", "phone": "0987654321"}


def intake(world: World) -> Dossier:
    return dossier_intake_counter(
        officer=world.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
    )


def act(dossier: Dossier, action: str, actor: User, **params: Any) -> Dossier:
    return dossier_transition(dossier=dossier, action=action, actor=actor, **params)


def portal_view(client: Client, code: str) -> dict[str, Any]:
    response = client.get(f"/sandbox/dvcqg/api/hoso/{code}/")
    assert response.status_code == 200, response.content
    return dict(response.json())


def whole_life(world: World, dossier: Dossier) -> Dossier:
    dossier = act(dossier, Action.ASSIGN, world.officer_a, assignee=world.specialist_a.username)
    dossier = act(dossier, Action.REQUEST_SUPPLEMENT, world.specialist_a, note="Thiếu giấy chứng sinh")
    dossier = act(dossier, Action.SUPPLEMENT_RECEIVED, world.officer_a)
    dossier = act(dossier, Action.RESOLVE, world.leader_a, result="Giấy khai sinh bản chính")
    return act(dossier, Action.RETURN, world.officer_a)


def test_a_received_dossier_and_every_later_step_reach_the_portal_in_order(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    dossier = intake(connected)
    run_queued_tasks()
    seen = portal_view(Client(), str(dossier.code))
    assert seen["TrangThaiHoSo"] == 2
    record = seen["record"]
    assert record["MaHoSo"] == dossier.code
    assert record["MaTTHC"] == "1.001193"
    assert record["NgayTiepNhan"] == "20250310100000"  # Vietnam time, yyyyMMddHHmmss
    assert record["NgayHenTra"] == portal_date(dossier.due_at) != ""
    assert record["KenhThucHien"] == 1
    assert record["LoaiDoiTuong"] == 1
    assert [c["TenTepDinhKem"] for c in record["TaiLieuNop"]][:2] == [
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
    ]
    assert [(u["service"], u["isUpdating"]) for u in seen["updates"]] == [("DongBoHoSoMC", False)]

    dossier = whole_life(connected, dossier)
    run_queued_tasks()
    seen = portal_view(Client(), str(dossier.code))
    assert seen["TrangThaiHoSo"] == 10
    assert seen["duplicates"] == 0
    got = [
        (u["service"], u["data"].get("TrangThaiHoSo", u["data"].get("TrangThai"))) for u in seen["updates"]
    ]
    assert got == [
        ("DongBoHoSoMC", 2),
        ("CapNhatTienDoHoSoMC", 4),  # assign
        ("CapNhatTienDoHoSoMC", 5),  # request-supplement …
        ("DongBoHoSoMC", 5),  # … changes the record (its supplements)
        ("CapNhatTienDoHoSoMC", 4),
        ("DongBoHoSoMC", 4),
        ("CapNhatTienDoHoSoMC", 9),
        ("DongBoHoSoMC", 9),
        ("CapNhatTienDoHoSoMC", 10),
        ("DongBoHoSoMC", 10),
    ]
    last = seen["updates"][-1]["data"]
    assert last["NgayTra"] == last["NgayKetThucXuLy"] == "20250310100000"
    assert last["DanhSachHoSoBoSung"][0]["NoiDungBoSung"] == "Thiếu giấy chứng sinh"
    # The result's link is the public look-up page of the dossier on motcua's public URL.
    links = {r["DuongDanTepTinKetQua"] for r in last["DanhSachGiayToKetQua"]}
    assert links == {f"http://127.0.0.1:8000/tra-cuu/?ma={dossier.code}"}
    assert Client().get(links.pop().removeprefix("http://127.0.0.1:8000")).status_code == 200
    keys = [u["idempotency_key"] for u in seen["updates"]]
    assert len(set(keys)) == len(keys)
    assert all(keys)
    assert list(SyncUpdate.objects.filter(dossier=dossier).values_list("sequence", flat=True)) == list(
        range(1, 11)
    )
    state = dossier_sync(dossier)
    assert state is not None
    assert (state.last_sent_status, state.last_sent_at, state.pending, state.parked) == (10, frozen, 0, 0)


def test_a_procedure_not_connected_sends_nothing(
    world: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    intake(world)
    run_queued_tasks()
    assert not SyncUpdate.objects.exists()
    assert inprocess.calls == 0


def test_nothing_is_recorded_while_no_client_is_chosen(connected: World, settings: Any) -> None:
    settings.MOTCUA_DVCQG_CLIENT = ""
    intake(connected)
    assert not ConsumerDelivery.objects.filter(consumer="national-portal").exists()


def test_deliveries_run_out_of_order_still_record_in_event_order(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    dossier = intake(connected)
    dossier = act(dossier, Action.ASSIGN, connected.officer_a, assignee=connected.specialist_a.username)
    first, second = ConsumerDelivery.objects.filter(consumer="national-portal").order_by("event_id")
    consume_deliveries.call([[second.pk, 0]])  # the later event's delivery runs first
    assert list(SyncUpdate.objects.order_by("sequence").values_list("event_id", "service")) == [
        (first.event_id, Service.SYNC_DOSSIER),
        (second.event_id, Service.PROGRESS),
    ]
    consume_deliveries.call([[first.pk, 0]])  # nothing more: already recorded
    assert SyncUpdate.objects.count() == 2
    run_queued_tasks()
    assert portal_view(Client(), str(dossier.code))["TrangThaiHoSo"] == 4


def test_failures_are_retried_then_parked_and_hold_back_the_later_updates(
    connected: World, inprocess: DjangoTransport, portal_settings: Any, frozen: dt.datetime
) -> None:
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = "error_rate=1"
    dossier = intake(connected)
    act(dossier, Action.ASSIGN, connected.officer_a, assignee=connected.specialist_a.username)
    run_queued_tasks()
    first, second = SyncUpdate.objects.order_by("sequence")
    assert (first.state, first.attempts) == (UpdateState.PARKED, 3)
    assert "error_code -1" in first.last_error
    assert (second.state, second.attempts) == (UpdateState.PENDING, 0)  # never sent before the first
    assert not SandboxPortalDossier.objects.exists()
    state = SyncState.objects.get(pk=dossier.pk)
    assert state.last_sent_status is None
    assert "Lỗi hệ thống" in state.last_error

    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = ""
    admin = User.objects.create_superuser(username="quantri", password="x")
    web = Client()
    web.force_login(admin)
    response = web.post(
        "/quan-tri/national_portal/syncupdate/",
        {"action": "resend", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    run_queued_tasks()
    assert list(SyncUpdate.objects.order_by("sequence").values_list("state", flat=True)) == ["sent", "sent"]
    assert [u["service"] for u in portal_view(Client(), str(dossier.code))["updates"]] == [
        "DongBoHoSoMC",
        "CapNhatTienDoHoSoMC",
    ]
    assert AuditEntry.objects.filter(action="national_update.resend").count() == 2  # one entry per update
    state.refresh_from_db()
    assert (state.last_sent_status, state.last_error) == (4, "")


def test_one_update_sent_again_from_its_page(
    connected: World, inprocess: DjangoTransport, portal_settings: Any, frozen: dt.datetime
) -> None:
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = "error_rate=1"
    dossier = intake(connected)
    run_queued_tasks()
    update = SyncUpdate.objects.get()
    assert update.state == UpdateState.PARKED
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = ""
    admin = User.objects.create_superuser(username="quantri", password="x")
    web = Client()
    web.force_login(admin)
    page = web.get(f"/quan-tri/national_portal/syncupdate/{update.pk}/change/")
    assert "Gửi lại" in page.content.decode()
    assert web.post(f"/quan-tri/national_portal/syncupdate/{update.pk}/gui-lai/").status_code == 302
    run_queued_tasks()
    update.refresh_from_db()
    assert update.state == UpdateState.SENT
    assert portal_view(Client(), str(dossier.code))["TrangThaiHoSo"] == 2


def test_a_timed_out_call_is_sent_again_and_the_portal_discards_the_duplicate(
    connected: World, inprocess: DjangoTransport, portal_settings: Any, frozen: dt.datetime
) -> None:
    # Every call times out after the portal acted on it…
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = "timeout_rate=1,timeout_acted=1,timeout_ms=0"
    dossier = intake(connected)
    run_queued_tasks()
    update = SyncUpdate.objects.get()
    assert update.state == UpdateState.PARKED
    assert "Timeout" in update.last_error
    stored = SandboxPortalDossier.objects.get(code=dossier.code)
    assert SandboxPortalUpdate.objects.filter(dossier=stored).count() == 1  # one effect for three calls
    assert stored.duplicates == 2
    # … then the portal answers again: the resent update is a duplicate too, and counted.
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = ""
    before = stored.duplicates
    from motcua.national_portal.services import sync_updates_resend

    sync_updates_resend(update_ids=[update.pk])
    run_queued_tasks()
    update.refresh_from_db()
    assert update.state == UpdateState.SENT
    seen = portal_view(Client(), str(dossier.code))
    assert (len(seen["updates"]), seen["duplicates"]) == (1, before + 1)


def test_a_malformed_record_is_refused_with_the_portal_error_shape_and_parked_at_once(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    client = national_portal_clients["dvcqg"]
    with pytest.raises(PortalRejected) as info:
        client.call(
            "DongBoHoSoMC",
            [
                {
                    "MaHoSo": "X-1",
                    "MaTTHC": "",
                    "ChuHoSo": "A",
                    "TrangThaiHoSo": 11,
                    "NgayHenTra": "2025-03-10",
                }
            ],
            False,
        )
    fields = {e["field"] for e in info.value.errors}
    assert {"MaTTHC", "TrangThaiHoSo", "NgayHenTra", "KenhThucHien", "LoaiDoiTuong"} <= fields
    assert not SandboxPortalDossier.objects.exists()

    dossier = intake(connected)
    delivery = ConsumerDelivery.objects.get(consumer="national-portal")
    consume_deliveries.call([[delivery.pk, 0]])  # recorded, not sent yet
    # A record the portal refuses (here: a progress update for a dossier it never received) is parked at once.
    update = SyncUpdate.objects.get(dossier=dossier)
    SyncUpdate.objects.filter(pk=update.pk).update(service=Service.PROGRESS, payload={"MaHoSo": "khong-co"})
    run_queued_tasks()
    update.refresh_from_db()
    assert (update.state, update.attempts) == (UpdateState.PARKED, 1)
    assert "PortalRejected" in update.last_error


def test_the_sandbox_portal_wants_a_session(portal_settings: Any, db: None) -> None:
    web = Client()
    refused = web.post(
        "/sandbox/dvcqg/auth/", {"username": "motcua", "password": "sai"}, content_type="application/json"
    )
    assert (refused.status_code, refused.json()["error_code"]) == (401, 2)
    call = web.post(
        "/sandbox/dvcqg/api/",
        {"session": "khong-hop-le", "service": "TraCuuHoSo", "data": [{"MaHoSo": "X"}]},
        content_type="application/json",
    )
    assert (call.status_code, call.json()["error_code"]) == (401, 3)
    login = web.post(
        "/sandbox/dvcqg/auth/",
        {
            "username": portal_settings.MOTCUA_SANDBOX_DVCQG_USERNAME,
            "password": portal_settings.MOTCUA_SANDBOX_DVCQG_PASSWORD,
        },
        content_type="application/json",
    )
    assert login.json()["error_code"] == 0
    assert login.json()["session"]
    assert web.get("/sandbox/dvcqg/api/hoso/khong-co/").status_code == 404


def test_an_expired_session_is_opened_again(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    client = national_portal_clients["dvcqg"]
    client.call("TraCuuHoSo", [{"MaHoSo": "X"}], False)
    from motcua.national_portal.models import SandboxPortalSession

    SandboxPortalSession.objects.all().delete()  # the portal forgot it
    assert client.call("TraCuuHoSo", [{"MaHoSo": "X"}], False)["result"] == []
    assert SandboxPortalSession.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_over_real_http_against_the_live_sandbox_portal(
    connected: World, portal_settings: Any, client_plugin: Any, live_server: Any
) -> None:
    portal_settings.MOTCUA_DVCQG_URL = f"{live_server.url}/sandbox/dvcqg/"
    client_plugin.transport = None
    with clock.frozen(dt.datetime(2025, 3, 10, 10, 0, tzinfo=clock.VN_TZ)):
        dossier = intake(connected)
        dossier = act(dossier, Action.ASSIGN, connected.officer_a, assignee=connected.specialist_a.username)
        run_queued_tasks()
    seen = requests.get(f"{live_server.url}/sandbox/dvcqg/api/hoso/{dossier.code}/", timeout=10).json()
    assert seen["TrangThaiHoSo"] == 4
    assert [u["service"] for u in seen["updates"]] == ["DongBoHoSoMC", "CapNhatTienDoHoSoMC"]
    assert dossier.status == Status.PROCESSING


def test_portal_dates_are_vietnam_time_and_faults_parse() -> None:
    from motcua.national_portal.mapping import parse_portal_date
    from motcua.national_portal.sandbox.faults import Faults, parse_faults

    instant = dt.datetime(2025, 3, 10, 17, 30, 5, tzinfo=dt.UTC)
    assert portal_date(instant) == "20250311003005"
    assert parse_portal_date("20250311003005") == instant
    assert portal_date(None) == ""
    with pytest.raises(ValueError, match="yyyyMMddHHmmss"):
        parse_portal_date("2025-03-11")
    assert parse_faults("error_rate=0.3,timeout_rate=0.1,latency_ms=200") == Faults(
        error_rate=0.3, timeout_rate=0.1, latency_ms=200
    )
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_faults("error_rate=2")
    with pytest.raises(ValueError, match="unknown sandbox portal fault"):
        parse_faults("explode=1")


def test_the_back_office_dossier_page_shows_the_sync_state(
    connected: World, inprocess: DjangoTransport, portal_settings: Any, frozen: dt.datetime
) -> None:
    from django.urls import reverse

    dossier = intake(connected)
    officer = connected.officer_a
    officer.refresh_from_db()
    web = Client()
    web.force_login(officer)
    url = reverse("backoffice:dossier", args=[dossier.code])
    assert 'data-field="national-sync"' not in web.get(url).content.decode()  # nothing queued yet

    run_queued_tasks()
    page = web.get(url).content.decode()
    assert "Đồng bộ Cổng DVCQG" in page
    assert "Đã gửi trạng thái 2 lúc 10:00 10/03/2025" in page

    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = "error_rate=1"
    act(dossier, Action.ASSIGN, connected.officer_a, assignee=connected.specialist_a.username)
    run_queued_tasks()
    page = web.get(url).content.decode()
    assert "1 bản tin lỗi chờ quản trị gửi lại" in page
    assert "Lỗi hệ thống (giả lập)" in page


def test_the_demo_connects_the_procedures_offered_online(world: World) -> None:
    from motcua.catalog.models import Procedure
    from motcua.dossiers.tests.factories import procedure_version
    from motcua.national_portal.services import demo_procedures_connect

    offline = procedure_version(code="2.000001")
    offline.online_mode = "none"
    offline.save(update_fields=["online_mode"])
    assert demo_procedures_connect() == 1
    assert set(Procedure.objects.filter(national_portal_connected=True).values_list("code", flat=True)) == {
        "1.001193"
    }
    assert demo_procedures_connect() == 0


def test_a_portal_down_for_an_hour_only_delays(
    connected: World, inprocess: DjangoTransport, portal_settings: Any
) -> None:
    """With the default retry settings (30 s doubled per failure, 12 attempts) nothing parks in an hour's outage;
    the update goes once the portal is back, at the next retry (within the hour after)."""
    from motcua.dossiers.tests.conftest import MONDAY_10
    from motcua.national_portal.services import sync_send

    portal_settings.MOTCUA_DVCQG_MAX_ATTEMPTS = 12
    portal_settings.MOTCUA_DVCQG_RETRY_SECONDS = 30
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = "error_rate=1"
    with clock.frozen(MONDAY_10):
        dossier = intake(connected)
        delivery = ConsumerDelivery.objects.get(consumer="national-portal")
        consume_deliveries.call([[delivery.pk, 0]])
    update = SyncUpdate.objects.get(dossier=dossier)
    back = MONDAY_10 + dt.timedelta(hours=1)
    at = MONDAY_10
    while update.state != UpdateState.SENT:
        assert update.state == UpdateState.PENDING  # never parked
        if at >= back:
            portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = ""
        with clock.frozen(at):
            sync_send(dossier_id=dossier.pk)
        update.refresh_from_db()
        at = update.next_attempt_at or at
    assert update.sent_at is not None
    assert back <= update.sent_at < back + dt.timedelta(hours=1)
    assert portal_view(Client(), str(dossier.code))["TrangThaiHoSo"] == 2


def test_a_second_sender_steps_aside_while_the_lease_holds(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    from motcua.national_portal.services import sync_send

    dossier = intake(connected)
    delivery = ConsumerDelivery.objects.get(consumer="national-portal")
    consume_deliveries.call([[delivery.pk, 0]])
    SyncState.objects.filter(pk=dossier.pk).update(
        lease_token="another-sender", lease_until=frozen + dt.timedelta(seconds=10)
    )
    assert sync_send(dossier_id=dossier.pk).outcome == "busy"
    assert SyncUpdate.objects.get(dossier=dossier).state == UpdateState.PENDING
    assert inprocess.calls == 0
    with clock.frozen(frozen + dt.timedelta(seconds=11)):  # that sender died: its lease ran out
        result = sync_send(dossier_id=dossier.pk)
    assert (result.outcome, result.sent) == ("done", 1)
    state = SyncState.objects.get(pk=dossier.pk)
    assert (state.lease_token, state.lease_until, state.last_sent_status) == ("", None, 2)


def test_sync_counts_per_unit_for_the_dashboard(
    connected: World, inprocess: DjangoTransport, portal_settings: Any, frozen: dt.datetime
) -> None:
    from motcua.national_portal.selectors import national_sync_by_unit, national_sync_indicator

    dossier = intake(connected)
    run_queued_tasks()  # sent at once: on time
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = "error_rate=1"
    act(dossier, Action.ASSIGN, connected.officer_a, assignee=connected.specialist_a.username)
    run_queued_tasks()  # parked (3 attempts)
    with clock.frozen(frozen + dt.timedelta(days=2)):
        act(dossier, Action.REQUEST_SUPPLEMENT, connected.specialist_a, note="Thiếu giấy")
        delivery = ConsumerDelivery.objects.filter(consumer="national-portal").order_by("-pk").first()
        assert delivery is not None
        consume_deliveries.call([[delivery.pk, 0]])  # pending behind the parked one
    a, b = national_sync_by_unit(
        unit_ids=[connected.unit_a.pk, connected.unit_b.pk],
        start=frozen - dt.timedelta(hours=1),
        end=frozen + dt.timedelta(days=1),
        now=frozen + dt.timedelta(hours=2),
    )
    # The intake went at once; the assignment is parked but its 24 hours have not passed: not late yet.
    assert (a.updates, a.sent_on_time, a.pending, a.parked) == (2, 2, 2, 1)
    assert (a.dossiers, a.dossiers_on_time, a.on_time_share) == (1, 1, 1.0)
    assert (b.updates, b.pending, b.parked, b.on_time_share) == (0, 0, 0, None)
    # A day later the assignment is late: the dossier was not synchronised on time.
    a_later = national_sync_indicator(
        unit_ids=[connected.unit_a.pk, connected.unit_b.pk],
        start=frozen - dt.timedelta(hours=1),
        end=frozen + dt.timedelta(days=1),
        now=frozen + dt.timedelta(days=1, hours=1),
    )
    assert (a_later.updates, a_later.sent_on_time, a_later.dossiers_on_time, a_later.on_time_share) == (
        2,
        1,
        0,
        0.0,
    )
    assert (a_later.pending, a_later.parked) == (2, 1)  # the supplement request (day 2) waits behind it


def test_the_drain_claims_free_dossiers_and_leaves_leased_parked_and_waiting_ones(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    """``sync_drain`` (the backlog sender, bench/sync.py) takes only dossiers no sender holds and whose first
    unsent update may go now; the lease of another sender and a parked or waiting update are respected."""
    from motcua.national_portal.services import sync_drain

    free, leased, parked, waiting = (intake(connected) for _ in range(4))
    consume_deliveries.call([[d.pk, 0] for d in ConsumerDelivery.objects.filter(consumer="national-portal")])
    SyncState.objects.filter(pk=leased.pk).update(
        lease_token="another-sender", lease_until=frozen + dt.timedelta(seconds=10)
    )
    SyncUpdate.objects.filter(dossier=parked).update(state=UpdateState.PARKED)
    SyncUpdate.objects.filter(dossier=waiting).update(next_attempt_at=frozen + dt.timedelta(minutes=1))
    assert sync_drain(threads=1) == 1
    assert inprocess.calls == 2  # the login, then the one update
    states = dict(SyncUpdate.objects.values_list("dossier_id", "state"))
    assert states == {
        free.pk: UpdateState.SENT,
        leased.pk: UpdateState.PENDING,
        parked.pk: UpdateState.PARKED,
        waiting.pk: UpdateState.PENDING,
    }
    assert SyncState.objects.get(pk=leased.pk).lease_token == "another-sender"
    assert SyncState.objects.get(pk=free.pk).lease_token == ""
    with clock.frozen(frozen + dt.timedelta(minutes=2)):  # the lease ran out, the retry time came
        assert sync_drain(threads=1) == 2
    assert SyncUpdate.objects.filter(state=UpdateState.SENT).count() == 3
