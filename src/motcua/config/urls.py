from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from motcua.core.views import healthz

admin.site.site_header = "Quản trị hệ thống một cửa điện tử"
admin.site.site_title = "Quản trị motcua"
admin.site.index_title = "Quản trị"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("quan-tri/", admin.site.urls),
    path("api/v1/", include("motcua.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("auth/", include("motcua.identity.urls")),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("", include("motcua.portal.urls")),
]

if settings.SANDBOX:
    # Sandbox stand-ins for outside systems, speaking their real protocols on loopback (never in production).
    urlpatterns += [
        path("sandbox/vneid/", include("motcua.identity.contrib.sandbox.urls")),
    ]
