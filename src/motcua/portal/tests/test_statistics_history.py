"""Issue 15 item 7: the months before 2025-07-01 read under the units of that time, with working links, or
rolled up under today's successors; a crawl of the public statistics pages meets no 4xx or 5xx."""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from html import unescape

import pytest
from django.test import Client

from motcua.catalog.models import ProcedureVersion
from motcua.core import clock
from motcua.dossiers.constants import Status
from motcua.dossiers.legacy_import import legacy_dossiers_import
from motcua.dossiers.models import Dossier
from motcua.organisations.models import Unit
from motcua.reports.selectors import monthly_report
from motcua.reports.tests.conftest import SAMPLE, demo, demo_module  # noqa: F401

PAGE = "/thong-ke/"


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.VN_TZ)


@pytest.fixture
def history(demo: None) -> None:  # noqa: F811
    """The sample file (2023, and one dossier of August 2025 in the new ward 8707) and, in June 2025, one
    dossier in the city of Vĩnh Yên (243, abolished on 2025-07-01) and one in the old ward Tích Sơn (8707,
    a code that the new ward Vĩnh Yên carries since)."""
    legacy_dossiers_import(path=SAMPLE)
    june = dt.date(2025, 6, 10)
    for code in ("243", "8707"):
        unit = Unit.objects.get(code=code, valid_to=dt.date(2025, 6, 30))
        version = ProcedureVersion.objects.filter(valid_from__lte=june).order_by("pk").first()
        assert version is not None
        Dossier.objects.create(
            procedure_version=version,
            unit=unit,
            applicant_name="Nguyễn Văn A",
            status=Status.PROCESSING,
            received_at=_at(june),
            statutory_due_at=_at(june + dt.timedelta(days=3)),
            due_at=_at(june + dt.timedelta(days=3)),
        )


def _links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def test_a_year_across_the_reform_links_to_the_units_of_that_time(history: None, client: Client) -> None:
    with clock.frozen(_at(dt.date(2025, 12, 1))):
        html = client.get(PAGE, {"nam": 2025}).content.decode()
        links = _links(html)
        # the abolished city and the old ward are named with their last day; the new ward without it
        assert "?nam=2025&don_vi=243&ngay=2025-06-30" in links
        assert "?nam=2025&don_vi=8707&ngay=2025-06-30" in links
        assert "?nam=2025&don_vi=8707" in links
        old_ward = client.get(PAGE, {"nam": 2025, "don_vi": "8707", "ngay": "2025-06-30"})
        new_ward = client.get(PAGE, {"nam": 2025, "don_vi": "8707"})
        city = client.get(PAGE, {"nam": 2025, "don_vi": "243", "ngay": "2025-06-30"})
        # without the day, a code no unit carries at the period's end names the unit that carried it
        city_bare = client.get(PAGE, {"nam": 2025, "don_vi": "243"})
    assert old_ward.status_code == new_ward.status_code == city.status_code == city_bare.status_code == 200
    assert "Phường Tích Sơn" in old_ward.content.decode()
    assert "Phường Vĩnh Yên" in new_ward.content.decode()
    assert "Thành phố Vĩnh Yên" in city.content.decode()
    assert "Thành phố Vĩnh Yên" in city_bare.content.decode()


def test_rolled_up_under_todays_successors(history: None, client: Client) -> None:
    with clock.frozen(_at(dt.date(2025, 12, 1))):
        html = client.get(PAGE, {"nam": 2023, "thang": 3, "gop": "on"}).content.decode()
        of_the_time = client.get(PAGE, {"nam": 2023, "thang": 3}).content.decode()
    report = monthly_report(date_from=dt.date(2023, 3, 1), date_to=dt.date(2023, 3, 31), by="unit")
    assert 'data-unit="26-TTPVHCC"' in of_the_time  # Vĩnh Phúc's centre, as it was
    assert 'data-unit="25-TTPVHCC"' not in of_the_time
    rows = dict(re.findall(r'<tr data-unit="([^"]+)">\s*<th scope="row">([^<]+)</th>', html))
    # rolled up: today's units (no links: they did not exist then), Tích Sơn under the new ward 8707
    assert "243" not in rows
    assert rows.get("8707") == "Phường Vĩnh Yên"
    assert "26-TTPVHCC" not in rows
    assert "25-TTPVHCC" in rows
    new_of = {r["key"]: r["received"]["new"] for r in report["rows"]}
    cells = re.search(r'<tr data-unit="25-TTPVHCC">(.*?)</tr>', html, re.S)
    assert cells
    assert re.findall(r"<td>(\d+)</td>", cells[1])[1] == str(new_of["26-TTPVHCC"])
    assert re.search(r'<input type="checkbox" name="gop"[^>]*checked', html)


def test_crawling_the_statistics_pages_meets_no_error(history: None, client: Client) -> None:
    """Follow every link of the statistics pages (the pages, their drill-downs, breadcrumbs, the 766 page and
    the Excel export) from a few starting points before, across and after the reform."""
    starts = [
        f"{PAGE}?nam=2023&thang=3",
        f"{PAGE}?nam=2025",
        f"{PAGE}?nam=2025&thang=6&ky=official",
        f"{PAGE}?nam=2025&thang=8",
        f"{PAGE}?nam=2023&thang=3&gop=on",
    ]
    seen: set[str] = set()
    queue = deque(starts)
    failures: list[tuple[str, int]] = []
    with clock.frozen(_at(dt.date(2025, 12, 1))):
        while queue and len(seen) < 120:
            url = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code >= 400:
                failures.append((url, response.status_code))
                continue
            if not response["Content-Type"].startswith("text/html"):
                continue
            base = url.split("?")[0]
            for link in _links(response.content.decode()):
                if link.startswith("?"):
                    link = base + link
                if link.startswith("/thong-ke/") and link not in seen:
                    queue.append(link)
    assert failures == []
    assert len(seen) > 20
    assert any("ngay=2025-06-30" in url for url in seen)
    assert any(url.startswith("/thong-ke/xlsx/") for url in seen)
    assert any(url.startswith("/thong-ke/chi-so-766/") for url in seen)
