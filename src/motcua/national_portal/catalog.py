"""The national catalog pull (issue 13, item 5): the portal's procedures become proposals an officer reviews.

``national_catalog_pull`` asks the portal for its procedures (``LayDanhSachTTHC``; one with ``code``), and for
each local procedure records whether it exists there (``NationalCatalogEntry``), fetches the portal's record
(``LayThuTuc``) and compares it with the version in force, field by field (``comparable``). A difference, or
a procedure whose presence on the portal differs from its "connected" flag, becomes a pending
``CatalogProposal`` (one per procedure; a later pull refreshes it). **Nothing in the catalog changes** until
an officer opens the proposal in the admin, reviews the side-by-side differences and publishes it
(``catalog_proposal_publish``): a new published version from today with the portal's fields (the local
process steps, units, form and notes carried over), and the connected flag set to whether it exists.

The portal's record (``LayThuTuc``): ``MaTTHC, TenTTHC, MaLinhVuc, CapThucHien, CoQuanThucHien, CanCuPhapLy,
ThoiHanGiaiQuyet, DonViThoiHan, MucDoDVC, KetQuaThucHien[], ThanhPhanHoSo[{TenGiayTo, LoaiBan, SoLuong,
BatBuoc}], PhiLePhi[{TenPhiLePhi, MucThu, MienGiam}]`` (values in motcua's own codes for the enumerations;
``record_of`` builds one from a local version, as the sandbox portal does).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import structlog
from django.db import transaction

from motcua.audit.services import audit_record
from motcua.catalog.constants import VERSION_ATTRS, PublicationStatus
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.selectors import procedure_version_in_force
from motcua.catalog.services import ComponentData, FeeData, StepData, procedure_version_save
from motcua.core import clock
from motcua.core.errors import Conflict, NotFound

from .client import NationalPortalClient, chosen_client
from .models import CatalogProposal, NationalCatalogEntry, ProposalState, Service

if TYPE_CHECKING:
    from motcua.accounts.models import User

logger = structlog.get_logger(__name__)

# The fields compared and proposed, with their Vietnamese labels (the admin's side-by-side table).
FIELDS: dict[str, str] = {
    "name": "Tên thủ tục",
    "level": "Cấp thực hiện",
    "implementing_agency": "Cơ quan thực hiện",
    "legal_basis": "Căn cứ pháp lý",
    "time_limit_value": "Thời hạn giải quyết",
    "time_limit_unit": "Đơn vị thời hạn",
    "online_mode": "Dịch vụ công trực tuyến",
    "result_documents": "Kết quả giải quyết",
    "components": "Thành phần hồ sơ",
    "fees": "Phí, lệ phí",
}


def record_of(version: ProcedureVersion) -> dict[str, Any]:
    """The portal's ``LayThuTuc`` record of a local version (the sandbox portal seeds its catalog with it)."""
    procedure = version.procedure
    return {
        "MaTTHC": procedure.code,
        "TenTTHC": version.name,
        "MaLinhVuc": procedure.field.code,
        "CapThucHien": version.level,
        "CoQuanThucHien": version.implementing_agency,
        "CanCuPhapLy": version.legal_basis,
        "ThoiHanGiaiQuyet": version.time_limit_value,
        "DonViThoiHan": version.time_limit_unit,
        "MucDoDVC": version.online_mode,
        "KetQuaThucHien": [str(r) for r in version.result_documents or [] if isinstance(r, str)],
        "ThanhPhanHoSo": [
            {"TenGiayTo": c.name, "LoaiBan": c.kind, "SoLuong": c.count, "BatBuoc": int(c.required)}
            for c in version.components.order_by("order")
        ],
        "PhiLePhi": [
            {"TenPhiLePhi": f.name, "MucThu": f.amount_vnd, "MienGiam": f.exemptions}
            for f in version.fees.order_by("order")
        ],
    }


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """The compared fields (``FIELDS``) of a portal record, in motcua's terms (JSON)."""

    def items(name: str) -> list[dict[str, Any]]:
        return [x for x in record.get(name) or [] if isinstance(x, dict)]

    return {
        "name": str(record.get("TenTTHC") or ""),
        "level": str(record.get("CapThucHien") or ""),
        "implementing_agency": str(record.get("CoQuanThucHien") or ""),
        "legal_basis": str(record.get("CanCuPhapLy") or ""),
        "time_limit_value": int(record.get("ThoiHanGiaiQuyet") or 0),
        "time_limit_unit": str(record.get("DonViThoiHan") or ""),
        "online_mode": str(record.get("MucDoDVC") or ""),
        "result_documents": [str(r) for r in record.get("KetQuaThucHien") or []],
        "components": [
            {
                "name": str(c.get("TenGiayTo") or ""),
                "kind": str(c.get("LoaiBan") or ""),
                "count": int(c.get("SoLuong") or 1),
                "required": bool(c.get("BatBuoc")),
            }
            for c in items("ThanhPhanHoSo")
        ],
        "fees": [
            {
                "name": str(f.get("TenPhiLePhi") or ""),
                "amount_vnd": int(f.get("MucThu") or 0),
                "exemptions": str(f.get("MienGiam") or ""),
            }
            for f in items("PhiLePhi")
        ],
    }


