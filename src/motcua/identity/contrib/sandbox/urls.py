from django.urls import URLPattern

app_name = "sandbox_vneid"
urlpatterns: list[URLPattern] = []
