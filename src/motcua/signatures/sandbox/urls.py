"""Sandbox stand-ins for the signing infrastructure, mounted under ``/sandbox/`` only with ``settings.SANDBOX``.

``ca/root.pem``, ``ca/issuing.pem``, ``ca/issuing.crl``: the sandbox CA (its CRL is the one the certificates
name). ``tsa/``: an RFC 3161 timestamp authority. ``ky-so-tu-xa/``: a remote signing service (the
``remote`` signer's protocol) holding the sandbox leader's certificate.
"""

from django.urls import path

from . import views

app_name = "sandbox_signatures"
urlpatterns = [
    path("ca/<str:name>", views.ca_file, name="ca_file"),
    path("tsa/", views.tsa, name="tsa"),
    path("ky-so-tu-xa/certificate", views.remote_certificate, name="remote_certificate"),
    path("ky-so-tu-xa/sign", views.remote_sign, name="remote_sign"),
]