def differences(current: dict[str, Any], proposed: dict[str, Any] | None) -> list[dict[str, Any]]:
    """``[{"field", "label", "current", "proposed", "changed"}]`` in ``FIELDS`` order (the review table)."""
    return [
        {
            "field": name,
            "label": label,
            "current": current.get(name),
            "proposed": None if proposed is None else proposed.get(name),
            "changed": proposed is not None and current.get(name) != proposed.get(name),
        }
        for name, label in FIELDS.items()
    ]


@dataclass
class CatalogPullReport:
    listed: int = 0  # procedures the portal listed
    checked: int = 0  # local procedures compared
    proposed: int = 0  # pending proposals made or refreshed
    unchanged: int = 0
    not_on_portal: int = 0  # local procedures the portal does not have
    unknown: list[str] = field(default_factory=list)  # the portal's procedures motcua does not have

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def national_catalog_pull(
    *, code: str | None = None, client: NationalPortalClient | None = None
) -> CatalogPullReport:
    """Compare the local catalog with the portal's; propose what differs (nothing else changes). Raises
    ``PortalError`` when the portal cannot be asked (then nothing was recorded for the procedures not reached)."""
    client = client or chosen_client()
    report = CatalogPullReport()
    if code:
        procedures = list(Procedure.objects.filter(code=code))
        if not procedures:
            raise NotFound(f"Không có thủ tục {code} trong danh mục.", code="procedure_not_found")
        answer = client.call(Service.PROCEDURE, [{"MaTTHC": code}], False)
        records = {str(r.get("MaTTHC")): r for r in answer.get("result") or [] if isinstance(r, dict)}
        listed = set(records)
    else:
        answer = client.call(Service.PROCEDURES, [{}], False)
        listed = {str(r.get("MaTTHC")) for r in answer.get("result") or [] if isinstance(r, dict)}
        procedures = list(Procedure.objects.order_by("code"))
        records = {}
        report.unknown = sorted(listed - {p.code for p in procedures})
    report.listed = len(listed)
    for procedure in procedures:
        exists = procedure.code in listed
        record = records.get(procedure.code)
        if exists and record is None:
            found = client.call(Service.PROCEDURE, [{"MaTTHC": procedure.code}], False).get("result") or []
            record = found[0] if found and isinstance(found[0], dict) else None
        outcome = _compare(procedure, exists=exists, record=record)
        report.checked += 1
        if not exists:
            report.not_on_portal += 1
        if outcome == "proposed":
            report.proposed += 1
        elif outcome == "unchanged":
            report.unchanged += 1
    logger.info("national_catalog_pulled", **{k: v for k, v in report.as_dict().items() if k != "unknown"})
    return report


