"""Inbound: dossiers citizens filed on the national portal come into motcua's queues (issue 13, item 4).

``national_dossiers_pull`` asks the portal for the dossiers filed since a moment (``LayDanhSachHoSo``), and
for each one it does not have yet (by the national code) fetches the files (``LayTepDinhKem``), then in one
transaction creates an online dossier of the procedure version in force (``dossiers.services.dossier_create``
as the system actor ``system:dvcqg``), keeps the national code beside motcua's (``InboundDossier``, unique),
stores the files through the documents app (``documents.services.upload_import``: sniffed, scanned), marks
the components that came with a file, and submits it (``submit``): the dossier waits in the officer's queue
"Mới đăng ký (chưa kiểm tra)" like a dossier filed on motcua's own portal. Its later changes go back to the
portal under the national code by the outbound sync (``services.sync_updates_record``).

Idempotent: a dossier already pulled is skipped; two pulls racing on the same dossier (PostgreSQL) create one:
the second's insert of the national code waits for the first's transaction and fails, and it rolls back
(its stored files are deleted). Run by ``motcua pull-national-dossiers`` and on a schedule
(``tasks.pull_national_dossiers``, every ``MOTCUA_DVCQG_PULL_MINUTES``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction

from motcua.accounts.services import system_actor
from motcua.catalog.models import Procedure
from motcua.core import clock
from motcua.core.errors import DomainError
from motcua.documents.services import stored_files_delete, upload_import
from motcua.documents.validation import UploadRefused
from motcua.dossiers.constants import Action, ApplicantKind, Channel
from motcua.dossiers.lifecycle import dossier_transition
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.dossiers.services import dossier_create

from .client import NationalPortalClient, PortalError, chosen_client
from .mapping import parse_portal_date, portal_date
from .models import InboundDossier, Service

logger = structlog.get_logger(__name__)

SYSTEM_NAME = "dvcqg"
SYSTEM_LABEL = "Cổng Dịch vụ công quốc gia"


@dataclass
class PullReport:
    fetched: int = 0  # dossiers the portal listed
    created: int = 0  # new dossiers in motcua's queues
    existing: int = 0  # pulled before (or by a concurrent pull)
    skipped: int = 0  # not for us (procedure not connected) or not importable (see ``problems``)
    failed: int = 0  # a file could not be fetched: tried again at the next pull
    problems: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def pull_since_default() -> dt.datetime:
    """How far back a pull looks (``MOTCUA_DVCQG_PULL_LOOKBACK_HOURS``, default 72): a pull missed for a few
    days still finds what was filed meanwhile; what was pulled already is skipped by its code."""
    hours = float(getattr(settings, "MOTCUA_DVCQG_PULL_LOOKBACK_HOURS", 72))
    return clock.now() - dt.timedelta(hours=hours)


def national_dossiers_pull(
    *, client: NationalPortalClient | None = None, since: dt.datetime | None = None
) -> PullReport:
    """Pull the dossiers filed on the portal since ``since`` into motcua; raises ``PortalError`` when the list
    itself cannot be had (nothing changed)."""
    client = client or chosen_client()
    answer = client.call(Service.FILED, [{"TuNgay": portal_date(since or pull_since_default())}], False)
    records = [r for r in answer.get("result") or [] if isinstance(r, dict)]
    report = PullReport(fetched=len(records))
    codes = [str(r.get("MaHoSo") or "") for r in records]
    known = set(
        InboundDossier.objects.filter(national_code__in=codes).values_list("national_code", flat=True)
    )
    for code, record in zip(codes, records, strict=True):
        if code in known:
            report.existing += 1
            continue
        if not code:
            report.skipped += 1
            report.problems.append({"MaHoSo": "", "reason": "Bản ghi không có mã hồ sơ"})
            continue
        try:
            outcome = national_dossier_import(record=record, client=client)
        except PortalError as exc:
            logger.warning("national_inbound_fetch_failed", national_code=code, error=str(exc))
            report.failed += 1
            continue
        except DomainError as exc:
            logger.warning("national_inbound_refused", national_code=code, error=exc.message)
            report.skipped += 1
            report.problems.append({"MaHoSo": code, "reason": str(exc.message)})
            continue
        if outcome == "created":
            report.created += 1
        elif outcome == "existing":
            report.existing += 1
        else:
            report.skipped += 1
            report.problems.append({"MaHoSo": code, "reason": outcome})
    logger.info("national_inbound_pulled", **{k: v for k, v in report.as_dict().items() if k != "problems"})
    return report


def _files(record: dict[str, Any], client: NationalPortalClient) -> list[tuple[str, str, bytes]]:
    """``[(component name, file name, content)]`` of the record's files, fetched from the portal."""
    files = []
    for item in record.get("TaiLieuNop") or []:
        if not isinstance(item, dict) or item.get("MaTep") in (None, ""):
            continue
        answer = client.call(Service.ATTACHMENT, [{"MaTep": item["MaTep"]}], False)
        found = [r for r in answer.get("result") or [] if isinstance(r, dict)]
        if not found:
            raise PortalError(f"LayTepDinhKem {item['MaTep']}: no file in the answer")
        try:
            content = base64.b64decode(str(found[0].get("NoiDung") or ""), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise PortalError(f"LayTepDinhKem {item['MaTep']}: content is not base64") from exc
        name = str(found[0].get("TenTepDinhKem") or item.get("TenTepDinhKem") or "tep")
        files.append((str(item.get("TenThanhPhan") or ""), name, content))
    return files


def _filed_at(record: dict[str, Any]) -> dt.datetime | None:
    try:
        return parse_portal_date(str(record.get("NgayNopHoSo") or ""))
    except ValueError:
        return None


def national_dossier_import(*, record: dict[str, Any], client: NationalPortalClient) -> str:
    """One filed dossier into motcua: ``created``, ``existing`` (pulled meanwhile) or why it was skipped.

    Raises ``PortalError`` (a file could not be fetched) or a ``DomainError`` (the unit does not offer the
    procedure, the applicant's data is invalid …): nothing is written.
    """
    code = str(record["MaHoSo"])[:64]
    procedure_code = str(record.get("MaTTHC") or "")
    if not Procedure.objects.filter(code=procedure_code, national_portal_connected=True).exists():
        return f"Thủ tục {procedure_code or '?'} không có hoặc chưa kết nối Cổng"
    files = _files(record, client)  # over the network: before the transaction
    actor = system_actor(SYSTEM_NAME, label=SYSTEM_LABEL)
    applicant = {
        "name": str(record.get("ChuHoSo") or "").strip(),
        "kind": ApplicantKind.ORGANISATION if record.get("LoaiDoiTuong") == 2 else ApplicantKind.CITIZEN,
        "id_number": str(record.get("SoDinhDanh") or "").strip(),
        "phone": str(record.get("SoDienThoai") or "").strip(),
        "email": str(record.get("Email") or "").strip(),
        "address": str(record.get("DiaChi") or "").strip()[:500],
    }
    stored: list[str] = []
    try:
        with transaction.atomic():
            dossier = dossier_create(
                actor=actor,
                procedure_code=procedure_code,
                unit_code=str(record.get("MaDonVi") or ""),
                applicant=applicant,
                channel=Channel.ONLINE,
            )
            # The national code first: a concurrent pull of the same dossier waits here, then fails.
            inbound = InboundDossier.objects.create(
                national_code=code,
                dossier=dossier,
                record=record,
                filed_at=_filed_at(record),
                pulled_at=clock.now(),
            )
            components = {c.name: c for c in DossierComponent.objects.filter(dossier=dossier)}
            received: set[int] = set()
            refused = []
            for component_name, name, content in files:
                component = components.get(component_name)
                try:
                    upload = upload_import(
                        dossier=dossier, actor=actor, component=component, name=name, data=content
                    )
                except UploadRefused as exc:
                    refused.append({"name": name[:255], "reason": str(exc.message)})
                    continue
                stored.append(upload.stored_name)
                if component is not None:
                    received.add(component.pk)
            if received:
                DossierComponent.objects.filter(pk__in=received).update(received=True)
            if refused:
                inbound.refused_files = refused
                inbound.save(update_fields=["refused_files"])
            dossier_transition(dossier=dossier, action=Action.SUBMIT, actor=actor)
    except IntegrityError:
        stored_files_delete(stored)
        if InboundDossier.objects.filter(national_code=code).exists():
            return "existing"
        raise
    except BaseException:
        stored_files_delete(stored)
        raise
    return "created"


def national_code_of(dossier: Dossier | int) -> str | None:
    """The national code of a dossier filed on the national portal (``None`` for motcua's own dossiers)."""
    dossier_id = dossier if isinstance(dossier, int) else dossier.pk
    return (
        InboundDossier.objects.filter(dossier_id=dossier_id).values_list("national_code", flat=True).first()
    )
