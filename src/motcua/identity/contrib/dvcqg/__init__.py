"""Single sign-on of the national public-service portal (Cổng Dịch vụ công quốc gia): OIDC."""

from django.utils.translation import gettext_lazy as _

from motcua.identity.providers import LoginProvider, login_providers


@login_providers.register("dvcqg")
class DvcqgLogin(LoginProvider):
    """The real portal's SSO: OIDC (authorization code + PKCE S256, ID token checked against its JWKS), the
    settings ``MOTCUA_DVCQG_LOGIN_*`` / ``MOTCUA_DVCQG_DISCOVERY_URL`` … (docs/national-portal.md, "SSO")."""

    label = _("Tài khoản Cổng Dịch vụ công quốc gia")
    description = _("Đăng nhập một lần qua Cổng Dịch vụ công quốc gia.")


@login_providers.register("dvcqg-sandbox")
class SandboxDvcqgLogin(LoginProvider):
    """The national portal's SSO against motcua's sandbox stand-in (``/sandbox/dvcqg/sso/``): the same flow."""

    sandbox = True
    label = _("Tài khoản Cổng Dịch vụ công quốc gia (thử nghiệm)")
    description = _("Cổng Dịch vụ công quốc gia giả lập: đăng nhập một lần bằng một công dân thử nghiệm.")