@transaction.atomic
def _compare(procedure: Procedure, *, exists: bool, record: dict[str, Any] | None) -> str:
    now = clock.now()
    NationalCatalogEntry.objects.update_or_create(
        procedure=procedure, defaults={"exists": exists, "record": record, "checked_at": now}
    )
    try:
        version = procedure_version_in_force(procedure)
    except NotFound:
        return "no_version"
    current = comparable(record_of(version))
    proposed = comparable(record) if record is not None else None
    content_differs = proposed is not None and proposed != current
    if not content_differs and exists == procedure.national_portal_connected:
        CatalogProposal.objects.filter(procedure=procedure, state=ProposalState.PENDING).delete()
        return "unchanged"
    pending = CatalogProposal.objects.select_for_update().filter(
        procedure=procedure, state=ProposalState.PENDING
    )
    values = {
        "base_version": version,
        "connected": exists,
        "current": current,
        "proposed": proposed if content_differs else None,
        "updated_at": now,
    }
    if not pending.update(**values):
        CatalogProposal.objects.create(procedure=procedure, created_at=now, **values)
    return "proposed"


def catalog_proposal_publish(*, proposal: CatalogProposal, actor: User) -> CatalogProposal:
    """Publish a pending proposal: a new published version from today with the portal's fields (when they
    differ), and the procedure's connected flag as found on the portal. Audited. ``Conflict`` when it is not
    pending or the version in force changed since (pull again)."""
    with transaction.atomic():
        locked = CatalogProposal.objects.select_for_update().select_related("procedure").get(pk=proposal.pk)
        if locked.state != ProposalState.PENDING:
            raise Conflict("Đề xuất đã được xử lý.", code="proposal_decided")
        procedure = locked.procedure
        base = procedure_version_in_force(procedure)
        if base.pk != locked.base_version_id:
            raise Conflict(
                "Phiên bản thủ tục đã thay đổi sau khi đề xuất; hãy lấy lại danh mục từ Cổng.",
                code="proposal_stale",
            )
        published = None
        if locked.proposed is not None:
            published = _new_version(base, locked.proposed)
        if procedure.national_portal_connected != locked.connected:
            procedure.national_portal_connected = locked.connected
            procedure.save(update_fields=["national_portal_connected"])
        locked.state = ProposalState.PUBLISHED
        locked.decided_at = clock.now()
        locked.decided_by = actor
        locked.published_version = published
        locked.save(update_fields=["state", "decided_at", "decided_by", "published_version"])
        audit_record(
            actor=actor,
            action="national_catalog.publish",
            object_type="procedure",
            object_id=procedure.pk,
            data={
                "proposal": locked.pk,
                "version": published.version if published else None,
                "connected": locked.connected,
                "changed": [d["field"] for d in differences(locked.current, locked.proposed) if d["changed"]],
            },
        )
    return locked


def _new_version(base: ProcedureVersion, proposed: dict[str, Any]) -> ProcedureVersion:
    values = {name: getattr(base, name) for name in VERSION_ATTRS}
    values.update(
        status=PublicationStatus.PUBLISHED,
        valid_from=clock.today(),
        valid_to=None,
        **{name: proposed[name] for name in FIELDS if name not in ("components", "fees")},
    )
    number = (base.procedure.versions.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    version, _changed = procedure_version_save(
        procedure=base.procedure,
        version=number,
        values=values,
        unit_ids=list(base.units.values_list("pk", flat=True)),
        components=[
            ComponentData(name=c["name"], kind=c["kind"], count=c["count"], required=c["required"])
            for c in proposed["components"]
        ],
        fees=[
            FeeData(name=f["name"], amount_vnd=f["amount_vnd"], exemptions=f["exemptions"])
            for f in proposed["fees"]
        ],
        steps=[StepData(s.name, s.role, s.unit_level, s.budget_hours) for s in base.steps.order_by("order")],
    )
    return version


@transaction.atomic
def catalog_proposal_reject(*, proposal: CatalogProposal, actor: User) -> CatalogProposal:
    """Reject a pending proposal (nothing changes; a later pull may propose it again). Audited."""
    locked = CatalogProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != ProposalState.PENDING:
        raise Conflict("Đề xuất đã được xử lý.", code="proposal_decided")
    locked.state = ProposalState.REJECTED
    locked.decided_at = clock.now()
    locked.decided_by = actor
    locked.save(update_fields=["state", "decided_at", "decided_by"])
    audit_record(
        actor=actor,
        action="national_catalog.reject",
        object_type="procedure",
        object_id=locked.procedure_id,
        data={"proposal": locked.pk},
    )
    return locked
