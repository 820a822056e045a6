"""Inbound: a dossier a citizen files on the (sandbox) national portal lands in the officer's queue, once,
with its files checked and stored, its national code kept; its later changes go back under that code."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import threading
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from motcua.documents.constants import ScanResult, UploadPurpose
from motcua.documents.models import Upload
from motcua.documents.tests.files import pdf
from motcua.dossiers.constants import Action, Channel, Status
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import QUEUES, queue_dossiers
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.outbox import run_queued_tasks
from motcua.national_portal.client import NationalPortalClient, PortalRejected, national_portal_clients
from motcua.national_portal.inbound import national_dossier_import, national_dossiers_pull
from motcua.national_portal.models import InboundDossier, SandboxPortalDossier
from motcua.national_portal.sandbox.filing import sandbox_filing_store

from .conftest import DjangoTransport

pytestmark = pytest.mark.django_db

APPLICANT = {"name": "Nguyễn Văn An", "id_number": "026090001234", "phone": "0912345678"}


def file_on_portal(web: Client, **extra: Any) -> str:
    """File a dossier on the sandbox portal's page (multipart), as a citizen would; its national code."""
    data = {
        "thu_tuc": "1.001193",
        "unit": "8707",
        "kind": "citizen",
        **APPLICANT,
        "tep_1": SimpleUploadedFile("to-khai.pdf", pdf("Tờ khai"), content_type="application/pdf"),
        # Named .pdf, but not a PDF: the documents app's sniffing refuses it.
        "tep_2": SimpleUploadedFile(
            "giay-chung-sinh.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
        ),
        **extra,
    }
    response = web.post(reverse("sandbox_dvcqg:file"), data)
    assert response.status_code == 201, response.content.decode()[:500]
    return str(response["X-National-Code"])


