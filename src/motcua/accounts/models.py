from django.contrib.auth.models import AbstractUser
from django.db import models


class AccountKind(models.TextChoices):
    STAFF = "staff", "Cán bộ, công chức"
    CITIZEN = "citizen", "Công dân"
    BUSINESS = "business", "Tổ chức, doanh nghiệp"
    # An outside system calling back (payment gateway, national portal, bank, signing service): it acts on
    # dossiers under its own name (``system:<name>``) and never logs in (``accounts.services.system_actor``).
    SYSTEM = "system", "Hệ thống bên ngoài"


class User(AbstractUser):
    """Every person who logs in: staff (username + password) or citizens/businesses (national e-ID).

    Citizens are keyed on their 12-digit citizen ID; business accounts carry the tax code. System accounts
    (kind ``system``, username ``system:<name>``) are the actors of outside systems' callbacks: inactive, no
    usable password, so they never log in.
    """

    kind = models.CharField(
        "loại tài khoản", max_length=16, choices=AccountKind.choices, default=AccountKind.STAFF
    )
    full_name = models.CharField("họ và tên", max_length=200, blank=True)
    citizen_id = models.CharField("số định danh cá nhân", max_length=12, null=True, blank=True, unique=True)
    tax_code = models.CharField("mã số thuế", max_length=14, blank=True)
    phone = models.CharField("số điện thoại", max_length=20, blank=True)

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"

    def __str__(self) -> str:
        if self.kind == AccountKind.SYSTEM:  # the audit trail names the system itself
            return f"{self.full_name} ({self.username})" if self.full_name else self.username
        return self.full_name or self.get_full_name() or self.username

    @property
    def is_system(self) -> bool:
        """An outside system's actor (``system:<name>``), not a person."""
        return self.kind == AccountKind.SYSTEM
