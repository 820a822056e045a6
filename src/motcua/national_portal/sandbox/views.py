"""The sandbox national portal: session login, the JSON service calls, a read endpoint for tests and demos.

Mounted at ``/sandbox/dvcqg/`` only when ``settings.SANDBOX`` is on (config/urls.py). It stores what it
accepts (``SandboxPortalDossier``, ``SandboxPortalUpdate``), refuses malformed records with the portal's
error shape ``{"error_code": 1, "message": ..., "errors": [...]}``, discards a call whose idempotency key it
has already accepted (counting it on the dossier) and misbehaves as ``MOTCUA_SANDBOX_DVCQG_FAULTS`` says.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..client import ERROR_INVALID, ERROR_LOGIN, ERROR_OK, ERROR_SESSION
from ..mapping import parse_portal_date
from ..models import (
    SandboxPortalAttachment,
    SandboxPortalDossier,
    SandboxPortalSession,
    SandboxPortalUpdate,
    Service,
)
from . import faults
from .catalog import sandbox_catalog

ERROR_SERVER = -1
ERROR_NOT_FOUND = 4

_DOSSIER_DATES = ("NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy")
_PROGRESS_DATES = ("ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh")


def _error(code: int, message: str, *, status: int = 200, errors: list[Any] | None = None) -> JsonResponse:
    body: dict[str, Any] = {"error_code": code, "message": message}
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _ok(**extra: Any) -> JsonResponse:
    return JsonResponse(
        {"error_code": ERROR_OK, "message": "Thành công", **extra}, json_dumps_params={"ensure_ascii": False}
    )


def _body(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@csrf_exempt
@require_POST
def auth(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    if body is None:
        return _error(ERROR_INVALID, "Dữ liệu đăng nhập không hợp lệ", status=400)
    if body.get("username") != settings.MOTCUA_SANDBOX_DVCQG_USERNAME or not secrets.compare_digest(
        str(body.get("password", "")), str(settings.MOTCUA_SANDBOX_DVCQG_PASSWORD)
    ):
        return _error(ERROR_LOGIN, "Sai tên đăng nhập hoặc mật khẩu", status=401)
    session = SandboxPortalSession.objects.create(token=secrets.token_hex(16), username=body["username"])
    return JsonResponse({"session": session.token, "error_code": ERROR_OK})


@csrf_exempt
@require_POST
def api(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    if body is None:
        return _error(ERROR_INVALID, "Yêu cầu không phải JSON hợp lệ", status=400)
    if not SandboxPortalSession.objects.filter(token=str(body.get("session", ""))).exists():
        return _error(ERROR_SESSION, "Phiên làm việc không hợp lệ hoặc đã hết hạn", status=401)
    fault, draw = faults.current()
    if fault.latency_ms:
        time.sleep(fault.latency_ms / 1000)
    if draw < fault.error_rate:
        return _error(ERROR_SERVER, "Lỗi hệ thống (giả lập)", status=503)
    timed_out = draw < fault.error_rate + fault.timeout_rate
    if timed_out and (draw - fault.error_rate) >= fault.timeout_rate * fault.timeout_acted:
        # The call is lost before the portal acts on it: the caller hears nothing.
        return _timeout(fault, _error(ERROR_SERVER, "Hết thời gian chờ (giả lập)", status=504))
    response = _serve(request, body)
    # Otherwise it acted on the call, and the answer is what gets lost.
    return _timeout(fault, response) if timed_out else response


def _timeout(fault: faults.Faults, response: HttpResponse) -> HttpResponse:
    time.sleep(fault.timeout_ms / 1000)
    response["X-Sandbox-Fault"] = "timeout"
    return response


def _serve(request: HttpRequest, body: dict[str, Any]) -> HttpResponse:
    service = body.get("service")
    data = body.get("data")
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data) or not data:
        return _error(ERROR_INVALID, "Trường data phải là danh sách bản ghi", errors=[{"field": "data"}])
    key = request.headers.get("Idempotency-Key", "")[:100]
    is_updating = bool(body.get("isUpdating"))
    if service == Service.SYNC_DOSSIER:
        errors = [e for i, record in enumerate(data) for e in _dossier_errors(i, record)]
        return _store(service, data, key, is_updating, errors, status_field="TrangThaiHoSo")
    if service == Service.PROGRESS:
        errors = [e for i, record in enumerate(data) for e in _progress_errors(i, record)]
        return _store(service, data, key, is_updating, errors, status_field="TrangThai")
    if service == Service.LOOKUP:
        codes = [str(item.get("MaHoSo", "")) for item in data]
        found = SandboxPortalDossier.objects.filter(code__in=codes)
        return _ok(result=[{**d.record, "MaHoSo": d.code, "TrangThaiHoSo": d.status} for d in found])
    if service == Service.FILED:
        return _filed(data[0])
    if service == Service.ATTACHMENT:
        return _attachment(data[0])
    if service == Service.PROCEDURES:  # LayDanhSachTTHC: every procedure of the national catalog
        catalog = sandbox_catalog()
        return _ok(
            result=[
                {"MaTTHC": p.code, "TenTTHC": p.record.get("TenTTHC", "")}
                for p in catalog.objects.order_by("code")
            ]
        )
    if service == Service.PROCEDURE:  # LayThuTuc: one procedure's record ([] when the portal has none)
        code = str(data[0].get("MaTTHC", ""))
        procedure = sandbox_catalog().objects.filter(code=code).first()
        return _ok(result=[procedure.record] if procedure is not None else [])
    return _error(ERROR_INVALID, f"Dịch vụ không được hỗ trợ: {service!r}")


def _filed(query: dict[str, Any]) -> HttpResponse:
    """``LayDanhSachHoSo`` ``[{"TuNgay": yyyyMMddHHmmss}]``: the dossiers citizens filed on the portal since then
    (every one without ``TuNgay``), oldest first, each with its files' ids (``TaiLieuNop[].MaTep``)."""
    filed = SandboxPortalDossier.objects.filter(filed_on_portal=True).order_by("pk")
    since = str(query.get("TuNgay") or "")
    if since:
        try:
            filed = filed.filter(created_at__gte=parse_portal_date(since))
        except ValueError:
            return _error(ERROR_INVALID, "TuNgay không hợp lệ", errors=[{"field": "TuNgay"}])
    return _ok(result=[{**d.record, "TrangThaiHoSo": d.status} for d in filed[:1000]])


