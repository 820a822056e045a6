"""Single sign-on of the national public-service portal (Cổng Dịch vụ công quốc gia): OIDC."""

from django.utils.translation import gettext_lazy as _

from motcua.identity.providers import LoginProvider, login_providers


@login_providers.register("dvcqg")
class DvcqgLogin(LoginProvider):
    label = _("Tài khoản Cổng Dịch vụ công quốc gia")
    description = _("Đăng nhập một lần qua Cổng Dịch vụ công quốc gia.")
