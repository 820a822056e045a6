"""Decision 766 indicators over the sample file, with default and configured weights and thresholds."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from motcua.dossiers.legacy_import import legacy_dossiers_import
from motcua.reports.index import indicator_settings, service_index
from motcua.reports.models import IndicatorSetting

from .conftest import SAMPLE

MARCH = {"date_from": dt.date(2023, 3, 1), "date_to": dt.date(2023, 3, 31)}


@pytest.fixture
def sample(demo: None) -> None:
    legacy_dossiers_import(path=SAMPLE)


def test_indicators_of_march(sample: None) -> None:
    result = service_index(**MARCH, unit_code="26")
    by_code = {i["code"]: i for i in result["indicators"]}
    # 2.1: 4 of 6 resolved early or on time (LG-006, refused, is not counted); weight 14, threshold 100%
    assert by_code["2.1"]["rate"] == 0.6667
    assert by_code["2.1"]["score"] == 9.33
    # 3.3: 4 of 7 new dossiers online, threshold 50% -> full weight 7
    assert by_code["3.3"]["rate"] == 0.5714
    assert by_code["3.3"]["score"] == 7.0
    # 3.1: 35 procedures in force under Vĩnh Phúc, all but 2.000884 with an online service; threshold 80%
    assert by_code["3.1"]["value"] == {"with_online_service": 34, "procedures": 35}
    assert by_code["3.1"]["score"] == 5.0
    # 2.2: resolved in March by finished_at: LG-001..005 (allowed 3 days each); taken 2d23h, 3d0h01, 3d0h,
    # 2d6h, 1d1h -> average below the allowed time, so the full weight
    assert by_code["2.2"]["status"] == "ok"
    assert by_code["2.2"]["rate"] == 1.0
    assert by_code["2.2"]["value"]["dossiers"] == 5
    assert by_code["2.2"]["value"]["average_days_allowed"] == 3.0
    for code in ("1.1", "3.5", "3.6", "4.1", "4.2", "4.3", "4.5", "5.4"):
        assert by_code[code]["status"] == "no_data"
        assert by_code[code]["score"] is None
    assert result["score"] == pytest.approx(9.33 + 6.0 + 5.0 + 7.0)
    assert result["available_weight"] == 14 + 6 + 5 + 7
    assert result["maximum"] == 100
    assert [g["maximum"] for g in result["groups"]] == [18, 20, 22, 22, 18]


def test_settings_are_effective_dated(sample: None) -> None:
    IndicatorSetting.objects.create(
        code="2.1", valid_from=dt.date(2023, 1, 1), weight=10, threshold=Decimal("0.9")
    )
    IndicatorSetting.objects.create(
        code="2.1", valid_from=dt.date(2024, 1, 1), weight=20, threshold=Decimal("0.5")
    )
    assert indicator_settings(dt.date(2022, 12, 31))["2.1"] == (Decimal(14), Decimal(1))
    assert indicator_settings(dt.date(2023, 3, 31))["2.1"] == (Decimal(10), Decimal("0.9"))
    entry = {i["code"]: i for i in service_index(**MARCH)["indicators"]}["2.1"]
    assert entry["weight"] == 10.0
    assert entry["threshold"] == 0.9
    assert entry["score"] == 7.41  # min(1, 0.6667 / 0.9) × 10 = 7.4078


def test_no_dossiers_means_no_data(demo: None) -> None:
    by_code = {i["code"]: i for i in service_index(**MARCH)["indicators"]}
    assert by_code["2.1"]["status"] == by_code["2.2"]["status"] == by_code["3.3"]["status"] == "no_data"
    assert by_code["3.1"]["status"] == "ok"  # the catalog alone supports it


def test_command(sample: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("index", "--from", "2023-03-01", "--to", "2023-03-31", "--unit", "243", "--format", "json")
    result = json.loads(capsys.readouterr().out)
    assert result["unit"] == "243"
    by_code = {i["code"]: i for i in result["indicators"]}
    assert by_code["2.1"]["rate"] == 0.6667  # the district and its commune resolved all 6
    assert by_code["3.3"]["value"] == {"online": 3, "new": 5}  # the centre's two are not below 243
