"""Excel formula injection (issue 17): applicant text in the queue export and the Mẫu 06 logbook stays text.

Before the fix an applicant name ``=HYPERLINK(...)`` became a live formula cell in both workbooks.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from motcua.dossiers.services import dossier_intake_counter
from motcua.dossiers.tests.conftest import World

pytestmark = pytest.mark.django_db

NAME = '=HYPERLINK("http://x","y")'
ADDRESS = "@SUM(1+1)*cmd|' /C calc'!A0"


def _cells(content: bytes) -> list[Cell]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _assert_inert(cells: list[Cell], *texts: str) -> None:
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = [str(c.value) for c in cells]
    for text in texts:
        assert f"'{text}" in " ".join(values), text
        assert not any(v.startswith(text) for v in values), text


def test_applicant_text_is_inert_in_the_queue_export_and_the_logbook(
    client: Client, world: World, frozen: dt.datetime
) -> None:
    dossier = dossier_intake_counter(
        officer=world.officer_a,
        procedure_code="1.001193",
        unit_code="8707",
        applicant={"name": NAME, "id_number": "026190054321", "address": ADDRESS, "phone": "0987654321"},
    )
    world.officer_a.refresh_from_db()
    client.force_login(world.officer_a)

    queue = _cells(client.get("/can-bo/hang-doi/tat-ca/xlsx/").content)
    assert dossier.code in [c.value for c in queue]
    _assert_inert(queue, NAME)

    query = {"unit": "8707", "date_from": "2025-03-01", "date_to": "2025-03-31", "output": "xlsx"}
    logbook = _cells(client.get("/can-bo/so-theo-doi/", query).content)
    assert dossier.code in [c.value for c in logbook]
    _assert_inert(logbook, NAME, ADDRESS)
