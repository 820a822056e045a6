"""The dashboard's payments panel (issue 12, item 9): the period's credits by channel, per reporting level.

The numbers are ``reports.payment_stats.payments_by_channel`` (the ledger's credits) over the dashboard's period
for its unit and the units below it; the panel is left out when nothing was paid in the period.
"""

from __future__ import annotations

from typing import Any

from motcua.core import formatting
from motcua.organisations.models import Unit
from motcua.organisations.selectors import unit_descendant_ids
from motcua.payments.statistics import CHANNEL_LABELS, CHANNELS
from motcua.reports.payment_stats import payments_by_channel
from motcua.reports.selectors import Period


def payments_panel(unit: Unit, period: Period) -> dict[str, Any] | None:
    """``{"rows": [(level name, [(count, amount text) per channel], (count, amount text))], "total": …,
    "channels": [labels]}``, or ``None`` without a credit in the period."""
    report = payments_by_channel(period, unit_descendant_ids(unit), "level")
    if not report["totals"]["total"]["count"]:
        return None
    per_level: dict[str, dict[str, Any]] = {}
    for month in report["months"]:
        for row in month["rows"]:
            level = per_level.setdefault(
                row["key"], {"name": row["name"], **{c: [0, 0] for c in (*CHANNELS, "total")}}
            )
            for channel in (*CHANNELS, "total"):
                level[channel][0] += row[channel]["count"]
                level[channel][1] += row[channel]["amount"]

    def cells(block: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            (formatting.thousands(block[c][0]), formatting.thousands(block[c][1]))
            for c in (*CHANNELS, "total")
        ]

    totals = {c: [report["totals"][c]["count"], report["totals"][c]["amount"]] for c in (*CHANNELS, "total")}
    return {
        "channels": [CHANNEL_LABELS[c] for c in CHANNELS],
        "rows": [(level["name"], cells(level)) for level in per_level.values()],
        "total": cells(totals),
    }
