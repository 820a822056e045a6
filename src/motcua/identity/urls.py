from django.urls import path

from . import views

app_name = "identity"
# Also in this namespace: ``population/lookup/`` (``api/v1/identity.py``), joined by ``config/urls.py``.
urlpatterns = [
    path("login/", views.login_choice, name="login"),
    path("login/<slug:provider>/", views.login_start, name="login_start"),
    path("callback/<slug:provider>/", views.callback, name="callback"),
    path("logout/", views.logout, name="logout"),
]
