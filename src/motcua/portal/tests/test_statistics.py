"""The public statistics page, its Excel export, the 766 page and the monthly series selector."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.core import clock
from motcua.core.clock import VN_TZ
from motcua.core.formatting import percent
from motcua.dossiers.constants import Status
from motcua.dossiers.legacy_import import legacy_dossiers_import
from motcua.dossiers.models import Dossier
from motcua.organisations.constants import Level
from motcua.organisations.models import Unit
from motcua.reports.index import service_index
from motcua.reports.selectors import Period, month_periods, monthly_report, monthly_series, report_scope
from motcua.reports.tests.conftest import SAMPLE, demo, demo_module  # noqa: F401
from motcua.reports.tests.test_property import dossier_strategy, dossiers_replace

MARCH = {"date_from": dt.date(2023, 3, 1), "date_to": dt.date(2023, 3, 31)}
PAGE = "/thong-ke/"


@pytest.fixture
def sample(demo: None) -> None:  # noqa: F811
    legacy_dossiers_import(path=SAMPLE)


def _totals_only(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k not in ("month", "from", "to")}


# ------------------------------------------------------------------------------------------ the selector


def test_monthly_series_equals_the_monthly_report_month_by_month(
    sample: None, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        series = monthly_series(date_from=dt.date(2022, 12, 15), date_to=dt.date(2023, 12, 31))
    periods = month_periods(dt.date(2022, 12, 15), dt.date(2023, 12, 31))
    assert [m["month"] for m in series][:3] == ["2022-12", "2023-01", "2023-02"]
    assert (series[0]["from"], series[0]["to"]) == ("2022-12-15", "2022-12-31")
    assert len(series) == len(periods) == 13
    for period, entry in zip(periods, series, strict=True):
        report = monthly_report(date_from=period.start, date_to=period.end)["totals"]
        assert _totals_only(entry) == report, period
    march = series[3]
    assert march["month"] == "2023-03"
    assert march["received"]["new"] == 7  # the hand count of reports/tests/test_monthly_report.py
    assert march["on_time_rate"] == 0.6667


def test_monthly_series_of_a_sub_tree(sample: None) -> None:
    _unit, unit_ids = report_scope("243", Period(dt.date(2023, 2, 1), dt.date(2023, 4, 30)))
    series = monthly_series(date_from=dt.date(2023, 2, 1), date_to=dt.date(2023, 4, 30), unit_ids=unit_ids)
    for entry in series:
        report = monthly_report(
            date_from=dt.date.fromisoformat(entry["from"]),
            date_to=dt.date.fromisoformat(entry["to"]),
            unit_code="243",
        )["totals"]
        assert _totals_only(entry) == report


def test_month_periods_cut_at_month_ends() -> None:
    periods = month_periods(dt.date(2024, 1, 31), dt.date(2024, 3, 1))
    assert [(p.start, p.end) for p in periods] == [
        (dt.date(2024, 1, 31), dt.date(2024, 1, 31)),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (dt.date(2024, 3, 1), dt.date(2024, 3, 1)),
    ]


@pytest.fixture
def report_world(db: None) -> dict[str, Any]:
    """A province with a department, a district and a commune, and one procedure version."""
    from motcua.catalog.constants import OnlineMode, PublicationStatus
    from motcua.catalog.models import Field, Procedure, ProcedureVersion

    province = Unit.objects.create(code="P", name="Tỉnh", level=Level.PROVINCE)
    department = Unit.objects.create(code="P-S", name="Sở", level=Level.DEPARTMENT, parent=province)
    district = Unit.objects.create(code="D", name="Huyện", level=Level.DISTRICT, parent=province)
    commune = Unit.objects.create(code="C", name="Xã", level=Level.COMMUNE, parent=district)
    procedure = Procedure.objects.create(
        code="1.1", name="Thủ tục", field=Field.objects.create(code="F", name="F")
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        version=1,
        status=PublicationStatus.PUBLISHED,
        valid_from=dt.date(2020, 1, 1),
        name="Thủ tục",
        level=Level.COMMUNE,
        time_limit_value=3,
        time_limit_unit="days",
        online_mode=OnlineMode.FULL,
    )
    return {"units": [province, department, district, commune], "version": version}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(dossier_strategy, max_size=25), first=st.integers(-40, 20), days=st.integers(1, 100))
def test_monthly_series_matches_the_report_on_random_data(
    report_world: dict[str, Any],
    items: list[dict[str, Any]],
    first: int,
    days: int,
) -> None:
    dossiers_replace(report_world, items)
    date_from = dt.date(2023, 3, 1) + dt.timedelta(days=first)
    date_to = date_from + dt.timedelta(days=days - 1)
    series = monthly_series(date_from=date_from, date_to=date_to)
    for period, entry in zip(month_periods(date_from, date_to), series, strict=True):
        assert _totals_only(entry) == monthly_report(date_from=period.start, date_to=period.end)["totals"]


# ------------------------------------------------------------------------------------------ the page


def _row(html: str, attribute: str, key: str) -> list[str]:
    match = re.search(rf'<tr {attribute}="{re.escape(key)}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, key
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match[1], re.S)
    ]


def test_page_numbers_equal_the_report_selectors(sample: None, client: Client) -> None:
    response = client.get(PAGE, {"nam": 2023, "thang": 3})
    assert response.status_code == 200
    html = response.content.decode()
    by_level = monthly_report(**MARCH, by="level")
    for row in by_level["rows"]:
        cells = _row(html, "data-level", row["key"])
        assert cells[1:] == [
            str(row["received"]["new"]),
            str(row["resolved"]["total"]),
            str(row["resolved"]["late"]),
            str(row["in_progress"]["total"]),
            percent(row["on_time_rate"]),
            percent(row["online_rate"]),
        ]
    assert _row(html, "data-level", "district")[5:] == ["50,0 %", "50,0 %"]  # 1/2 and 1/2 (LG-006 refused)
    assert _row(html, "data-level", "province")[5] == "—"  # nothing resolved
    totals = by_level["totals"]
    assert re.search(r'data-kpi="on_time_rate">66,7 %<', html)
    assert re.search(rf'data-kpi="new">{totals["received"]["new"]}<', html)
    by_unit = monthly_report(**MARCH, by="unit")
    empty = [r for r in by_unit["rows"] if not r["received"]["total"]]
    assert empty  # units without dossiers in the period are left off the page (not off the Excel file)
    assert f'data-unit="{empty[0]["key"]}"' not in html
    assert f"{len(empty)} đơn vị không có hồ sơ trong kỳ không được liệt kê" in html
    for row in by_unit["rows"]:
        if not row["received"]["total"]:
            continue
        cells = _row(html, "data-unit", row["key"])
        assert cells[0] == row["name"]
        assert cells[2:8] == [
            str(row["received"]["carried_over"]),
            str(row["received"]["new"]),
            str(row["resolved"]["total"]),
            str(row["resolved"]["late"]),
            str(row["in_progress"]["total"]),
            str(row["in_progress"]["overdue"]),
        ]
    # the trend: the 12 months ending with March 2023, as the selector gives them
    months = re.findall(r'<tr data-month="([0-9-]+)">', html)
    assert months[0] == "2022-04"
    assert months[-1] == "2023-03"
    assert len(months) == 12
    march = _row(html, "data-month", "2023-03")
    assert march[1:5] == ["2", "7", "4", "6"]  # carried over, new, online, resolved


def test_drill_down_into_a_unit_shows_its_sub_tree(sample: None, client: Client) -> None:
    html = client.get(PAGE, {"nam": 2023, "thang": 3, "don_vi": "243"}).content.decode()
    report = monthly_report(**MARCH, unit_code="243")
    assert f'data-kpi="new">{report["totals"]["received"]["new"]}<' in html
    assert 'data-unit="26-TTPVHCC"' not in html  # not below the city
    assert 'data-unit="8707"' in html
    assert "Thành phố Vĩnh Yên" in html
    # the breadcrumb leads back to the province and the whole tree
    assert '<a href="?nam=2023&amp;thang=3">Toàn tỉnh</a>' in html
    assert 'href="?nam=2023&amp;thang=3&amp;don_vi=8707"' in html  # the drill-down link of a row


def test_a_whole_year_and_its_months(sample: None, client: Client) -> None:
    html = client.get(PAGE, {"nam": 2023}).content.decode()
    assert "Kỳ thống kê: 01/01/2023 – 31/12/2023" in html
    months = re.findall(r'<tr data-month="([0-9-]+)">', html)
    assert months == [f"2023-{m:02}" for m in range(1, 13)]
    year = monthly_report(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31))["totals"]
    assert f'data-kpi="resolved">{year["resolved"]["total"]}<' in html


def test_defaults_and_bad_input_fall_back_without_an_error(sample: None, client: Client) -> None:
    today = clock.today()  # frozen by conftest: 2026-03-02
    html = client.get(PAGE).content.decode()
    assert f"Kỳ thống kê: 01/{today:%m/%Y} – {today:%d/%m/%Y}" in html
    for query in ({"nam": "abc"}, {"nam": "2023", "thang": "13"}, {"nam": "1999"}, {"thang": "x" * 500}):
        assert client.get(PAGE, query).status_code == 200, query
    assert "Kỳ thống kê: 01/01/2023" in client.get(PAGE, {"nam": "2023", "thang": "13"}).content.decode()


def test_unknown_unit_is_a_404_with_a_message(sample: None, client: Client) -> None:
    response = client.get(PAGE, {"nam": 2023, "thang": 3, "don_vi": "nope"})
    assert response.status_code == 404
    assert "Không tìm thấy đơn vị có mã nope" in response.content.decode()
    assert client.get("/thong-ke/xlsx/", {"don_vi": "nope"}).status_code == 404


def test_no_personal_data_and_strict_csp(sample: None, client: Client) -> None:
    response = client.get(PAGE, {"nam": 2023, "thang": 3})
    html = response.content.decode()
    for dossier in Dossier.objects.all():
        assert dossier.applicant_name not in html
        assert not dossier.applicant_id_number or dossier.applicant_id_number not in html
        assert dossier.code not in html
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce
    for tag in re.findall(r"<script\b[^>]*>", html):
        # executable scripts carry the nonce; json_script's data blocks are not executed
        assert ("src=" in tag and f'nonce="{nonce[1]}"' in tag) or 'type="application/json"' in tag, tag
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html
    assert 'src="/static/js/statistics.js"' in html
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html)
    assert html.count('role="img" aria-label="') == 3
    assert "public" not in response.get("Cache-Control", "")  # the header carries a CSRF token and the user


def test_chart_data_is_given_as_json(sample: None, client: Client) -> None:
    import json

    html = client.get(PAGE, {"nam": 2023, "thang": 3}).content.decode()
    match = re.search(r'<script id="chart-levels" type="application/json">(.*?)</script>', html, re.S)
    assert match
    spec = json.loads(match[1])
    assert spec["labels"] == ["Cấp tỉnh", "Cấp huyện", "Cấp xã"]
    assert spec["datasets"][0]["data"] == [None, 50.0, 75.0]
    assert spec["datasets"][1]["data"] == [50.0, 50.0, 66.67]


def test_excel_export_holds_what_is_shown(sample: None, client: Client) -> None:
    from openpyxl import load_workbook

    response = client.get("/thong-ke/xlsx/", {"nam": 2023, "thang": 3, "don_vi": "243"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="thong-ke-20230301-20230331-243.xlsx"; '
        "filename*=UTF-8''thong-ke-20230301-20230331-243.xlsx"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Theo cap", "Theo don vi", "Theo thang"]
    report = monthly_report(**MARCH, unit_code="243", by="unit")
    units = workbook["Theo don vi"]
    assert units["A1"].value.endswith("Thành phố Vĩnh Yên")
    assert units["A2"].value == "Kỳ: 01/03/2023 – 31/03/2023"
    header = [c.value for c in units[3]]
    assert header[:4] == ["Mã đơn vị", "Đơn vị", "Cấp", "Tổng số tiếp nhận"]
    rows = {r[0]: r for r in units.iter_rows(min_row=4, values_only=True)}
    for row in report["rows"]:
        values = rows[row["key"]]
        assert values[1] == row["name"]
        assert values[3] == row["received"]["total"]
        assert values[9] == row["resolved"]["total"]
        assert values[12] == row["resolved"]["late"]
        assert values[16] == row["on_time_rate"]
    total = rows["Tổng cộng"]
    assert total[3] == report["totals"]["received"]["total"] == 7
    assert units.cell(row=4, column=17).number_format == "0.00%"
    months = list(workbook["Theo thang"].iter_rows(min_row=4, values_only=True))
    assert [m[0] for m in months][-1] == "03/2023"
    assert months[-1][3] == report["totals"]["received"]["total"]
    levels = {r[0]: r for r in workbook["Theo cap"].iter_rows(min_row=4, values_only=True)}
    assert (
        levels["Cấp xã"][1]
        == monthly_report(**MARCH, unit_code="243", by="level")["rows"][1]["received"]["total"]
    )


def _more_data(n_units: int, per_unit: int) -> None:
    """More units (a district with communes) and dossiers in March 2023: the page's query count must not move."""
    district = Unit.objects.create(code="X-D", name="Huyện thử", level=Level.DISTRICT)
    version = Dossier.objects.first().procedure_version  # type: ignore[union-attr]
    received = dt.datetime(2023, 3, 10, 9, 0, tzinfo=VN_TZ)
    objects = []
    for i in range(n_units):
        commune = Unit.objects.create(
            code=f"X-C{i}", name=f"Xã thử {i}", level=Level.COMMUNE, parent=district
        )
        for j in range(per_unit):
            objects.append(
                Dossier(
                    procedure_version=version,
                    unit=commune,
                    channel=1 + j % 3,
                    applicant_name="A",
                    status=Status.RESOLVED,
                    received_at=received + dt.timedelta(days=j % 12),
                    statutory_due_at=received + dt.timedelta(days=5),
                    finished_at=received + dt.timedelta(days=1 + j % 12),
                    classification="on_time",
                )
            )
    Dossier.objects.bulk_create(objects)


