"""Population register adapters (CSDL quốc gia về dân cư, INTEGRATIONS.md "Population register").

A plugin (``motcua.core.registry.Plugin``) implements ``lookup(id_number) -> Person | None``; ``verify``
compares name and birth date with what ``lookup`` returns. ``settings.MOTCUA_POPULATION_REGISTER`` chooses
the plugin (``sandbox``, a sandbox plugin reading the fake citizens of the sandbox e-ID, is the default only
with ``MOTCUA_SANDBOX``; empty: no register). Officers never call adapters directly:
``services.population_lookup`` checks the role and the reason and logs the look-up.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from motcua.core.registry import Plugin, Registry

from .errors import RegisterUnavailable


@dataclass(frozen=True)
class Person:
    id_number: str
    full_name: str
    birth_date: dt.date
    sex: str  # "male" / "female"
    permanent_address: str = ""


def normalise_name(name: str) -> str:
    """NFC, case-folded, single spaces: diacritics matter (Nguyễn ≠ Nguyên), case and spacing do not."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


class PopulationRegister(Plugin):
    """Base of a population register adapter; the one ``MOTCUA_POPULATION_REGISTER`` names is used."""

    def lookup(self, id_number: str) -> Person | None:
        raise NotImplementedError

    def verify(self, id_number: str, full_name: str, birth_date: dt.date) -> bool:
        person = self.lookup(id_number)
        return (
            person is not None
            and normalise_name(person.full_name) == normalise_name(full_name)
            and person.birth_date == birth_date
        )


population_registers: Registry[PopulationRegister] = Registry(
    "population register", setting="MOTCUA_POPULATION_REGISTER"
)


def get_population_register() -> PopulationRegister:
    """The register ``MOTCUA_POPULATION_REGISTER`` names; ``RegisterUnavailable`` when none is enabled."""
    register = population_registers.chosen()
    if register is None:
        raise RegisterUnavailable(
            _("Chưa kết nối Cơ sở dữ liệu quốc gia về dân cư, chưa tra cứu được. Vui lòng thử lại sau.")
        )
    return register
