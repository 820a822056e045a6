"""API v1: dossiers — counter intake, lists, details, lifecycle actions, and the public lookup.

Thin views (HackSoft styleguide): parse input, call one service or selector, render. Visibility lives in
``motcua.dossiers.selectors``; a dossier outside the caller's scope answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from motcua.accounts.access import IsStaffAccount
from motcua.api import pagination
from motcua.api.serializers import Serializer
from motcua.api.v1.common import QueryBoolean, paginated, query_params
from motcua.core.errors import NotFound
from motcua.core.masking import mask_id_number
from motcua.dossiers.constants import Action, ApplicantKind, Routing, Status
from motcua.dossiers.lifecycle import ACTIONS, TRANSITIONS, actions_for, dossier_transition
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import (
    dossier_get_for_user,
    dossier_list,
    dossier_public_get,
    is_overdue,
)
from motcua.dossiers.services import dossier_intake_counter
from motcua.identity.services import dossier_applicant_view_log
from motcua.payments.selectors import Balance, dossier_balance
from motcua.submissions.printing import form_answers_rows
from motcua.submissions.selectors import submission_answers

# A dossier just created at the counter has no ledger entry yet (its charges come with request-payment).
NO_BALANCE = Balance(charged=0, paid=0, refunded=0, adjusted=0, due=0)


class DossierApplicantInput(Serializer):
    kind = serializers.ChoiceField(choices=ApplicantKind.choices, default=ApplicantKind.CITIZEN)
    name = serializers.CharField(max_length=255)
    id_number = serializers.CharField(max_length=14, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DossierComponentInput(Serializer):
    component = serializers.IntegerField(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    kind = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    count = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    received = serializers.BooleanField(default=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DossierListOutput(Serializer):
    code = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    status_code = serializers.IntegerField(allow_null=True)
    status_display = serializers.CharField(source="get_status_display")
    channel = serializers.IntegerField()
    procedure = serializers.CharField(source="procedure_version.procedure.code")
    procedure_name = serializers.CharField(source="procedure_version.name")
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    applicant_name = serializers.CharField()
    applicant_id_number = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.SerializerMethodField()
    version = serializers.IntegerField()

    def get_applicant_id_number(self, obj: Dossier) -> str:
        return mask_id_number(obj.applicant_id_number)

    def get_overdue(self, obj: Dossier) -> bool:
        return is_overdue(obj)


class DossierComponentOutput(Serializer):
    component = serializers.IntegerField(source="component_id", allow_null=True)
    name = serializers.CharField()
    kind = serializers.CharField()
    count = serializers.IntegerField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    received = serializers.BooleanField()
    note = serializers.CharField()


class DossierStepOutput(Serializer):
    id = serializers.IntegerField()
    batch = serializers.IntegerField()
    position = serializers.IntegerField()
    routing = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(source="unit.code")
    assignee = serializers.CharField(source="assignee.username", allow_null=True, default=None)
    budget_minutes = serializers.IntegerField()
    started_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    classification = serializers.CharField()


class DossierEventOutput(Serializer):
    action = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    at = serializers.DateTimeField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    step = serializers.IntegerField(source="step_id", allow_null=True)
    unit = serializers.CharField(source="unit.code", allow_null=True, default=None)
    note = serializers.CharField()
    budget_minutes = serializers.IntegerField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    classification = serializers.CharField()
    data = serializers.JSONField()  # type: ignore[assignment]


class DossierDetailOutput(DossierListOutput):
    applicant_id_number = serializers.CharField()  # type: ignore[assignment]
    applicant_kind = serializers.CharField()
    applicant_phone = serializers.CharField()
    applicant_email = serializers.CharField()
    applicant_address = serializers.CharField()
    procedure_version = serializers.IntegerField(source="procedure_version.version")
    submitted_at = serializers.DateTimeField(allow_null=True)
    statutory_due_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    paused_at = serializers.DateTimeField(allow_null=True)
    remaining_minutes = serializers.IntegerField(allow_null=True)
    supplement_requests = serializers.IntegerField()
    extended = serializers.BooleanField()
    classification = serializers.CharField()
    result_note = serializers.CharField()
    current_step = serializers.CharField(source="current_step.name", allow_null=True, default=None)
    assignee = serializers.CharField(source="assignee.username", allow_null=True, default=None)
    components = DossierComponentOutput(many=True, source="components.all")
    steps = DossierStepOutput(many=True, source="steps.all")
    events = DossierEventOutput(many=True, source="events.all")
    actions = serializers.SerializerMethodField()
    balance = serializers.SerializerMethodField()
    form = serializers.SerializerMethodField()

    @extend_schema_field(
        inline_serializer(
            "DossierForm",
            {
                "answers": serializers.DictField(
                    help_text="The e-form's typed values by field name (docs/catalog.md: strings, ISO dates, "
                    "booleans, objects for person/address blocks, lists of objects for repeating groups)"
                ),
                "rows": inline_serializer(
                    "DossierFormRow",
                    {"label": serializers.CharField(), "value": serializers.CharField()},
                    many=True,
                    help_text="The answers as shown on the dossier page: Vietnamese labels, formatted values",
                ),
            },
        )
    )
    def get_form(self, obj: Dossier) -> dict[str, Any]:
        """The procedure's e-form as typed online or at the counter (empty when nothing was typed)."""
        given = self.context.get("form")
        if given is not None:  # a dossier just received through the API: nothing typed
            return dict(given)
        answers = submission_answers(obj)
        rows = form_answers_rows(obj, answers=answers)
        return {"answers": answers, "rows": [{"label": label, "value": value} for label, value in rows]}

    def get_actions(self, obj: Dossier) -> list[str]:
        return actions_for(obj, self.context["request"].user)

    @extend_schema_field(
        inline_serializer(
            "DossierBalance",
            {
                "charged": serializers.IntegerField(),
                "paid": serializers.IntegerField(),
                "refunded": serializers.IntegerField(),
                "adjusted": serializers.IntegerField(),
                "due": serializers.IntegerField(help_text="VND still owed (< 0: overpaid)"),
            },
        )
    )
    def get_balance(self, obj: Dossier) -> dict[str, int]:
        """The dossier's ledger summed up (payments.selectors; a new dossier's is given by the caller)."""
        given = self.context.get("balance")
        return (given if given is not None else dossier_balance(obj)).as_dict()


