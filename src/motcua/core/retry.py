"""One backoff rule for everything retried later: deliveries of messages, consumers, national-portal updates."""

from __future__ import annotations

import datetime as dt


def exponential_backoff(
    attempts: int, *, base: dt.timedelta, ceiling: dt.timedelta | None = None
) -> dt.timedelta:
    """Wait before attempt ``attempts + 1``: ``base``, 2×, 4× … (capped at ``ceiling`` when given)."""
    wait = base * (2 ** max(attempts - 1, 0))
    return min(wait, ceiling) if ceiling is not None else wait
