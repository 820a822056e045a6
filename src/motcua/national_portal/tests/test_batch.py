"""Several records per call (issue 13, item 9): each record with its own idempotency key, answered per record.

The sender puts the next unsent update(s) of many dossiers in one call (``MOTCUA_DVCQG_BATCH_SIZE``); the
sandbox portal stores each record once by its key, in array order, and answers per record, so that a re-sent
batch is deduplicated record by record, a refused record is parked alone and a dossier's updates stay in order.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from motcua.core import clock
from motcua.dossiers.models import ConsumerDelivery, Dossier
from motcua.dossiers.services import dossier_intake_counter
from motcua.dossiers.tasks import consume_deliveries
from motcua.dossiers.tests.conftest import World
from motcua.national_portal.client import (
    RECORD_KEY,
    PortalNotProcessed,
    PortalRejected,
    national_portal_clients,
)
from motcua.national_portal.mapping import portal_date
from motcua.national_portal.models import (
    SandboxPortalDossier,
    SandboxPortalUpdate,
    Service,
    SyncUpdate,
    UpdateState,
)
from motcua.national_portal.services import sync_drain, sync_send

from .conftest import DjangoTransport

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "Lê Văn Bình", "id_number": "026190054329", "phone": "0987654329"}


def recorded(world: World, n: int) -> list[Dossier]:
    """``n`` received dossiers whose first update (the whole record) is in the outbox, not sent yet."""
    dossiers = [
        dossier_intake_counter(
            officer=world.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
        )
        for _ in range(n)
    ]
    consume_deliveries.call([[d.pk, 0] for d in ConsumerDelivery.objects.filter(consumer="national-portal")])
    assert SyncUpdate.objects.count() == n
    return dossiers


def add_progress(dossier: Dossier, steps: int) -> None:
    """``steps`` progress updates after the dossier's last one (as later processing steps would add)."""
    stamp = portal_date(clock.now())
    last = SyncUpdate.objects.filter(dossier=dossier).order_by("-sequence").first()
    assert last is not None
    for k in range(1, steps + 1):
        SyncUpdate.objects.create(
            dossier=dossier,
            sequence=last.sequence + k,
            service=Service.PROGRESS,
            payload={
                "MaHoSo": dossier.code,
                "NguoiXuLy": "Chuyên viên",
                "ThoiDiemXuLy": stamp,
                "NoiDungXuLy": f"Bước {k}",
                "TrangThai": 4,
            },
            status_code=4,
            idempotency_key=f"test:{dossier.pk}:{last.sequence + k}",
            created_at=clock.now(),
        )


def received_keys(dossier: Dossier) -> list[str]:
    stored = SandboxPortalDossier.objects.get(code=dossier.code)
    return list(
        SandboxPortalUpdate.objects.filter(dossier=stored)
        .order_by("pk")
        .values_list("idempotency_key", flat=True)
    )


def outbox_keys(dossier: Dossier) -> list[str]:
    return list(
        SyncUpdate.objects.filter(dossier=dossier)
        .order_by("sequence")
        .values_list("idempotency_key", flat=True)
    )


