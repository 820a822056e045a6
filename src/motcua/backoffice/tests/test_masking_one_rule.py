"""One ID-number masking rule everywhere: together the places that mask reveal no more than one of them.

Regression: the dossier lists had their own rule (first four and last two digits) next to
``core.masking`` (first three and last three), so the back-office queue and the access log together showed
seven of the twelve digits of the same person.
"""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from motcua.core import clock
from motcua.core.masking import MASK_CHAR, mask_id_number
from motcua.dossiers.constants import Status
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import dossier_in
from motcua.identity.admin import PersonalDataAccessAdmin, PopulationLookupAdmin
from motcua.identity.models import PersonalDataAccess, PopulationLookup
from motcua.portal.tests.submission_factories import login as citizen_login
from motcua.portal.tests.submission_factories import make_world

pytestmark = pytest.mark.django_db

ID = "026012345612"
MASKED = re.compile(r"[0-9*]{12}")


def _tokens(text: str) -> set[str]:
    """The twelve-character ID-like tokens of ``text`` that hide something (masked IDs)."""
    return {t for t in MASKED.findall(text) if MASK_CHAR in t}


def _shown(token: str) -> set[int]:
    return {i for i, ch in enumerate(token) if ch != MASK_CHAR}


def test_every_place_that_masks_an_id_number_shows_the_same_digits(
    client: Client, world: World, frozen: object
) -> None:
    dossier = dossier_in(Status.PROCESSING, version=world.version, unit=world.unit_a, applicant_id_number=ID)
    seen: dict[str, set[str]] = {}

    world.officer_a.refresh_from_db()
    client.force_login(world.officer_a)
    seen["queue page"] = _tokens(client.get("/can-bo/hang-doi/tat-ca/").content.decode())
    book = load_workbook(io.BytesIO(client.get("/can-bo/hang-doi/tat-ca/xlsx/").content))
    cells = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c)
    seen["queue export"] = _tokens(cells)

    api = APIClient()
    api.force_authenticate(world.officer_a)
    rows = api.get("/api/v1/dossiers/").json()["results"]
    seen["API list"] = {r["applicant_id_number"] for r in rows if r["code"] == dossier.code}

    access = PersonalDataAccess(
        subject_id_number=ID, dossier_code=str(dossier.code), purpose="xem", at=clock.now()
    )
    lookup = PopulationLookup(id_number=ID, officer_repr="motcua_a", at=clock.now())
    seen["access log"] = _tokens(str(access)) | {PersonalDataAccessAdmin.masked_subject(None, access)}  # type: ignore[arg-type]
    seen["population lookups"] = _tokens(str(lookup)) | {PopulationLookupAdmin.masked_id_number(None, lookup)}  # type: ignore[arg-type]

    portal = make_world()
    dossier_in(
        Status.PROCESSING,
        version=world.version,
        unit=world.unit_a,
        owner=portal.citizen,
        applicant_id_number=ID,
    )
    citizen = citizen_login(Client(), portal.citizen)
    seen["my dossiers"] = _tokens(citizen.get("/ho-so-cua-toi/").content.decode())

    expected = mask_id_number(ID)
    assert all(seen.values()), seen
    assert seen == {place: {expected} for place in seen}
    revealed = set().union(*(_shown(t) for tokens in seen.values() for t in tokens))
    assert revealed == _shown(expected)
    assert len(revealed) == 6


def test_no_module_defines_its_own_masking_rule() -> None:
    src = Path(__file__).resolve().parents[2]
    rules = []
    for path in src.rglob("*.py"):
        if "tests" in path.parts or (path.name == "masking.py" and path.parent.name == "core"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("mask_"):
                rules.append(f"{path.relative_to(src)}:{node.name}")
    assert rules == [], "Mask personal identifiers with motcua.core.masking only"
