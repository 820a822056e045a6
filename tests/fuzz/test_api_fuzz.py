"""Schemathesis over every operation of the OpenAPI schema (issue 17, item 1): ``make fuzz``.

Each operation is called with generated inputs (valid and invalid, bounded by ``MOTCUA_FUZZ_EXAMPLES``) once
with a staff token (a leader of the province: every dossier is visible) and once anonymously, in this process
through the WSGI application, on the test database (PostgreSQL in CI). Every answer must be a documented status
with a body matching its schema, and no answer may be a server error. Off in the normal suite (it takes
minutes): ``MOTCUA_FUZZ=1`` turns it on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not os.environ.get("MOTCUA_FUZZ"), reason="make fuzz (MOTCUA_FUZZ=1) runs the API fuzz"
    ),
]

EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "40"))


def _api_schema() -> Any:
    """The schema drf-spectacular serves at /api/v1/schema/, called through the WSGI application.

    Built at collection (schemathesis' fixture-based loader does not run on pytest 9), so only when the fuzz is on.
    """
    if not os.environ.get("MOTCUA_FUZZ"):
        return schemathesis.openapi.from_dict(
            {"openapi": "3.0.3", "info": {"title": "-", "version": "-"}, "paths": {}}
        )
    from drf_spectacular.generators import SchemaGenerator

    from motcua.config.wsgi import application

    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = application
    return loaded


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Requests run in the test's transaction: Django must not close the connection at each request's end.

    Django's test client unhooks ``close_old_connections`` the same way; schemathesis' WSGI client does not, and
    on PostgreSQL the connection in a transaction was closed after the first request.
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(db: None) -> str:
    """A province leader's token and a dossier in each state the API acts on, so operations reach deep."""
    from motcua.accounts.services import api_token_get_or_create
    from motcua.dossiers.constants import Status
    from motcua.dossiers.tests.factories import UnitFactory, dossier_in, procedure_version, staff
    from motcua.organisations.constants import Level, Role

    province = UnitFactory(code="25", name="Tỉnh Vĩnh Phúc", level=Level.PROVINCE, agency_code="")
    unit = UnitFactory(code="8707", name="Phường Vĩnh Yên", parent=province, agency_code="000.00.14.H56")
    leader = staff(province, Role.LEADER, username="lanhdao_tinh")
    staff(unit, Role.OFFICER, username="motcua_a")
    version = procedure_version(code="1.001193")
    for status in (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_PAYMENT):
        dossier_in(status, version=version, unit=unit)
    return api_token_get_or_create(username=leader.username).key


schema = _api_schema()

FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


# Rules OpenAPI cannot write (one parameter against another, the calendar): a schema-valid input may break them,
# and the answer is then the documented 400 with this code, never anything else.
CROSS_FIELD_CODES = {
    "reports_monthly": {"invalid_period", "invalid_date"},  # from after to; a year outside 1990–2099
    "worktime_due": {"invalid_received", "invalid_limit"},  # 31 February; same_day with a limit other than 0
    # A multipart part without a file name is a form field to Django, not a file; schemathesis sends a
    # "binary" string so.
    "signatures_verify": {"file_required"},
    # The subject decides which code must name something that exists; anonymous senders need a contact.
    "petitions_create": {"invalid_petition"},
}
# On every operation: a NUL character anywhere is refused before any view (core middleware, issue 17).
ANY_OPERATION_CODES = {"malformed_request"}


def _call_and_validate(case: Any, headers: dict[str, str] | None = None) -> None:
    response = case.call(headers=headers)
    excluded = []
    operation_id = case.operation.definition.raw.get("operationId", "")
    allowed = CROSS_FIELD_CODES.get(operation_id, set()) | ANY_OPERATION_CODES
    if response.status_code == 400 and response.json().get("code") in allowed:
        excluded.append(positive_data_acceptance)
    case.validate_response(response, headers=headers, excluded_checks=excluded)


@schema.parametrize()
@FUZZ_SETTINGS
def test_staff(case: Any, staff_token: str) -> None:
    _call_and_validate(case, {"Authorization": f"Token {staff_token}"})


@schema.parametrize()
@FUZZ_SETTINGS
def test_anonymous(case: Any) -> None:
    _call_and_validate(case)
