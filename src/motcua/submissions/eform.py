"""The procedure's e-form as a Django form (flat names; ``documents.formschema`` checks the values): used by
the citizen's online submission and by the counter intake."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.documents.formschema import (
    FormField,
    address_unit_choices,
    answers_from_flat,
    answers_to_flat,
    group_row_count,
)

INPUT = "usa-input"


def _schema_field(f: FormField, unit_choices: list[tuple[str, str]] | None) -> forms.Field:
    """The Django field of one simple schema field (checked against the schema by the service)."""
    attrs: dict[str, str] = {"class": INPUT}
    if f.type == "textarea":
        return forms.CharField(
            max_length=f.max_length, widget=forms.Textarea(attrs={"class": "usa-textarea", "rows": 5})
        )
    if f.type == "date":
        return forms.CharField(widget=forms.DateInput(attrs={**attrs, "type": "date"}))
    if f.type == "number":
        return forms.CharField(widget=forms.TextInput(attrs={**attrs, "inputmode": "decimal"}))
    if f.type in ("select", "boolean") or unit_choices is not None:
        if unit_choices is not None:
            choices = [("", str(_("— Chọn xã, phường —"))), *unit_choices]
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

    def condition(f: FormField, level: list[FormField]) -> str:
        if f.when is None:
            return ""
        other = next((o for o in level if o.name == f.when[0]), None)
        value = {"true": str(_("Có")), "false": str(_("Không"))}.get(f.when[1], f.when[1])
        return str(_("Chỉ điền khi «%(field)s» là «%(value)s».")) % {
            "field": other.label if other else f.when[0],
            "value": value,
        }

    def add(f: FormField, key: str, label: str, required: bool, unit_picker: bool = False) -> None:
        nonlocal units
        if unit_picker and units is None:
            units = address_unit_choices()
        field = _schema_field(f, units if unit_picker else None)
        field.label = label
        field.required = False
        if required:  # marked, not enforced by the form
            field.widget.attrs["aria-required"] = "true"
            setattr(field, "mc_required", True)  # noqa: B010
        form.fields[key] = field

    def level(items: list[FormField], key_prefix: str, legend_prefix: str) -> None:
        loose = Section(legend="", names=[])
        for f in items:
            key = f"{key_prefix}{f.name}"
            hint = condition(f, items)
            if f.type in ("person", "address"):
                if loose.names:
                    sections.append(loose)
                    loose = Section(legend="", names=[])
                section = Section(legend=f"{legend_prefix}{f.label}", names=[], hint=hint)
                for part in f.part_fields():
                    add(
                        part,
                        f"{key}__{part.name}",
                        part.label,
                        f.required and part.required,
                        part.name == "don_vi",
                    )
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
                    posted = cast(Any, form.data).copy()  # a QueryDict or a dict, mutable copy
                    posted[f"{prefix}-{key}__count"] = str(count)
                    form.data = posted
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
                sections[-1].names.append(f"{key}__count")
                if count < f.max_items:
                    sections[-1].add = f.name
                    sections[-1].add_label = str(_("Thêm một dòng “%(label)s”")) % {"label": f.label}
            else:
                add(f, key, f"{f.label}", f.required)
                if hint:
                    form.fields[key].help_text = hint
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
