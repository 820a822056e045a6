"""A dossier and one of its events as the national portal's records (INTEGRATIONS.md, DOMAIN.md §4).

``event_snapshot`` runs in the transition's transaction and reads only what is in memory (the dossier row,
its unit and procedure version, the event); ``dossier_record`` and ``progress_record`` run in the worker and
add the catalog's data (procedure code, field, fees, components). Dates are ``yyyyMMddHHmmss`` in
Asia/Ho_Chi_Minh; an unset date is ``""``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from motcua.catalog.models import ProcedureVersion
from motcua.core import clock
from motcua.documents.selectors import DigitisationFlags
from motcua.dossiers.constants import STATUS_CODES, Action, ApplicantKind
from motcua.dossiers.models import Dossier, DossierEvent

DATE_FORMAT = "%Y%m%d%H%M%S"

# Actions that change the dossier's record itself (dates, supplements, results): after their progress
# update the whole record is sent again (DongBoHoSoMC, isUpdating).
RECORD_ACTIONS = frozenset(
    {
        Action.RECEIVE,
        Action.REFUSE,
        Action.REQUEST_SUPPLEMENT,
        Action.SUPPLEMENT_RECEIVED,
        Action.EXTEND,
        Action.RESOLVE,
        Action.RETURN,
        Action.ACCEPT_WITHDRAWAL,
        Action.STOP,
    }
)

# The result's name when the catalog names none.
DEFAULT_RESULT = "Kết quả giải quyết thủ tục hành chính"

_DATE_FIELDS = ("submitted_at", "received_at", "due_at", "statutory_due_at", "finished_at", "returned_at")


def portal_date(value: dt.datetime | str | None) -> str:
    """``yyyyMMddHHmmss`` in Vietnam time; ``""`` for none (an ISO string is parsed first)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(clock.VN_TZ).strftime(DATE_FORMAT)


def parse_portal_date(value: str) -> dt.datetime:
    """The inverse of ``portal_date`` (raises ``ValueError`` for a malformed date)."""
    if len(value) != 14 or not value.isdigit():
        raise ValueError(f"not a yyyyMMddHHmmss date: {value!r}")
    return dt.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=clock.VN_TZ)


def status_code(status: str) -> int | None:
    return STATUS_CODES.get(status)


def event_snapshot(event: DossierEvent) -> dict[str, Any]:
    """What the portal must read as it was at the transition (JSON; no database access)."""
    dossier = event.dossier
    actor = event.actor
    step = event.step
    return {
        "action": event.action,
        "at": event.at.isoformat(),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "note": event.note,
        "actor": (actor.get_full_name() or actor.username) if actor is not None else "",
        "unit": event.unit.name if event.unit is not None else dossier.unit.name,
        "step": step.name if step is not None else "",
        "step_due_at": event.due_at.isoformat() if event.due_at else None,
        "dossier": dossier_snapshot_now(dossier),
    }


def dossier_snapshot_now(dossier: Dossier) -> dict[str, Any]:
    """The ``dossier`` part of a snapshot, from the dossier as it is now (reconciliation, lost snapshots)."""
    return {
        "code": dossier.code or "",
        "status": dossier.status,
        "channel": int(dossier.channel),
        "applicant_kind": dossier.applicant_kind,
        "applicant_name": dossier.applicant_name,
        "applicant_email": dossier.applicant_email,
        "applicant_phone": dossier.applicant_phone,
        "unit": dossier.unit.name,
        "procedure_name": dossier.procedure_version.name,
        "supplement_requests": dossier.supplement_requests,
        "online": dossier.owner_id is not None,
        **{name: (v.isoformat() if (v := getattr(dossier, name)) else None) for name in _DATE_FIELDS},
    }


