from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("motcua.api.v1.organisations")),
    path("", include("motcua.api.v1.catalog")),
    path("", include("motcua.api.v1.worktime")),
    path("", include("motcua.api.v1.dossiers")),
    path("", include("motcua.api.v1.dossier_forms")),
    path("", include("motcua.api.v1.payments")),
    path("", include("motcua.api.v1.reports")),
    path("", include("motcua.api.v1.signatures")),
    path("", include("motcua.api.v1.petitions")),
]