def test_query_count_is_bounded_and_independent_of_the_data(
    sample: None, client: Client, django_assert_max_num_queries: Any
) -> None:
    def count(path: str, params: dict[str, Any]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path, params).status_code == 200
        return len(ctx.captured_queries)

    params = {"nam": 2023, "thang": 3}
    drill = {**params, "don_vi": "243"}
    before = (count(PAGE, params), count(PAGE, drill), count("/thong-ke/xlsx/", params))
    _more_data(n_units=15, per_unit=20)
    after = (count(PAGE, params), count(PAGE, drill), count("/thong-ke/xlsx/", params))
    assert before == after
    with django_assert_max_num_queries(16):
        client.get(PAGE, drill)
    assert "Xã thử 14" in client.get(PAGE, params).content.decode()


# ------------------------------------------------------------------------------------------ the 766 page


def test_index_page_shows_scores_weights_thresholds_and_no_data(sample: None, client: Client) -> None:
    response = client.get("/thong-ke/chi-so-766/", {"nam": 2023, "thang": 3, "don_vi": "26"})
    assert response.status_code == 200
    html = response.content.decode()
    index = service_index(**MARCH, unit_code="26")
    by_code = {i["code"]: i for i in index["indicators"]}
    on_time = _row(html, "data-indicator", "2.1")
    assert by_code["2.1"]["rate"] == 0.5556  # (6 - 2 late + 3 open - 2 overdue) / (6 + 3)
    assert by_code["2.1"]["score"] == 11.11
    assert on_time[2:] == ["55,6 %", "100,0 %", "20", "11,11"]
    # the formula (official and as computed), the inputs and the sources under the name
    assert "Công thức: (Hồ sơ đã xử lý trước hạn, đúng hạn + hồ sơ đang xử lý trong hạn)" in on_time[1]
    assert "Số liệu: hồ sơ đã giải quyết 6; giải quyết trước hạn, đúng hạn 4;" in on_time[1]
    assert "Nguồn: baocaotaichinh-2022, dvcqg-formulas" in on_time[1]
    online = _row(html, "data-indicator", "3.3")
    assert by_code["3.3"]["score"] == 7.0  # 57 % online reaches the 50 % threshold
    assert online[2:] == ["57,1 %", "50,0 %", "7", "7"]
    assert _row(html, "data-indicator", "5.4")[2:] == ["55,6 %", "90,0 %", "6", "3,70"]
    assert _row(html, "data-indicator", "2.2")[2:] == ["100,0 %", "100,0 %", "Không chấm điểm", "—"]
    publication = _row(html, "data-indicator", "1.1")
    assert publication[2:] == ["Chưa có dữ liệu", "100,0 %", "6", "—"]
    assert "Danh mục thủ tục không lưu quyết định công bố" in publication[1]
    assert "chưa xác minh" in publication[1]
    score = f"{index['score']:g}".replace(".", ",")
    assert f'data-kpi="score">{score} / ' in html
    assert 'data-version="qd766-2022"' in html
    assert "Quyết định 766/QĐ-TTg: năm nhóm chỉ số" in html
    assert 'data-source-id="qd766"' in html
    assert "Tỉnh Vĩnh Phúc" in html
    assert client.get("/thong-ke/chi-so-766/", {"don_vi": "nope"}).status_code == 404
    # by level, on request
    assert 'id="table-index-levels"' not in html
    levels = client.get("/thong-ke/chi-so-766/", {"nam": 2023, "thang": 3, "theo": "cap"})
    assert levels.status_code == 200
    assert _row(levels.content.decode(), "data-index-level", "commune")[0] == "Cấp xã"
    # a month under the portal's six groups
    portal = client.get("/thong-ke/chi-so-766/", {"nam": 2024, "thang": 3}).content.decode()
    assert 'data-version="dvcqg-2024"' in portal
    assert 'data-group="6"' in portal
    assert _row(portal, "data-indicator", "5.2")[2] == "Không phát sinh"
    # the English catalog has the page's labels
    client.cookies["django_language"] = "en"
    english = client.get("/thong-ke/chi-so-766/", {"nam": 2024, "thang": 3}).content.decode()
    assert "Sources of the scoring" in english
    assert "Indicator, formula and inputs" in english
    assert "Nothing to count" in english


