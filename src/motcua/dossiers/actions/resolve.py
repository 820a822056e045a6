"""``resolve``: processing is done, with its result document; the open legs close, the dossier is classified."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from ..constants import Action
from .base import ActionSpec, Change, Params, classify, close_leg, invalid, open_legs


@dataclass(frozen=True)
class ResolveParams(Params):
    result: str  # the result document (name, number), required

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Self:
        result = str(raw.get("result") or "").strip()
        if not result:
            raise invalid("Cần nhập kết quả giải quyết (tên văn bản kết quả).", result=["Bắt buộc."])
        return cls(result=result)


def effect(change: Change[ResolveParams]) -> None:
    dossier, now, result = change.dossier, change.now, change.params.result
    for leg in open_legs(dossier):
        close_leg(leg, now, change.note)
    change.set(finished_at=now, result_note=result[:2000], classification=classify(dossier, now, "resolved"))
    change.event["classification"] = dossier.classification
    change.data["result"] = result


ACTION = ActionSpec(action=Action.RESOLVE, params=ResolveParams, effect=effect, notify="dossier_resolved")
