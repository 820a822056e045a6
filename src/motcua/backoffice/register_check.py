"""The population register at the counter (issue 16, item 4).

On the counter-intake form the officer types the ID number and the reason and presses "Tra cứu CSDL quốc gia
về dân cư": ``identity.services.population_lookup`` looks the citizen up (logged with the reason, like every
look-up) and the form comes back with what the officer typed, the applicant's name and permanent address
filled where they were empty, and the register's record beside them; a name typed that differs from the
register is shown at once. The register's name travels with the form (hidden), so saving a dossier whose
name still differs is refused until the officer corrects it or confirms (``intake_register_mismatch``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from motcua.core import formatting
from motcua.core.errors import DomainError
from motcua.identity.population import Person, normalise_name
from motcua.identity.services import population_lookup

LOOKUP_BUTTON = "register_lookup"


@dataclass(frozen=True)
class RegisterPanel:
    """What the intake form shows of a look-up."""

    person: Person | None = None
    error: str = ""
    typed_name: str = ""  # the name typed, when it differs from the register's

    @property
    def mismatch(self) -> bool:
        return bool(self.person and self.typed_name)

    @property
    def birth_date(self) -> str:
        return formatting.day(self.person.birth_date) if self.person else ""

    @property
    def sex(self) -> str:
        if self.person is None:
            return ""
        return _("Nam") if self.person.sex == "male" else _("Nữ")


def intake_register_lookup(request: HttpRequest) -> tuple[RegisterPanel, dict[str, Any]]:
    """Look up the ID number typed on the intake form; the panel, and the form's initial data to show again
    (what was typed, the empty name and address filled from the register, the register's name kept)."""
    post = request.POST
    initial: dict[str, Any] = {
        k: post.get(k, "") for k in post if k not in ("csrfmiddlewaretoken", LOOKUP_BUTTON)
    }
    initial["components"] = post.getlist("components")
    initial["register_name"] = initial["register_id"] = ""
    try:
        outcome = population_lookup(
            officer=request.user,  # type: ignore[arg-type]
            id_number=post.get("id_number", ""),
            reason=post.get("lookup_reason", ""),
        )
    except DomainError as error:
        return RegisterPanel(error=error.message), initial
    person = outcome.person
    if person is None:
        return RegisterPanel(
            error=_("Không tìm thấy số định danh này trong Cơ sở dữ liệu quốc gia về dân cư.")
        ), initial
    typed = " ".join(str(initial.get("name", "")).split())
    if not typed:
        initial["name"] = person.full_name
    if not str(initial.get("address", "")).strip() and person.permanent_address:
        initial["address"] = person.permanent_address
    initial["id_number"] = person.id_number
    initial.update(register_name=person.full_name, register_id=person.id_number)
    differs = typed and normalise_name(typed) != normalise_name(person.full_name)
    return RegisterPanel(person=person, typed_name=typed if differs else ""), initial


def intake_register_mismatch(cleaned: dict[str, Any]) -> str:
    """Why the intake must not be saved as it is: the name differs from the register's record looked up for
    this ID number and the officer has not confirmed it (an empty text: nothing to say)."""
    register_name = str(cleaned.get("register_name") or "")
    if not register_name or cleaned.get("register_id") != cleaned.get("id_number"):
        return ""
    if normalise_name(str(cleaned.get("name") or "")) == normalise_name(register_name):
        return ""
    if cleaned.get("register_confirm"):
        return ""
    return _(
        "Họ tên đã nhập khác với Cơ sở dữ liệu quốc gia về dân cư (“%(register)s”). Sửa lại họ tên, "
        "hoặc đánh dấu xác nhận giữ thông tin đã nhập."
    ) % {"register": register_name}
