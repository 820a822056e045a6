"""The CLI (single and batch), the API and the service give the same due time on every case of issue #3."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from motcua.worktime.inputs import parse_cutoff
from motcua.worktime.services import get_calendar

pytestmark = pytest.mark.django_db

# received (naive = Vietnam), limit, unit, cutoff, expected due
CASES = [
    ("2023-03-13T10:00", 3, "days", None, "2023-03-16T10:00:00+07:00"),  # DOMAIN.md: Monday 10:00 + 3 days
    ("2023-01-19T10:00", 3, "days", None, "2023-01-31T10:00:00+07:00"),  # over Tết 2023 (20–26 Jan off)
    ("2023-01-23T09:00", 1, "days", None, "2023-01-27T17:00:00+07:00"),  # received during Tết
    ("2023-04-28T10:00", 1, "days", None, "2023-05-04T10:00:00+07:00"),  # Giỗ Tổ 2023 + 2–3 May off
    ("2023-05-01T10:00", 2, "hours", None, "2023-05-04T10:00:00+07:00"),  # received on a holiday
    ("2025-08-29T10:00", 1, "days", None, "2025-09-03T10:00:00+07:00"),  # 1–2 September 2025
    ("2025-04-25T10:00", 1, "days", None, "2025-04-26T10:00:00+07:00"),  # make-up working Saturday
    ("2024-05-03T14:00", 1, "days", None, "2024-05-04T14:00:00+07:00"),  # make-up working Saturday
    ("2023-03-13T07:00", 2, "hours", None, "2023-03-13T10:00:00+07:00"),  # before office hours
    ("2023-03-13T12:30", 1, "hours", None, "2023-03-13T14:00:00+07:00"),  # at lunch
    ("2023-03-13T12:30", 1, "days", None, "2023-03-14T12:00:00+07:00"),  # at lunch, due at end of a period
    ("2023-03-13T17:30", 1, "days", None, "2023-03-14T17:00:00+07:00"),  # after 17:00
    ("2023-03-13T17:00", 1, "hours", None, "2023-03-14T09:00:00+07:00"),  # exactly at 17:00
    ("2023-03-13T17:00", 0, "same_day", None, "2023-03-14T17:00:00+07:00"),  # exactly at 17:00, same day
    ("2023-03-13T14:59", 0, "same_day", None, "2023-03-13T17:00:00+07:00"),  # before the 15:00 cut-off
    ("2023-03-13T15:00", 0, "same_day", None, "2023-03-14T17:00:00+07:00"),  # at the 15:00 cut-off
    ("2023-03-13T15:30", 0, "same_day", "16:00", "2023-03-13T17:00:00+07:00"),  # explicit cut-off
    ("2023-04-28T15:30", 0, "same_day", None, "2023-05-04T17:00:00+07:00"),  # cut-off before Giỗ Tổ
    ("2023-03-13T03:00:00+00:00", 3, "days", None, "2023-03-16T10:00:00+07:00"),  # aware input
]


def _service(received: str, limit: int, unit: str, cutoff: str | None) -> str:
    naive_or_aware = dt.datetime.fromisoformat(received)
    return get_calendar().due(naive_or_aware, limit, unit, cutoff=parse_cutoff(cutoff)).isoformat()


def _cli(received: str, limit: int, unit: str, cutoff: str | None) -> str:
    out = io.StringIO()
    args = ["deadline", "--received", received, "--limit", str(limit), "--unit", unit]
    if cutoff:
        args += ["--cutoff", cutoff]
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def _api(received: str, limit: int, unit: str, cutoff: str | None) -> str:
    params = {"received": received, "limit": limit, "unit": unit, **({"cutoff": cutoff} if cutoff else {})}
    response = APIClient().get("/api/v1/worktime/due", params)
    assert response.status_code == 200, response.content
    return str(response.json()["due"])


@pytest.mark.parametrize(("received", "limit", "unit", "cutoff", "expected"), CASES)
def test_cli_api_and_service_agree(
    received: str, limit: int, unit: str, cutoff: str | None, expected: str
) -> None:
    assert _service(received, limit, unit, cutoff) == expected
    assert _cli(received, limit, unit, cutoff) == expected
    assert _api(received, limit, unit, cutoff) == expected


def test_batch_agrees_on_every_case_without_a_cutoff() -> None:
    cases = [case for case in CASES if case[3] is None]
    data = "received,limit,unit\n" + "".join(f"{r},{n},{u}\n" for r, n, u, _, _ in cases)
    out = io.StringIO()
    call_command("deadline", "--batch", "-", stdin=io.StringIO(data), stdout=out)
    rows = out.getvalue().splitlines()
    assert rows[0] == "received,limit,unit,due"
    assert [row.rsplit(",", 1)[1] for row in rows[1:]] == [expected for *_, expected in cases]
