"""The procedure's e-form as a Django form (flat names; ``documents.formschema`` checks the values): used by
the citizen's online submission and by the counter intake."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, cast

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from motcua.documents.formschema import (
    FormField,
    address_communes,
    address_province_of,
    address_provinces,
    address_unit_choices,
    answers_from_flat,
    answers_to_flat,
    group_row_count,
    unit_lookup,
)

INPUT = "usa-input"


class VietnameseDateInput(forms.TextInput):
    """A date typed as ``dd/mm/yyyy``, the way it is written on every Vietnamese form, whatever the browser's
    language (a browser's own date input shows ``mm/dd/yyyy`` in an English browser). A saved answer (ISO,
    ``documents.formschema``) is shown as ``dd/mm/yyyy``; what was typed is shown back as typed."""

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(
            attrs={
                **(attrs or {}),
                "inputmode": "numeric",
                "placeholder": "dd/mm/yyyy",
                "maxlength": "10",
                "autocomplete": "off",
            }
        )

    def format_value(self, value: Any) -> str | None:
        text = super().format_value(value)
        if text and len(text) == 10 and text[4] == "-" and text[7] == "-":
            try:
                return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
            except ValueError:
                pass
        return text


def _schema_field(
    f: FormField, unit_choices: list[tuple[str, str]] | None, placeholder: str = ""
) -> forms.Field:
    """The Django field of one simple schema field (checked against the schema by the service)."""
    attrs: dict[str, str] = {"class": INPUT}
    if f.type == "textarea":
        return forms.CharField(
            max_length=f.max_length, widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 5})
        )
    if f.type == "date":
        return forms.CharField(widget=VietnameseDateInput(attrs=attrs))
    if f.type == "number":
        return forms.CharField(widget=forms.TextInput(attrs={**attrs, "inputmode": "decimal"}))
    if f.type in ("select", "boolean") or unit_choices is not None:
        if unit_choices is not None:
            choices = [("", placeholder or str(_("— Chọn xã, phường —"))), *unit_choices]
        elif f.type == "boolean":
            choices = [("", "—"), ("true", str(_("Có"))), ("false", str(_("Không")))]
        else:
            choices = [("", "—"), *[(c, c) for c in f.choices]]
        return forms.CharField(widget=forms.Select(choices=choices, attrs={"class": "usa-select"}))
    if f.type == "citizen_id":
        attrs.update(inputmode="numeric", maxlength="12", pattern="[0-9]{12}", autocomplete="off")
    elif f.type == "phone":
        return forms.CharField(widget=forms.TextInput(attrs={**attrs, "type": "tel", "autocomplete": "tel"}))
    elif f.type == "email":
        return forms.CharField(widget=forms.EmailInput(attrs={**attrs, "autocomplete": "email"}))
    return forms.CharField(max_length=f.max_length, widget=forms.TextInput(attrs=attrs))


@dataclass
class Section:
    """One block of the e-form as rendered: a legend (person, address, a group's row) and its fields."""

    legend: str
    names: list[str]
    hint: str = ""
    add: str = ""  # a group's name: the "add a row" button after its last row
    add_label: str = ""
    bound: list[Any] = dataclass_field(default_factory=list)
    # A conditional block: the id of the input it depends on and the value that shows it (eform.js hides it
    # otherwise; without JavaScript it stays, with its hint, and the server ignores it).
    when_control: str = ""
    when_value: str = ""


def answers_form(
    fields: list[FormField],
    data: Any = None,
    initial: dict[str, Any] | None = None,
    *,
    extra_rows: str = "",
    prefix: str = "f",
) -> forms.Form:
    """A Django form of the procedure's e-form (flat names ``name``, ``name__part``, ``name__0__sub``);
    requiredness is checked at submit (a draft may be incomplete). ``form.mc_sections`` lays it out;
    ``extra_rows`` names a group given one more empty row (the "add" button, which works without JS)."""
    form = forms.Form(data=data, initial=answers_to_flat(fields, initial or {}), prefix=prefix)
    sections: list[Section] = []
    units: list[tuple[str, str]] | None = None
    provinces: list[tuple[str, str]] | None = None

    def html_id(key: str) -> str:
        return f"id_{prefix}-{key}"

    def posted(key: str) -> str:
        return str(form.data.get(f"{prefix}-{key}") or "") if form.is_bound else ""

    def set_posted(key: str, value: str) -> None:
        data = cast(Any, form.data).copy()  # a QueryDict or a dict, mutable copy
        data[f"{prefix}-{key}"] = value
        form.data = data

    def condition(f: FormField, level: list[FormField]) -> str:
        if f.when is None:
            return ""
        other = next((o for o in level if o.name == f.when[0]), None)
        value = {"true": str(_("Có")), "false": str(_("Không"))}.get(f.when[1], f.when[1])
        return str(_("Chỉ điền khi «%(field)s» là «%(value)s».")) % {
            "field": other.label if other else f.when[0],
            "value": value,
        }

    def control(f: FormField, level: list[FormField], key_prefix: str) -> tuple[str, str]:
        """The id of the simple input a conditional field depends on, and the value that shows it."""
        other = next((o for o in level if f.when and o.name == f.when[0]), None)
        if f.when is None or other is None or other.type in ("person", "address", "group"):
            return "", ""
        return html_id(f"{key_prefix}{other.name}"), f.when[1]

    def add(f: FormField, key: str, label: str, required: bool) -> None:
        field = _schema_field(f, None)
        field.label = label
        field.required = False
        if required:  # marked, not enforced by the form
            field.widget.attrs["aria-required"] = "true"
            setattr(field, "mc_required", True)  # noqa: B010
        form.fields[key] = field

    def unit_picker(part: FormField, key: str, required: bool, section: Section) -> None:
        """The address's unit in two steps: the province, then its communes in force today (eform.js loads
        them when the province changes; without JavaScript, a button shows them, nothing saved)."""
        nonlocal units, provinces
        if provinces is None:
            provinces = address_provinces()
        unit_key, province_key = f"{key}__don_vi", f"{key}__tinh"
        if not provinces:  # no commune hangs under a province (a bare test world): one list of all communes
            units = address_unit_choices() if units is None else units
            field = _schema_field(part, units)
        else:
            chosen = posted(province_key) or address_province_of(
                posted(unit_key) if form.is_bound else str(form.initial.get(unit_key) or "")
            )
            if chosen not in {code for code, _name in provinces}:
                chosen = ""
            if form.is_bound:
                set_posted(province_key, chosen)
            else:
                form.initial[province_key] = chosen
            province = forms.CharField(
                required=False,
                label=str(_("Tỉnh, thành phố")),
                widget=forms.Select(
                    choices=[("", str(_("— Chọn tỉnh, thành phố —"))), *provinces],
                    attrs={
                        "class": "usa-select",
                        "data-unit-province": html_id(unit_key),
                        "data-communes-url": reverse("portal:unit_communes"),
                        "aria-controls": html_id(unit_key),
                        # eform.js's texts, in the page's language
                        "data-text-choose": str(_("— Chọn xã, phường —")),
                        "data-text-first": str(_("— Chọn tỉnh, thành phố trước —")),
                        "data-text-loaded": str(_("Đã tải danh sách xã, phường của %(province)s.")),
                        "data-text-failed": str(_("Không tải được danh sách xã, phường. Hãy thử lại.")),
                    },
                ),
            )
            setattr(province, "mc_province", True)  # noqa: B010
            if required:
                province.widget.attrs["aria-required"] = "true"
                setattr(province, "mc_required", True)  # noqa: B010
            form.fields[province_key] = province
            section.names.append(province_key)
            communes = address_communes(chosen) if chosen else []
            current = posted(unit_key) if form.is_bound else str(form.initial.get(unit_key) or "")
            if current and current not in {code for code, _name in communes}:
                # a commune in force under no province (or another one, chosen without JavaScript): still
                # offered, so that saving again does not drop it unseen
                name = unit_lookup(current)
                if name is not None:
                    communes.append((current, name))
            field = _schema_field(
                part, communes, "" if communes else str(_("— Chọn tỉnh, thành phố trước —"))
            )
        field.label = part.label
        field.required = False
        if required:
            field.widget.attrs["aria-required"] = "true"
            setattr(field, "mc_required", True)  # noqa: B010
        form.fields[unit_key] = field
        section.names.append(unit_key)

    def level(items: list[FormField], key_prefix: str, legend_prefix: str) -> None:
        loose = Section(legend="", names=[])
        for f in items:
            key = f"{key_prefix}{f.name}"
            hint = condition(f, items)
            if f.type in ("person", "address"):
                if loose.names:
                    sections.append(loose)
                    loose = Section(legend="", names=[])
                when_control, when_value = control(f, items, key_prefix)
                section = Section(
                    legend=f"{legend_prefix}{f.label}",
                    names=[],
                    hint=hint,
                    when_control=when_control,
                    when_value=when_value,
                )
                for part in f.part_fields():
                    if f.type == "address" and part.name == "don_vi":
                        unit_picker(part, key, f.required and part.required, section)
                        continue
                    add(part, f"{key}__{part.name}", part.label, f.required and part.required)
                    section.names.append(f"{key}__{part.name}")
                sections.append(section)
            elif f.type == "group":
                if loose.names:
                    sections.append(loose)
                    loose = Section(legend="", names=[])
                bound = form.is_bound
                source = form.data if bound else form.initial
                count = group_row_count(f, source, prefix=f"{prefix}-" if bound else "")
                if extra_rows == f.name:
                    count = min(count + 1, f.max_items)
                count = max(count, f.min_items or 1)
                form.fields[f"{key}__count"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
                form.initial[f"{key}__count"] = count
                if bound:
                    set_posted(f"{key}__count", str(count))
                first_section = len(sections)
                for i in range(count):
                    start = len(sections)
                    level(
                        list(f.children), f"{key}__{i}__", f"{legend_prefix}{f.label} — {_('dòng')} {i + 1}: "
                    )
                    if len(sections) == start or sections[start].legend:
                        sections.insert(start, Section(legend="", names=[]))
                    sections[start].legend = (
                        sections[start].legend or f"{legend_prefix}{f.label} — {_('dòng')} {i + 1}"
                    )
                    sections[start].hint = hint if i == 0 else ""
                when_control, when_value = control(f, items, key_prefix)
                if when_control:  # a conditional group: every block of its rows
                    for section in sections[first_section:]:
                        section.when_control, section.when_value = when_control, when_value
                sections[-1].names.append(f"{key}__count")
                if count < f.max_items:
                    sections[-1].add = f.name
                    sections[-1].add_label = str(_("Thêm một dòng “%(label)s”")) % {"label": f.label}
            else:
                add(f, key, f"{f.label}", f.required)
                if hint:
                    form.fields[key].help_text = hint
                    setattr(form.fields[key], "mc_when", control(f, items, key_prefix))  # noqa: B010
                loose.names.append(key)
        if loose.names:
            sections.append(loose)

    level(fields, "", "")
    for section in sections:
        section.bound = [form[name] for name in section.names]
    setattr(form, "mc_sections", sections)  # noqa: B010
    return form


def answers_posted(fields: list[FormField], form: forms.Form) -> dict[str, Any]:
    """The nested raw answers of a valid :func:`answers_form` (for ``draft_save`` / the counter intake)."""
    return answers_from_flat(fields, form.cleaned_data)


def focus_first_error(*forms_in_page_order: forms.Form) -> None:
    """Give the first input with an error ``autofocus`` (the page opens on it, with or without JavaScript;
    its error is beside it and named by ``aria-describedby``)."""
    for form in forms_in_page_order:
        if not form.is_bound:
            continue
        for name, field in form.fields.items():
            if name in form.errors and not field.widget.is_hidden:
                field.widget.attrs["autofocus"] = True
                return
