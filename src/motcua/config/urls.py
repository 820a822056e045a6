from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from motcua.api.metrics import metrics
from motcua.api.v1 import identity as identity_api
from motcua.core.views import healthz
from motcua.identity import urls as identity_urls

admin.site.site_header = "Quản trị hệ thống một cửa điện tử"
admin.site.site_title = "Quản trị motcua"
admin.site.index_title = "Quản trị"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),  # Prometheus, operators only (api.metrics)
    path("quan-tri/", admin.site.urls),
    path("api/v1/", include("motcua.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The login pages and the population look-up API, one namespace "identity".
    path("auth/", include((identity_urls.urlpatterns + identity_api.urlpatterns, identity_urls.app_name))),
    path("can-bo/", include("motcua.backoffice.urls")),
    path("thanh-toan/", include("motcua.payments.urls")),
    path("", include("motcua.portal.urls")),
]

if settings.SANDBOX:
    # Sandbox stand-ins for outside systems, speaking their real protocols on loopback (never in production).
    urlpatterns += [
        path("sandbox/vneid/", include("motcua.identity.contrib.sandbox.urls")),
        # The national portal's single sign-on (the sandbox e-ID provider as a second issuer; docs/identity.md).
        path("sandbox/dvcqg/sso/", include("motcua.identity.contrib.sandbox.dvcqg_urls")),
        path("sandbox/dvcqg/", include("motcua.national_portal.sandbox.urls")),
        path("sandbox/vnpay/", include("motcua.payments.sandbox.urls")),
        # The sandbox CA (its CRL), timestamp authority and remote signing service (docs/signatures.md).
        path("sandbox/", include("motcua.signatures.sandbox.urls")),
        path("sandbox/paygov/", include("motcua.payments.sandbox.paygov")),
    ]
