"""Vietnamese where it shows (issue 16, item 6): the privacy notice states the retention the setting holds."""

from __future__ import annotations

import pytest
from django.conf import LazySettings
from django.test import Client

from .submission_factories import login, make_world

pytestmark = pytest.mark.django_db


def test_the_privacy_notice_states_the_draft_retention_of_the_setting(
    client: Client, settings: LazySettings
) -> None:
    world = make_world()
    login(client, world.citizen)
    url = f"/thu-tuc/{world.code}/nop-truc-tuyen/"
    page = client.get(url).content.decode()
    assert 'data-draft-retention="30"' in page
    assert "hồ sơ nháp chưa nộp bị xóa sau 30 ngày không cập nhật" in page
    assert "90 ngày" not in page
    settings.MOTCUA_DRAFT_RETENTION_DAYS = 45
    assert "bị xóa sau 45 ngày không cập nhật" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "deleted after 45 days without changes" in client.get(url).content.decode()


def test_every_demo_procedure_shows_its_legal_basis(client: Client) -> None:
    """Every version of the demo catalog names its legal basis, and the procedure page shows it."""
    import datetime as dt

    from motcua.catalog.services import catalog_load_demo
    from motcua.catalog.tests.conftest import demo_catalog
    from motcua.core import clock
    from motcua.organisations.services import demo_units_load

    for procedure in demo_catalog()["procedures"]:
        for version in procedure["versions"]:
            assert version["legal_basis"].startswith(("Luật ", "Bộ luật ", "Nghị định ")), procedure["code"]
    with clock.frozen(dt.datetime(2026, 3, 2, 10, 0, tzinfo=clock.VN_TZ)):
        demo_units_load()
        catalog_load_demo()
        page = client.get("/thu-tuc/1.001193/").content.decode()
    assert "Căn cứ pháp lý" in page
    assert "Luật Hộ tịch số 60/2014/QH13" in page


def test_units_are_listed_in_vietnamese_order(client: Client) -> None:
    """đ after every d: "Dương Nội" before "Đông Sơn" (accent-folded order put them the other way)."""
    from motcua.dossiers.tests.factories import UnitFactory

    world = make_world()
    names = ["Phường Đông Sơn", "Phường Dương Nội", "Phường An Khánh", "Phường Ái Quốc"]
    world.version.units.add(*[UnitFactory(name=name) for name in names])
    page = client.get(f"/thu-tuc/{world.code}/").content.decode()
    expected = ["Phường Ái Quốc", "Phường An Khánh", "Phường Dương Nội", "Phường Đông Sơn"]
    assert sorted(expected, key=page.index) == expected
    login(client, world.citizen)
    start = client.get(f"/thu-tuc/{world.code}/nop-truc-tuyen/").content.decode()
    assert sorted(expected, key=start.index) == expected
