"""The sandbox portal's national catalog: seeded from motcua's own catalog with some differences.

``sandbox_catalog_seed`` (run at the first ``LayDanhSachTTHC`` / ``LayThuTuc`` when the table is empty, or
again to reset it) copies every procedure's version in force as the portal's record (``catalog.record_of``),
then changes a few, always the same ones, so that a pull has something to propose: every 7th procedure (by
code) has its time limit two units longer, every 11th a new fee "Phí cung cấp thông tin" of 20,000 VND, every
13th (from the 4th) is absent from the portal, and the portal lists a procedure motcua does not have
(``9.999999``).
"""

from __future__ import annotations

from django.db import transaction

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_version_in_force
from motcua.core.errors import NotFound

from ..catalog import record_of
from ..models import SandboxPortalProcedure

NATIONAL_ONLY = "9.999999"


@transaction.atomic
def sandbox_catalog_seed() -> int:
    """(Re)build the sandbox portal's catalog; returns how many procedures it lists."""
    SandboxPortalProcedure.objects.all().delete()
    rows = []
    for index, procedure in enumerate(Procedure.objects.select_related("field").order_by("code")):
        if index % 13 == 3:
            continue  # not on the portal
        try:
            version = procedure_version_in_force(procedure)
        except NotFound:
            continue
        record = record_of(version)
        if index % 7 == 0:
            record["ThoiHanGiaiQuyet"] = int(record["ThoiHanGiaiQuyet"]) + 2
        if index % 11 == 0:
            record["PhiLePhi"] = [
                *record["PhiLePhi"],
                {"TenPhiLePhi": "Phí cung cấp thông tin", "MucThu": 20000, "MienGiam": ""},
            ]
        rows.append(SandboxPortalProcedure(code=procedure.code, record=record))
    rows.append(
        SandboxPortalProcedure(
            code=NATIONAL_ONLY,
            record={"MaTTHC": NATIONAL_ONLY, "TenTTHC": "Thủ tục chỉ có trên Cổng (thử nghiệm)"},
        )
    )
    SandboxPortalProcedure.objects.bulk_create(rows)
    return len(rows)


def sandbox_catalog() -> type[SandboxPortalProcedure]:
    if not SandboxPortalProcedure.objects.exists():
        sandbox_catalog_seed()
    return SandboxPortalProcedure
