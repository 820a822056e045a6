"""The report's query is served by the proposed index ``dossier_report_window`` on PostgreSQL.

(SQLite cannot match an expression index when the query binds the constant as a parameter, so there the
report uses ``received_at``'s index; fine at the embedded database's scale.)
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from motcua.dossiers.models import Dossier
from motcua.reports.selectors import Period, dossier_end, dossiers_in_window


@pytest.mark.postgres
@pytest.mark.django_db
def test_report_query_uses_the_window_index() -> None:
    with connection.cursor() as cursor:
        # Leave the window index as the only candidate (DDL is transactional: the test's rollback restores the
        # others), so the plan depends on whether the query matches its expression, not on table statistics
        # that earlier tests leave behind.
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'dossiers_dossier' "
            "AND indexname <> 'dossier_report_window' AND indexdef NOT LIKE '%%UNIQUE%%'"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")  # an empty table: make the planner show its choice
    period = Period(dt.date(2023, 3, 1), dt.date(2023, 3, 31))
    plan = dossiers_in_window(period, {1, 2, 3}).values("unit_id").explain()
    assert "dossier_report_window" in plan


def test_the_window_index_leads_with_the_report_expression() -> None:
    """The model's index must start with exactly the expression the report filters on, or it is never used."""
    index = next(i for i in Dossier._meta.indexes if i.name == "dossier_report_window")
    assert index.expressions[0] == dossier_end()