def test_a_dossier_filed_on_the_portal_lands_in_the_officers_queue_once(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    web = Client()
    assert "1.001193" in web.get(reverse("sandbox_dvcqg:file")).content.decode()  # the connected procedures
    national_code = file_on_portal(web)

    report = national_dossiers_pull()
    assert (report.fetched, report.created, report.existing, report.skipped, report.failed) == (1, 1, 0, 0, 0)
    inbound = InboundDossier.objects.select_related("dossier").get(national_code=national_code)
    dossier = inbound.dossier
    assert dossier.status == Status.SUBMITTED  # "Mới đăng ký (chưa kiểm tra)": awaiting the officer's check
    assert dossier.channel == Channel.ONLINE
    assert dossier.code
    assert dossier.code != national_code
    assert (dossier.applicant_name, dossier.applicant_id_number) == ("Nguyễn Văn An", "026090001234")
    # The PDF was stored through the documents app (sniffed; scanned when ClamAV is configured) and its
    # component marked as received; the fake one was refused and is listed for the officer.
    upload = Upload.objects.get(dossier=dossier)
    assert (upload.purpose, upload.content_type, upload.component.name) == (
        UploadPurpose.SUBMISSION,
        "application/pdf",
        "Tờ khai đăng ký khai sinh",
    )
    assert upload.scan_result in (ScanResult.CLEAN, ScanResult.NOT_SCANNED)
    received = dict(dossier.components.values_list("name", "received"))
    assert received["Tờ khai đăng ký khai sinh"] is True
    assert received["Giấy chứng sinh"] is False
    assert [f["name"] for f in inbound.refused_files] == ["giay-chung-sinh.pdf"]
    event = dossier.events.get()
    assert (event.action, event.actor.username) == (Action.SUBMIT, "system:dvcqg")

    # Pulled again (the schedule, the command): nothing new.
    again = national_dossiers_pull()
    assert (again.fetched, again.created, again.existing) == (1, 0, 1)
    assert Dossier.objects.filter(pk=dossier.pk).count() == InboundDossier.objects.count() == 1

    # In the officer's queue of online dossiers to check; the page shows its national code; the officer
    # receives it and the portal's record follows, under the national code.
    officer = connected.officer_a
    officer.refresh_from_db()
    assert dossier in queue_dossiers(user=officer, queue=QUEUES["truc-tuyen"])
    page = Client()
    page.force_login(officer)
    run_queued_tasks()
    html = page.get(reverse("backoffice:dossier", args=[dossier.code])).content.decode()
    assert 'data-field="national-code"' in html
    assert national_code in html
    # The refused file's paper was brought to the desk: the officer's checklist has everything.
    checklist = [{"name": name, "received": True} for name in received]
    dossier_transition(dossier=dossier, action=Action.RECEIVE, actor=officer, components=checklist)
    run_queued_tasks()
    seen = Client().get(f"/sandbox/dvcqg/api/hoso/{national_code}/").json()
    assert seen["TrangThaiHoSo"] == 2
    sent = list(seen["updates"])
    assert {u["data"]["MaHoSo"] for u in sent} == {national_code}
    assert [(u["service"], u["isUpdating"]) for u in sent][:1] == [("DongBoHoSoMC", True)]
    assert not SandboxPortalDossier.objects.filter(code=dossier.code).exists()  # never under motcua's code


def test_the_command_prints_the_report_and_skips_what_is_not_for_us(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime
) -> None:
    file_on_portal(Client())
    sandbox_filing_store(procedure_code="1.001193", unit_code="8707", applicant=APPLICANT, files=[])
    procedure = connected.version.procedure
    procedure.national_portal_connected = False
    procedure.save(update_fields=["national_portal_connected"])
    out = io.StringIO()
    call_command("pull_national_dossiers", stdout=out)
    report = json.loads(out.getvalue())
    assert (report["fetched"], report["created"], report["skipped"]) == (2, 0, 2)
    assert "chưa kết nối" in report["problems"][0]["reason"]
    assert not InboundDossier.objects.exists()


def test_a_file_that_cannot_be_fetched_leaves_nothing_and_is_tried_again(
    connected: World, inprocess: DjangoTransport, frozen: dt.datetime, portal_settings: Any
) -> None:
    national_code = file_on_portal(Client())
    record = SandboxPortalDossier.objects.get(code=national_code).record
    record["TaiLieuNop"][0]["MaTep"] = 999999  # the portal does not have it
    with pytest.raises(PortalRejected, match="Không tìm thấy tệp"):
        national_dossier_import(record=record, client=national_portal_clients["dvcqg"])
    assert not Dossier.objects.exists()
    assert not Upload.objects.exists()
    assert national_dossiers_pull().created == 1  # the real record comes in at the next pull


def test_the_schedule_queues_one_chain(connected: World, portal_settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    from motcua.national_portal.tasks import pull_national_dossiers, pull_schedule_ensure

    portal_settings.MOTCUA_DVCQG_PULL_MINUTES = 5
    assert pull_schedule_ensure() is True
    assert pull_schedule_ensure() is False  # one run queued already
    assert DBTaskResult.objects.filter(task_path=pull_national_dossiers.module_path).count() == 1
    portal_settings.MOTCUA_DVCQG_PULL_MINUTES = 0
    DBTaskResult.objects.all().delete()
    assert pull_schedule_ensure() is False


class FilesOnly(NationalPortalClient):
    """Serves every file as the same PDF (thread-safe, no HTTP): the race is the database's."""

    def call(
        self, service: str, data: list[dict[str, Any]], is_updating: bool, *, idempotency_key: str = ""
    ) -> dict[str, Any]:
        content = base64.b64encode(pdf("Tờ khai")).decode()
        return {
            "error_code": 0,
            "result": [{"MaTep": data[0]["MaTep"], "TenTepDinhKem": "a.pdf", "NoiDung": content}],
        }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_pulls_create_one_dossier(
    connected: World, inprocess: DjangoTransport, portal_settings: Any
) -> None:
    assert connection.vendor == "postgresql"
    national_code = file_on_portal(Client())
    record = SandboxPortalDossier.objects.get(code=national_code).record
    client = FilesOnly()
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def pull() -> None:
        try:
            barrier.wait()
            outcomes.append(national_dossier_import(record=record, client=client))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pull) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(outcomes) == ["created", "existing", "existing", "existing"]
    assert InboundDossier.objects.filter(national_code=national_code).count() == 1
    assert Dossier.objects.count() == 1
    assert Upload.objects.count() == len(record["TaiLieuNop"]) == 2  # the winner's files only
