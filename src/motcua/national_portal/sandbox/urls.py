"""Mounted at ``/sandbox/dvcqg/`` only when ``settings.SANDBOX`` is true (config/urls.py)."""

from django.urls import path

from . import views

app_name = "sandbox_dvcqg"
urlpatterns = [
    path("auth/", views.auth, name="auth"),
    path("api/", views.api, name="api"),
    path("api/hoso/<str:code>/", views.dossier_detail, name="dossier"),
]
