from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_NAME": settings.MOTCUA_SITE_NAME,
        "SANDBOX": settings.SANDBOX,
        # the privacy notice states the draft retention the setting holds (issue 16)
        "DRAFT_RETENTION_DAYS": settings.MOTCUA_DRAFT_RETENTION_DAYS,
    }
