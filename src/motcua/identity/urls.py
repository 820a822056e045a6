from django.urls import URLPattern

app_name = "identity"
urlpatterns: list[URLPattern] = []
