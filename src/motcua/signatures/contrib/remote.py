"""``remote``: a remote signing service (the officials' remote-signing / USB-token products' server side).

The protocol (docs/signatures.md, "Remote signing service"), JSON over HTTPS with ``Authorization: Bearer
MOTCUA_SIGNER_REMOTE_TOKEN``:

- ``GET {MOTCUA_SIGNER_REMOTE_URL}certificate?key_id=…`` → ``{"certificate": PEM, "chain": [PEM, …]}``
- ``POST {MOTCUA_SIGNER_REMOTE_URL}sign`` ``{"key_id", "hash_algorithm": "sha256", "hash": base64, "title"}``
  → ``{"signature": base64}``: the raw signature (RSA PKCS#1 v1.5, or ECDSA in DER) of the hash of the CMS
  signed attributes. The document never leaves motcua; pyHanko builds the CMS around the returned value.

Anything else (a network error, a 4xx/5xx, an answer without a signature) raises ``SignerUnavailable``: the
signature request waits and is retried. motcua serves a sandbox service at ``/sandbox/ky-so-tu-xa/`` in
sandbox mode (the sandbox leader's certificate).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import requests
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .. import pdf
from ..signers import SignerPlugin, SignerUnavailable, signer_plugins


def _url(path: str) -> str:
    base = settings.MOTCUA_SIGNER_REMOTE_URL
    return base.rstrip("/") + "/" + path


def _call(method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {settings.MOTCUA_SIGNER_REMOTE_TOKEN}"}
    try:
        response = requests.request(
            method, _url(path), headers=headers, timeout=settings.MOTCUA_SIGNER_REMOTE_TIMEOUT, **kwargs
        )
    except requests.RequestException as exc:
        raise SignerUnavailable(f"Dịch vụ ký số từ xa không trả lời: {type(exc).__name__}") from exc
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 200 or not isinstance(answer, dict):
        message = answer.get("message") if isinstance(answer, dict) else ""
        raise SignerUnavailable(f"Dịch vụ ký số từ xa từ chối (HTTP {response.status_code}): {message or ''}")
    return answer


class RemoteSigner(signers.Signer):
    """pyHanko signer whose raw signature comes from the remote service (hash out, signature back)."""

    def __init__(self, *, certificate: asn1_x509.Certificate, chain: list[asn1_x509.Certificate]) -> None:
        super().__init__(signing_cert=certificate, cert_registry=SimpleCertificateStore.from_certs(chain))

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if digest_algorithm != "sha256":
            raise SignerUnavailable(f"Thuật toán băm {digest_algorithm} không được hỗ trợ.")
        if dry_run:  # pyHanko sizes the signature: a placeholder as long as the key
            assert self.signing_cert is not None
            return bytes(self.signing_cert.public_key.bit_size // 8 + 16)
        digest = hashlib.sha256(data).digest()
        answer = _call(
            "POST",
            "sign",
            json={
                "key_id": settings.MOTCUA_SIGNER_REMOTE_KEY_ID,
                "hash_algorithm": "sha256",
                "hash": base64.b64encode(digest).decode(),
            },
        )
        try:
            return base64.b64decode(str(answer["signature"]), validate=True)
        except (KeyError, ValueError) as exc:
            raise SignerUnavailable("Dịch vụ ký số từ xa trả lời không có chữ ký hợp lệ.") from exc


@signer_plugins.register("remote")
class RemoteSignerPlugin(SignerPlugin):
    label = "Dịch vụ ký số từ xa"

    def check(self) -> list[str]:
        problems = []
        if not settings.MOTCUA_SIGNER_REMOTE_URL:
            problems.append("MOTCUA_SIGNER_REMOTE_URL is not set (base URL of the remote signing service)")
        if not settings.MOTCUA_SIGNER_REMOTE_TOKEN:
            problems.append("MOTCUA_SIGNER_REMOTE_TOKEN is not set")
        return problems

    def signer(self) -> signers.Signer:
        problems = self.check()
        if problems:
            raise SignerUnavailable("Dịch vụ ký số từ xa chưa được cấu hình: " + "; ".join(problems))
        answer = _call("GET", "certificate", params={"key_id": settings.MOTCUA_SIGNER_REMOTE_KEY_ID})
        try:
            certificate = pdf.load_certificates(str(answer["certificate"]).encode())[0]
            chain = [pdf.load_certificates(str(c).encode())[0] for c in answer.get("chain") or []]
        except (KeyError, ValueError, IndexError) as exc:
            raise SignerUnavailable("Dịch vụ ký số từ xa trả lời chứng thư số không đọc được.") from exc
        return RemoteSigner(certificate=certificate, chain=chain)
