"""The sandbox portal's citizen side: file a dossier on the "national portal" for motcua to pull (issue 13, 4).

``/sandbox/dvcqg/nop-ho-so/``: pick a connected procedure, fill in the applicant and attach a file per
component; the sandbox stores the dossier (``SandboxPortalDossier`` with ``filed_on_portal``, status 1) with
its files (``SandboxPortalAttachment``) under a new national code, and serves it to ``LayDanhSachHoSo`` /
``LayTepDinhKem`` (``views.py``). Tests and demos post to the same page (multipart); the answer carries the
code in ``data-national-code`` (and ``X-National-Code``).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_version_in_force
from motcua.core import clock
from motcua.core.errors import NotFound

from ..mapping import portal_date
from ..models import SandboxPortalAttachment, SandboxPortalDossier

MAX_FILE_BYTES = 20 * 1024 * 1024


def national_code_new() -> str:
    """A national dossier code as the sandbox issues it: ``G<province>-<yymmdd>-<6 hex>``."""
    return f"G{settings.MOTCUA_PROVINCE_CODE}-{clock.now().astimezone(clock.VN_TZ):%y%m%d}-{secrets.token_hex(3).upper()}"


def sandbox_filing_store(
    *, procedure_code: str, unit_code: str, applicant: dict[str, str], files: list[tuple[str, str, bytes]]
) -> SandboxPortalDossier:
    """Store a dossier filed on the sandbox portal; ``files``: ``(component name, file name, content)``."""
    procedure = Procedure.objects.select_related("field").get(code=procedure_code)
    now = clock.now()
    with transaction.atomic():
        record: dict[str, Any] = {
            "MaHoSo": national_code_new(),
            "MaTTHC": procedure.code,
            "TenTTHC": procedure.name,
            "MaLinhVuc": procedure.field.code,
            "MaDonVi": unit_code,
            "ChuHoSo": applicant.get("name", ""),
            "LoaiDoiTuong": 2 if applicant.get("kind") == "organisation" else 1,
            "SoDinhDanh": applicant.get("id_number", ""),
            "SoDienThoai": applicant.get("phone", ""),
            "Email": applicant.get("email", ""),
            "DiaChi": applicant.get("address", ""),
            "NgayNopHoSo": portal_date(now),
            "TrangThaiHoSo": 1,
            "KenhThucHien": 2,
            "TaiLieuNop": [],
        }
        stored = SandboxPortalDossier.objects.create(
            code=record["MaHoSo"], record=record, status=1, filed_on_portal=True
        )
        for component, name, content in files:
            attachment = SandboxPortalAttachment.objects.create(
                dossier=stored, component=component, name=name, content=content
            )
            record["TaiLieuNop"].append(
                {"MaTep": attachment.pk, "TenTepDinhKem": name, "TenThanhPhan": component}
            )
        stored.record = record
        stored.save(update_fields=["record"])
    return stored


@require_http_methods(["GET", "POST"])
def file_dossier(request: HttpRequest) -> HttpResponse:
    """Step 1 (no ``thu_tuc``): the connected procedures; step 2: the form; POST: store, show the code."""
    code = (request.POST.get("thu_tuc") or request.GET.get("thu_tuc") or "").strip()[:32]
    procedures = Procedure.objects.filter(national_portal_connected=True).order_by("code")
    context: dict[str, Any] = {"procedures": procedures[:500], "code": code, "errors": []}
    if not code:
        return render(request, "sandbox_dvcqg/file.html", context)
    procedure = procedures.filter(code=code).first()
    if procedure is None:
        context["errors"] = ["Thủ tục không có hoặc chưa kết nối Cổng."]
        return render(request, "sandbox_dvcqg/file.html", context, status=404)
    try:
        version = procedure_version_in_force(procedure, prefetch=("components", "units"))
    except NotFound:
        context["errors"] = ["Thủ tục chưa có phiên bản có hiệu lực."]
        return render(request, "sandbox_dvcqg/file.html", context, status=404)
    components = list(version.components.order_by("order"))
    context.update(procedure=procedure, components=components, units=list(version.units.all()))
    if request.method == "GET":
        return render(request, "sandbox_dvcqg/file.html", context)
    applicant = {
        key: str(request.POST.get(key, "")).strip()[:255]
        for key in ("name", "kind", "id_number", "phone", "email", "address")
    }
    unit_code = str(request.POST.get("unit", "")).strip()[:32]
    errors = []
    if not applicant["name"]:
        errors.append("Cần nhập họ tên người nộp.")
    if not unit_code:
        errors.append("Cần chọn cơ quan tiếp nhận.")
    files = []
    for component in components:
        upload = request.FILES.get(f"tep_{component.order}")
        if upload is None:
            continue
        if (upload.size or 0) > MAX_FILE_BYTES:
            errors.append(f"Tệp “{upload.name}” quá lớn.")
            continue
        files.append((component.name, str(upload.name or "tep")[:255], upload.read()))
    if errors:
        context["errors"] = errors
        return render(request, "sandbox_dvcqg/file.html", context, status=400)
    stored = sandbox_filing_store(
        procedure_code=procedure.code, unit_code=unit_code, applicant=applicant, files=files
    )
    context["filed"] = stored
    response = render(request, "sandbox_dvcqg/file.html", context, status=201)
    response["X-National-Code"] = stored.code
    return response
