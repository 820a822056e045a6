from django.db import connection
from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database status, for load balancers and monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = {"status": "ok", "vendor": connection.vendor}
        status = 200
    except Exception as exc:  # any database failure is reported, not raised
        database = {"status": "error", "error": exc.__class__.__name__}
        status = 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "degraded", "database": database}, status=status
    )
