"""The sandbox national portal: session login, the JSON service calls, a read endpoint for tests and demos.

Mounted at ``/sandbox/dvcqg/`` only when ``settings.SANDBOX`` is on (config/urls.py). It stores what it
accepts (``SandboxPortalDossier``, ``SandboxPortalUpdate``), refuses malformed records with the portal's
error shape ``{"error_code": 1, "message": ..., "errors": [...]}``, takes several records per call, each with
its own idempotency key, answering per record (``_store``), discards a record whose key it has already
accepted (counting it on the dossier) and misbehaves as ``MOTCUA_SANDBOX_DVCQG_FAULTS`` says.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..client import ERROR_INVALID, ERROR_LOGIN, ERROR_NOT_PROCESSED, ERROR_OK, ERROR_SESSION, RECORD_KEY
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


def _error(
    code: int,
    message: str,
    *,
    status: int = 200,
    errors: list[Any] | None = None,
    results: list[Any] | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {"error_code": code, "message": message}
    if errors is not None:
        body["errors"] = errors
    if results is not None:
        body["results"] = results
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
        return _store(service, data, key, is_updating, _dossier_errors, status_field="TrangThaiHoSo")
    if service == Service.PROGRESS:
        return _store(service, data, key, is_updating, _progress_errors, status_field="TrangThai")
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
    header_key: str,
    is_updating: bool,
    errors_of: Any,
    *,
    status_field: str,
) -> HttpResponse:
    """Store a batch of records in array order, each once by its idempotency key, in a few statements.

    Each record's key is its ``RECORD_KEY`` field (a one-record call may carry it in the ``Idempotency-Key``
    header instead). Per record, in order: refused (``error_code`` 1, its ``errors``) if malformed or a
    progress update for a dossier never received; not acted on (5) if an earlier record of the same dossier
    in this call was refused (order per dossier); discarded and counted on the dossier if its key was accepted
    before (``duplicate``); else stored. The answer lists the outcome of every record (``results``, data
    order); its ``error_code`` is 0 when any record was accepted, else 1 with every error. One transaction:
    lock the call's known dossiers, look the keys up, insert the new dossiers, insert the updates, update the
    dossiers (one statement each).
    """
    keys = []
    for record in data:
        key = record.get(RECORD_KEY)
        if key in (None, "") and len(data) == 1:
            key = header_key
        keys.append(str(key or "")[:100])
    errors = [errors_of(i, record) for i, record in enumerate(data)]
    results: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            codes = sorted({str(r.get("MaHoSo")) for r, e in zip(data, errors, strict=True) if not e})
            stored = {
                d.code: d
                for d in SandboxPortalDossier.objects.select_for_update()
                .filter(code__in=codes)
                .order_by("code")
            }
            seen = set(
                SandboxPortalUpdate.objects.filter(idempotency_key__in=[k for k in keys if k]).values_list(
                    "idempotency_key", flat=True
                )
            )
            new: dict[str, SandboxPortalDossier] = {}
            changed: dict[str, SandboxPortalDossier] = {}
            received: list[tuple[SandboxPortalDossier, str, dict[str, Any]]] = []
            duplicates: dict[str, int] = {}
            refused: set[str] = set()
            for index, record in enumerate(data):
                code = str(record.get("MaHoSo", ""))
                key = keys[index]
                result: dict[str, Any] = {"index": index, RECORD_KEY: key, "error_code": ERROR_OK}
                results.append(result)
                if code in refused:
                    result.update(
                        error_code=ERROR_NOT_PROCESSED,
                        message="Bản ghi trước của cùng hồ sơ bị từ chối: chưa xử lý",
                    )
                    continue
                if errors[index]:
                    result.update(
                        error_code=ERROR_INVALID, message="Bản ghi không hợp lệ", errors=errors[index]
                    )
                    refused.add(code)
                    continue
                if key and key in seen:
                    duplicates[code] = duplicates.get(code, 0) + 1
                    result["duplicate"] = True
                    continue
                clean = {k: v for k, v in record.items() if k != RECORD_KEY}
                status = int(clean[status_field])
                dossier = stored.get(code) or new.get(code)
                if dossier is None:
                    if service != Service.SYNC_DOSSIER:
                        result.update(
                            error_code=ERROR_INVALID,
                            message="Hồ sơ chưa được đồng bộ lên Cổng",
                            errors=[{"index": index, "field": "MaHoSo", "value": code, "reason": "unknown"}],
                        )
                        refused.add(code)
                        continue
                    dossier = new[code] = SandboxPortalDossier(code=code, record=clean, status=status)
                elif service == Service.SYNC_DOSSIER:  # the portal's own copy, not a motcua dossier:
                    _portal_record_set(dossier, clean, status)
                else:
                    _portal_record_set(dossier, {**dossier.record, "TrangThaiHoSo": status}, status)
                if dossier.pk is not None:
                    changed[code] = dossier
                received.append((dossier, key, clean))
                if key:
                    seen.add(key)
            if new:
                SandboxPortalDossier.objects.bulk_create(new.values())
            if received:
                SandboxPortalUpdate.objects.bulk_create(
                    SandboxPortalUpdate(
                        dossier=dossier,
                        service=service,
                        is_updating=is_updating,
                        idempotency_key=key,
                        data=clean,
                    )
                    for dossier, key, clean in received
                )
            for code, count in duplicates.items():
                dossier = stored.get(code) or new.get(code)
                if dossier is None:  # a key accepted for a dossier this call does not name: count it there
                    dossier = _dossier_of_duplicate(data, keys, code)
                if dossier is not None:
                    dossier.duplicates += count
                    changed[dossier.code] = dossier
            if changed:
                _dossiers_save(list(changed.values()))
    except IntegrityError:  # a concurrent call stored the same new dossier or key meanwhile: send again
        return _error(ERROR_SERVER, "Xung đột với một yêu cầu đồng thời, hãy gửi lại", status=409)
    accepted = [r for r in results if r["error_code"] == ERROR_OK]
    if not accepted:
        every = [e for r in results for e in r.get("errors", [])]
        return _error(ERROR_INVALID, "Bản ghi không hợp lệ", errors=every, results=results)
    if all(r.get("duplicate") for r in accepted) and len(accepted) == len(results):
        return _ok(duplicate=True, results=results)
    return _ok(results=results)


def _portal_record_set(remote: SandboxPortalDossier, record: dict[str, Any], status: int) -> None:
    """The sandbox portal's copy takes the record and status it was sent (a motcua dossier's status changes only
    through its lifecycle; this is the remote portal's own row)."""
    remote.record = record
    remote.status = status


