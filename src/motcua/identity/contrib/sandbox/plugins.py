"""The sandbox plugins: e-ID login against the sandbox provider, population register over its people.

Both are sandbox plugins (``sandbox = True``): the start-up check refuses them outside ``MOTCUA_SANDBOX``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from motcua.identity.models import SandboxPerson
from motcua.identity.population import Person, PopulationRegister, population_registers
from motcua.identity.providers import LoginProvider, login_providers


@login_providers.register("sandbox")
class SandboxLogin(LoginProvider):
    sandbox = True
    label = _("Định danh điện tử (thử nghiệm)")
    description = _("Nhà cung cấp định danh giả lập: chọn một công dân hoặc doanh nghiệp thử nghiệm.")


@population_registers.register("sandbox")
class SandboxPopulationRegister(PopulationRegister):
    """Looks people up in the fake-citizen table of the sandbox e-ID (citizens only)."""

    sandbox = True
    label = _("Cơ sở dữ liệu quốc gia về dân cư (thử nghiệm)")

    def lookup(self, id_number: str) -> Person | None:
        row = SandboxPerson.objects.filter(kind="citizen", id_number=id_number).first()
        if row is None:
            return None
        return Person(
            id_number=row.id_number,
            full_name=row.full_name,
            birth_date=row.birth_date,
            sex=row.sex,
            permanent_address=row.permanent_address,
        )
