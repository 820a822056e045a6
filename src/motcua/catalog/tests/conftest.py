from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from motcua.catalog.services import DEMO_CATALOG
from motcua.core import clock
from motcua.organisations.constants import Level
from motcua.organisations.models import Unit

BEFORE_END = dt.date(2025, 6, 30)
AFTER_START = dt.date(2025, 7, 1)


@pytest.fixture
def today_2026() -> Iterator[dt.date]:
    """Freeze the clock at 2026-03-02 10:00 (Vietnam), after the 2025 reform."""
    with clock.frozen(dt.datetime(2026, 3, 2, 10, 0, tzinfo=clock.VN_TZ)):
        yield clock.today()


@pytest.fixture
def small_units(db: None) -> dict[str, Unit]:
    """A few units, with the reused code 8707: Tích Sơn until 2025-06-30, Vĩnh Yên from 2025-07-01."""
    units = {
        "old-8707": Unit.objects.create(
            code="8707", name="Phường Tích Sơn", level=Level.COMMUNE, valid_to=BEFORE_END
        ),
        "old-8710": Unit.objects.create(
            code="8710", name="Phường Liên Bảo", level=Level.COMMUNE, valid_to=BEFORE_END
        ),
        "new-8707": Unit.objects.create(
            code="8707", name="Phường Vĩnh Yên", level=Level.COMMUNE, valid_from=AFTER_START
        ),
        "26-STP": Unit.objects.create(
            code="26-STP", name="Sở Tư pháp", level=Level.DEPARTMENT, valid_to=BEFORE_END
        ),
        "25-STP": Unit.objects.create(
            code="25-STP", name="Sở Tư pháp", level=Level.DEPARTMENT, valid_from=AFTER_START
        ),
    }
    return units


def small_catalog() -> dict[str, Any]:
    """A valid two-procedure catalog in the JSON format (uses ``small_units``)."""
    steps = [
        {"name": "Tiếp nhận", "role": "officer", "unit_level": "commune", "budget_hours": 4},
        {"name": "Xử lý", "role": "specialist", "unit_level": "commune", "budget_hours": 12.5},
        {"name": "Phê duyệt", "role": "leader", "unit_level": "commune", "budget_hours": 7.5},
    ]
    return copy.deepcopy(
        {
            "format": "motcua.catalog",
            "format_version": 1,
            "fields": [{"code": "HO-TICH", "name": "Hộ tịch"}, {"code": "LLTP", "name": "Lý lịch tư pháp"}],
            "procedures": [
                {
                    "code": "1.001193",
                    "name": "Thủ tục đăng ký khai sinh",
                    "field": "HO-TICH",
                    "versions": [
                        {
                            "version": 1,
                            "status": "published",
                            "valid_from": "2019-01-01",
                            "valid_to": "2025-06-30",
                            "level": "commune",
                            "time_limit_value": 3,
                            "time_limit_unit": "days",
                            "online_mode": "full",
                            "min_eid_level": 2,
                            "units": ["8707", "8710"],
                            "result_documents": ["Giấy khai sinh"],
                            "form_fields": [{"name": "ho_ten", "label": "Họ và tên"}],
                            "components": [
                                {"name": "Tờ khai", "kind": "original"},
                                {"name": "Giấy tờ tùy thân", "kind": "present"},
                                {"name": "Văn bản ủy quyền (nếu có)", "kind": "copy", "required": False},
                            ],
                            "fees": [{"name": "Lệ phí", "amount_vnd": 0, "exemptions": "Đúng hạn"}],
                            "steps": steps,
                        },
                        {
                            "version": 2,
                            "status": "published",
                            "valid_from": "2025-07-01",
                            "level": "commune",
                            "time_limit_value": 0,
                            "time_limit_unit": "same_day",
                            "online_mode": "full",
                            "min_eid_level": 2,
                            "units": ["8707"],
                            "steps": [
                                {
                                    "name": "Tiếp nhận",
                                    "role": "officer",
                                    "unit_level": "commune",
                                    "budget_hours": 2,
                                },
                                {
                                    "name": "Xử lý",
                                    "role": "specialist",
                                    "unit_level": "commune",
                                    "budget_hours": 6,
                                },
                            ],
                        },
                    ],
                },
                {
                    "code": "3.000333",
                    "name": "Cấp Phiếu lý lịch tư pháp số 1",
                    "field": "LLTP",
                    "versions": [
                        {
                            "version": 1,
                            "status": "published",
                            "valid_from": "2019-01-01",
                            "valid_to": "2025-06-30",
                            "level": "province",
                            "time_limit_value": 10,
                            "time_limit_unit": "days",
                            "online_mode": "partial",
                            "units": ["26-STP"],
                            "fees": [{"name": "Phí", "amount_vnd": 200000}],
                        },
                        {
                            "version": 2,
                            "status": "published",
                            "valid_from": "2025-07-01",
                            "level": "province",
                            "time_limit_value": 10,
                            "time_limit_unit": "days",
                            "online_mode": "full",
                            "min_eid_level": 2,
                            "units": ["25-STP"],
                            "fees": [
                                {"name": "Phí", "amount_vnd": 200000},
                                {"name": "Phí bưu chính", "amount_vnd": 30000},
                            ],
                        },
                    ],
                },
            ],
        }
    )


def demo_catalog() -> dict[str, Any]:
    return json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
