"""Decision 766 index (issue 15, item 4): the methodology file, the version in force, every indicator motcua has
data for computed on a small fixture by hand, "no data" where nothing gives it, overrides, the command."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Q

from motcua.catalog.models import Component, Procedure, ProcedureVersion
from motcua.core.clock import VN_TZ
from motcua.documents.constants import Satisfaction
from motcua.documents.models import Rating
from motcua.dossiers.legacy_import import legacy_dossiers_import
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.identity.models import IdentityProfile
from motcua.national_portal.models import Service, SyncUpdate, UpdateState
from motcua.petitions.constants import PetitionStatus, Subject
from motcua.petitions.models import Petition
from motcua.reports import methodology
from motcua.reports.index import MEASURES, Scope, indicator_settings, service_index
from motcua.reports.models import IndicatorSetting
from motcua.reports.selectors import Period

from .conftest import SAMPLE

MARCH = {"date_from": dt.date(2023, 3, 1), "date_to": dt.date(2023, 3, 31)}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def by_code(result: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {i["code"]: i for i in result["indicators"]}


@pytest.fixture
def sample(demo: None) -> None:
    legacy_dossiers_import(path=SAMPLE)


# ------------------------------------------------------------------------------------------ the methodology file


def test_the_methodology_file_is_complete_and_sourced() -> None:
    versions = methodology.versions()
    sources = methodology.sources()
    assert [v.id for v in versions] == ["qd766-2022", "dvcqg-2024"]
    assert [float(g.maximum) for g in versions[0].groups] == [18, 20, 22, 22, 18]
    assert [float(g.maximum) for g in versions[1].groups] == [18, 20, 12, 22, 18, 10]
    for version in versions:
        assert version.maximum == 100
        codes = [i.code for i in version.indicators]
        assert len(codes) == len(set(codes))
        for group in version.groups:
            points = sum(i.maximum or 0 for i in version.indicators if i.group == group.number)
            assert points == group.maximum, (version.id, group.number)
        for indicator in version.indicators:
            assert indicator.measure in MEASURES, indicator.code
            assert indicator.source, indicator.code
            assert all(s in sources for s in indicator.source), indicator.code
            assert indicator.formula
            assert indicator.name
            # what is not verified says why
            assert indicator.verified or indicator.note, indicator.code
        assert all(s in sources for s in version.effective_from_source)
    # the points found in the summaries of the decision are marked verified, the placeholders are not
    first = {i.code: i for i in versions[0].indicators}
    assert (first["1.2"].maximum, first["1.2"].verified) == (4, True)
    assert (first["2.1"].maximum, first["2.1"].verified) == (20, True)
    assert (first["5.4"].maximum, first["5.4"].threshold, first["5.4"].verified) == (6, Decimal("0.9"), True)
    assert not first["3.3"].verified
    assert "motcua" in first["3.3"].source
    # the admin's overrides offer every code of every version
    choices = dict(methodology.indicator_choices())
    assert {"1.4", "3.4", "3.5b", "4.5a", "4.6", "5.5"} <= set(choices)


def test_the_version_in_force_is_chosen_by_the_period_end(demo: None) -> None:
    assert methodology.version_on(dt.date(2022, 6, 23)).id == "qd766-2022"
    assert methodology.version_on(dt.date(2023, 12, 31)).id == "qd766-2022"
    assert methodology.version_on(dt.date(2024, 1, 1)).id == "dvcqg-2024"
    assert methodology.version_on(dt.date(2020, 1, 1)).id == "qd766-2022"  # before any: the first
    december = service_index(date_from=dt.date(2023, 12, 1), date_to=dt.date(2023, 12, 31))
    january = service_index(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 1, 31))
    assert december["version"]["id"] == "qd766-2022"
    assert january["version"]["id"] == "dvcqg-2024"
    assert [g["maximum"] for g in december["groups"]] == [18, 20, 22, 22, 18]
    assert [g["maximum"] for g in january["groups"]] == [18, 20, 12, 22, 18, 10]
    # the weights of the version in force: online share scored (7 points) in 2023, monitored only in 2024
    assert by_code(december)["3.3"]["weight"] == 7.0
    assert by_code(january)["3.3"]["weight"] is None
    assert by_code(january)["3.4"]["weight"] == 12.0
    # a period ending after the change takes the new version
    across = service_index(date_from=dt.date(2023, 12, 15), date_to=dt.date(2024, 1, 14))
    assert across["version"]["id"] == "dvcqg-2024"
    assert january["version"]["effective_from_verified"] is False


# ------------------------------------------------------------------------------------------ the indicators


def test_indicators_of_march_from_the_sample(sample: None) -> None:
    Dossier.objects.filter(code="LG-009").update(extended=True)  # an apology with a new appointment
    result = service_index(**MARCH, unit_code="26")
    found = by_code(result)
    # 2.1: resolved 6 (LG-001..006), of which late LG-002 (10:01 > 10:00) and LG-006 (refused after its due);
    # open at the end 3 (LG-008, LG-009, LG-011) of which overdue LG-009 and LG-011: (6-2+3-2)/(6+3) = 5/9
    assert found["2.1"]["value"] == {
        "resolved": 6,
        "resolved_on_time": 4,
        "early": 2,
        "in_progress": 3,
        "in_progress_within_time": 1,
        "apologised": 1,
    }
    assert found["2.1"]["rate"] == 0.5556  # the apology does not make LG-009 on time
    assert found["2.1"]["score"] == 11.11  # 20 × 5/9
    # 2.2: shown, not scored (the 20 points are 2.1's)
    assert found["2.2"]["weight"] == 0.0
    assert found["2.2"]["scored"] is False
    assert found["2.2"]["value"]["average_days_allowed"] == 3.0
    # 3.1: 34 of 35 procedures with an online service, threshold 80 %: the 5 points
    assert found["3.1"]["value"] == {"with_online_service": 34, "procedures": 35}
    assert found["3.1"]["score"] == 5.0
    # 3.2: online dossiers received in March of 1.000656 (LG-002, LG-004), 1.001612 (LG-005), 3.000347 (LG-008)
    assert found["3.2"]["value"] == {"online_services_used": 3, "online_services": 34}
    # 3.3: 4 of 7 new dossiers online, threshold 50 %: the 7 points
    assert found["3.3"]["value"] == {"online": 4, "new": 7}
    assert found["3.3"]["score"] == 7.0
    # 5.4: of the 9 dossiers resolved in March or open at its end, 4 late or overdue: 5/9, 6 × 0.5556 / 0.9
    assert found["5.4"]["value"]["dossiers"] == 9
    assert found["5.4"]["value"]["unsatisfactory"] == 4
    assert found["5.4"]["rate"] == 0.5556
    assert found["5.4"]["score"] == 3.7
    # no data: what the catalog does not keep, what legacy rows cannot say, what motcua does not collect
    for code in ("1.1", "1.2", "4.4", "5.3"):
        assert found[code]["status"] == "no_data", code
        assert found[code]["no_data_reason"], code
    for code in ("1.4", "3.5", "3.6", "4.1", "4.2", "4.3", "4.5", "5.1", "5.2"):
        assert found[code]["status"] == "no_data", code
        assert found[code]["score"] is None, code
    # every indicator says how it is computed, its official formula and its sources
    for item in result["indicators"]:
        assert item["official_formula"]
        assert item["source"]
        assert item["formula"] or item["no_data_reason"]
    groups = {g["group"]: g for g in result["groups"]}
    assert (groups[2]["score"], groups[2]["available_weight"]) == (11.11, 20.0)
    assert (groups[3]["score"], groups[3]["available_weight"]) == (12.0, 12.0)  # 3.1 5 + 3.2 0 + 3.3 7
    assert result["score"] == pytest.approx(found["1.3"]["score"] + 11.11 + 12.0 + 3.7)


def test_procedure_information_complete(sample: None) -> None:
    scope = Scope(Period(MARCH["date_from"], MARCH["date_to"]), None)
    before = MEASURES["procedure_information_complete"](scope)
    assert before.value is not None
    complete, total = before.value["complete"], before.value["procedures"]
    assert before.rate == round(complete / total, 4)
    # a procedure in force loses its components: one fewer complete
    version = (
        ProcedureVersion.objects.filter(procedure__code="1.000656", valid_from__lte=MARCH["date_to"])
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=MARCH["date_to"]))
        .get()
    )
    Component.objects.filter(version=version).delete()
    after = MEASURES["procedure_information_complete"](Scope(scope.period, None))
    assert after.value == {"complete": complete - 1, "procedures": total}


def test_sync_eid_petitions_ratings_and_online_payment(sample: None) -> None:
    """1.4, 4.5, 5.1, 5.2, 5.4 and the online-payment integration, each on a few rows set here."""
    lg = {d.code: d for d in Dossier.objects.all()}
    # 1.4: LG-002's update reached the portal in an hour, LG-005's after 30 hours (the window is 24)
    for n, (code, changed, sent) in enumerate(
        [
            ("LG-002", "2023-03-06 10:00", "2023-03-06 11:00"),
            ("LG-005", "2023-03-13 08:00", "2023-03-14 14:00"),
        ]
    ):
        SyncUpdate.objects.create(
            dossier=lg[code],
            sequence=1,
            service=Service.SYNC_DOSSIER,
            payload={},
            idempotency_key=f"k{n}",
            state=UpdateState.SENT,
            created_at=at(changed),
            sent_at=at(sent),
        )
    # 4.5: LG-002 and LG-005 lived in motcua (events); LG-005's applicant logged in through VNeID
    user = get_user_model().objects.create(username="citizen")
    IdentityProfile.objects.create(
        user=user, provider="vneid", subject="s", assurance_level=2, last_login_at=at("2023-03-01 08:00")
    )
    Dossier.objects.filter(pk=lg["LG-005"].pk).update(owner=user)
    for code in ("LG-002", "LG-005"):
        DossierEvent.objects.create(
            dossier=lg[code],
            action="receive",
            at=lg[code].received_at,
            from_status="submitted",
            to_status="received",
        )
    # 5.4: LG-003 (on time) rated not satisfied, LG-001 (on time) has a petition: 2 more unsatisfactory
    Rating.objects.create(
        dossier=lg["LG-003"], level=Satisfaction.NOT_SATISFIED, rated_at=at("2023-03-10 09:00")
    )
    Rating.objects.create(dossier=lg["LG-004"], level=Satisfaction.SATISFIED, rated_at=at("2023-03-10 09:00"))
    unit = lg["LG-001"].unit
    Petition.objects.create(
        code="PA-1",
        subject=Subject.DOSSIER,
        unit=unit,
        dossier=lg["LG-001"],
        title="Chậm",
        content="Nội dung",
        contact_name="Người gửi",
        status=PetitionStatus.ANSWERED,
        submitted_at=at("2023-03-02 09:00"),
        due_at=at("2023-03-16 09:00"),
        answered_at=at("2023-03-10 09:00"),
    )
    # the online-payment integration: one procedure with a fee and an online service connected to the portal
    Procedure.objects.update(national_portal_connected=False)
    Procedure.objects.filter(code="1.000656").update(national_portal_connected=True)

    march = service_index(**MARCH)
    found = by_code(march)
    assert found["1.4"]["value"] == {
        "dossiers": 2,
        "synchronised_on_time": 1,
        "updates": 2,
        "updates_on_time": 1,
    }
    assert found["1.4"]["rate"] == 0.5
    assert found["1.4"]["score"] == 3.0  # 6 × 0.5
    assert found["4.5"]["value"] == {"with_eid": 1, "received": 2}
    assert found["4.5"]["score"] == 2.5  # 5 × 0.5
    assert found["5.1"]["value"] == {
        "petitions": 1,
        "about_procedures": 0,
        "about_dossiers": 1,
        "about_units": 0,
    }
    assert found["5.1"]["rate"] == 0.0
    assert found["5.1"]["score"] == 0.0  # monitored, no points
    assert found["5.2"]["value"] == {"answered_on_time": 1, "petitions": 1}
    assert found["5.2"]["score"] == 6.0
    assert found["5.4"]["value"]["unsatisfactory"] == 6  # 4 late or overdue + LG-001 petition + LG-003 rating
    assert found["5.4"]["value"]["ratings"] == 2
    assert found["5.4"]["value"]["rated_satisfied"] == 1
    assert found["5.4"]["rate"] == 0.3333
    assert found["5.4"]["score"] == 2.22  # 6 × 0.3333 / 0.9
    # the same rows under the portal's scoring (a 2024 period): 4.5b and the payment integration (3.5)
    scope = Scope(Period(MARCH["date_from"], MARCH["date_to"]), None)
    on_portal = MEASURES["fee_procedures_on_portal"](scope)
    assert on_portal.value is not None
    with_fees = on_portal.value["with_fees"]
    fee_online = ProcedureVersion.objects.filter(
        procedure__code="1.000656", fees__amount_vnd__gt=0, valid_to__isnull=True
    ).exclude(online_mode="none")
    assert on_portal.value["on_portal"] == (1 if fee_online.exists() else 0)
    assert on_portal.rate == round(on_portal.value["on_portal"] / with_fees, 4)
    full = MEASURES["full_online_share"](scope)
    assert full.value is not None
    expected = Dossier.objects.filter(
        received_at__gte=at("2023-03-01 00:00"),
        received_at__lt=at("2023-04-01 00:00"),
        procedure_version__online_mode="full",
    )
    assert full.value["full_online_procedures_dossiers"] == expected.count()
    assert full.value["full_online_dossiers"] == expected.filter(channel=2).count()


def test_petitions_with_nothing_to_count_earn_the_maximum_under_the_portal_scoring(demo: None) -> None:
    portal = by_code(service_index(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31)))
    assert portal["5.2"]["status"] == "ok"
    assert portal["5.2"]["empty_full"] is True
    assert portal["5.2"]["score"] == 6.0
    assert portal["5.2"]["rate"] is None
    assert portal["5.3"]["status"] == "no_data"  # no feedback on answers at all: not "nothing to count"
    decision = by_code(service_index(**MARCH))
    assert decision["5.2"]["status"] == "no_data"
    assert decision["5.2"]["score"] is None


def test_no_dossiers_means_no_data(demo: None) -> None:
    found = by_code(service_index(**MARCH))
    assert found["2.1"]["status"] == found["2.2"]["status"] == found["3.3"]["status"] == "no_data"
    assert found["4.5"]["status"] == "no_data"
    assert found["3.1"]["status"] == "ok"  # the catalog alone supports it


def test_overrides_are_effective_dated(sample: None) -> None:
    IndicatorSetting.objects.create(
        code="2.1", valid_from=dt.date(2023, 1, 1), weight=10, threshold=Decimal("0.5")
    )
    IndicatorSetting.objects.create(
        code="2.1", valid_from=dt.date(2024, 1, 1), weight=20, threshold=Decimal("1")
    )
    assert indicator_settings(dt.date(2022, 12, 31)) == {}
    assert indicator_settings(dt.date(2023, 3, 31))["2.1"] == (Decimal(10), Decimal("0.5"))
    entry = by_code(service_index(**MARCH))["2.1"]
    assert (entry["weight"], entry["threshold"]) == (10.0, 0.5)
    assert entry["score"] == 10.0  # min(1, 0.5556 / 0.5) × 10
    assert entry["overridden"] is True
    assert entry["verified"] is False


def test_by_level_and_by_unit(sample: None) -> None:
    levels = service_index(**MARCH, by="level")
    rows = {r["key"]: r for r in levels["rows"]}
    commune = service_index(**MARCH, unit_code="8707")
    # the only commune with dossiers is 8707: the commune level's 2.1 is its own
    assert by_code(rows["commune"])["2.1"]["value"] == by_code(commune)["2.1"]["value"]
    units = service_index(**MARCH, unit_code="26", by="unit")
    row = next(r for r in units["rows"] if r["key"] == "243")
    assert row["score"] == service_index(**MARCH, unit_code="243")["score"]
    assert "26-TTPVHCC" in {r["key"] for r in units["rows"]}


def test_command_json_and_text(sample: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("index", "--from", "2023-03-01", "--to", "2023-03-31", "--unit", "243", "--format", "json")
    result = json.loads(capsys.readouterr().out)
    assert result["unit"] == "243"
    assert result["version"]["id"] == "qd766-2022"
    found = by_code(result)
    assert found["3.3"]["value"] == {"online": 3, "new": 5}  # the centre's two are not below 243
    assert found["2.1"]["inputs"][0] == {"key": "resolved", "label": "hồ sơ đã giải quyết", "value": 6}
    call_command("index", "--from", "2023-03-01", "--to", "2023-03-31", "--format", "text", "--by", "level")
    text = capsys.readouterr().out
    assert "Cách chấm: Quyết định 766/QĐ-TTg: năm nhóm chỉ số (áp dụng từ 2022-06-23)" in text
    assert "2.1 Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn: tỷ lệ 55,6 %, 11,11 điểm (tối đa 20" in text
    assert "      công thức: (Hồ sơ đã xử lý trước hạn, đúng hạn + hồ sơ đang xử lý trong hạn)" in text
    assert "      số liệu: hồ sơ đã giải quyết: 6; giải quyết trước hạn, đúng hạn: 4;" in text
    assert "1.1 Tỷ lệ thủ tục hành chính công bố đúng hạn: chưa có dữ liệu" in text
    assert "2.2 Thời gian giải quyết TTHC trung bình: tỷ lệ 100,0 % (không chấm điểm," in text
    assert "Tổng điểm: 28,52 / 40 điểm có dữ liệu (tối đa 100)" in text
    assert "Theo cấp:" in text
    with pytest.raises(Exception, match="invalid_period"):
        call_command("index", "--from", "2023-03-31", "--to", "2023-03-01")


def test_the_number_of_queries_does_not_depend_on_the_data(
    sample: None, django_assert_max_num_queries: Any
) -> None:
    """About twenty queries (a few per measure, counts shared), whatever the number of units and dossiers."""
    with django_assert_max_num_queries(26):
        service_index(**MARCH)
    with django_assert_max_num_queries(26):
        service_index(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 3, 31), unit_code="26")
