"""``check --deploy``: production must scan uploads with ClamAV."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security, deploy=True)
def clamd_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "MOTCUA_CLAMD", "") or getattr(settings, "SANDBOX", False):
        return []
    return [
        Error(
            "MOTCUA_CLAMD is empty: citizen uploads would not be scanned for viruses.",
            hint="Set MOTCUA_CLAMD=unix:///run/clamav/clamd.ctl (or tcp://host:3310) to a running clamd.",
            id="motcua.documents.E001",
        )
    ]
