"""``resolve``: processing is done, with its result document; the open legs close, the dossier is classified."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from motcua.core.errors import PermissionDenied
from motcua.organisations.constants import Role
from motcua.organisations.selectors import user_roles_by_unit

from ..constants import Action
from ..models import Dossier
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


def leader_approval_required(dossier: Dossier) -> bool:
    """The procedure's process has a leader's step ("Phê duyệt"): only a leader of the unit may resolve,
    so the specialist cannot complete the dossier without the leader's approval (issue 16)."""
    return dossier.procedure_version.steps.filter(role=Role.LEADER).exists()


APPROVAL_REQUIRED = (
    "Quy trình của thủ tục này có bước lãnh đạo phê duyệt: chuyên viên chuyển hồ sơ sang bước phê duyệt, "
    "lãnh đạo hoàn thành xử lý."
)


def effect(change: Change[ResolveParams]) -> None:
    dossier, now, result = change.dossier, change.now, change.params.result
    if Role.LEADER not in user_roles_by_unit(change.actor).get(dossier.unit_id, frozenset()) and (
        leader_approval_required(dossier)
    ):
        raise PermissionDenied(APPROVAL_REQUIRED, code="leader_approval_required")
    for leg in open_legs(dossier):
        close_leg(leg, now, change.note)
    change.set(finished_at=now, result_note=result[:2000], classification=classify(dossier, now, "resolved"))
    change.event["classification"] = dossier.classification
    change.data["result"] = result


ACTION = ActionSpec(action=Action.RESOLVE, params=ResolveParams, effect=effect, notify="dossier_resolved")
