"""The task backend writes the row django-tasks-db's own would, and the worker runs it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.tasks import task_backends
from django_tasks_db.backend import DatabaseBackend as LibraryBackend
from django_tasks_db.models import DBTaskResult

from motcua.core.tasks_backend import DatabaseBackend
from motcua.dossiers.tasks import consume_deliveries

pytestmark = pytest.mark.django_db

SAME = (
    "status",
    "args_kwargs",
    "priority",
    "task_path",
    "worker_ids",
    "queue_name",
    "backend_name",
    "run_after",
)


def _row(result_id: str) -> dict[str, object]:
    row = DBTaskResult.objects.get(pk=result_id)
    return {name: getattr(row, name) for name in SAME}


@pytest.mark.parametrize("run_after", [None, dt.datetime(2030, 1, 2, 3, 4, tzinfo=dt.UTC)])
def test_the_row_is_the_librarys(run_after: dt.datetime | None) -> None:
    ours = task_backends["default"]
    assert type(ours) is DatabaseBackend
    library = LibraryBackend("default", {})
    task = consume_deliveries.using(run_after=run_after) if run_after else consume_deliveries
    mine = ours.enqueue(task, [[7, 0], [8, 1]], {})
    theirs = library.enqueue(task, [[7, 0], [8, 1]], {})
    assert _row(mine.id) == _row(theirs.id)
    assert mine.args == [[7, 0], [8, 1]]
    row = DBTaskResult.objects.get(pk=mine.id)
    assert row.enqueued_at is not None
    assert (row.task_result.task.run_after is None) == (run_after is None)
