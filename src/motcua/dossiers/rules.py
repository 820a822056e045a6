"""Object permissions on dossiers for the interface layers (``user.has_perm("dossiers.resolve_dossier", d)``).

Built from the transition table, so the buttons a page shows and what ``dossier_transition`` accepts
never disagree: ``dossiers.<action>_dossier`` (action in snake_case) holds when the table allows the action
from the dossier's state and the user holds one of its roles. ``dossiers.view_dossier`` follows the selector.
"""

from __future__ import annotations

from typing import Any

import rules

from .lifecycle import TRANSITIONS, actions_for
from .models import Dossier
from .selectors import dossiers_visible_to


@rules.predicate
def can_view_dossier(user: Any, dossier: Dossier | None) -> bool:
    if dossier is None or not getattr(user, "is_authenticated", False):
        return False
    return dossiers_visible_to(user).filter(pk=dossier.pk).exists()


def _can(action: str) -> Any:
    @rules.predicate(name=f"can_{action.replace('-', '_')}_dossier")
    def predicate(user: Any, dossier: Dossier | None) -> bool:
        if dossier is None or not getattr(user, "is_authenticated", False):
            return False
        return action in actions_for(dossier, user)

    return predicate


rules.add_perm("dossiers.view_dossier", can_view_dossier)
for _action in TRANSITIONS:
    rules.add_perm(f"dossiers.{_action.replace('-', '_')}_dossier", _can(_action))
