"""The task queue's backend: django-tasks-db's, its row written by ``core.rows.insert_row``.

Every transition that a consumer wants enqueues a task in the transition's transaction (the transactional
outbox); the library's ``DBTaskResult.objects.create`` built its ``INSERT`` anew each time, a sizeable share of
a payment's credit (issue 12, item 11; docs/performance.md "VNPay IPN handling"). The row is the one the
library writes: the same columns and values (its ``pre_save`` receiver's ``run_after`` default included);
everything else (validation, the ``task_enqueued`` signal, the worker) is the library's.
"""

from __future__ import annotations

from typing import Any

from django_tasks_db.backend import DatabaseBackend as LibraryBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max

from .rows import insert_row


class DatabaseBackend(LibraryBackend):
    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult:
        row: DBTaskResult[Any, Any] = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after if task.run_after is not None else get_date_max(),
            backend_name=self.alias,
        )
        insert_row(row)
        return row
