"""Mounted at ``/sandbox/dvcqg/`` only when ``settings.SANDBOX`` is true (config/urls.py)."""

from django.urls import path

from . import filing, views

app_name = "sandbox_dvcqg"
urlpatterns = [
    path("auth/", views.auth, name="auth"),
    path("api/", views.api, name="api"),
    path("api/hoso/<str:code>/", views.dossier_detail, name="dossier"),
    path("nop-ho-so/", filing.file_dossier, name="file"),
]
