"""One Vietnamese order (đ after d, ă after a) where units, procedures and people are listed: the database
collation ``vi-x-icu`` (PostgreSQL's ICU one; on SQLite ours, over ``vi_sort_key``), the admin change lists,
the portal's procedure list and the report's rows (issue 16, item 6)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from motcua.accounts.models import User
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.tests.factories import ProcedureFactory
from motcua.core import clock
from motcua.core.collation import vi_collate
from motcua.core.text import vi_sorted
from motcua.dossiers.tests.factories import procedure_version
from motcua.organisations.models import Unit
from motcua.organisations.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

# In Vietnamese order. Code-point order puts "Ă…" and "Đ…" after "Y…"; folding (đ → d, ă → a) puts "Đa" before
# "Dương" and "Ăng" before "Anh". Only the Vietnamese alphabet gives this order.
NAMES = ["Anh Sơn", "Ăng Tơ", "Dương Xá", "Đa Phúc", "Yên Lạc"]
SHUFFLED = [NAMES[i] for i in (4, 3, 1, 2, 0)]


def _in_page_order(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


def test_the_names_are_a_real_test_of_the_order() -> None:
    assert vi_sorted(SHUFFLED) == NAMES
    assert sorted(SHUFFLED) != NAMES


def test_the_database_sorts_in_vietnamese_order() -> None:
    """PostgreSQL's vi-x-icu and the SQLite collation agree with ``vi_sort_key``."""
    for i, name in enumerate(SHUFFLED):
        UnitFactory(code=f"T{i}", name=f"Xã {name}")
    ordered = list(
        Unit.objects.filter(code__startswith="T").order_by(vi_collate("name")).values_list("name", flat=True)
    )
    assert ordered == [f"Xã {name}" for name in NAMES]


@pytest.fixture
def admin_client() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(User.objects.create(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_change_lists_of_units_procedures_and_people(admin_client: Client) -> None:
    for i, name in enumerate(SHUFFLED):
        UnitFactory(code=f"T{i}", name=f"Xã {name}")
        User.objects.create(username=f"nguoi{i}", full_name=f"Người {name}")
        ProcedureFactory(code=f"9.00000{i}", name=f"Thủ tục {name}")
    units = admin_client.get("/quan-tri/organisations/unit/").content.decode()
    assert _in_page_order(units, [f"Xã {n}" for n in SHUFFLED]) == [f"Xã {n}" for n in NAMES]
    people = admin_client.get("/quan-tri/accounts/user/").content.decode()
    assert _in_page_order(people, [f"Người {n}" for n in SHUFFLED]) == [f"Người {n}" for n in NAMES]
    procedures = admin_client.get("/quan-tri/catalog/procedure/").content.decode()
    assert _in_page_order(procedures, [f"Thủ tục {n}" for n in SHUFFLED]) == [f"Thủ tục {n}" for n in NAMES]


def test_the_portal_lists_procedures_in_vietnamese_order(client: Client) -> None:
    for i, name in enumerate(SHUFFLED):
        version = procedure_version(code=f"9.00000{i}")
        Procedure.objects.filter(pk=version.procedure_id).update(name=f"Thủ tục {name}")
        ProcedureVersion.objects.filter(pk=version.pk).update(name=f"Thủ tục {name}")
    page = client.get("/").content.decode()
    assert _in_page_order(page, [f"Thủ tục {n}" for n in SHUFFLED]) == [f"Thủ tục {n}" for n in NAMES]


def test_the_report_lists_units_in_vietnamese_order() -> None:
    """The monthly report (its .xlsx, PDF and screen) lists the units of a level by name."""
    from motcua.reports.exports import body_rows, report_xlsx
    from motcua.reports.selectors import monthly_report

    for i, name in enumerate(SHUFFLED):
        UnitFactory(code=f"T{i}", name=f"Xã {name}")
    with clock.frozen(dt.datetime(2025, 4, 2, 9, 0, tzinfo=clock.VN_TZ)):
        report = monthly_report(date_from=dt.date(2025, 3, 1), date_to=dt.date(2025, 3, 31), by="unit")
    labels = [label for _n, label, _row, _strong in body_rows(report)]
    expected = [f"Xã {name} (T{SHUFFLED.index(name)})" for name in NAMES]
    assert [label for label in labels if label.startswith("Xã ")] == expected
    workbook = load_workbook(io.BytesIO(report_xlsx(report)))
    cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert [c for c in cells if c.startswith("Xã ")] == expected  # the Excel file, as officials open it
