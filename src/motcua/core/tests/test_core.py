import datetime as dt

import pytest
from django.test import Client

from motcua.core import clock
from motcua.core.registry import Plugin, Registry
from motcua.core.text import fold


@pytest.mark.django_db
def test_healthz_reports_database_status(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"


def test_clock_freezes_and_restores() -> None:
    instant = dt.datetime(2023, 1, 19, 10, 0, tzinfo=clock.VN_TZ)
    with clock.frozen(instant):
        assert clock.now() == instant
        assert clock.today() == dt.date(2023, 1, 19)
    assert clock.now() != instant
    with pytest.raises(ValueError, match="aware"), clock.frozen(dt.datetime(2023, 1, 1)):
        pass


def test_fold_strips_vietnamese_diacritics() -> None:
    assert fold("Thủ tục  đăng ký khai sinh") == "thu tuc dang ky khai sinh"
    assert fold("ĐỔI GIẤY PHÉP LÁI XE") == "doi giay phep lai xe"


def test_registry_registers_and_refuses_duplicates() -> None:
    class Base(Plugin):
        pass

    registry: Registry[Base] = Registry("demo", listed=False)  # kept out of the contract test

    @registry.register("one")
    class One(Base):
        pass

    assert registry["one"].identifier == "one"
    assert "one" in registry
    assert registry.identifiers() == ["one"]
    with pytest.raises(ValueError, match="twice"):
        registry.register("one")(One)
    with pytest.raises(KeyError, match="no demo plugin"):
        registry["two"]


@pytest.mark.django_db
def test_pages_are_vietnamese_whatever_the_browser_language(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "vi"
    assert '<html lang="vi"' in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_chooses_english(client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.headers["Content-Language"] == "en"
