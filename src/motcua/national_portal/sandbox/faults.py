"""Misbehaviour of the sandbox portal on demand: ``MOTCUA_SANDBOX_DVCQG_FAULTS``.

``error_rate=0.3,timeout_rate=0.1,latency_ms=200`` (also ``timeout_ms``, how long a "timed out" call holds
the answer back, default 15000; ``timeout_acted``, the share of timed-out calls the portal acted on before the
answer was lost, default 0.5; ``seed``, for a repeatable sequence). Read at each call.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Faults:
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    latency_ms: int = 0
    timeout_ms: int = 15000
    timeout_acted: float = 0.5
    seed: int | None = None


def parse_faults(text: str) -> Faults:
    """``"error_rate=0.3,timeout_rate=0.1"`` → ``Faults``; raises ``ValueError`` for an unknown or bad item."""
    values: dict[str, float | int] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, _, raw = item.partition("=")
        name = name.strip()
        if name in {"error_rate", "timeout_rate", "timeout_acted"}:
            rate = float(raw)
            if not 0 <= rate <= 1:
                raise ValueError(f"{name} must be between 0 and 1: {raw!r}")
            values[name] = rate
        elif name in {"latency_ms", "timeout_ms", "seed"}:
            values[name] = int(raw)
        else:
            raise ValueError(f"unknown sandbox portal fault {name!r}")
    return Faults(**values)  # type: ignore[arg-type]


_lock = threading.Lock()
_rng: tuple[str, random.Random] | None = None


def current() -> tuple[Faults, float]:
    """The faults of the settings and one draw in [0, 1) for this call (seeded when ``seed`` is given)."""
    global _rng
    text = str(getattr(settings, "MOTCUA_SANDBOX_DVCQG_FAULTS", "") or "")
    faults = parse_faults(text)
    with _lock:
        if _rng is None or _rng[0] != text:
            _rng = (text, random.Random(faults.seed))
        return faults, _rng[1].random()
