"""The national portal's single sign-on, sandbox: the sandbox provider mounted a second time, at
``/sandbox/dvcqg/sso/`` (only when ``settings.SANDBOX`` is true; config/urls.py), as its own issuer
(``oidc.sandbox_issuer``) with its own client (``dvcqg-sandbox``, ``services.sandbox_client_ensure``)."""

from django.urls import path
from oauth2_provider import views as oauth2_views

from . import views

app_name = "sandbox_dvcqg_sso"
urlpatterns = [
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path("jwks/", oauth2_views.JwksInfoView.as_view(), name="jwks"),
    path("dang-nhap/", views.login, name="login"),
    path("authorize/", views.SandboxAuthorizationView.as_view(), name="authorize"),
    path("token/", oauth2_views.TokenView.as_view(), name="token"),
    path("userinfo/", oauth2_views.UserInfoView.as_view(), name="userinfo"),
]