def _dossiers_save(dossiers: list[SandboxPortalDossier]) -> None:
    """Save the record, status and duplicates of ``dossiers`` in one statement (PostgreSQL: ``UPDATE … FROM
    (VALUES …)``, no per-row ``CASE`` to build; elsewhere ``bulk_update``)."""
    if connection.vendor != "postgresql":
        now = timezone.now()
        for dossier in dossiers:
            dossier.updated_at = now
        SandboxPortalDossier.objects.bulk_update(dossiers, ["record", "status", "duplicates", "updated_at"])
        return
    table = connection.ops.quote_name(SandboxPortalDossier._meta.db_table)
    rows = ", ".join(["(%s::bigint, %s::jsonb, %s::integer, %s::integer)"] * len(dossiers))
    params: list[Any] = []
    for dossier in dossiers:
        params += [dossier.pk, json.dumps(dossier.record), dossier.status, dossier.duplicates]
    with connection.cursor() as cursor:  # the table name is the model's, the rows placeholders: no user text
        sql = (
            f"UPDATE {table} AS t SET record = v.record, status = v.status, duplicates = v.duplicates, "  # noqa: S608
            f"updated_at = now() FROM (VALUES {rows}) AS v(id, record, status, duplicates) WHERE t.id = v.id"
        )
        cursor.execute(sql, params)


def _dossier_of_duplicate(
    data: list[dict[str, Any]], keys: list[str], code: str
) -> SandboxPortalDossier | None:
    key = next((k for r, k in zip(data, keys, strict=True) if str(r.get("MaHoSo", "")) == code and k), "")
    dossier_id = (
        SandboxPortalUpdate.objects.filter(idempotency_key=key).values_list("dossier_id", flat=True).first()
    )
    if dossier_id is None:
        return None
    return SandboxPortalDossier.objects.select_for_update().get(pk=dossier_id)


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
