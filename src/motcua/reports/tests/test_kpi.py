"""``motcua kpi`` (issue 15, item 5): every figure of the flat JSON over small hand-built data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Q

from motcua.catalog.constants import OnlineMode, P06Kind
from motcua.catalog.models import Fee, Procedure, ProcedureVersion
from motcua.core.clock import VN_TZ
from motcua.core.text import vi_sort_key
from motcua.documents.models import ResultRecord
from motcua.dossiers.legacy_import import legacy_dossiers_import
from motcua.dossiers.models import Dossier
from motcua.identity.models import IdentityProfile
from motcua.payments.constants import OBLIGATIONS_NOTE, EntryKind, EntrySource
from motcua.payments.models import LedgerEntry
from motcua.reports.index import service_index
from motcua.reports.kpi import KPI_KEYS, kpi_xlsx, province_kpi
from motcua.reports.payment_stats import payments_report
from motcua.signatures.constants import DocumentKind, RequestState
from motcua.signatures.models import SignatureRequest

MARCH: dict[str, dt.date] = {"date_from": dt.date(2023, 3, 1), "date_to": dt.date(2023, 3, 31)}

# 8707 a commune, 243 a district, 26-TTPVHCC the province's service centre (province level).
ROWS = """code,procedure_code,unit_code,channel,applicant_name,received_at,statutory_due_at,finished_at,returned_at,final_state,applicant_id,supplement_requests
K-01,1.000656,8707,2,Nguyễn Văn An,2023-03-06 10:00,2023-03-09 10:00,2023-03-08 09:00,,resolved,,0
K-02,1.000656,8707,1,Trần Thị Bình,2023-03-06 10:00,2023-03-09 10:00,2023-03-10 09:00,,resolved,,0
K-03,1.001612,243,2,Lê Văn Cường,2023-03-13 08:00,2023-03-16 08:00,2023-03-16 08:00,,resolved,,0
K-04,1.001612,243,2,Phạm Thị Dung,2023-02-27 10:00,2023-03-02 10:00,2023-03-01 09:00,,resolved,,0
K-05,3.000347,26-TTPVHCC,1,Hoàng Văn Em,2023-03-20 10:00,2023-03-27 10:00,,,processing,,0
K-06,1.000656,8707,2,Vũ Thị Giang,2023-04-03 10:00,2023-04-06 10:00,,,processing,,0
"""


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def entry(code: str, kind: str, amount: int, when: str, source: str, **extra: object) -> None:
    LedgerEntry.objects.create(
        dossier=Dossier.objects.get(code=code),
        kind=kind,
        amount=amount,
        name="Lệ phí",
        source=source,
        source_reference=f"{code}-{when}",
        idempotency_key=f"{code}:{kind}:{when}",
        at=at(when),
        **extra,
    )


@pytest.fixture
def data(demo: None, tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    path.write_text(ROWS, encoding="utf-8")
    legacy_dossiers_import(path=path)
    Procedure.objects.update(national_portal_connected=False, p06_kind="")
    Procedure.objects.filter(code__in=["1.000656", "1.001612"]).update(national_portal_connected=True)
    Procedure.objects.filter(code="1.001612").update(p06_kind=P06Kind.CHIP_ID)
    Procedure.objects.filter(code="1.000656").update(p06_kind=P06Kind.EID_LEVEL2)
    Procedure.objects.filter(code="3.000347").update(p06_kind=P06Kind.EID_ACTIVATION)
    officer = get_user_model().objects.create(username="thu-ngan")
    # K-03: fee charged and paid through a gateway in March
    entry("K-03", EntryKind.CHARGE, 20_000, "2023-03-13 08:00", EntrySource.FEE)
    entry("K-03", EntryKind.PAYMENT, -20_000, "2023-03-14 09:00", EntrySource.GATEWAY)
    # K-04: a fee paid online before the land obligations were charged, then the obligations paid online
    entry("K-04", EntryKind.PAYMENT, -3_000, "2023-03-01 07:00", EntrySource.GATEWAY)
    entry("K-04", EntryKind.CHARGE, 5_000_000, "2023-03-01 08:00", EntrySource.OFFICER, note=OBLIGATIONS_NOTE)
    entry("K-04", EntryKind.PAYMENT, -5_000_000, "2023-03-01 09:00", EntrySource.GATEWAY)
    # K-01 by bank statement, K-02 cash at the counter, K-06 online in April (another period)
    entry("K-01", EntryKind.PAYMENT, -15_000, "2023-03-07 10:00", EntrySource.BANK_STATEMENT)
    entry("K-02", EntryKind.PAYMENT, -10_000, "2023-03-07 11:00", EntrySource.COUNTER, recorded_by=officer)
    entry("K-06", EntryKind.PAYMENT, -40_000, "2023-04-03 11:00", EntrySource.GATEWAY)
    # e-ID: a citizen first seen through VNeID in March, another in April, one through another provider
    for n, (provider, when) in enumerate(
        [("vneid", "2023-03-10 09:00"), ("vneid", "2023-04-10 09:00"), ("dvcqg", "2023-03-10 09:00")]
    ):
        user = get_user_model().objects.create(username=f"cd-{n}")
        profile = IdentityProfile.objects.create(
            user=user, provider=provider, subject=f"s{n}", assurance_level=2, last_login_at=at(when)
        )
        IdentityProfile.objects.filter(pk=profile.pk).update(created_at=at(when))
    # results: K-01 digitised and signed, K-03 digitised with its online components, K-02 on paper only
    for code, digitised in (("K-01", True), ("K-02", False), ("K-03", True)):
        ResultRecord.objects.create(
            dossier=Dossier.objects.get(code=code),
            number=f"KQ-{code}",
            title="Kết quả",
            issued_at=at("2023-03-20 09:00"),
            valid_from=dt.date(2023, 3, 20),
            digitised=digitised,
            recorded_at=at("2023-03-20 09:00"),
        )
    SignatureRequest.objects.create(
        dossier=Dossier.objects.get(code="K-01"),
        kind=DocumentKind.RESULT,
        source="upload:1",
        title="Kết quả",
        signer_name="Lãnh đạo",
        unit_name="UBND",
        state=RequestState.SIGNED,
        created_at=at("2023-03-20 09:00"),
    )


def test_every_figure_of_the_province(data: None) -> None:
    kpi = province_kpi(**MARCH, unit_code="26")
    assert list(kpi) == list(KPI_KEYS)
    assert (kpi["from"], kpi["to"], kpi["unit"]) == ("2023-03-01", "2023-03-31", "26")
    assert kpi["received_new"] == 4  # K-01, K-02, K-03, K-05 (K-06 is April's)
    assert kpi["carried_over"] == 1  # K-04, received in February, open on 1 March
    # online / new: commune 1 of 2, district 1 of 1 (K-04 was not new), province 0 of 1
    assert kpi["online_rate_by_level"] == {"province": 0.0, "district": 1.0, "commune": 0.5}
    # commune: K-01 early, K-02 late; district: K-03 on time, K-04 early; province: nothing resolved
    assert kpi["on_time_rate_by_level"] == {"province": None, "district": 1.0, "commune": 0.5}
    assert kpi["services_connected_national"] == 2
    versions = ProcedureVersion.objects.filter(status="published", valid_to__isnull=True)
    full = versions.filter(online_mode=OnlineMode.FULL).values("procedure").distinct().count()
    assert kpi["services_online_full"] == full
    assert kpi["services_online_full"] + kpi["services_online_partial"] == 34  # all 35 but 2.000884
    assert kpi["payments_online_count"] == 3  # K-03, K-04 twice (K-06 is April's)
    assert kpi["payments_online_amount"] == 20_000 + 3_000 + 5_000_000
    assert kpi["bank_collection_amount"] == 15_000
    assert kpi["land_payments_count"] == 1  # K-04's credit after the tax notice, not the fee before it
    assert kpi["land_payments_amount"] == 5_000_000
    assert kpi["p06_chip_id_applications"] == 1  # K-03 (K-04 was received in February)
    assert kpi["p06_eid_level2_applications"] == 2  # K-01, K-02
    assert kpi["p06_eid_level1_applications"] is None  # no procedure configured
    assert kpi["p06_eid_activated"] == 1 + 1  # K-05 and March's first VNeID login
    assert kpi["results_signed_rate"] == 0.3333  # K-01 of 3 results
    # K-01 and K-03: submitted online (electronic components) with a digitised result; K-02's is on paper
    assert kpi["dossiers_digitised_rate"] == 0.6667


def test_a_district_and_no_data(data: None) -> None:
    kpi = province_kpi(**MARCH, unit_code="243")  # the district and its ward 8707, not the province centre
    assert kpi["received_new"] == 3
    assert kpi["carried_over"] == 1
    assert kpi["online_rate_by_level"] == {"province": None, "district": 1.0, "commune": 0.5}
    assert kpi["payments_online_count"] == 3
    assert kpi["bank_collection_amount"] == 15_000
    assert kpi["p06_eid_activated"] == 0  # logins belong to no unit: the province's figure only
    assert kpi["results_signed_rate"] == 0.3333
    Procedure.objects.update(p06_kind="")
    # the province's centre: its one dossier (K-05) has no ledger entry, and nothing happened in May
    empty = province_kpi(date_from=dt.date(2023, 5, 1), date_to=dt.date(2023, 5, 31), unit_code="26-TTPVHCC")
    assert empty["received_new"] == 0
    assert empty["on_time_rate_by_level"] == {"province": None, "district": None, "commune": None}
    for key in (
        "payments_online_count",
        "land_payments_amount",
        "p06_chip_id_applications",
        "results_signed_rate",
    ):
        assert empty[key] is None


def test_command_json_and_xlsx(data: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("kpi", "--from", "2023-03-01", "--to", "2023-03-31", "--unit", "26")
    assert json.loads(capsys.readouterr().out) == province_kpi(**MARCH, unit_code="26")
    out = tmp_path / "kpi.xlsx"
    call_command(
        "kpi", "--from", "2023-03-01", "--to", "2023-03-31", "--format", "xlsx", "--output", str(out)
    )
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    values = {row[0]: row[2] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values["received_new"] == 4
    assert values["online_rate_by_level.commune"] == 0.5
    assert values["p06_eid_level1_applications"] == "Không có dữ liệu"
    assert kpi_xlsx(province_kpi(date_from=MARCH["date_from"], date_to=MARCH["date_to"]))[:2] == b"PK"


def test_payments_by_month_channel_and_level(data: None) -> None:
    report = payments_report(date_from=dt.date(2023, 3, 1), date_to=dt.date(2023, 4, 30), by="level")
    march, april = report["months"]
    assert march["month"] == "2023-03"
    district, commune = march["rows"]
    assert district["key"] == "district"  # K-03 and K-04 (twice), all online
    assert district["online"] == {"count": 3, "amount": 5_023_000}
    assert district["bank"] == district["counter"] == {"count": 0, "amount": 0}
    assert commune["key"] == "commune"  # K-01 by bank, K-02 in cash
    assert commune["bank"] == {"count": 1, "amount": 15_000}
    assert commune["counter"] == {"count": 1, "amount": 10_000}
    assert commune["total"] == {"count": 2, "amount": 25_000}
    assert april["rows"][0]["online"] == {"count": 1, "amount": 40_000}  # K-06
    assert report["totals"]["total"] == {"count": 6, "amount": 5_088_000}
    by_unit = payments_report(date_from=dt.date(2023, 3, 1), date_to=dt.date(2023, 3, 31), unit_code="243")
    rows = by_unit["months"][0]["rows"]
    assert sorted(r["key"] for r in rows) == ["243", "8707"]
    names = [r["name"] for r in rows]  # units in Vietnamese name order, as in every report (31ef4ac)
    assert names == sorted(names, key=vi_sort_key)
    assert by_unit["unit"] == "243"


def test_766_online_payment_indicators(data: None) -> None:
    day = dt.date(2023, 3, 31)
    in_force = ProcedureVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day), status="published", valid_from__lte=day
    )
    version = in_force.filter(procedure__code="1.001612").first()
    assert version is not None
    Fee.objects.create(version=version, name="Lệ phí", amount_vnd=20_000)
    with_fees = in_force.filter(fees__amount_vnd__gt=0).values("procedure").distinct().count()
    by_code = {i["code"]: i for i in service_index(**MARCH, unit_code="26")["indicators"]}
    # 3.6: of K-01..K-04 (credited in March) K-03 and K-04 paid through a gateway
    assert by_code["3.6"]["value"] == {"dossiers_paid": 4, "paid_online": 2}
    assert by_code["3.6"]["rate"] == 0.5
    assert by_code["3.6"]["formula"].startswith("Hồ sơ nộp tiền qua cổng thanh toán")
    # 3.5: 1.001612 (K-03, K-04) is the one procedure with a fee paid online
    assert by_code["3.5"]["value"] == {"with_fees": with_fees, "paid_online": 1}
    assert by_code["3.5"]["status"] == "ok"
    # May: no credit at all, so no data rather than 0
    may = service_index(date_from=dt.date(2023, 5, 1), date_to=dt.date(2023, 5, 31))
    assert {i["code"]: i["status"] for i in may["indicators"]}["3.5"] == "no_data"


def test_report_payments_command(data: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("report", "--month", "2023-03", "--period", "calendar", "--payments", "--by", "level")
    result = json.loads(capsys.readouterr().out)
    assert result["totals"]["online"] == {"count": 3, "amount": 5_023_000}
    out = tmp_path / "p.xlsx"
    args = [
        "--from",
        "2023-03-01",
        "--to",
        "2023-03-31",
        "--payments",
        "--format",
        "xlsx",
        "--output",
        str(out),
    ]
    call_command("report", *args)
    from openpyxl import load_workbook

    last = list(load_workbook(out).active.iter_rows(values_only=True))[-1]
    assert last[2] == "Tổng cộng"
    assert last[-2:] == (5, 5_048_000)
