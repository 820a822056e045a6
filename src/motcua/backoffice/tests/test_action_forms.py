"""The back-office action forms follow the actions' typed parameters (issue 11): one rule, in one place.

The note rule (required, label) is read from the action's module; every other field feeds ``params()``,
which the action's ``Params.parse`` must accept and which names only parameters the action takes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from motcua.backoffice.forms import ACTION_FORMS, ActionForm
from motcua.dossiers.constants import Action
from motcua.dossiers.lifecycle import ACTIONS, TRANSITIONS
from motcua.dossiers.models import DossierStep
from motcua.dossiers.tests.conftest import World
from motcua.dossiers.tests.factories import dossier_in

pytestmark = pytest.mark.django_db

# What a user fills in, per action form (besides the hidden version and the note).
FILLED: dict[str, dict[str, Any]] = {
    Action.RECEIVE: {"components": []},
    Action.ASSIGN: {"assignee": "chuyenvien_a"},
    Action.FORWARD: {"step": "3"},
    Action.REQUEST_SUPPLEMENT: {"items": "Bản sao giấy chứng sinh", "reason": "Bản chụp mờ"},
    Action.RESOLVE: {"result": "Giấy khai sinh số 12/2025"},
    Action.EXTEND: {"due": "2025-04-30T10:00"},
}


def test_every_staff_action_has_a_form() -> None:
    assert set(ACTION_FORMS) == set(TRANSITIONS) - {Action.SUBMIT}  # submitting is the portal's


@pytest.mark.parametrize("action", sorted(ACTION_FORMS))
def test_the_note_rule_comes_from_the_action(world: World, action: str) -> None:
    source = sorted(TRANSITIONS[action].sources)[0]
    dossier = dossier_in(source, version=world.version, unit=world.unit_a)
    form = ACTION_FORMS[action](dossier=dossier, user=world.officer_a)
    rule = ACTIONS[action].note
    note = form.fields["note"]
    assert note.label == rule.label
    assert note.required == (rule.required and not form.composes_note)


@pytest.mark.parametrize("action", sorted(ACTION_FORMS))
def test_form_params_are_the_actions_params(world: World, frozen: dt.datetime, action: str) -> None:
    source = sorted(TRANSITIONS[action].sources)[0]
    dossier = dossier_in(source, version=world.version, unit=world.unit_a)
    if action == Action.COMPLETE_LEG:
        DossierStep.objects.create(
            dossier=dossier,
            batch=1,
            name="Liên thông",
            unit=world.unit_a,
            budget_minutes=480,
            started_at=frozen,
        )
    form_class: type[ActionForm] = ACTION_FORMS[action]
    prefix = form_class(dossier=dossier, user=world.officer_a).prefix
    filled = {"expected_version": dossier.version, **FILLED.get(action, {})}
    if ACTIONS[action].note.required and not form_class.composes_note:
        filled["note"] = "Lý do"
    form = form_class({f"{prefix}-{k}": v for k, v in filled.items()}, dossier=dossier, user=world.officer_a)
    assert form.is_valid(), form.errors
    params = form.params()
    given = set(params) - {"expected_version", "note"}
    spec = ACTIONS[action]
    assert given <= spec.params.names()
    spec.params.parse(params)  # raises if the form and the action disagree
    spec.note.check(params["note"])  # a composed note satisfies the rule too


@pytest.mark.parametrize(("action", "missing"), [(a, k) for a, filled in FILLED.items() for k in filled])
def test_a_form_never_passes_what_its_action_refuses(
    world: World, frozen: dt.datetime, action: str, missing: str
) -> None:
    """Leave one field empty: either the form says so itself, or the action takes the parameters as they are."""
    source = sorted(TRANSITIONS[action].sources)[0]
    dossier = dossier_in(source, version=world.version, unit=world.unit_a)
    form_class: type[ActionForm] = ACTION_FORMS[action]
    prefix = form_class(dossier=dossier, user=world.officer_a).prefix
    filled = {"expected_version": dossier.version, "note": "Lý do", **FILLED[action]}
    del filled[missing]
    form = form_class({f"{prefix}-{k}": v for k, v in filled.items()}, dossier=dossier, user=world.officer_a)
    if form.is_valid():
        ACTIONS[action].params.parse(form.params())
    else:
        assert set(form.errors) == {missing}
