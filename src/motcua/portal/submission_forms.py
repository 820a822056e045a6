"""Forms of the online submission and of "my dossiers" (they parse input; services write)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.documents.constants import Satisfaction
from motcua.documents.validation import upload_accept

INPUT = "usa-input"


class ApplicantForm(forms.Form):
    """The applicant's data, prefilled from the e-ID account; name and ID come from the e-ID (read-only)."""

    name = forms.CharField(label=_("Họ và tên / tên tổ chức"), max_length=255, disabled=True)
    id_number = forms.CharField(label=_("Số định danh cá nhân / mã số thuế"), max_length=14, disabled=True)
    phone = forms.CharField(label=_("Số điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    address = forms.CharField(label=_("Địa chỉ liên hệ"), max_length=500, required=False)
    unit = forms.ChoiceField(label=_("Nơi nộp hồ sơ (đơn vị tiếp nhận)"))

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = [("", _("— Chọn đơn vị —")), *units]
        for name, f in self.fields.items():
            f.widget.attrs["class"] = "usa-select" if name == "unit" else INPUT
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["address"].widget.attrs["autocomplete"] = "street-address"


class StartForm(ApplicantForm):
    privacy_ack = forms.BooleanField(
        label=_("Tôi đã đọc thông báo về xử lý dữ liệu cá nhân ở trên."),
        error_messages={"required": _("Vui lòng xác nhận đã đọc thông báo về xử lý dữ liệu cá nhân.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["privacy_ack"].widget.attrs["class"] = "usa-checkbox__input"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Chọn tệp"),
        allow_empty_file=True,
        error_messages={"required": _("Vui lòng chọn một tệp.")},
        widget=forms.ClearableFileInput(attrs={"class": "usa-file-input"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The allowed types of the upload checks (the templates' hand-written inputs read it from here).
        self.fields["file"].widget.attrs["accept"] = upload_accept()


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ"),
        max_length=1000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
        error_messages={"required": _("Cần nhập lý do rút hồ sơ.")},
    )


class RatingForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Mức độ hài lòng"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect(attrs={"class": "usa-radio__input"}),
    )
    comment = forms.CharField(
        label=_("Góp ý (không bắt buộc)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 3}),
    )
