"""The sandbox certificate authority: root → issuing CA → the unit's, the leader's and a revoked certificate.

Generated with ``cryptography`` the first time it is needed (``motcua load-demo`` calls
``sandbox_ca_ensure``) into ``settings.MOTCUA_SANDBOX_CA_DIR`` (``var/sandbox/ca`` by default, never
committed). The issuing CA publishes a CRL (``issuing.crl``, DER) that lists the revoked certificate; it is
re-issued when it gets within a day of its next update, so a long-running sandbox keeps a fresh one. The
sandbox timestamp authority's certificate (extended key usage timeStamping) is issued here too.

Sandbox only: the keys are stored unencrypted on disk (the unit's also as a PKCS#12 file with a known
password, to exercise the ``pkcs12`` signer). A real installation configures its own certificates
(docs/signatures.md).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from motcua.core import clock

SANDBOX_PKCS12_PASSWORD = b"motcua-sandbox"  # sandbox only: the demo unit certificate's PKCS#12 file
CRL_LIFETIME = dt.timedelta(days=7)
CRL_REFRESH_BEFORE = dt.timedelta(days=1)

# name in the directory → (common name, organisation unit or None, kind)
ROOT, ISSUING, UNIT, LEADER, REVOKED, TSA = "root", "issuing", "unit", "leader", "revoked", "tsa"

_lock = threading.Lock()


def _name(common_name: str, unit: str | None = None) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "motcua sandbox"),
    ]
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def ca_dir() -> Path:
    return Path(settings.MOTCUA_SANDBOX_CA_DIR)


def crl_url() -> str:
    """Where relying parties fetch the sandbox CRL (served at /sandbox/ca/issuing.crl in sandbox mode)."""
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/sandbox/ca/issuing.crl"


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


class SandboxCA:
    """The sandbox CA's files in ``directory`` (load with ``sandbox_ca()``)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _issued(self, name: str) -> Issued:
        cert = x509.load_pem_x509_certificate((self.directory / f"{name}.pem").read_bytes())
        key = serialization.load_pem_private_key((self.directory / f"{name}.key").read_bytes(), None)
        assert isinstance(key, rsa.RSAPrivateKey)
        return Issued(cert, key)

    @cached_property
    def root(self) -> Issued:
        return self._issued(ROOT)

    @cached_property
    def issuing(self) -> Issued:
        return self._issued(ISSUING)

    @cached_property
    def unit(self) -> Issued:
        return self._issued(UNIT)

    @cached_property
    def leader(self) -> Issued:
        return self._issued(LEADER)

    @cached_property
    def revoked(self) -> Issued:
        return self._issued(REVOKED)

    @cached_property
    def tsa(self) -> Issued:
        return self._issued(TSA)

    @property
    def crl_path(self) -> Path:
        return self.directory / "issuing.crl"

    def crl_der(self) -> bytes:
        return self.crl_path.read_bytes()

    @property
    def pkcs12_path(self) -> Path:
        return self.directory / "unit.p12"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _issue(
    *,
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: Issued | None,
    now: dt.datetime,
    days: int,
    ca: bool = False,
    path_length: int | None = None,
    eku: x509.ObjectIdentifier | None = None,
) -> x509.Certificate:
    issuer_name = issuer.certificate.subject if issuer else subject
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    if ca:
        usage = dict.fromkeys(
            (
                "digital_signature",
                "content_commitment",
                "key_encipherment",
                "data_encipherment",
                "key_agreement",
                "encipher_only",
                "decipher_only",
            ),
            False,
        )
        builder = builder.add_extension(
            x509.KeyUsage(**usage, key_cert_sign=True, crl_sign=True), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=eku is None,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.UniformResourceIdentifier(crl_url())], None, None, None)]
            ),
            critical=False,
        )
        if eku is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage([eku]), critical=True)
    return builder.sign(signing_key, hashes.SHA256())


def _write(directory: Path, name: str, issued: Issued) -> None:
    (directory / f"{name}.pem").write_bytes(issued.cert_pem)
    key_path = directory / f"{name}.key"
    key_path.write_bytes(issued.key_pem)
    key_path.chmod(0o600)


