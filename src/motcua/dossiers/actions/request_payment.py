"""``request-payment``: the dossier waits for the applicant's fees or taxes (what is due: the note).

``pause_clock``: the applicant's financial obligations the law leaves out of the time limit (land procedures:
from the tax authority's notice until payment, DOMAIN.md §5): the clock pauses like a ``pause`` supplement
(``base.pause_clock``: never overdue while it waits) and resumes with the office time it had left when the
obligations are paid (``payment-received``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from django.utils.translation import gettext_lazy as _

from ..constants import Action
from .base import ActionSpec, Change, Note, Params, invalid, pause_clock

_TRUE = frozenset({"1", "true", "on", "yes"})
_FALSE = frozenset({"", "0", "false", "off", "no"})


@dataclass(frozen=True)
class RequestPaymentParams(Params):
    pause_clock: bool = False  # financial obligations excluded from the time limit: the clock pauses

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Self:
        value = raw.get("pause_clock", False)
        if isinstance(value, bool):
            return cls(pause_clock=value)
        if value is None or str(value).strip().lower() in _FALSE:
            return cls(pause_clock=False)
        if str(value).strip().lower() in _TRUE:
            return cls(pause_clock=True)
        raise invalid(
            "Giá trị tạm dừng tính thời gian không hợp lệ.", pause_clock=["Phải là true hoặc false."]
        )


def effect(change: Change[RequestPaymentParams]) -> None:
    if change.params.pause_clock:
        remaining = pause_clock(change)
        change.data.update(rule="pause", financial_obligations=True, remaining_minutes=remaining)


ACTION = ActionSpec(
    action=Action.REQUEST_PAYMENT,
    params=RequestPaymentParams,
    effect=effect,
    note=Note(required=True, what="nội dung nghĩa vụ tài chính", label=_("Nội dung nghĩa vụ tài chính")),
)