def log_applicant_view(request: Request, dossier: Dossier, purpose: str) -> None:
    """A response that shows the applicant's data in full writes one access-log row."""
    dossier_applicant_view_log(
        viewer=request.user, dossier=dossier, purpose=purpose, path=request.get_full_path()
    )


def _detail(request: Request, code: str, *, action: str = "") -> dict[str, Any]:
    """The dossier in full (after ``action``, if any), its view logged."""
    dossier = dossier_get_for_user(request.user, code)  # type: ignore[arg-type]
    body = DossierDetailOutput(dossier, context={"request": request}).data
    done = f"Thao tác {action} với" if action else "Xem"
    log_applicant_view(request, dossier, f"{done} hồ sơ {dossier.code} (API)")
    return body


# What validate_status accepts: state names separated by commas (empty parts ignored).
_STATUS_LIST_PATTERN = "^({names})?(,({names})?)*$".format(names="|".join(Status.values))


class DossierListCreateApi(APIView):
    permission_classes = [IsStaffAccount]

    class DossierIntakeInput(Serializer):
        procedure = serializers.CharField(max_length=32)
        unit = serializers.CharField(max_length=32)
        channel = serializers.ChoiceField(choices=["counter", "post"], default="counter")
        applicant = DossierApplicantInput()
        components = DossierComponentInput(many=True, required=False)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    class DossierFilterInput(Serializer):
        status = serializers.CharField(required=False, allow_blank=True, default="")
        unit = serializers.CharField(required=False, allow_blank=True, default="")
        overdue = QueryBoolean(required=False)
        q = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)

        def validate_status(self, value: str) -> str:
            unknown = [s for s in value.split(",") if s and s not in Status.values]
            if unknown:
                raise serializers.ValidationError(f"Trạng thái không hợp lệ: {', '.join(unknown)}.")
            return value

    @extend_schema(
        operation_id="dossiers_list",
        parameters=[
            OpenApiParameter(
                "status",
                {"type": "string", "pattern": _STATUS_LIST_PATTERN},
                description="state name(s), comma-separated",
            ),
            OpenApiParameter("unit", str, description="unit code"),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("q", str, description="code, applicant name or exact ID number"),
            pagination.LIMIT,
            pagination.OFFSET,
        ],
        responses={200: paginated("DossierPage", DossierListOutput(many=True))},
    )
    def get(self, request: Request) -> Response:
        filters = query_params(self.DossierFilterInput, request)  # each at most once, typed strictly
        qs = dossier_list(user=request.user, **filters)  # type: ignore[arg-type]
        paginator = pagination.Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(DossierListOutput(page, many=True).data)

    @extend_schema(
        operation_id="dossiers_intake", request=DossierIntakeInput, responses={201: DossierDetailOutput}
    )
    def post(self, request: Request) -> Response:
        data = self.DossierIntakeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        components = values.get("components")
        if components is not None:
            components = [{k: v for k, v in c.items() if v not in ("", None)} for c in components]
        dossier = dossier_intake_counter(
            officer=request.user,  # type: ignore[arg-type]
            procedure_code=values["procedure"],
            unit_code=values["unit"],
            applicant=values["applicant"],
            components=components,
            channel=values["channel"],
            note=values["note"],
        )
        # The service returns the new dossier with its components and receipt event in hand: render it as is
        # (the officer of its unit sees it) instead of reading it again.
        # Not an access-log entry: the body gives back the applicant data the caller has just sent.
        body = DossierDetailOutput(
            dossier, context={"request": request, "balance": NO_BALANCE, "form": {"answers": {}, "rows": []}}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class DossierDetailApi(APIView):
    permission_classes = [IsStaffAccount]

    @extend_schema(operation_id="dossiers_retrieve", responses={200: DossierDetailOutput})
    def get(self, request: Request, code: str) -> Response:
        return Response(_detail(request, code))


class DossierLegInput(Serializer):
    unit = serializers.CharField(max_length=32)
    budget_hours = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0)
    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