def _attachment(query: dict[str, Any]) -> HttpResponse:
    """``LayTepDinhKem`` ``[{"MaTep": n}]``: one file of a filed dossier, its content in base64."""
    try:
        attachment = SandboxPortalAttachment.objects.filter(pk=int(str(query.get("MaTep")))).first()
    except (TypeError, ValueError, OverflowError):
        attachment = None
    if attachment is None:
        return _error(ERROR_INVALID, "Không tìm thấy tệp", errors=[{"field": "MaTep", "reason": "unknown"}])
    content = base64.b64encode(bytes(attachment.content)).decode("ascii")
    return _ok(
        result=[
            {
                "MaTep": attachment.pk,
                "TenTepDinhKem": attachment.name,
                "TenThanhPhan": attachment.component,
                "NoiDung": content,
            }
        ]
    )


def _store(
    service: str,
    data: list[dict[str, Any]],
    key: str,
    is_updating: bool,
    errors: list[dict[str, Any]],
    *,
    status_field: str,
) -> HttpResponse:
    if errors:
        return _error(ERROR_INVALID, "Bản ghi không hợp lệ", errors=errors)
    # A key already accepted is told by the unique index on ``idempotency_key`` (the IntegrityError below):
    # the first-time call, by far the most common, spends no statement looking for it.
    try:
        with transaction.atomic():
            for index, record in enumerate(data):
                code = str(record["MaHoSo"])
                stored = SandboxPortalDossier.objects.select_for_update().filter(code=code).first()
                status = int(record[status_field])
                if stored is None:
                    if service != Service.SYNC_DOSSIER:
                        raise _Unknown(code)
                    stored = SandboxPortalDossier.objects.create(code=code, record=record, status=status)
                elif service == Service.SYNC_DOSSIER:
                    stored.record = record
                    stored.status = status
                    stored.save(update_fields=["record", "status", "updated_at"])
                else:
                    stored.record = {**stored.record, "TrangThaiHoSo": status}
                    stored.status = status
                    stored.save(update_fields=["record", "status", "updated_at"])
                SandboxPortalUpdate.objects.create(
                    dossier=stored,
                    service=service,
                    is_updating=is_updating,
                    idempotency_key=key if index == 0 else "",
                    data=record,
                )
    except _Unknown as unknown:
        return _error(
            ERROR_INVALID,
            "Hồ sơ chưa được đồng bộ lên Cổng",
            errors=[{"field": "MaHoSo", "value": str(unknown), "reason": "unknown"}],
        )
    except IntegrityError:  # the same key accepted before, or meanwhile by a concurrent call
        if not key:
            raise
        dossier_id = (
            SandboxPortalUpdate.objects.filter(idempotency_key=key)
            .values_list("dossier_id", flat=True)
            .first()
        )
        if dossier_id is None:
            raise
        return _duplicate(dossier_id)
    return _ok()