def _crl_write(ca: SandboxCA, now: dt.datetime) -> None:
    revoked = (
        x509.RevokedCertificateBuilder()
        .serial_number(ca.revoked.certificate.serial_number)
        .revocation_date(now - dt.timedelta(hours=1))
        .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
        .build()
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.issuing.certificate.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + CRL_LIFETIME)
        .add_revoked_certificate(revoked)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.issuing.key.public_key()), critical=False
        )
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .sign(ca.issuing.key, hashes.SHA256())
    )
    tmp = ca.crl_path.with_suffix(".tmp")
    tmp.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    tmp.replace(ca.crl_path)


def _crl_fresh(ca: SandboxCA, now: dt.datetime) -> bool:
    if not ca.crl_path.exists():
        return False
    crl = x509.load_der_x509_crl(ca.crl_der())
    next_update = crl.next_update_utc
    return next_update is not None and next_update - CRL_REFRESH_BEFORE > now


def sandbox_ca_ensure(directory: Path | None = None) -> SandboxCA:
    """Create the sandbox CA in ``directory`` if it is missing, refresh its CRL if due; return it. Idempotent."""
    directory = directory or ca_dir()
    with _lock:
        now = clock.now().astimezone(dt.UTC)
        if not (directory / f"{TSA}.pem").exists():
            _generate(directory, now)
        ca = SandboxCA(directory)
        if not _crl_fresh(ca, now):
            _crl_write(ca, now)
        return ca


def _generate(target: Path, now: dt.datetime) -> None:
    """Write a new CA into a temporary sibling directory, then move it into place (another process may race)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    directory = Path(tempfile.mkdtemp(prefix=".ca-", dir=target.parent))
    root_key = _key()
    root = Issued(
        _issue(
            subject=_name("motcua Sandbox Root CA"),
            key=root_key,
            issuer=None,
            now=now,
            days=3650,
            ca=True,
            path_length=1,
        ),
        root_key,
    )
    issuing_key = _key()
    issuing = Issued(
        _issue(
            subject=_name("motcua Sandbox Issuing CA"),
            key=issuing_key,
            issuer=root,
            now=now,
            days=1825,
            ca=True,
            path_length=0,
        ),
        issuing_key,
    )
    _write(directory, ROOT, root)
    _write(directory, ISSUING, issuing)
    leaves = {
        UNIT: (_name(settings.MOTCUA_SANDBOX_SIGNER_UNIT, "Văn thư"), None),
        LEADER: (_name("Nguyễn Văn Lãnh Đạo", "Lãnh đạo"), None),
        REVOKED: (_name("Trần Thị Đã Thu Hồi", "Chứng thư đã thu hồi"), None),
        TSA: (_name("motcua Sandbox TSA"), ExtendedKeyUsageOID.TIME_STAMPING),
    }
    for name, (subject, eku) in leaves.items():
        key = _key()
        cert = _issue(subject=subject, key=key, issuer=issuing, now=now, days=730, eku=eku)
        _write(directory, name, Issued(cert, key))
    unit = SandboxCA(directory).unit
    p12 = pkcs12.serialize_key_and_certificates(
        name=b"motcua sandbox unit",
        key=unit.key,
        cert=unit.certificate,
        cas=[issuing.certificate, root.certificate],
        encryption_algorithm=serialization.BestAvailableEncryption(SANDBOX_PKCS12_PASSWORD),
    )
    (directory / "unit.p12").write_bytes(p12)
    _crl_write(SandboxCA(directory), now)
    try:
        directory.rename(target)  # fails if another process made it first (or an empty directory is there)
    except OSError:
        if (target / f"{TSA}.pem").exists():
            shutil.rmtree(directory, ignore_errors=True)
        else:
            shutil.rmtree(target, ignore_errors=True)
            directory.rename(target)


_cached: dict[Path, SandboxCA] = {}


def sandbox_ca() -> SandboxCA:
    """The sandbox CA of the settings' directory (created on first use; its CRL kept fresh)."""
    directory = ca_dir()
    ca = _cached.get(directory)
    if ca is None or not _crl_fresh(ca, clock.now().astimezone(dt.UTC)):
        ca = sandbox_ca_ensure(directory)
        _cached[directory] = ca
    return ca
