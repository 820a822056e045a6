"""Request ids on every log line, personal data masked in logs, /metrics for operators only (issue 17, item 6)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from django.test import Client, override_settings

from motcua.accounts.tests.factories import CitizenFactory
from motcua.core.observability import redact
from motcua.dossiers.tests.factories import UnitFactory, staff
from motcua.organisations.constants import Role

pytestmark = pytest.mark.django_db


class _Lines:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def __iter__(self) -> Iterator[str]:
        return iter([line for line in self.stream.getvalue().splitlines() if line])


@pytest.fixture
def log_lines() -> Iterator[_Lines]:
    """Every line the root logger writes while the test runs, formatted as in production (JSON)."""
    from django.conf import settings

    stream = io.StringIO()
    formatter_config = dict(settings.LOGGING["formatters"]["json"])
    factory = formatter_config.pop("()")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(factory(**formatter_config))
    root = logging.getLogger()
    root.addHandler(handler)
    yield _Lines(stream)
    root.removeHandler(handler)


def test_the_request_id_is_echoed_or_made(client: Client) -> None:
    given = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234.abc")
    assert given["X-Request-ID"] == "lb-1234.abc"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert made["X-Request-ID"] != "bad id\nwith newline"
    assert len(made["X-Request-ID"]) == 32
    assert client.get("/healthz")["X-Request-ID"] != made["X-Request-ID"]


def test_every_line_of_a_request_carries_its_id(client: Client, log_lines: _Lines) -> None:
    def view_logs() -> None:
        structlog.get_logger("motcua.test").warning("from structlog")
        logging.getLogger("motcua.test").warning("from stdlib")

    client.get("/khong-co-trang-nay/", HTTP_X_REQUEST_ID="req-42")  # Django logs "Not Found" itself
    with structlog.contextvars.bound_contextvars(request_id="req-43"):
        view_logs()
    client.get("/healthz")  # unbinds at the end: nothing leaks to the next lines
    structlog.get_logger("motcua.test").warning("outside any request")
    rows = [json.loads(line) for line in log_lines]
    not_found = [r for r in rows if "Not Found" in r["event"]]
    assert not_found
    assert all(r["request_id"] == "req-42" for r in not_found)
    assert {r["event"]: r.get("request_id") for r in rows if r["logger"] == "motcua.test"} == {
        "from structlog": "req-43",
        "from stdlib": "req-43",
        "outside any request": None,
    }


def test_personal_data_is_masked_in_log_lines(log_lines: _Lines) -> None:
    log = structlog.get_logger("motcua.test")
    log.warning("lookup failed for 026098765412", phone="0987654321", contact={"email": "binh@example.vn"})
    logging.getLogger("motcua.test").error("CMND 123456789, gọi +84987654321")
    text = "\n".join(log_lines)
    for secret in ("026098765412", "0987654321", "binh@example.vn", "123456789", "+84987654321"):
        assert secret not in text
    assert "026******412" in text
    assert "b***@example.vn" in text
    assert redact("hồ sơ 8707-000123 lúc 2026-12-04T10:00") == "hồ sơ 8707-000123 lúc 2026-12-04T10:00"


@override_settings(MOTCUA_METRICS_TOKEN="scrape-secret")
def test_metrics_are_for_operators_only(client: Client) -> None:
    unit = UnitFactory()
    officer = staff(unit, Role.OFFICER)
    admin = staff(unit, Role.ADMINISTRATOR)
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    for user in (CitizenFactory(), officer):
        client.force_login(user)
        assert client.get("/metrics").status_code == 404
    client.force_login(admin)
    assert client.get("/metrics").status_code == 200
    client.logout()
    client.get("/healthz")
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.content.decode()
    assert (
        'motcua_http_request_duration_seconds_bucket{le="0.01",method="GET",status="2xx",view="healthz"}'
        in body
    )
    for name in (
        'motcua_national_sync_backlog{state="pending"} 0.0',
        "motcua_national_sync_oldest_pending_age_seconds 0.0",
        "motcua_consumer_backlog 0.0",
        "# TYPE motcua_task_queue_depth gauge",
        "# TYPE motcua_payment_backlog gauge",
        "# TYPE motcua_failed_deliveries gauge",
    ):
        assert name in body, name


@override_settings(MOTCUA_METRICS_TOKEN="")
def test_no_token_set_means_no_scraper(client: Client) -> None:
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_the_task_backlog_is_counted() -> None:
    from motcua.dossiers.tasks import consume_deliveries

    with override_settings(MOTCUA_METRICS_TOKEN="t"):
        consume_deliveries.enqueue([])
        body = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer t").content.decode()
    assert 'motcua_task_queue_depth{queue="default"} 1.0' in body
