"""Forms of the back office. They validate input and build the parameters of one service call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import ProcedureVersion
from motcua.core import clock
from motcua.core.text import vi_person_sort_key, vi_sorted
from motcua.documents.validation import upload_accept, upload_types_display
from motcua.dossiers.actions.forward import following_steps
from motcua.dossiers.constants import Action, ApplicantKind, Routing, Status
from motcua.dossiers.lifecycle import ACTIONS
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import QueueFilters
from motcua.organisations.constants import Role
from motcua.organisations.models import Membership, Unit
from motcua.organisations.selectors import units_valid_on

INPUT = {"class": "usa-input"}
SELECT = {"class": "usa-select"}
TEXTAREA = {"class": "usa-textarea", "rows": 3}


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput | forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "usa-select")
        elif isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("class", "usa-textarea")
            widget.attrs["rows"] = 3
        else:
            widget.attrs.setdefault("class", "usa-input")


class QueueFilterForm(forms.Form):
    """Filters of a queue page. Invalid values are dropped (a bad query string never breaks the page)."""

    q = forms.CharField(label=_("Mã hồ sơ hoặc tên người nộp"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    procedure = forms.CharField(label=_("Mã thủ tục"), required=False, max_length=32)
    received_from = forms.DateField(
        label=_("Tiếp nhận từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("Tất cả")), *[(s.value, s.label) for s in Status if s != Status.DRAFT]]
        cast(forms.ChoiceField, self.fields["status"]).choices = choices
        _style(self)
        self.fields["q"].widget.attrs.update(type="search", autocomplete="off")

    def filters(self) -> QueueFilters:
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        return QueueFilters(
            status=data.get("status") or "",
            procedure=(data.get("procedure") or "").strip(),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            q=data.get("q") or "",
        )


class ProcedureSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm thủ tục (tên hoặc mã)"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["q"].widget.attrs.update(type="search", autocomplete="off")


class IntakeForm(forms.Form):
    """Counter intake on behalf of a citizen: unit, applicant, and the component checklist."""

    unit = forms.ChoiceField(label=_("Đơn vị tiếp nhận"))
    kind = forms.ChoiceField(label=_("Loại người nộp"), choices=ApplicantKind.choices)
    name = forms.CharField(label=_("Họ tên người nộp / tên tổ chức"), max_length=255)
    id_number = forms.CharField(
        label=_("Số định danh cá nhân (12 số) hoặc mã số thuế"), required=False, max_length=14
    )
    phone = forms.CharField(label=_("Số điện thoại"), required=False, max_length=20)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    address = forms.CharField(label=_("Địa chỉ"), required=False, max_length=500)
    components = forms.MultipleChoiceField(
        label=_("Thành phần hồ sơ đã nhận"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=2000, widget=forms.Textarea)
    # The population register (backoffice.register_check): the reason of a look-up, the register's name for
    # the ID looked up (kept with the form), the officer's confirmation of a name that differs from it.
    lookup_reason = forms.CharField(label=_("Lý do tra cứu"), required=False, max_length=500)
    register_name = forms.CharField(required=False, widget=forms.HiddenInput, max_length=255)
    register_id = forms.CharField(required=False, widget=forms.HiddenInput, max_length=14)
    register_confirm = forms.BooleanField(
        label=_("Tôi đã kiểm tra: giữ họ tên đã nhập dù khác Cơ sở dữ liệu quốc gia về dân cư"),
        required=False,
    )
    REGISTER_FIELDS = ("lookup_reason", "register_name", "register_id", "register_confirm")

    def __init__(self, *args: Any, version: ProcedureVersion, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.catalog = list(version.components.all())
        cast(forms.ChoiceField, self.fields["unit"]).choices = [
            (u.code, f"{u.name} ({u.code})") for u in vi_sorted(units, key=lambda u: u.name)
        ]
        field = cast(forms.MultipleChoiceField, self.fields["components"])
        field.choices = [
            (
                str(c.pk),
                f"{c.name} — {c.get_kind_display()}{'' if c.required else ' (' + str(_('không bắt buộc')) + ')'}",
            )
            for c in self.catalog
        ]
        if not self.is_bound:
            self.initial.setdefault("components", [str(c.pk) for c in self.catalog if c.required])
            self.initial.setdefault("lookup_reason", _("Tiếp nhận hồ sơ %(name)s") % {"name": version.name})
        _style(self)
        self.fields["id_number"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        self.fields["phone"].widget.attrs.update(type="tel", autocomplete="off")

    def applicant(self) -> dict[str, str]:
        data = self.cleaned_data
        return {k: data[k] for k in ("kind", "name", "id_number", "phone", "email", "address")}

    def component_items(self) -> list[dict[str, Any]]:
        chosen = set(self.cleaned_data["components"])
        return [{"component": c.pk, "received": str(c.pk) in chosen} for c in self.catalog]


# --------------------------------------------------------------------------------------- actions


class ActionForm(forms.Form):
    """Base of every action form: the version the user saw (optimistic locking) and a note.

    Whether the note is required and its label come from the action's module (``ACTIONS[action].note``), so
    the rule exists once; the other fields feed the action's typed parameters through ``params()``
    (``backoffice/tests/test_action_forms.py`` parses every form's ``params()`` with them).
    """

    action: str = ""
    composes_note = False  # the form builds the note from its own required fields (the note field is hidden)
    submit_label: Any = ""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(required=False, max_length=4000, widget=forms.Textarea)

    def __init__(self, *args: Any, dossier: Dossier, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)
        self.dossier = dossier
        self.user = user
        self.initial.setdefault("expected_version", dossier.version)
        rule = ACTIONS[self.action].note
        self.fields["note"].label = rule.label
        self.fields["note"].required = rule.required and not self.composes_note
        _style(self)

    def params(self) -> dict[str, Any]:
        """Keyword arguments for ``dossier_transition`` besides dossier, action, actor."""
        return {"expected_version": self.cleaned_data["expected_version"], "note": self.cleaned_data["note"]}


class ReceiveForm(ActionForm):
    action = Action.RECEIVE
    components = forms.MultipleChoiceField(
        label=_("Thành phần hồ sơ đã kiểm tra, đủ điều kiện"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = list(self.dossier.components.all())
        field = cast(forms.MultipleChoiceField, self.fields["components"])
        field.choices = [(str(c.pk), f"{c.name} — {c.get_kind_display()}") for c in self.rows]
        self.initial.setdefault("components", [str(c.pk) for c in self.rows if c.received])

    def params(self) -> dict[str, Any]:
        chosen = set(self.cleaned_data["components"])
        items = [
            {
                **({"component": c.component_id} if c.component_id else {"name": c.name}),
                "kind": c.kind,
                "count": c.count,
                "received": str(c.pk) in chosen,
                "note": c.note,
            }
            for c in self.rows
        ]
        return {**super().params(), "components": items}


class RefuseForm(ActionForm):
    action = Action.REFUSE


class AssignForm(ActionForm):
    action = Action.ASSIGN
    assignee = forms.ChoiceField(label=_("Chuyên viên xử lý"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = {self.dossier.unit_id} | {s.unit_id for s in self.dossier.steps.all() if s.is_open}
        memberships = (
            Membership.objects.filter(unit_id__in=units, role=Role.SPECIALIST, user__is_active=True)
            .select_related("user")
            .order_by("user__full_name", "user__username")
        )
        seen: dict[str, str] = {}
        for m in sorted(memberships, key=lambda m: vi_person_sort_key(str(m.user))):  # Vietnamese order
            seen.setdefault(m.user.username, f"{m.user} ({m.user.username})")
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [("", "—"), *seen.items()]

    def params(self) -> dict[str, Any]:
        return {**super().params(), "assignee": self.cleaned_data["assignee"]}


def _step_label(step: Any) -> str:
    """ "Phê duyệt (Lãnh đạo, 8 giờ)": a process step, who works it and its budget."""
    return f"{step.name} ({Role(step.role).label}, {step.budget_hours.normalize():f} giờ)"


class ForwardForm(ActionForm):
    action = Action.FORWARD
    step = forms.ChoiceField(label=_("Chuyển đến bước"), required=False)
    unit = forms.ChoiceField(label=_("Hoặc chuyển liên thông đến đơn vị"), required=False)
    budget_hours = forms.DecimalField(
        label=_("Thời gian của đơn vị liên thông (giờ làm việc)"),
        required=False,
        min_value=Decimal("0.5"),
        max_value=Decimal(10000),
        decimal_places=2,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = list(self.dossier.procedure_version.steps.order_by("order"))
        # The process decides: the next step by default, or a later one; never back past the current one
        # (nor to the one-stop desk's receipt step, which the receipt did).
        following = following_steps(self.dossier, steps)
        label = _("Bước tiếp theo theo quy trình")
        cast(forms.ChoiceField, self.fields["step"]).choices = [
            ("", f"{label}{': ' + _step_label(following[0]) if following else ''}"),
            *[(str(s.order), f"{s.order}. {_step_label(s)}") for s in following[1:]],
        ]
        units = vi_sorted(
            units_valid_on().exclude(pk=self.dossier.unit_id).order_by("code")[:1000], key=lambda u: u.name
        )
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", "—")] + [
            (u.code, f"{u.name} ({u.code})") for u in units
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unit") and not data.get("budget_hours"):
            self.add_error("budget_hours", _("Cần nhập thời gian cho đơn vị liên thông."))
        return data

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        params = super().params()
        if data.get("unit"):
            params.update(
                legs=[{"unit": data["unit"], "budget_hours": data["budget_hours"]}], routing=Routing.SEQUENCE
            )
        elif data.get("step"):
            params["step"] = int(data["step"])
        return params


class CompleteLegForm(ActionForm):
    action = Action.COMPLETE_LEG


class RequestSupplementForm(ActionForm):
    action = Action.REQUEST_SUPPLEMENT
    composes_note = True
    items = forms.CharField(
        label=_("Nội dung cần bổ sung, hoàn thiện (mỗi dòng một mục)"), max_length=3000, widget=forms.Textarea
    )
    reason = forms.CharField(label=_("Lý do"), max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["note"].widget = forms.HiddenInput()

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        items = [line.strip(" -•\t") for line in data["items"].splitlines() if line.strip(" -•\t")]
        note = "\n".join([*items, f"Lý do: {data['reason'].strip()}"])
        return {**super().params(), "note": note}


class SupplementReceivedForm(ActionForm):
    action = Action.SUPPLEMENT_RECEIVED


class RequestPaymentForm(ActionForm):
    action = Action.REQUEST_PAYMENT
    pause_clock = forms.BooleanField(
        label=_(
            "Chờ người nộp thực hiện nghĩa vụ tài chính (thông báo của cơ quan thuế): tạm dừng tính thời gian "
            "giải quyết đến khi nộp đủ"
        ),
        required=False,
    )

    def params(self) -> dict[str, Any]:
        return {**super().params(), "pause_clock": self.cleaned_data["pause_clock"]}


class PaymentReceivedForm(ActionForm):
    """The fees are paid: the ledger must owe nothing, or the officer records here the cash taken for all that
    is still due (a counter credit in their name, in the same step; docs/payments.md)."""

    action = Action.PAYMENT_RECEIVED
    cash_amount = forms.IntegerField(
        label=_("Số tiền mặt thu tại quầy (đồng; để trống nếu người nộp đã thanh toán đủ)"),
        required=False,
        min_value=1,
        max_value=10**13,
    )
    payer_name = forms.CharField(label=_("Người nộp tiền"), required=False, max_length=255)

    def params(self) -> dict[str, Any]:
        params = super().params()
        if self.cleaned_data.get("cash_amount"):
            params["cash_amount"] = self.cleaned_data["cash_amount"]
            params["payer_name"] = self.cleaned_data.get("payer_name") or ""
        return params


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files under one name (the content checks are the service's: ``upload_check``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"class": "usa-file-input"}),
        )
        kwargs.setdefault("allow_empty_file", True)  # refused by upload_check, with its message
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


class ResolveForm(ActionForm):
    action = Action.RESOLVE
    result = forms.CharField(
        label=_("Kết quả giải quyết (tên, số văn bản kết quả)"),
        help_text=_("Nếu kết quả chỉ có bản giấy, ghi rõ nơi người nộp nhận kết quả."),
        max_length=2000,
    )
    attachments = MultipleFileField(
        label=_("Tệp kết quả (bản điện tử, có thể chọn nhiều tệp; không bắt buộc)"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The types the upload checks accept (MOTCUA_UPLOAD_ALLOWED_TYPES), in the picker and in the hint.
        attachments = self.fields["attachments"]
        attachments.widget.attrs["accept"] = upload_accept()
        attachments.help_text = _(
            "Chấp nhận tệp %(types)s; tệp được kiểm tra virus như tệp người nộp tải lên."
        ) % {"types": upload_types_display()}

    def params(self) -> dict[str, Any]:
        return {**super().params(), "result": self.cleaned_data["result"]}

    def result_files(self) -> list[Any]:
        return list(self.cleaned_data.get("attachments") or [])


class ReturnForm(ActionForm):
    action = Action.RETURN


class RequestWithdrawalForm(ActionForm):
    action = Action.REQUEST_WITHDRAWAL


class AcceptWithdrawalForm(ActionForm):
    action = Action.ACCEPT_WITHDRAWAL


class StopForm(ActionForm):
    action = Action.STOP


class ExtendForm(ActionForm):
    action = Action.EXTEND
    due = forms.DateTimeField(
        label=_("Ngày giờ hẹn trả mới"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean_due(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["due"]
        if value.tzinfo is None:
            value = value.replace(tzinfo=clock.VN_TZ)
        return value.astimezone(clock.VN_TZ)

    def params(self) -> dict[str, Any]:
        return {**super().params(), "due": self.cleaned_data["due"]}


ACTION_FORMS: dict[str, type[ActionForm]] = {
    cls.action: cls
    for cls in (
        ReceiveForm,
        RefuseForm,
        AssignForm,
        ForwardForm,
        CompleteLegForm,
        RequestSupplementForm,
        SupplementReceivedForm,
        RequestPaymentForm,
        PaymentReceivedForm,
        ResolveForm,
        ReturnForm,
        RequestWithdrawalForm,
        AcceptWithdrawalForm,
        StopForm,
        ExtendForm,
    )
}


class LogbookForm(forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị"))
    date_from = forms.DateField(label=_("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    output = forms.ChoiceField(label=_("Định dạng"), choices=[("xlsx", "Excel (.xlsx)"), ("pdf", "PDF")])

    def __init__(self, *args: Any, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        cast(forms.ChoiceField, self.fields["unit"]).choices = [
            (u.code, f"{u.name} ({u.code})") for u in vi_sorted(units, key=lambda u: u.name)
        ]
        _style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                self.add_error("date_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
            elif (end - start).days > 366:
                self.add_error("date_to", _("Chỉ xuất tối đa một năm mỗi lần."))
        return data


class CashForm(forms.Form):
    """Cash taken at the counter (back-office dossier page, *Thu tiền mặt*): the amount and who paid it."""

    amount = forms.IntegerField(label=_("Số tiền (đồng)"), min_value=1, max_value=10**13)
    payer_name = forms.CharField(label=_("Người nộp tiền"), required=False, max_length=255)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "cash")
        super().__init__(*args, **kwargs)
        _style(self)


class BankStatementUploadForm(forms.Form):
    """A statement file of the collection account (the same import as ``motcua import-bank-statement``)."""

    account = forms.CharField(label=_("Số tài khoản thu"), max_length=64)
    file = forms.FileField(label=_("Tệp sao kê (.csv hoặc .xlsx)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class BankLineAssignForm(forms.Form):
    """Assign an unmatched statement line to a dossier by its code."""

    dossier = forms.CharField(label=_("Mã hồ sơ"), max_length=64)
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