def test_the_next_updates_of_many_dossiers_go_in_one_call_each_in_order(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    dossiers = recorded(connected, 3)
    for dossier in dossiers:
        add_progress(dossier, 4)
    assert sync_drain(threads=1) == 15
    # The login, the three whole records in one call, then the twelve progress updates in one call.
    assert inprocess.calls == 3
    for dossier in dossiers:
        assert received_keys(dossier) == outbox_keys(dossier)  # each once, in the outbox's order
        seen = Client().get(f"/sandbox/dvcqg/api/hoso/{dossier.code}/").json()
        assert (len(seen["updates"]), seen["duplicates"], seen["TrangThaiHoSo"]) == (5, 0, 4)
    assert set(SyncUpdate.objects.values_list("state", "attempts")) == {(UpdateState.SENT, 1)}


def test_batch_size_one_sends_one_record_per_call(
    connected: World, inprocess: DjangoTransport, portal_settings: Any, frozen: dt.datetime
) -> None:
    portal_settings.MOTCUA_DVCQG_BATCH_SIZE = 1
    dossiers = recorded(connected, 2)
    add_progress(dossiers[0], 2)
    assert sync_drain(threads=1) == 4
    assert inprocess.calls == 1 + 4
    assert received_keys(dossiers[0]) == outbox_keys(dossiers[0])


def test_a_batch_sent_again_after_a_timeout_is_deduplicated_record_by_record(
    connected: World, inprocess: DjangoTransport, portal_settings: Any, frozen: dt.datetime
) -> None:
    # The portal acts on the call, then the answer is lost: the sender does not know the three went.
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = "timeout_rate=1,timeout_acted=1,timeout_ms=0"
    first = recorded(connected, 3)
    assert sync_drain(threads=1) == 0
    assert set(SyncUpdate.objects.values_list("state", "attempts")) == {(UpdateState.PENDING, 1)}
    assert "Timeout" in SyncUpdate.objects.first().last_error  # type: ignore[union-attr]
    assert SandboxPortalUpdate.objects.count() == 3
    # A fourth dossier comes meanwhile: the batch sent again is not the same call (three old records, one new).
    portal_settings.MOTCUA_SANDBOX_DVCQG_FAULTS = ""
    later = recorded_more(connected)
    assert sync_drain(threads=1) == 4
    assert SyncUpdate.objects.filter(state=UpdateState.SENT).count() == 4
    for dossier in first:
        seen = Client().get(f"/sandbox/dvcqg/api/hoso/{dossier.code}/").json()
        assert (len(seen["updates"]), seen["duplicates"]) == (1, 1)  # one effect, the repeat discarded
    seen = Client().get(f"/sandbox/dvcqg/api/hoso/{later.code}/").json()
    assert (len(seen["updates"]), seen["duplicates"]) == (1, 0)


def recorded_more(world: World) -> Dossier:
    dossier = dossier_intake_counter(
        officer=world.officer_a, procedure_code="1.001193", unit_code="8707", applicant=APPLICANT
    )
    delivery = ConsumerDelivery.objects.get(consumer="national-portal", event__dossier=dossier)
    consume_deliveries.call([[delivery.pk, 0]])
    return dossier


def test_a_malformed_record_in_a_batch_is_parked_alone_and_the_others_go(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    good, bad, other = recorded(connected, 3)
    for dossier in (good, bad, other):
        add_progress(dossier, 2)
    wrong = SyncUpdate.objects.get(dossier=bad, sequence=2)
    wrong.payload = {**wrong.payload, "TrangThai": 11}  # no such status code: the portal refuses it
    wrong.save(update_fields=["payload"])
    assert sync_drain(threads=1) == 3 + 2 + 2  # every update but the refused one and the one after it
    assert inprocess.calls == 3  # the login, the whole records, the progress updates (one call each)
    states = list(
        SyncUpdate.objects.filter(dossier=bad).order_by("sequence").values_list("state", "attempts")
    )
    assert states == [(UpdateState.SENT, 1), (UpdateState.PARKED, 1), (UpdateState.PENDING, 0)]
    wrong.refresh_from_db()
    assert "PortalRejected" in wrong.last_error
    assert '"field": "TrangThai"' in wrong.last_error
    assert received_keys(bad) == outbox_keys(bad)[:1]  # the update after the refused one was not acted on
    for dossier in (good, other):
        assert received_keys(dossier) == outbox_keys(dossier)
    # The parked update holds back its dossier only: sending again does nothing more until an operator acts.
    assert sync_send(dossier_id=bad.pk).outcome == "parked"


def test_the_sandbox_answers_per_record_in_array_order(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    client = national_portal_clients["dvcqg"]
    stamp = portal_date(clock.now())
    whole = {
        "MaHoSo": "B-1",
        "MaTTHC": "1.001193",
        "ChuHoSo": "A",
        "TrangThaiHoSo": 2,
        "KenhThucHien": 1,
        "LoaiDoiTuong": 1,
        "NgayTiepNhan": stamp,
    }
    assert client.send_records(Service.SYNC_DOSSIER, False, [("k-1", whole)]) == [None]

    def progress(status: int) -> dict[str, Any]:
        return {"MaHoSo": "B-1", "TrangThai": status, "ThoiDiemXuLy": stamp}

    outcomes = client.send_records(
        Service.PROGRESS,
        False,
        [
            ("k-2", progress(4)),
            ("k-1", progress(4)),  # a key accepted before (for another record): discarded
            ("k-3", progress(11)),  # refused
            ("k-4", progress(5)),  # after a refused record of the same dossier: not acted on
            ("k-5", {"MaHoSo": "khong-co", "TrangThai": 4, "ThoiDiemXuLy": stamp}),  # unknown dossier
        ],
    )
    assert outcomes[:2] == [None, None]
    assert isinstance(outcomes[2], PortalRejected)
    assert outcomes[2].errors[0]["field"] == "TrangThai"
    assert isinstance(outcomes[3], PortalNotProcessed)
    assert isinstance(outcomes[4], PortalRejected)
    assert outcomes[4].errors[0]["reason"] == "unknown"
    seen = Client().get("/sandbox/dvcqg/api/hoso/B-1/").json()
    assert [u["idempotency_key"] for u in seen["updates"]] == ["k-1", "k-2"]
    assert (seen["duplicates"], seen["TrangThaiHoSo"]) == (1, 4)
    assert RECORD_KEY not in seen["updates"][1]["data"]  # the key is the envelope's, not the record's


def test_a_call_with_every_record_refused_has_the_portal_error_shape(
    connected: World, inprocess: DjangoTransport, portal_settings: Any
) -> None:
    web = Client()
    session = web.post(
        "/sandbox/dvcqg/auth/",
        {
            "username": portal_settings.MOTCUA_SANDBOX_DVCQG_USERNAME,
            "password": portal_settings.MOTCUA_SANDBOX_DVCQG_PASSWORD,
        },
        content_type="application/json",
    ).json()["session"]
    answer = web.post(
        "/sandbox/dvcqg/api/",
        json.dumps(
            {
                "session": session,
                "service": Service.PROGRESS,
                "isUpdating": False,
                "data": [
                    {"MaHoSo": "", RECORD_KEY: "x-1"},
                    {
                        "MaHoSo": "khong-co",
                        "TrangThai": 4,
                        "ThoiDiemXuLy": "20250310100000",
                        RECORD_KEY: "x-2",
                    },
                ],
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["error_code"] == 1
    assert body["message"]
    assert {(e["index"], e["field"]) for e in body["errors"]} >= {
        (0, "MaHoSo"),
        (0, "TrangThai"),
        (1, "MaHoSo"),
    }
    assert [r["error_code"] for r in body["results"]] == [1, 1]
    assert not SandboxPortalUpdate.objects.exists()


def test_a_portal_refusing_whole_calls_gets_the_others_again_without_the_refused_one(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A portal that refuses a call as a whole (``error_code`` 1, ``errors[].index``, nothing stored): the refused
    record is parked, the others are sent again at once in the next call, no attempt counted for them."""
    from motcua.national_portal.sandbox import views

    real = views._store

    def whole_or_nothing(service: str, data: list[dict[str, Any]], *args: Any, **kwargs: Any) -> Any:
        errors_of = args[2]
        errors = [e for i, record in enumerate(data) for e in errors_of(i, record)]
        if errors:
            return views._error(views.ERROR_INVALID, "Bản ghi không hợp lệ", errors=errors)
        response = real(service, data, *args, **kwargs)
        body = json.loads(response.content)
        body.pop("results", None)  # this portal answers the call, not each record
        return views.JsonResponse(body)

    monkeypatch.setattr(views, "_store", whole_or_nothing)
    good, bad = recorded(connected, 2)
    SyncUpdate.objects.filter(dossier=bad).update(payload={"MaHoSo": bad.code, "TrangThaiHoSo": 99})
    assert sync_drain(threads=1) == 1
    assert inprocess.calls == 3  # the login, the refused call, the good record again alone
    assert SyncUpdate.objects.get(dossier=good).attempts == 1
    parked = SyncUpdate.objects.get(dossier=bad)
    assert (parked.state, parked.attempts) == (UpdateState.PARKED, 1)
    assert received_keys(good) == outbox_keys(good)


def test_a_drain_killed_after_its_call_loses_nothing_and_its_batch_waits_for_the_leases(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    """A drain loop claims a batch, the portal acts on its call, and the process dies before recording it: the
    batch's dossiers stay leased until the leases run out, then another drain sends them again, and the portal
    discards every record as a duplicate (one effect each)."""
    from django.db import transaction

    from motcua.national_portal.services import _claim_batch, _send, lease_duration

    dossiers = recorded(connected, 3)
    with transaction.atomic():
        calls = _claim_batch("killed-drain", 50)
    _send(calls, national_portal_clients["dvcqg"])  # … and the process is killed here
    assert SandboxPortalUpdate.objects.count() == 3
    assert sync_drain(threads=1) == 0  # the leases hold: nobody else sends them meanwhile
    assert SyncUpdate.objects.filter(state=UpdateState.PENDING).count() == 3
    with clock.frozen(frozen + lease_duration() + dt.timedelta(seconds=1)):
        assert sync_drain(threads=1) == 3
    for dossier in dossiers:
        assert received_keys(dossier) == outbox_keys(dossier)
        assert SandboxPortalDossier.objects.get(code=dossier.code).duplicates == 1
