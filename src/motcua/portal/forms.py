"""Forms of the public portal: they parse query strings; they never write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.catalog.constants import OnlineMode
from motcua.catalog.selectors import fields_list
from motcua.organisations.constants import Level

# The levels a procedure is carried out at, as citizens know them.
SEARCH_LEVELS = [Level.PROVINCE, Level.DISTRICT, Level.COMMUNE]


class ProcedureSearchForm(forms.Form):
    """Search box and filters of the home page. Unknown filter values are dropped, never an error page."""

    q = forms.CharField(
        label=_("Tìm thủ tục"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"class": "usa-input", "type": "search", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    level = forms.ChoiceField(label=_("Cấp thực hiện"), required=False)
    online = forms.ChoiceField(label=_("Mức độ trực tuyến"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        all_label = _("Tất cả")
        choices: dict[str, list[tuple[str, Any]]] = {
            "field": [("", all_label)] + [(f.code, f.name) for f in fields_list()],
            "level": [("", all_label)] + [(lvl.value, lvl.label) for lvl in SEARCH_LEVELS],
            "online": [("", all_label), *OnlineMode.choices],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options
        for name in ("field", "level", "online"):
            self.fields[name].widget.attrs["class"] = "usa-select mc-filter"

    def filters(self) -> dict[str, str]:
        """The valid, non-empty values (an invalid one is ignored rather than failing the page)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data[name] for name in ("q", "field", "level", "online") if data.get(name)}
