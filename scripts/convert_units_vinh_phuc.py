"""One-off: turn the shared units_vinh_phuc.json into motcua's unit-tree format (docs/organisations.md).

    python scripts/convert_units_vinh_phuc.py PATH/units_vinh_phuc.json src/motcua/organisations/data/units_demo.json

The project never reads the shared file at run time; only this script's output is committed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

LEGACY_UNTIL = "2025-06-30"
REFORM = "2025-07-01"

LEGACY_DEPARTMENTS = [
    ("26-STP", "Sở Tư pháp"),
    ("26-STNMT", "Sở Tài nguyên và Môi trường"),
    ("26-SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("26-SXD", "Sở Xây dựng"),
    ("26-SLDTBXH", "Sở Lao động – Thương binh và Xã hội"),
    ("26-SGDDT", "Sở Giáo dục và Đào tạo"),
    ("26-SYT", "Sở Y tế"),
    ("26-CA", "Công an tỉnh"),
]
CURRENT_DEPARTMENTS = [
    ("25-STP", "Sở Tư pháp"),
    ("25-SNNMT", "Sở Nông nghiệp và Môi trường"),
    ("25-STC", "Sở Tài chính"),
    ("25-SXD", "Sở Xây dựng"),
    ("25-SNV", "Sở Nội vụ"),
    ("25-SGDDT", "Sở Giáo dục và Đào tạo"),
    ("25-SYT", "Sở Y tế"),
    ("25-SCT", "Sở Công Thương"),
    ("25-CA", "Công an tỉnh"),
]
DEPARTMENT_SUCCESSIONS = [
    ("26-STP", "25-STP"),
    ("26-STNMT", "25-SNNMT"),
    ("26-SKHDT", "25-STC"),
    ("26-SXD", "25-SXD"),
    ("26-SLDTBXH", "25-SNV"),
    ("26-SGDDT", "25-SGDDT"),
    ("26-SYT", "25-SYT"),
    ("26-CA", "25-CA"),
    ("26-TTPVHCC", "25-TTPVHCC"),
]


def unit(code: Any, name: str, level: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "code": str(code),
        "name": name,
        "level": level,
        "division_type": "",
        "parent": None,
        "agency_code": "",
        "has_one_stop_desk": False,
        "valid_from": None,
        "valid_to": None,
    }
    row.update(extra)
    return row


def convert(source: dict[str, Any]) -> dict[str, Any]:
    if source["legacy_until"] != LEGACY_UNTIL or source["merged_into"]["effective_from"] != REFORM:
        raise SystemExit("unexpected reform dates in the source file")
    old, new = source["province"], source["merged_into"]["province"]
    old_code, new_code = str(old["code"]), str(new["code"])
    units: list[dict[str, Any]] = []
    successions: list[dict[str, Any]] = []

    def succession(predecessor: str, successor: str) -> None:
        successions.append({"predecessor": predecessor, "successor": successor, "effective_date": REFORM})

    # History: Vĩnh Phúc until 2025-06-30.
    legacy = {"valid_to": LEGACY_UNTIL}
    units.append(unit(old_code, old["name"], "province", division_type=old["division_type"], **legacy))
    for code, name in LEGACY_DEPARTMENTS:
        units.append(unit(code, name, "department", parent=old_code, **legacy))
    units.append(
        unit(
            f"{old_code}-TTPVHCC",
            f"Trung tâm Phục vụ hành chính công {old['name'][0].lower()}{old['name'][1:]}",
            "centre",
            parent=old_code,
            has_one_stop_desk=True,
            **legacy,
        )
    )
    district_of: dict[str, str] = {}
    for district in source["districts"]:
        units.append(
            unit(
                district["code"],
                district["name"],
                "district",
                division_type=district["division_type"],
                parent=old_code,
                has_one_stop_desk=True,
                **legacy,
            )
        )
        for commune in district["communes"]:
            district_of[str(commune["code"])] = str(district["code"])
            units.append(
                unit(
                    commune["code"],
                    commune["name"],
                    "commune",
                    division_type=commune["division_type"],
                    parent=str(district["code"]),
                    has_one_stop_desk=True,
                    **legacy,
                )
            )

    # Today: Phú Thọ since 2025-07-01.
    current = {"valid_from": REFORM}
    units.append(unit(new_code, new["name"], "province", division_type=new["division_type"], **current))
    for code, name in CURRENT_DEPARTMENTS:
        units.append(unit(code, name, "department", parent=new_code, **current))
    units.append(
        unit(
            f"{new_code}-TTPVHCC",
            f"Trung tâm Phục vụ hành chính công {new['name'][0].lower()}{new['name'][1:]}",
            "centre",
            parent=new_code,
            has_one_stop_desk=True,
            **current,
        )
    )
    district_successors: dict[str, set[str]] = {}
    commune_successions: list[tuple[str, str]] = []
    for commune in source["merged_into"]["communes"]:
        code = str(commune["code"])
        units.append(
            unit(
                code,
                commune["name"],
                "commune",
                division_type=commune["division_type"],
                parent=new_code,
                has_one_stop_desk=True,
                **current,
            )
        )
        for legacy_code in map(str, commune["legacy_commune_codes"]):
            if legacy_code in district_of:
                commune_successions.append((legacy_code, code))
                district_successors.setdefault(district_of[legacy_code], set()).add(code)

    unmapped = set(district_of) - {p for p, _ in commune_successions}
    if unmapped:
        raise SystemExit(f"legacy communes without a successor: {sorted(unmapped)}")

    succession(old_code, new_code)
    for predecessor, successor in DEPARTMENT_SUCCESSIONS:
        succession(predecessor, successor)
    for district in source["districts"]:
        for successor in sorted(district_successors[str(district["code"])], key=int):
            succession(str(district["code"]), successor)
    for predecessor, successor in sorted(commune_successions, key=lambda p: (int(p[0]), int(p[1]))):
        succession(predecessor, successor)

    return {
        "format": "motcua-units/1",
        "source": (
            "Generated by scripts/convert_units_vinh_phuc.py from the GSO administrative division codes "
            "(Vĩnh Phúc until 2025-06-30, Phú Thọ since 2025-07-01); departments and centres added by hand. "
            "Agency identifiers (mã định danh) are configuration and left empty."
        ),
        "units": units,
        "successions": successions,
    }


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        raise SystemExit(__doc__)
    source = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    result = convert(source)
    Path(argv[2]).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(result['units'])} units, {len(result['successions'])} successions → {argv[2]}")


if __name__ == "__main__":
    main(sys.argv)