def dossier_record(
    snap: dict[str, Any],
    *,
    version: ProcedureVersion,
    supplements: list[dict[str, Any]] | None = None,
    flags: DigitisationFlags | None = None,
) -> dict[str, Any]:
    """The ``DongBoHoSoMC`` record of a dossier as ``snap`` (a snapshot's ``dossier`` part) saw it.

    ``flags`` (``documents.selectors.dossier_digitisation_flags``, read by the worker): ``DuocSoHoa`` and
    ``DuocLayTuKhoDMQG`` of the dossier and of each ``TaiLieuNop`` entry (docs/documents.md).

    ``version`` comes with its procedure and field, components and fees loaded (``version_for_records``).
    """
    procedure = version.procedure
    code = status_code(snap["status"])
    flags = flags or DigitisationFlags()
    return {
        "MaHoSo": snap["code"],
        "MaTTHC": procedure.code,
        "TenTTHC": snap["procedure_name"],
        "MaLinhVuc": procedure.field.code,
        "TenLinhVuc": procedure.field.name,
        "ChuHoSo": snap["applicant_name"],
        "LoaiDoiTuong": 2 if snap["applicant_kind"] == ApplicantKind.ORGANISATION else 1,
        "Email": snap["applicant_email"],
        "SoDienThoai": snap["applicant_phone"],
        "TrichYeuHoSo": f"{snap['procedure_name']} - {snap['applicant_name']}"[:500],
        "NgayTiepNhan": portal_date(snap["received_at"]),
        "NgayHenTra": portal_date(snap["due_at"]),
        "NgayTra": portal_date(snap["returned_at"]),
        "NgayKetThucXuLy": portal_date(snap["finished_at"]),
        "TrangThaiHoSo": code,
        "HinhThuc": 0,
        "DonViXuLy": snap["unit"],
        "KenhThucHien": snap["channel"],
        "DuocThanhToanTrucTuyen": 0,
        "DuocSoHoa": int(flags.digitised),
        "DuocLayTuKhoDMQG": int(flags.reused),
        "TaiKhoanDuocXacThucVoiVNeID": 1 if snap.get("online") else 0,
        "TaiLieuNop": [
            {
                "TenTepDinhKem": component.name,
                "SoLuong": component.count,
                "BatBuoc": int(component.required),
                "DuocSoHoa": int(component.pk in flags.digitised_components),
                "DuocLayTuKhoDMQG": int(component.pk in flags.reused_components),
            }
            for component in version.components.all()
        ],
        "DanhSachLePhi": [
            {
                "TenPhiLePhi": fee.name,
                "MaPhiLePhi": f"{procedure.code}-{fee.order}",
                "HinhThucThu": 1,
                "Gia": fee.amount_vnd,
            }
            for fee in version.fees.all()
        ],
        "DanhSachHoSoBoSung": supplements or [],
        "DanhSachGiayToKetQua": (
            [
                {"TenGiayTo": str(name), "DuongDanTepTinKetQua": result_url(snap["code"])}
                for name in (
                    [n for n in version.result_documents or [] if isinstance(n, str)] or [DEFAULT_RESULT]
                )
            ]
            if code in (9, 10)
            else []
        ),
    }


def result_url(code: str) -> str:
    """The public page where the dossier's result is looked up (``/tra-cuu/?ma=<code>`` on motcua's public
    URL): what ``DuongDanTepTinKetQua`` points at (the files themselves are the applicant's, behind a login)."""
    base = str(getattr(settings, "MOTCUA_PUBLIC_URL", "")).rstrip("/")
    return f"{base}{reverse('portal:lookup')}?{urlencode({'ma': code})}"


def progress_record(snap: dict[str, Any]) -> dict[str, Any]:
    """The ``CapNhatTienDoHoSoMC`` record of one processing step (an event snapshot)."""
    dossier = snap["dossier"]
    return {
        "MaHoSo": dossier["code"],
        "NguoiXuLy": snap["actor"] or "Hệ thống",
        "ThoiDiemXuLy": portal_date(snap["at"]),
        "PhongBanXuLy": snap["unit"],
        "NoiDungXuLy": _progress_text(snap),
        "TrangThai": status_code(snap["to_status"]),
        "NgayBatDau": portal_date(snap["at"]),
        "NgayKetThucTheoQuyDinh": portal_date(snap["step_due_at"] or dossier["due_at"]),
    }


def _progress_text(snap: dict[str, Any]) -> str:
    try:
        label = str(Action(snap["action"]).label)
    except ValueError:
        label = snap["action"]
    parts = [label]
    if snap["step"]:
        parts.append(snap["step"])
    if snap["note"]:
        parts.append(snap["note"])
    return ": ".join(parts)[:2000]


def supplement_entries(events: list[DossierEvent]) -> list[dict[str, Any]]:
    """``DanhSachHoSoBoSung``: the supplement requests among ``events`` (in order)."""
    entries = []
    for event in events:
        if event.action != Action.REQUEST_SUPPLEMENT:
            continue
        entries.append(
            {
                "NgayYeuCauBoSung": portal_date(event.at),
                "NoiDungBoSung": event.note,
                "NgayHenTraTruoc": "",
                "NgayHenTraMoi": "",
            }
        )
    return entries