def _actions_reference() -> str:
    """The OpenAPI description of the action endpoint, from the actions' typed parameters and note rules."""
    lines = ["Parameters each action takes (others are ignored); the note rule of each:", ""]
    for action, spec in ACTIONS.items():
        names = ", ".join(f"`{name}`" for name in sorted(spec.params.names())) or "none"
        note = f"required ({spec.note.what})" if spec.note.required else "optional"
        lines.append(f"- `{action}`: {names}; note {note}")
    return "\n".join(lines)


class DossierActionApi(APIView):
    """Apply one lifecycle action. The input offers exactly the actions' parameters
    (``dossiers/tests/test_action_params.py``); each action parses the ones it takes."""

    permission_classes = [IsStaffAccount]

    class DossierActionInput(Serializer):
        expected_version = serializers.IntegerField(
            required=False, allow_null=True, default=None, min_value=1
        )
        note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
        components = DossierComponentInput(many=True, required=False)
        assignee = serializers.CharField(max_length=150, required=False)
        legs = DossierLegInput(many=True, required=False)
        routing = serializers.ChoiceField(choices=Routing.choices, required=False)
        step = serializers.IntegerField(required=False, min_value=1)
        leg = serializers.IntegerField(required=False, min_value=1)
        result = serializers.CharField(max_length=2000, required=False, allow_blank=True)
        due = serializers.DateTimeField(required=False)
        pause_clock = serializers.BooleanField(
            required=False, help_text="request-payment: financial obligations that pause the clock (land)"
        )
        cash_amount = serializers.IntegerField(
            required=False,
            min_value=1,
            help_text="payment-received: cash taken at the counter in the same step (VND)",
        )
        payer_name = serializers.CharField(
            max_length=255, required=False, allow_blank=True, help_text="payment-received: who paid the cash"
        )

    @extend_schema(
        operation_id="dossiers_action",
        description=_actions_reference(),
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=[str(a) for a in TRANSITIONS])
        ],
        request=DossierActionInput,
        responses={
            200: DossierDetailOutput,
            409: inline_serializer(
                "DossierConflict",
                {
                    "code": serializers.CharField(),
                    "message": serializers.CharField(),
                    "details": serializers.JSONField(),
                },
            ),
        },
    )
    def post(self, request: Request, code: str, action: str) -> Response:
        if action not in TRANSITIONS:
            raise NotFound(f"Thao tác {action} không tồn tại.", code="unknown_action")
        dossier = dossier_get_for_user(request.user, code, detail=False)  # type: ignore[arg-type]
        data = self.DossierActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        expected_version = params.pop("expected_version")
        note = params.pop("note")
        if "components" in params:
            params["components"] = [
                {k: v for k, v in c.items() if v not in ("", None)} for c in params["components"]
            ]
        if "legs" in params:
            params["legs"] = [dict(leg) for leg in params["legs"]]
        dossier_transition(
            dossier=dossier,
            action=Action(action),
            actor=request.user,  # type: ignore[arg-type]
            expected_version=expected_version,
            note=note,
            **params,
        )
        return Response(_detail(request, code, action=action))


class PublicDossierOutput(Serializer):
    code = serializers.CharField()
    procedure = serializers.CharField(source="procedure_version.procedure.code")
    procedure_name = serializers.CharField(source="procedure_version.name")
    unit = serializers.CharField(source="unit.code")
    unit_name = serializers.CharField(source="unit.name")
    status = serializers.CharField()
    status_code = serializers.IntegerField(allow_null=True)
    status_display = serializers.CharField(source="get_status_display")
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)


class PublicDossierApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(operation_id="public_dossiers_retrieve", responses={200: PublicDossierOutput})
    def get(self, request: Request, code: str) -> Response:
        return Response(PublicDossierOutput(dossier_public_get(code)).data)


urlpatterns = [
    path("dossiers/", DossierListCreateApi.as_view(), name="api-dossiers"),
    path("dossiers/<str:code>/", DossierDetailApi.as_view(), name="api-dossier"),
    path("dossiers/<str:code>/actions/<str:action>/", DossierActionApi.as_view(), name="api-dossier-action"),
    path("public/dossiers/<str:code>/", PublicDossierApi.as_view(), name="api-public-dossier"),
]
