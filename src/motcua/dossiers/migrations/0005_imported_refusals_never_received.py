"""Refusals imported before issue 15 (item 2) were stored with a receipt time and a due time, so the monthly
report counted them as received and resolved while a live refusal (never received) counts nowhere. Store them
as the lifecycle's ``refuse`` leaves a dossier: the file's receipt time becomes the submission time."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import F


def forwards(apps: Any, schema_editor: Any) -> None:
    Dossier = apps.get_model("dossiers", "Dossier")
    refused = Dossier.objects.filter(status="not_received", received_at__isnull=False)
    refused.filter(submitted_at__isnull=True).update(submitted_at=F("received_at"))
    refused.update(received_at=None, due_at=None, statutory_due_at=None, classification="on_time")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_consumer_delivery")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
