"""Simulation profiles: the shape of one province's month, as plain data (docs/simulator.md).

A profile is a dict (it could come from a JSON file: ``profile_load(path)``). To add a province, add a dict to
``PROFILES`` (or pass ``--profile path/to/profile.json``). Keys:

- ``new_dossiers``: dossiers received in the month at scale 1.0 (DOMAIN.md §8: 36,700 for Vĩnh Phúc).
- ``weekday_weights``: relative arrivals Monday..Friday (a make-up Saturday counts as a Friday).
- ``hour_weights``: relative arrivals by the hour of the day ("8".."16"); hours outside office hours are never
  used, hours missing here weigh 1.
- ``levels``: per reporting level (``province`` = departments and centre, ``district``, ``commune``):
  ``share`` of the new dossiers, ``online`` and ``post`` shares of them (the rest is counter), ``on_time``
  target of the resolved-in-month on-time rate, ``specialists`` per unit, ``procedures`` (code → weight; a
  procedure in force but not listed weighs ``default_procedure_weight``), ``units`` (code → weight; others 1).
- ``outcomes``: shares of dossiers with one supplement request, two requests (always late), withdrawal, online
  submissions refused at intake (extra dossiers, never received), the share of late dossiers that first get an
  apology with a new appointment, and the ranges (in office minutes) of the main delays.
- ``organisation_fields``: catalog field codes whose applicants are organisations (tax code, business account).
- ``leader_step``: whether the specialist forwards the dossier to the leader's process step before the leader
  resolves it (false: the leader resolves straight from the specialist's step; one transition less).
- ``payments`` (optional; docs/simulator.md, "Payments"): per month at scale 1.0, ``online`` ``{"count",
  "amount"}`` of fees paid through the VNPay gateway (online dossiers), ``bank_amount`` of fees paid by VietQR
  transfer (settled by the day's bank statement), ``land`` ``{"count", "amount", "procedures", "delay"}``: land
  financial obligations (tax notice charged by the specialist, the clock paused, paid at the counter ``delay``
  office minutes later) on dossiers of ``procedures``; ``cash``: counter dossiers with fees left pay cash at
  intake (true/false). ``period_months``: how many months the seed's figures cover (they are divided by it).
- ``project06`` (optional): ``procedures`` (Project 06 kind → procedure code; the simulator flags
  ``Procedure.p06_kind`` and imports the ones missing from ``simulation/data/p06_catalog.json``), ``level`` (the
  reporting level whose dossiers they are), ``to_date`` (kind → the seed's to-date figure) and ``divisor``: a
  month at scale 1.0 has ``sum(to_date) / divisor`` Project 06 dossiers split in the seed's proportions
  (largest remainders), taken out of that level's share at random arrivals (exact counts).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from motcua.core.errors import ValidationFailed

Profile = dict[str, Any]

VINH_PHUC: Profile = {
    "name": "vinh-phuc",
    "label": "Tỉnh Vĩnh Phúc",
    "province_code": "26",
    # DOMAIN.md §8: 36,700 new dossiers in March 2023; 20,300 of the district-level ones online (93%).
    "new_dossiers": 36700,
    "weekday_weights": [1.3, 1.05, 1.0, 0.95, 0.85],
    "hour_weights": {"8": 1.2, "9": 1.6, "10": 1.5, "11": 1.0, "13": 0.7, "14": 1.0, "15": 0.9, "16": 0.5},
    "default_procedure_weight": 1.0,
    "levels": {
        "province": {
            "share": 6100 / 36700,
            "online": 0.80,
            "post": 0.02,
            "on_time": 0.99,
            "specialists": 3,
            "procedures": {
                "3.000347": 30,  # driving licence exchange
                # the citizen ID card (1.116410) and the e-ID procedures: exact monthly counts, "project06"
                "3.000333": 14,  # judicial record no. 1
                "3.000334": 4,
                "1.013831": 10,  # land-use right changes (province land office)
                "1.014748": 8,  # unemployment benefit
                "2.001610": 5,
                "VP.0003": 3,
                "1.014199": 2,
                "1.014201": 1,
                "VP.0004": 1,
                "VP.0001": 0.5,
                "VP.0002": 0.2,
            },
            "units": {},
        },
        "district": {
            "share": 21800 / 36700,
            "online": 0.93,
            "post": 0.005,
            "on_time": 0.977,
            "specialists": 4,
            "procedures": {
                "1.013978": 35,  # land registration
                "1.013992": 10,
                "1.013225": 8,  # building permits
                "1.013227": 1,
                "1.013228": 1,
                "1.001612": 12,  # household business registration
                "2.000720": 6,
                "1.001570": 3,
                "1.001266": 3,
                "2.000575": 2,
            },
            # Relative size of the districts (population, business activity).
            "units": {
                "243": 1.6,
                "244": 1.2,
                "246": 1.0,
                "247": 0.9,
                "248": 0.6,
                "249": 1.3,
                "251": 1.1,
                "252": 1.3,
                "253": 0.7,
            },
        },
        "commune": {
            "share": 8800 / 36700,
            "online": 0.55,
            "post": 0.0,
            "on_time": 0.985,
            "specialists": 1,
            "procedures": {
                "2.000815": 30,  # certified copies
                "2.000884": 10,  # signature certification (counter only)
                "1.001193": 12,  # birth registration
                "1.000656": 4,
                "1.000894": 4,
                "1.004194": 8,
                "1.004222": 6,
                "1.004859": 3,
                "1.004873": 8,
                "1.004884": 1,
                "2.000635": 8,
                "1.012812": 0.5,
            },
            "units": {},
        },
    },
    "outcomes": {
        "supplement_once": 0.04,
        "supplement_twice": 0.002,
        "withdrawal": 0.006,
        "intake_refusal": 0.012,
        "extension_of_late": 0.4,
        # office minutes: online receipt after submission; first hand-over; supplement turnaround;
        # lateness after the statutory due; result collection after resolution (online / counter).
        "receive_delay": [3, 120],
        "handover_delay": [2, 45],
        "supplement_turnaround": [240, 2400],
        "late_by": [30, 1440],
        "return_online": [5, 240],
        "return_counter": [60, 1920],
    },
    "organisation_fields": ["DOANH-NGHIEP", "DAU-TU", "LAO-DONG-NUOC-NGOAI"],
    # The leader signs (resolves) straight from the specialist's step: one transition less per dossier keeps a
    # full month under 15 minutes on SQLite (docs/performance.md). A JSON profile may turn it on.
    "leader_step": False,
    # The seed's payment figures (DOMAIN.md §8: "about 2,700 successful online payments, 326 million VND; a bank
    # collected 846 million VND; about 650 land-obligation payments, 3.8 billion VND"), read as the year to date
    # of the March 2023 report: January-March 2023, three months (docs/simulator.md, "Payments").
    "payments": {
        "period_months": 3,
        "online": {"count": 2700, "amount": 326_000_000},
        "bank_amount": 846_000_000,
        "land": {
            "count": 650,
            "amount": 3_800_000_000,
            "procedures": ["1.013978", "1.013992", "1.013831"],
            "delay": [240, 4800],
        },
        "cash": True,
    },
    # Project 06 (DOMAIN.md §8, to date: 918,000 chip-ID applications, 193,500 level-2 and 22,700 level-1 e-ID
    # applications, 37,400 activated accounts). Most of that work is done by the police outside the one-stop
    # system; the simulated month keeps the seed's proportions at 1/765 of its figures (chip ID ≈ 1,200 a month,
    # within the province level's 6,100 dossiers). docs/reports.md maps each sentence to its figure.
    "project06": {
        "level": "province",
        "procedures": {
            "chip_id": "1.116410",
            "eid_level1": "DA06.001",
            "eid_level2": "DA06.002",
            "eid_activation": "DA06.003",
        },
        "divisor": 765,
        "to_date": {
            "chip_id": 918_000,
            "eid_level2": 193_500,
            "eid_level1": 22_700,
            "eid_activation": 37_400,
        },
    },
}

PROFILES: dict[str, Profile] = {"vinh-phuc": VINH_PHUC}

LEVELS = ("province", "district", "commune")


def profile_validate(profile: Profile) -> Profile:
    """Check a profile's shape and numbers; return it. Raises ``ValidationFailed``."""
    errors: list[str] = []
    levels = profile.get("levels") or {}
    if not isinstance(profile.get("new_dossiers"), int) or profile["new_dossiers"] < 0:
        errors.append("new_dossiers must be a non-negative integer")
    if set(levels) - set(LEVELS):
        errors.append(f"unknown levels: {sorted(set(levels) - set(LEVELS))}")
    total = sum(float(level.get("share", 0)) for level in levels.values())
    if levels and abs(total - 1.0) > 1e-6:
        errors.append(f"level shares sum to {total}, not 1")
    for name, level in levels.items():
        for key in ("share", "online", "post", "on_time"):
            value = level.get(key)
            if not isinstance(value, int | float) or not 0 <= value <= 1:
                errors.append(f"levels.{name}.{key} must be a fraction")
        if float(level.get("online", 0)) + float(level.get("post", 0)) > 1:
            errors.append(f"levels.{name}: online + post > 1")
    weights = profile.get("weekday_weights")
    if not isinstance(weights, list) or len(weights) != 5 or any(w < 0 for w in weights):
        errors.append("weekday_weights must be 5 non-negative numbers (Monday..Friday)")
    if errors:
        raise ValidationFailed(
            "Cấu hình mô phỏng không hợp lệ.", code="invalid_profile", details={"errors": errors}
        )
    return profile


def profile_get(name_or_path: str) -> Profile:
    """A built-in profile by name, or a JSON profile file by path (a deep copy: callers may change it)."""
    if name_or_path in PROFILES:
        return profile_validate(copy.deepcopy(PROFILES[name_or_path]))
    path = Path(name_or_path)
    if path.suffix == ".json" and path.is_file():
        return profile_validate(json.loads(path.read_text(encoding="utf-8")))
    raise ValidationFailed(
        f"Không có cấu hình mô phỏng {name_or_path!r}.",
        code="unknown_profile",
        details={"profiles": sorted(PROFILES)},
    )
