"""Mounted at ``/sandbox/vneid/`` only when ``settings.SANDBOX`` is true (config/urls.py)."""

from django.urls import path
from oauth2_provider import views as oauth2_views

from . import views

app_name = "sandbox_vneid"
urlpatterns = [
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path("jwks/", oauth2_views.JwksInfoView.as_view(), name="jwks"),
    path("dang-nhap/", views.login, name="login"),
    path("authorize/", views.SandboxAuthorizationView.as_view(), name="authorize"),
    path("token/", oauth2_views.TokenView.as_view(), name="token"),
    path("userinfo/", oauth2_views.UserInfoView.as_view(), name="userinfo"),
]
