from django.urls import path

from . import api, views

app_name = "identity"
urlpatterns = [
    path("login/", views.login_choice, name="login"),
    path("login/<slug:provider>/", views.login_start, name="login_start"),
    path("callback/<slug:provider>/", views.callback, name="callback"),
    path("logout/", views.logout, name="logout"),
    path("population/lookup/", api.PopulationLookupApi.as_view(), name="population_lookup"),
]
