"""Issue 15 item 6: the official forms follow the document in force on the dossier's date (Circular
01/2018/TT-VPCP until 2025-06-30, Circular 03/2025/TT-VPCP under Decree 118/2025/NĐ-CP since 2025-07-01)."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import subprocess
from pathlib import Path

import pytest

from motcua.core import clock
from motcua.dossiers.constants import Status
from motcua.dossiers.form_sets import (
    CIRCULAR_01_2018,
    CIRCULAR_03_2025,
    FORM_SETS,
    KIND_OF,
    dossier_day,
    form_set_on,
    official_form,
)
from motcua.dossiers.printing import dossier_form_render

from .conftest import World
from .factories import dossier_in


def test_the_set_in_force_on_each_side_of_decree_118() -> None:
    assert form_set_on(dt.date(2019, 1, 1)) is CIRCULAR_01_2018
    assert form_set_on(dt.date(2025, 6, 30)) is CIRCULAR_01_2018
    assert form_set_on(dt.date(2025, 7, 1)) is CIRCULAR_03_2025
    assert form_set_on(dt.date(2026, 12, 4)) is CIRCULAR_03_2025
    # the sets follow each other without a gap or an overlap
    for earlier, later in itertools.pairwise(FORM_SETS):
        assert earlier.valid_to is not None
        assert later.valid_from == earlier.valid_to + dt.timedelta(days=1)


def test_form_differences_between_the_two_circulars() -> None:
    before, after = dt.date(2025, 6, 30), dt.date(2025, 7, 1)
    # the control slip and the logbook move from 05/06 to 06/07: 05 is now the notice of stopping
    assert official_form("05", before)[1].number == "05"
    assert official_form("05", after)[1].number == "06"
    assert official_form("06", after)[1].number == "07"
    assert CIRCULAR_03_2025.forms["stop"].number == "05"
    assert "stop" not in CIRCULAR_01_2018.forms
    assert official_form("04", before)[1].title == "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
    assert official_form("04", after)[1].title == "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"
    for key in ("01", "02", "03"):
        assert official_form(key, before)[1] == official_form(key, after)[1]
    assert set(KIND_OF.values()) <= set(CIRCULAR_03_2025.forms)


@pytest.mark.django_db
def test_the_dossier_date_decides_not_the_printing_day(world: World, tmp_path: Path) -> None:
    june = dt.datetime(2025, 6, 30, 16, 0, tzinfo=clock.VN_TZ)
    july = dt.datetime(2025, 7, 1, 8, 0, tzinfo=clock.VN_TZ)
    at = {"version": world.version, "unit": world.unit_a}
    with clock.frozen(june):
        old = dossier_in(Status.PROCESSING, **at)
    with clock.frozen(july):
        new = dossier_in(Status.PROCESSING, **at)
    assert dossier_day(old) == dt.date(2025, 6, 30)  # received an hour before: still June 30
    assert dossier_day(new) == dt.date(2025, 7, 1)

    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("needs poppler-utils (pdftotext)")

    def text(pdf: bytes, name: str) -> str:
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(pdf)
        out = subprocess.run([pdftotext, str(path), "-"], capture_output=True, check=True, text=True)  # noqa: S603
        return " ".join(out.stdout.split())

    with clock.frozen(dt.datetime(2025, 8, 4, 9, 0, tzinfo=clock.VN_TZ)):  # both printed in August
        old_slip = text(dossier_form_render(dossier=old, form="05"), "old")
        new_slip = text(dossier_form_render(dossier=new, form="05"), "new")
    assert "Mẫu số 05" in old_slip
    assert "Thông tư số 01/2018/TT-VPCP" in old_slip
    assert "Mẫu số 06" in new_slip
    assert "Thông tư số 03/2025/TT-VPCP" in new_slip
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in new_slip