def test_the_menu_links_to_the_statistics(client: Client, db: None) -> None:
    html = client.get("/").content.decode()
    assert '<a href="/thong-ke/">Thống kê</a>' in html


def test_the_page_in_english(sample: None, client: Client) -> None:
    client.cookies["django_language"] = "en"
    html = client.get(PAGE, {"nam": 2023, "thang": 3}).content.decode()
    assert "Administrative procedure statistics" in html
    assert "Period: 01/03/2023 – 31/03/2023" in html
    assert _row(html, "data-level", "district")[0] == "District level"
    assert _row(html, "data-level", "district")[5] == "50.0 %"
    index = client.get("/thong-ke/chi-so-766/", {"nam": 2023, "thang": 3}).content.decode()
    assert "No data yet" in index


def test_official_reporting_periods_on_the_page(sample: None, client: Client) -> None:
    """Issue 15 item 3: the page offers Decree 09/2019's period (15th of the previous month to the 14th)."""
    html = client.get(PAGE, {"nam": 2023, "thang": 3, "ky": "official"}).content.decode()
    assert "Kỳ thống kê: 15/02/2023 – 14/03/2023" in html
    report = monthly_report(month="2023-03", period_kind="official", by="level")
    assert re.search(rf'data-kpi="new">{report["totals"]["received"]["new"]}<', html)
    # the trend's months are official periods too, and the links keep the kind
    months = re.findall(r'<tr data-month="([0-9-]+)">', html)
    assert months[-1] == "2023-03"
    march = monthly_series(date_from=dt.date(2023, 2, 15), date_to=dt.date(2023, 3, 14), kind="official")
    assert _row(html, "data-month", "2023-03")[2] == str(march[-1]["received"]["new"])
    assert "ky=official" in html
    calendar = client.get(PAGE, {"nam": 2023, "thang": 3, "ky": "calendar"}).content.decode()
    assert "Kỳ thống kê: 01/03/2023 – 31/03/2023" in calendar
    year = client.get(PAGE, {"nam": 2023, "ky": "official"}).content.decode()
    assert "Kỳ thống kê: 15/12/2022 – 14/12/2023" in year


def test_official_month_periods_cut_on_the_15th() -> None:
    periods = month_periods(dt.date(2023, 1, 20), dt.date(2023, 3, 14), "official")
    assert [(p.start, p.end) for p in periods] == [
        (dt.date(2023, 1, 20), dt.date(2023, 2, 14)),
        (dt.date(2023, 2, 15), dt.date(2023, 3, 14)),
    ]
