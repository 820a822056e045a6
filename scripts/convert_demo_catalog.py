#!/usr/bin/env python3
"""Convert the shared demo procedure list into the motcua catalog format (run once; output is committed).

    python scripts/convert_demo_catalog.py PROCEDURES.json UNITS.json > src/motcua/catalog/data/catalog_demo.json

PROCEDURES.json is ``procedures_demo.json`` (35 procedures), UNITS.json is ``units_vinh_phuc.json`` (the
Vĩnh Phúc districts and communes before 2025-07-01 and the Phú Thọ communes after). Each procedure gets
version 1 (2019-01-01..2025-06-30, Vĩnh Phúc units, ``level``) and version 2 (from 2025-07-01, Phú Thọ units,
``level_post_2025`` or ``level``; there is no district level after the reform). See docs/catalog.md.
Standard library only: the project never reads the shared data at run time.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from typing import Any

V1_FROM, V1_TO, V2_FROM = "2019-01-01", "2025-06-30", "2025-07-01"

# Field name → short code (Field.code is at most 32 characters).
FIELD_CODES = {
    "Hộ tịch": "HO-TICH",
    "Chứng thực": "CHUNG-THUC",
    "Đăng ký, quản lý cư trú": "CU-TRU",
    "Căn cước": "CAN-CUOC",
    "Thành lập và hoạt động của hộ kinh doanh": "HO-KINH-DOANH",
    "Thành lập và hoạt động doanh nghiệp": "DOANH-NGHIEP",
    "Đầu tư tại Việt Nam": "DAU-TU",
    "Đất đai": "DAT-DAI",
    "Hoạt động xây dựng": "XAY-DUNG",
    "Lý lịch tư pháp": "LY-LICH-TU-PHAP",
    "Đường bộ / Giấy phép lái xe": "GIAY-PHEP-LAI-XE",
    "Văn bằng, chứng chỉ": "VAN-BANG",
    "Việc làm (lao động nước ngoài)": "LAO-DONG-NUOC-NGOAI",
    "Khám bệnh, chữa bệnh": "KHAM-CHUA-BENH",
    "Việc làm": "VIEC-LAM",
}

# Province-level procedures: the department in charge (before, from 2025-07-01), chosen from the agency
# text and the field. Business and investment registration: Sở KH&ĐT → Sở Tài chính; judicial records: Sở
# Tư pháp → Công an tỉnh; work permits and unemployment benefit: Sở LĐ-TB&XH → Sở Nội vụ; land: Sở TN&MT →
# Sở NN&MT. Driving licences moved from Sở GTVT to the police on 2025-03-01; Sở GTVT is not a demo unit, so
# both versions name the police (demo simplification).
PROVINCE_DEPARTMENTS = {
    "Căn cước": ("26-CA", "25-CA"),
    "Thành lập và hoạt động doanh nghiệp": ("26-SKHDT", "25-STC"),
    "Đầu tư tại Việt Nam": ("26-SKHDT", "25-STC"),
    "Đất đai": ("26-STNMT", "25-SNNMT"),
    "Lý lịch tư pháp": ("26-STP", "25-CA"),
    "Đường bộ / Giấy phép lái xe": ("26-CA", "25-CA"),
    "Văn bằng, chứng chỉ": ("26-SGDDT", "25-SGDDT"),
    "Việc làm (lao động nước ngoài)": ("26-SLDTBXH", "25-SNV"),
    "Việc làm": ("26-SLDTBXH", "25-SNV"),
    "Khám bệnh, chữa bệnh": ("26-SYT", "25-SYT"),
}

# Plausible limits where the source has none (demo data, noted in the version's notes).
DEFAULT_DAYS = {"1.013992": 15}

UNIT_LEVEL = {"commune": "commune", "district": "district", "province": "department"}


def _fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn").lower()


def components(documents: list[str]) -> list[dict[str, Any]]:
    result = []
    for doc in documents:
        folded = _fold(doc)
        kind = "original"
        if "xuat trinh" in folded:
            kind = "present"
        elif folded.startswith("ban sao"):
            kind = "copy"
        name = re.sub(r"\s*\(xuất trình\)\s*$", "", doc).strip()
        result.append(
            {
                "name": name,
                "kind": kind,
                "count": 1,
                "required": "(nếu" not in doc,
                "template_file": "",
            }
        )
    return result


def steps(total_hours: int, unit_level: str) -> list[dict[str, Any]]:
    """Receive (officer), handle (specialist), approve (leader), return (officer): budgets sum to the limit."""
    if total_hours >= 24:
        split = (4, total_hours - 12, 4, 4)
    elif total_hours == 16:
        split = (2, 8, 4, 2)
    else:  # one day or same day: 8 working hours
        split = (1, 4, 2, 1)
    names = (
        ("Tiếp nhận hồ sơ tại Bộ phận Một cửa", "officer"),
        ("Thẩm định, xử lý hồ sơ", "specialist"),
        ("Phê duyệt kết quả", "leader"),
        ("Trả kết quả", "officer"),
    )
    assert sum(split) == total_hours, (split, total_hours)
    return [
        {"name": name, "role": role, "unit_level": unit_level, "budget_hours": hours}
        for (name, role), hours in zip(names, split, strict=True)
    ]


def convert(procedures: list[dict[str, Any]], units: dict[str, Any]) -> dict[str, Any]:
    districts = sorted(str(d["code"]) for d in units["districts"])
    communes_before = sorted(str(c["code"]) for d in units["districts"] for c in d["communes"])
    communes_after = sorted(str(c["code"]) for c in units["merged_into"]["communes"])

    def unit_codes(level: str, field: str, era: int) -> list[str]:
        if level == "commune":
            return communes_before if era == 1 else communes_after
        if level == "district":
            assert era == 1, "no district level after 2025-07-01"
            return districts
        return [PROVINCE_DEPARTMENTS[field][era - 1]]

    fields: dict[str, str] = {}
    out = []
    for p in procedures:
        field = p["field"]
        fields[FIELD_CODES[field]] = field
        days = p["processing_days"]
        notes = [p.get("note") or ""]
        if days is None:
            days = DEFAULT_DAYS[p["code"]]
            notes.append(f"Thời hạn {days} ngày làm việc là dữ liệu minh họa (nguồn không ghi thời hạn).")
        if p.get("unverified"):
            notes.append("Dữ liệu minh họa: một số thông tin chưa được kiểm chứng.")
        limit_value, limit_unit = (0, "same_day") if days == 0 else (days, "days")
        total_hours = 8 if days == 0 else days * 8
        fees = (
            []
            if p["fee_vnd"] is None
            else [{"name": "Phí, lệ phí", "amount_vnd": p["fee_vnd"], "exemptions": ""}]
        )
        versions = []
        level_after = p.get("level_post_2025") or p["level"]
        if level_after == "district":
            level_after = "commune"
        for era, level, valid_from, valid_to in (
            (1, p["level"], V1_FROM, V1_TO),
            (2, level_after, V2_FROM, None),
        ):
            versions.append(
                {
                    "version": era,
                    "status": "published",
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "name": p["name"],
                    "level": level,
                    "implementing_agency": p["agency"],
                    "legal_basis": "",
                    "time_limit_value": limit_value,
                    "time_limit_unit": limit_unit,
                    "online_mode": p["online"],
                    "min_eid_level": 2 if p["online"] == "full" else 1,
                    "supplement_rule": "reset",
                    "result_documents": [],
                    "form_fields": [],
                    "notes": " ".join(n for n in notes if n),
                    "units": unit_codes(level, field, era),
                    "components": components(p["documents"]),
                    "fees": fees,
                    "steps": steps(total_hours, UNIT_LEVEL[level]),
                }
            )
        out.append({"code": p["code"], "name": p["name"], "field": FIELD_CODES[field], "versions": versions})
    return {
        "format": "motcua.catalog",
        "format_version": 1,
        "fields": [{"code": code, "name": name} for code, name in sorted(fields.items())],
        "procedures": sorted(out, key=lambda p: p["code"]),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        procedures = json.load(f)
    with open(argv[2], encoding="utf-8") as f:
        units = json.load(f)
    sys.stdout.write(
        json.dumps(convert(procedures, units), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
