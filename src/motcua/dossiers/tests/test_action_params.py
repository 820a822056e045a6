"""The actions' typed parameters (issue 11): parsed once, with Vietnamese field errors; the API's action
input offers exactly the parameters the actions take."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from motcua.api.v1.dossiers import DossierActionApi
from motcua.core.errors import ValidationFailed
from motcua.dossiers.actions.base import Params
from motcua.dossiers.actions.extend import ExtendParams
from motcua.dossiers.actions.forward import ForwardParams
from motcua.dossiers.actions.resolve import ResolveParams
from motcua.dossiers.constants import Action, Routing
from motcua.dossiers.lifecycle import ACTIONS, NOTIFY, TRANSITIONS

from .conftest import World


def test_every_action_has_its_module_and_the_table_imports_them() -> None:
    assert set(ACTIONS) == set(TRANSITIONS)
    for action, spec in ACTIONS.items():
        assert spec.action == action
        assert spec.effect.__module__ == f"motcua.dossiers.actions.{spec.effect.__module__.rsplit('.', 1)[1]}"
        assert issubclass(spec.params, Params)
        assert spec.params.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_no_action_imports_the_table() -> None:
    import ast
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "actions"
    imported = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                imported.add(f"{'.' * node.level}{node.module or ''}")
            elif isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
    assert not {name for name in imported if "lifecycle" in name}
    assert "..constants" in imported  # the walk does see the actions' imports


def test_notify_is_derived_from_the_actions() -> None:
    assert NOTIFY == {
        Action.SUBMIT: "dossier_submitted",
        Action.RECEIVE: "dossier_received",
        Action.REQUEST_SUPPLEMENT: "dossier_supplement_requested",
        Action.RESOLVE: "dossier_resolved",
        Action.REFUSE: "dossier_refused",
        Action.EXTEND: "dossier_extended",
    }


def test_the_note_rule_of_each_action() -> None:
    required = {a for a, spec in ACTIONS.items() if spec.note.required}
    assert required == {
        Action.REFUSE,
        Action.REQUEST_SUPPLEMENT,
        Action.REQUEST_PAYMENT,
        Action.REQUEST_WITHDRAWAL,
        Action.STOP,
        Action.EXTEND,
    }
    with pytest.raises(ValidationFailed) as caught:
        ACTIONS[Action.STOP].note.check("  ")
    assert caught.value.details == {"note": ["Cần nhập lý do dừng xử lý."]}


@pytest.mark.parametrize(
    ("params", "raw", "field"),
    [
        (ResolveParams, {"result": "  "}, "result"),
        (ExtendParams, {"due": "30/04/2025"}, "due"),
        (ExtendParams, {"due": "2025-04-30T10:00"}, "due"),  # no time zone
        (ExtendParams, {"due": "2025-13-40T10:00+07:00"}, "due"),  # looks right, is not a date
        (ForwardParams, {"routing": "sideways"}, "routing"),
        (ForwardParams, {"step": "hai"}, "step"),
        (ForwardParams, {"legs": "9001"}, "legs"),
        (ForwardParams, {"legs": [{"unit": "9001", "budget_hours": "0"}]}, "legs"),
    ],
)
def test_bad_values_raise_field_errors(params: type[Params], raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        params.parse(raw)
    assert caught.value.code == "invalid_params"
    assert set(caught.value.details or {}) == {field}


@pytest.mark.django_db
def test_parsed_values_are_typed(world: World) -> None:
    forward = ForwardParams.parse(
        {"legs": [{"unit": "9001", "budget_hours": "2.5"}], "routing": "parallel", "ignored": 1}
    )
    assert forward.routing == Routing.PARALLEL
    assert [(leg.unit, leg.budget_minutes, leg.name) for leg in forward.legs] == [
        (world.unit_b, 150, "Liên thông: Xã Tam Đảo")
    ]
    assert ForwardParams.parse({"step": "2"}).step == 2
    due = ExtendParams.parse({"due": "2025-04-30T10:00:00+07:00"}).due
    assert due == dt.datetime(2025, 4, 30, 3, 0, tzinfo=dt.UTC)
    assert ResolveParams.parse({"result": " Giấy khai sinh "}).result == "Giấy khai sinh"


def test_the_api_action_input_offers_exactly_the_actions_params() -> None:
    offered = set(DossierActionApi.DossierActionInput().fields)
    taken = set().union(*(spec.params.names() for spec in ACTIONS.values()))
    assert offered == {"expected_version", "note"} | taken


@pytest.mark.django_db
def test_the_api_schema_lists_each_actions_params_and_note_rule(client: Any) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/dossiers/{code}/actions/{action}/"]["post"]
    assert "- `forward`: `legs`, `routing`, `step`; note optional" in operation["description"]
    assert "- `stop`: none; note required (lý do dừng xử lý)" in operation["description"]
