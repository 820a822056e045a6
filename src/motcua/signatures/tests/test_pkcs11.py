"""The ``pkcs11`` signer against a real PKCS#11 module: SoftHSM2 (Debian's softhsm2) holding the sandbox unit's
key and certificates, imported with softhsm2-util and OpenSC's pkcs11-tool (Debian's opensc).

A leader's result is signed through the plugin by the worker, like with a USB token or an HSM, and checked by
pyHanko's validator and poppler's pdfsig. Skipped only when SoftHSM2 or pkcs11-tool is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.files.storage import default_storage
from django.test import Client, override_settings

from motcua.accounts.models import User
from motcua.documents.tests import files
from motcua.portal.tests.submission_factories import World, make_world
from motcua.portal.tests.test_result_files import processing, resolve
from motcua.signatures.ca import sandbox_ca
from motcua.signatures.constants import RequestState
from motcua.signatures.contrib import pkcs11 as pkcs11_plugin
from motcua.signatures.models import SignatureRequest
from motcua.signatures.services import pdf_signatures_verify
from motcua.signatures.signers import SignerUnavailable, signer_plugins

from .helpers import document, pdfsig
from .test_flow import run_signing

MODULE = next(
    (
        path
        for path in (
            "/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
        )
        if Path(path).is_file()
    ),
    "",
)
pytestmark = [
    pytest.mark.skipif(
        not MODULE or shutil.which("softhsm2-util") is None or shutil.which("pkcs11-tool") is None,
        reason="SoftHSM2's PKCS#11 module or OpenSC's pkcs11-tool is not installed (apt install softhsm2 opensc)",
    ),
]

TOKEN, PIN, SO_PIN, KEY_LABEL = "motcua-thu-nghiem", "246813", "13572468", "don-vi-ky-so"


def _run(*args: str, env: dict[str, str]) -> None:
    subprocess.run(list(args), check=True, capture_output=True, env=env, timeout=60)  # noqa: S603


@pytest.fixture(scope="session")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A SoftHSM2 token in a temporary directory with the sandbox unit's key, its certificate and the issuing
    CA's. ``SOFTHSM2_CONF`` stays set for this process (one token per test process): the module reads it
    once, when first loaded."""
    directory = tmp_path_factory.mktemp("softhsm")
    (directory / "tokens").mkdir()
    conf = directory / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {directory / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    ca = sandbox_ca()
    key = directory / "unit-key.pem"
    key.write_bytes(ca.unit.key_pem)
    unit, issuing = directory / "unit.der", directory / "issuing.der"
    unit.write_bytes(ca.unit.certificate.public_bytes(serialization.Encoding.DER))
    issuing.write_bytes(ca.issuing.certificate.public_bytes(serialization.Encoding.DER))
    _run(
        "softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--so-pin", SO_PIN, "--pin", PIN, env=env
    )
    _run(
        "softhsm2-util",
        "--import",
        str(key),
        "--token",
        TOKEN,
        "--label",
        KEY_LABEL,
        "--id",
        "01",
        "--pin",
        PIN,
        env=env,
    )
    key.unlink()  # the key now lives in the token only
    for path, label, ident in ((unit, KEY_LABEL, "01"), (issuing, "ca-cap-duoi", "02")):
        _run(
            "pkcs11-tool", "--module", MODULE, "--token-label", TOKEN, "--login", "--pin", PIN,
            "--write-object", str(path), "--type", "cert", "--label", label, "--id", ident,
            env=env,
        )  # fmt: skip
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    yield {
        "MOTCUA_SIGNER": "pkcs11",
        "MOTCUA_SIGNER_PKCS11_MODULE": MODULE,
        "MOTCUA_SIGNER_PKCS11_TOKEN": TOKEN,
        "MOTCUA_SIGNER_PKCS11_PIN": PIN,
        "MOTCUA_SIGNER_PKCS11_KEY_LABEL": KEY_LABEL,
        "MOTCUA_TSA_URL": "",
    }
    for session, _signer in pkcs11_plugin._sessions.values():
        pkcs11_plugin._close(session)
    pkcs11_plugin._sessions.clear()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.mark.django_db
def test_a_result_is_signed_with_the_key_in_a_pkcs11_token(
    token: dict[str, Any], client: Client, world: World, specialist: User, media: Path, tmp_path: Path
) -> None:
    dossier = processing(world, specialist)
    client.force_login(specialist)
    with override_settings(**token):
        assert resolve(client, dossier, files.upload("Giấy chứng nhận.pdf", document())).status_code == 302
        assert run_signing() == ["signed"]
    request = SignatureRequest.objects.get(dossier=dossier)
    assert request.state == RequestState.SIGNED
    assert request.signer_plugin == "pkcs11"
    assert request.level == "PAdES B-LT"
    with default_storage.open(request.signed_name, "rb") as handle:
        signed = handle.read()

    (signature,) = pdf_signatures_verify(signed)
    assert signature.intact
    assert signature.valid
    assert signature.trusted
    assert signature.signer == "Văn phòng UBND tỉnh (sandbox)"
    assert signature.revocation == "good"  # B-LT: the sandbox CRL embedded
    assert signature.chain == ["motcua Sandbox Root CA", "motcua Sandbox Issuing CA", signature.signer]
    report = pdfsig(signed, tmp_path)
    assert "Signer Certificate Common Name: Văn phòng UBND tỉnh (sandbox)" in report
    assert "Signature Validation: Signature is Valid." in report
    assert "Certificate Validation: Certificate is Trusted." in report


# python-pkcs11 finalises the failed search on the dead session in a destructor, which complains
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_session_is_kept_and_a_wrong_pin_is_refused(token: dict[str, Any]) -> None:
    with override_settings(**token):
        first = signer_plugins["pkcs11"].signer()
        assert signer_plugins["pkcs11"].signer() is first  # one session for the next signatures
        certificates = {c.subject.native["common_name"] for c in first.cert_registry}
        assert "motcua Sandbox Issuing CA" in certificates  # pulled from the token, into the CMS
        (session,) = (session for session, signer in pkcs11_plugin._sessions.values() if signer is first)
        session.close()  # the token dropped the session (unplugged, restarted)
        again = signer_plugins["pkcs11"].signer()
        assert again is not first
        assert again.signing_cert is not None
    for wrong in ({"MOTCUA_SIGNER_PKCS11_PIN": "000000"}, {"MOTCUA_SIGNER_PKCS11_TOKEN": "khong-co"}):
        with (
            override_settings(**{**token, **wrong}),
            pytest.raises(SignerUnavailable, match="Không mở được thiết bị ký số"),
        ):
            signer_plugins["pkcs11"].signer()
