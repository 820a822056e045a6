"""Running the database task queue in a test, as the worker does."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

WORKER_ID = "test-worker"


def run_queued_tasks(*, limit: int = 100) -> int:
    """Run the tasks that are due, and those they enqueue, until none is left (``db_worker --batch``).

    The worker's own ``run_task`` on each, without its loop: the command closes the connection between
    tasks, which would end a test's transaction. Retries scheduled with the frozen clock are due for the real
    one: a task that keeps failing runs until it parks. Returns how many tasks ran.
    """
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=WORKER_ID,
        excluded_queue_names=[],
    )
    for ran in range(limit):
        result = DBTaskResult.objects.ready().first()
        if result is None:
            return ran
        result.claim(WORKER_ID)
        worker.run_task(result)
    raise AssertionError(f"still tasks to run after {limit}")
