"""Signers as plugins (docs/architecture.md, "How to add a provider"; docs/signatures.md).

``MOTCUA_SIGNER`` chooses one: ``sandbox`` (the sandbox CA's unit certificate, sandbox mode only), ``pkcs12``
(an organisation certificate in a PKCS#12 file), ``pkcs11`` (a token or HSM through its PKCS#11 module) or
``remote`` (a remote signing service: the hash goes out, the signature comes back; the personal USB-token and
remote-signing products officials use). A plugin gives pyHanko its ``Signer``; pyHanko builds the CMS.

``validation_context`` is what signing embeds for B-LT (certificates, CRLs/OCSP): outside the sandbox
pyHanko fetches the CRLs and OCSP answers the certificate names; in the sandbox the sandbox CRL is given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.sign import signers
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext

from motcua.core.registry import Plugin, Registry, sandbox_on

from . import pdf


class SignerUnavailable(Exception):
    """The signer cannot sign now (configuration, token absent, service down): the request waits and retries."""


class SignerPlugin(Plugin):
    """Base of signers; ``@signer_plugins.register("identifier")``."""

    def signer(self) -> signers.Signer:
        """pyHanko's signer (certificate, chain, the raw signing operation). Raises ``SignerUnavailable``."""
        raise NotImplementedError

    def certificate_roots(self) -> list[asn1_x509.Certificate]:
        """Roots the signer's chain ends at, besides the configured trust roots (the sandbox root)."""
        return []

    def crls(self) -> list[bytes]:
        """CRLs (DER) to embed without fetching (the sandbox CRL)."""
        return []

    def validation_context(self) -> ValidationContext:
        """The context signing validates the chain in and embeds (B-LT) from.

        The configured trust roots (and the sandbox CA's in sandbox mode, with its CRL, nothing fetched);
        outside the sandbox pyHanko fetches the CRLs/OCSP answers the chain names, and a revoked certificate
        is refused (hard-fail).
        """
        roots, crls, others = verification_roots()
        roots += self.certificate_roots()
        crls += self.crls()
        # One context for a few minutes: pyHanko keeps what it validated (paths, revocation answers) in it,
        # which makes the next signatures cheaper; its validation time is the moment it was made.
        key = (
            self.identifier,
            sandbox_on(),
            tuple(hashlib.sha256(r.dump()).digest() for r in roots),
            tuple(hashlib.sha256(c).digest() for c in crls),
        )
        cached = _contexts.get(key)
        now = time.monotonic()
        if cached is not None and now - cached[0] < CONTEXT_SECONDS:
            return cached[1]
        context = ValidationContext(
            trust_roots=roots,
            other_certs=others,
            crls=[asn1_crl.CertificateList.load(c) for c in crls],
            allow_fetching=not sandbox_on(),
            revocation_mode="hard-fail",
        )
        _contexts.clear()
        _contexts[key] = (now, context)
        return context


CONTEXT_SECONDS = 300.0
_contexts: dict[object, tuple[float, ValidationContext]] = {}


signer_plugins: Registry[SignerPlugin] = Registry("signer", setting="MOTCUA_SIGNER")


def chosen_signer() -> SignerPlugin:
    """The signer ``MOTCUA_SIGNER`` names, if it is on; ``SignerUnavailable`` otherwise."""
    plugin = signer_plugins.chosen()
    if plugin is None:
        raise SignerUnavailable(
            f"Chưa cấu hình chữ ký số (MOTCUA_SIGNER={settings.MOTCUA_SIGNER!r} không dùng được)."
        )
    return plugin


def timestamper() -> TimeStamper | None:
    """The timestamp authority of ``MOTCUA_TSA_URL``: an RFC 3161 URL, ``sandbox`` (in process) or none."""
    url = str(settings.MOTCUA_TSA_URL or "")
    if not url:
        return None
    # One timestamper for a few minutes: pyHanko has a new one issue a token over a dummy digest before its
    # first signature (to learn the TSA's certificates for the validation data): one more token, and over
    # HTTP one more round trip, per signature.
    build: Callable[[], TimeStamper]
    if url == "sandbox":
        if not sandbox_on():
            raise SignerUnavailable("MOTCUA_TSA_URL=sandbox chỉ dùng trong môi trường thử nghiệm.")
        from .ca import sandbox_ca

        ca = sandbox_ca()
        key: tuple[object, ...] = (url, str(ca.directory), ca.tsa.certificate.serial_number)

        def build() -> TimeStamper:
            return pdf.dummy_timestamper(
                ca.tsa.certificate, ca.tsa.key, [ca.issuing.certificate, ca.root.certificate]
            )

    else:
        timeout = int(settings.MOTCUA_SIGNER_REMOTE_TIMEOUT)
        key = (url, timeout)

        def build() -> TimeStamper:
            return HTTPTimeStamper(url, timeout=timeout)

    cached = _timestampers.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < CONTEXT_SECONDS:
        return cached[1]
    stamper = build()
    _timestampers.clear()
    _timestampers[key] = (now, stamper)
    return stamper


_timestampers: dict[tuple[object, ...], tuple[float, TimeStamper]] = {}


def verification_roots() -> tuple[list[asn1_x509.Certificate], list[bytes], list[asn1_x509.Certificate]]:
    """Trust roots, CRLs and intermediate certificates for verification: the settings', and the sandbox CA's
    in sandbox mode only."""
    roots = pdf.trust_roots()
    crls: list[bytes] = []
    others: list[asn1_x509.Certificate] = []
    if sandbox_on():
        from .ca import sandbox_ca

        ca = sandbox_ca()
        roots.append(pdf.asn1_cert(ca.root.certificate))
        others.append(pdf.asn1_cert(ca.issuing.certificate))
        crls.append(ca.crl_der())
    return roots, crls, others


def describe(plugin: SignerPlugin) -> dict[str, Any]:
    """The chosen signer's certificate, for the admin and the docs (subject, issuer, validity)."""
    cert = plugin.signer().signing_cert
    if cert is None:
        return {}
    return {
        "subject": cert.subject.human_friendly,
        "issuer": cert.issuer.human_friendly,
        "not_after": cert["tbs_certificate"]["validity"]["not_after"].native.astimezone(dt.UTC).isoformat(),
    }


from .contrib import pkcs11, pkcs12, remote, sandbox  # noqa: E402, F401  (registers the signer plugins)
