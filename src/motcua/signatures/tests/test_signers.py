"""The signer plugins (sandbox, pkcs12, pkcs11, remote), the sandbox TSA and remote signing service."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

import pytest
from asn1crypto import algos, tsp
from django.test import Client, override_settings

from motcua.signatures import pdf
from motcua.signatures.ca import SANDBOX_PKCS12_PASSWORD, sandbox_ca
from motcua.signatures.contrib import remote
from motcua.signatures.services import pdf_signatures_verify
from motcua.signatures.signers import SignerUnavailable, chosen_signer, signer_plugins, timestamper

from .helpers import document, stamp

pytestmark = pytest.mark.django_db


def sign_with(identifier: str) -> bytes:
    plugin = signer_plugins[identifier]
    return pdf.pdf_sign(
        document(), signer=plugin.signer(), stamp=stamp(), validation_context=plugin.validation_context()
    )


def test_the_four_signers_are_registered() -> None:
    assert set(signer_plugins.identifiers()) == {"sandbox", "pkcs12", "pkcs11", "remote"}
    assert signer_plugins["sandbox"].sandbox is True


@override_settings(MOTCUA_SIGNER="sandbox", SANDBOX=False)
def test_the_sandbox_signer_never_signs_outside_the_sandbox() -> None:
    with pytest.raises(SignerUnavailable):
        chosen_signer()


@override_settings(MOTCUA_TSA_URL="sandbox", SANDBOX=False)
def test_the_sandbox_tsa_never_stamps_outside_the_sandbox() -> None:
    with pytest.raises(SignerUnavailable):
        timestamper()


def test_the_timestamper_is_kept_and_never_outlives_the_sandbox(settings: Any) -> None:
    settings.MOTCUA_TSA_URL = "sandbox"
    first = timestamper()
    assert first is not None
    assert (
        timestamper() is first
    )  # its TSA certificates learnt once (pyHanko's dummy token), not per signature
    settings.MOTCUA_TSA_URL = "http://127.0.0.1:9/tsa"
    assert timestamper() is not first
    settings.MOTCUA_TSA_URL, settings.SANDBOX = "sandbox", False
    with pytest.raises(SignerUnavailable):
        timestamper()


def test_pkcs12_signs_with_the_file_of_the_settings(settings: Any) -> None:
    settings.MOTCUA_SIGNER_PKCS12_FILE = str(sandbox_ca().pkcs12_path)
    settings.MOTCUA_SIGNER_PKCS12_PASSWORD = SANDBOX_PKCS12_PASSWORD.decode()
    assert signer_plugins["pkcs12"].check() == []
    (signature,) = pdf_signatures_verify(sign_with("pkcs12"))
    assert signature.trusted
    assert signature.signer == "Văn phòng UBND tỉnh (sandbox)"
    assert signature.revocation == "good"  # the sandbox CRL was embedded (B-LT)


def test_pkcs12_with_a_wrong_password_or_no_file(settings: Any) -> None:
    settings.MOTCUA_SIGNER_PKCS12_FILE = str(sandbox_ca().pkcs12_path)
    settings.MOTCUA_SIGNER_PKCS12_PASSWORD = "wrong"
    with pytest.raises(SignerUnavailable, match="PKCS#12"):
        signer_plugins["pkcs12"].signer()
    settings.MOTCUA_SIGNER_PKCS12_FILE = ""
    assert "MOTCUA_SIGNER_PKCS12_FILE is not set" in signer_plugins["pkcs12"].check()[0]


def test_pkcs11_reports_what_is_missing(settings: Any, tmp_path: Any) -> None:
    settings.MOTCUA_SIGNER_PKCS11_MODULE = ""
    settings.MOTCUA_SIGNER_PKCS11_TOKEN = ""
    settings.MOTCUA_SIGNER_PKCS11_PIN = ""
    problems = " ".join(signer_plugins["pkcs11"].check())
    assert "MOTCUA_SIGNER_PKCS11_MODULE is not set" in problems
    assert "MOTCUA_SIGNER_PKCS11_TOKEN is not set" in problems
    assert "MOTCUA_SIGNER_PKCS11_PIN is not set" in problems
    settings.MOTCUA_SIGNER_PKCS11_MODULE = str(tmp_path / "missing.so")
    assert "is not a file" in " ".join(signer_plugins["pkcs11"].check())
    with pytest.raises(SignerUnavailable, match="Thiết bị ký số chưa sẵn sàng"):
        signer_plugins["pkcs11"].signer()


# --- the remote signing service, against motcua's sandbox one (through the test client) ---


class _Answer:
    def __init__(self, response: Any) -> None:
        self.status_code = response.status_code
        self._body = response.content

    def json(self) -> Any:
        import json

        return json.loads(self._body)


@pytest.fixture
def remote_sandbox(client: Client, monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[dict[str, Any]]:
    """``requests`` in the remote plugin goes to the sandbox service through the Django test client."""
    settings.MOTCUA_SIGNER_REMOTE_URL = "http://testserver/sandbox/ky-so-tu-xa/"
    settings.MOTCUA_SIGNER_REMOTE_TOKEN = settings.MOTCUA_SANDBOX_REMOTE_SIGNING_TOKEN
    calls: list[dict[str, Any]] = []

    def request(method: str, url: str, headers: dict[str, str], timeout: float, **kwargs: Any) -> _Answer:
        calls.append({"method": method, "url": url, **kwargs})
        path = url.removeprefix("http://testserver")
        auth = {"HTTP_AUTHORIZATION": headers["Authorization"]}
        if method == "GET":
            return _Answer(client.get(path, kwargs.get("params"), **auth))
        return _Answer(client.post(path, kwargs["json"], content_type="application/json", **auth))

    monkeypatch.setattr(remote.requests, "request", request)
    return calls


def test_remote_signing_sends_only_a_hash_and_gets_a_valid_signature(
    remote_sandbox: list[dict[str, Any]],
) -> None:
    data = sign_with("remote")
    (signature,) = pdf_signatures_verify(data)
    assert signature.trusted
    assert signature.signer == "Nguyễn Văn Lãnh Đạo"  # the leader's personal certificate
    sign_calls = [c for c in remote_sandbox if c["url"].endswith("/sign")]
    assert len(sign_calls) == 1
    sent = sign_calls[0]["json"]
    assert sent["hash_algorithm"] == "sha256"
    assert len(base64.b64decode(sent["hash"])) == 32
    assert set(sent) == {"key_id", "hash_algorithm", "hash"}  # the document never leaves


def test_remote_signing_with_a_wrong_token(remote_sandbox: list[dict[str, Any]], settings: Any) -> None:
    settings.MOTCUA_SIGNER_REMOTE_TOKEN = "wrong"
    with pytest.raises(SignerUnavailable, match="HTTP 401"):
        signer_plugins["remote"].signer()


def test_remote_signing_service_down(settings: Any) -> None:
    settings.MOTCUA_SIGNER_REMOTE_URL = "http://127.0.0.1:9/"
    settings.MOTCUA_SIGNER_REMOTE_TOKEN = "x"
    settings.MOTCUA_SIGNER_REMOTE_TIMEOUT = 2
    with pytest.raises(SignerUnavailable, match="không trả lời"):
        signer_plugins["remote"].signer()


@pytest.mark.parametrize(
    "payload",
    [{}, {"hash_algorithm": "sha256", "hash": "!!"}, {"hash_algorithm": "md5", "hash": "AA=="}, [1, 2]],
)
def test_the_sandbox_remote_service_refuses_bad_requests(client: Client, settings: Any, payload: Any) -> None:
    auth = {"HTTP_AUTHORIZATION": f"Bearer {settings.MOTCUA_SANDBOX_REMOTE_SIGNING_TOKEN}"}
    response = client.post("/sandbox/ky-so-tu-xa/sign", payload, content_type="application/json", **auth)
    assert response.status_code == 400


# --- the sandbox RFC 3161 timestamp authority and CA files ---


def test_the_sandbox_tsa_answers_rfc3161(client: Client) -> None:
    digest = hashlib.sha256(b"van ban").digest()
    query = tsp.TimeStampReq(
        {
            "version": 1,
            "message_imprint": tsp.MessageImprint(
                {"hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}), "hashed_message": digest}
            ),
            "nonce": int.from_bytes(os.urandom(8), "big"),
            "cert_req": True,
        }
    )
    response = client.post("/sandbox/tsa/", query.dump(), content_type="application/timestamp-query")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/timestamp-reply"
    reply = tsp.TimeStampResp.load(response.content)
    assert reply["status"]["status"].native == "granted"
    info = reply["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    assert info["nonce"].native == query["nonce"].native


@pytest.mark.parametrize("body", [b"", b"garbage", b"\x30\x03\x02\x01\x01"])
def test_the_sandbox_tsa_refuses_garbage(client: Client, body: bytes) -> None:
    assert client.post("/sandbox/tsa/", body, content_type="application/timestamp-query").status_code == 400


def test_the_sandbox_ca_publishes_its_crl_and_certificates(client: Client) -> None:
    from cryptography import x509

    crl = x509.load_der_x509_crl(client.get("/sandbox/ca/issuing.crl").content)
    assert crl.get_revoked_certificate_by_serial_number(sandbox_ca().revoked.certificate.serial_number)
    assert crl.get_revoked_certificate_by_serial_number(sandbox_ca().unit.certificate.serial_number) is None
    assert client.get("/sandbox/ca/root.pem").content == sandbox_ca().root.cert_pem
    assert client.get("/sandbox/ca/unit.key").status_code == 404  # never a private key
