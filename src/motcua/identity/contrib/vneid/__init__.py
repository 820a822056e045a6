"""VNeID (national e-ID application, Ministry of Public Security): OIDC on Keycloak (INTEGRATIONS.md)."""

from django.utils.translation import gettext_lazy as _

from motcua.identity.providers import LoginProvider, login_providers


@login_providers.register("vneid")
class VneidLogin(LoginProvider):
    label = _("Tài khoản định danh điện tử VNeID")
    description = _("Đăng nhập bằng ứng dụng VNeID của Bộ Công an.")
