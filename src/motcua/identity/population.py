"""Population register adapters (CSDL quốc gia về dân cư, INTEGRATIONS.md "Population register").

A plugin implements ``lookup(id_number) -> Person | None``; ``verify`` compares name and birth date with
what ``lookup`` returns. ``settings.MOTCUA_POPULATION_REGISTER`` picks the plugin (``sandbox`` reads the fake
citizens of the sandbox e-ID). Officers never call adapters directly: ``services.population_lookup`` checks
the role and the reason and logs the look-up.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.conf import settings

from motcua.core.registry import Registry


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


class PopulationRegister:
    identifier: str

    def lookup(self, id_number: str) -> Person | None:
        raise NotImplementedError

    def verify(self, id_number: str, full_name: str, birth_date: dt.date) -> bool:
        person = self.lookup(id_number)
        return (
            person is not None
            and normalise_name(person.full_name) == normalise_name(full_name)
            and person.birth_date == birth_date
        )


population_registers: Registry[PopulationRegister] = Registry("population register")


def get_population_register() -> PopulationRegister:
    return population_registers[settings.MOTCUA_POPULATION_REGISTER]