class _Unknown(Exception):
    pass


def _duplicate(dossier_id: int) -> HttpResponse:
    with transaction.atomic():
        dossier = SandboxPortalDossier.objects.select_for_update().get(pk=dossier_id)
        dossier.duplicates += 1
        dossier.save(update_fields=["duplicates"])
    return _ok(duplicate=True)


def _dossier_errors(index: int, record: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    for name in ("MaHoSo", "MaTTHC", "ChuHoSo"):
        if not isinstance(record.get(name), str) or not record[name].strip():
            errors.append({"index": index, "field": name, "reason": "required"})
    errors += _code_error(index, record, "TrangThaiHoSo", range(1, 11))
    errors += _code_error(index, record, "KenhThucHien", range(1, 4))
    errors += _code_error(index, record, "LoaiDoiTuong", range(1, 3))
    errors += _date_errors(index, record, _DOSSIER_DATES)
    if record.get("TrangThaiHoSo") not in (1, 3) and not record.get("NgayTiepNhan"):
        errors.append({"index": index, "field": "NgayTiepNhan", "reason": "required"})
    for name in ("TaiLieuNop", "DanhSachLePhi", "DanhSachHoSoBoSung", "DanhSachGiayToKetQua"):
        if name in record and not isinstance(record[name], list):
            errors.append({"index": index, "field": name, "reason": "not_a_list"})
    return errors


def _progress_errors(index: int, record: dict[str, Any]) -> list[dict[str, Any]]:
    errors = []
    if not isinstance(record.get("MaHoSo"), str) or not record["MaHoSo"].strip():
        errors.append({"index": index, "field": "MaHoSo", "reason": "required"})
    errors += _code_error(index, record, "TrangThai", range(1, 11))
    if not record.get("ThoiDiemXuLy"):
        errors.append({"index": index, "field": "ThoiDiemXuLy", "reason": "required"})
    errors += _date_errors(index, record, _PROGRESS_DATES)
    return errors


def _code_error(index: int, record: dict[str, Any], name: str, allowed: range) -> list[dict[str, Any]]:
    value = record.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        return [{"index": index, "field": name, "reason": "invalid_code", "value": value}]
    return []


def _date_errors(index: int, record: dict[str, Any], names: tuple[str, ...]) -> list[dict[str, Any]]:
    errors = []
    for name in names:
        value = record.get(name, "")
        if value in ("", None):
            continue
        try:
            parse_portal_date(str(value))
        except ValueError:
            errors.append({"index": index, "field": name, "reason": "invalid_date", "value": value})
    return errors


@require_GET
def dossier_detail(request: HttpRequest, code: str) -> HttpResponse:
    """The stored record, the updates received in order and the duplicates discarded (tests, demos)."""
    dossier = SandboxPortalDossier.objects.filter(code=code).first()
    if dossier is None:
        return _error(ERROR_NOT_FOUND, "Không tìm thấy hồ sơ", status=404)
    updates = [
        {
            "service": u.service,
            "isUpdating": u.is_updating,
            "idempotency_key": u.idempotency_key,
            "data": u.data,
            "received_at": u.received_at.isoformat(),
        }
        for u in dossier.updates.order_by("pk")
    ]
    return JsonResponse(
        {
            "MaHoSo": dossier.code,
            "TrangThaiHoSo": dossier.status,
            "record": dossier.record,
            "updates": updates,
            "duplicates": dossier.duplicates,
        },
        json_dumps_params={"ensure_ascii": False},
    )
