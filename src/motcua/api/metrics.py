"""``GET /metrics``: Prometheus metrics for operators (issue 17, item 6).

Besides the request latency observed by ``core.observability`` (by the view's route name), each scrape reads
the backlogs from the database (a handful of ``COUNT``/``MIN`` queries):

- ``motcua_task_queue_depth{queue}`` and ``motcua_task_queue_oldest_age_seconds{queue}``: background tasks
  ready and not started (django-tasks-db), and how long the oldest has waited;
- ``motcua_national_sync_backlog{state}`` and ``motcua_national_sync_oldest_pending_age_seconds``: updates
  for the national portal pending or parked;
- ``motcua_payment_backlog{method}``: gateway payments still pending;
- ``motcua_failed_deliveries{consumer}``: transition-consumer deliveries parked after their retries;
- ``motcua_consumer_backlog``: deliveries queued.

Who may read it: a scraper sending ``Authorization: Bearer <MOTCUA_METRICS_TOKEN>`` (compared in constant time;
no token set means no scraper), or a signed-in superuser or administrator. Anyone else gets 404: the endpoint
does not advertise itself. The numbers name no person, dossier or code.
"""

from __future__ import annotations

import hmac
import os

from django.conf import settings
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from motcua.core import clock
from motcua.organisations.constants import Role


def may_read_metrics(request: HttpRequest) -> bool:
    token = settings.MOTCUA_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    user = request.user
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.memberships.filter(role=Role.ADMINISTRATOR).exists()


class BacklogCollector(Collector):
    """The database's backlogs, read at each scrape."""

    def collect(self) -> list[Metric]:
        from django_tasks_db.models import DBTaskResult, TaskResultStatus

        from motcua.dossiers.models import ConsumerDelivery, DeliveryState
        from motcua.national_portal.models import SyncUpdate, UpdateState
        from motcua.payments.constants import PaymentStatus
        from motcua.payments.models import Payment

        now = clock.now()
        depth = GaugeMetricFamily(
            "motcua_task_queue_depth", "Background tasks ready to run", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "motcua_task_queue_oldest_age_seconds", "Wait of the oldest ready task", labels=["queue"]
        )
        ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        for row in ready.values("queue_name").annotate(n=Count("pk"), oldest=Min("enqueued_at")):
            depth.add_metric([row["queue_name"]], row["n"])
            age.add_metric([row["queue_name"]], max(0.0, (now - row["oldest"]).total_seconds()))

        sync = GaugeMetricFamily(
            "motcua_national_sync_backlog", "National-portal updates not delivered", labels=["state"]
        )
        counts = dict(
            SyncUpdate.objects.filter(state__in=[UpdateState.PENDING, UpdateState.PARKED])
            .values_list("state")
            .annotate(n=Count("pk"))
        )
        for state in (UpdateState.PENDING, UpdateState.PARKED):
            sync.add_metric([str(state)], counts.get(state, 0))
        oldest = SyncUpdate.objects.filter(state=UpdateState.PENDING).aggregate(m=Min("created_at"))["m"]
        sync_age = GaugeMetricFamily(
            "motcua_national_sync_oldest_pending_age_seconds",
            "Wait of the oldest pending national-portal update",
        )
        sync_age.add_metric([], max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)

        payments = GaugeMetricFamily(
            "motcua_payment_backlog", "Payments pending at a gateway", labels=["method"]
        )
        for method, n in (
            Payment.objects.filter(status=PaymentStatus.PENDING).values_list("method").annotate(n=Count("pk"))
        ):
            payments.add_metric([method], n)

        failed = GaugeMetricFamily(
            "motcua_failed_deliveries",
            "Transition-consumer deliveries parked after retries",
            labels=["consumer"],
        )
        for consumer, n in (
            ConsumerDelivery.objects.filter(state=DeliveryState.FAILED)
            .values_list("consumer")
            .annotate(n=Count("pk"))
        ):
            failed.add_metric([consumer], n)
        queued = GaugeMetricFamily("motcua_consumer_backlog", "Transition-consumer deliveries queued")
        queued.add_metric([], ConsumerDelivery.objects.filter(state=DeliveryState.QUEUED).count())
        return [depth, age, sync, sync_age, payments, failed, queued]


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        raise Http404
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every gunicorn worker's request latency
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    backlog = CollectorRegistry()
    backlog.register(BacklogCollector())
    return HttpResponse(body + generate_latest(backlog), content_type=CONTENT_TYPE_LATEST)
