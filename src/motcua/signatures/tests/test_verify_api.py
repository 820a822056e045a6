"""Verification for anyone: ``POST /api/v1/signatures/verify/`` and the public page, bad input included."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.signatures import pdf
from motcua.signatures.ca import sandbox_ca

from .helpers import document, stamp, tampered, unit_signer

pytestmark = pytest.mark.django_db

URL = "/api/v1/signatures/verify/"
PAGE = "/xac-thuc-chu-ky/"


@pytest.fixture(autouse=True)
def _no_throttling(settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.MOTCUA_SIGNATURE_VERIFY_RATE = "100000/minute"


@pytest.fixture(scope="module")
def signed() -> bytes:
    return pdf.pdf_sign(document(), signer=unit_signer(), stamp=stamp(), validation_context=None)


def post(client: Client, data: bytes, name: str = "van-ban.pdf", field: str = "file") -> object:
    return client.post(URL, {field: SimpleUploadedFile(name, data, content_type="application/pdf")})


def test_a_valid_signature(client: Client, signed: bytes) -> None:
    response = post(client, signed)
    assert response.status_code == 200  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["outcome"] == "valid"
    (signature,) = body["signatures"]
    assert signature["intact"] is True
    assert signature["valid"] is True
    assert signature["trusted"] is True
    assert signature["signer"] == "Văn phòng UBND tỉnh (sandbox)"
    assert signature["issuer"] == "motcua Sandbox Issuing CA"
    assert signature["signed_at"].endswith("+07:00")
    assert signature["timestamp"] is None  # no TSA in this signature
    assert signature["revocation"] == "good"
    assert signature["modified_after_signing"] is False


def test_a_tampered_copy(client: Client, signed: bytes) -> None:
    body = post(client, tampered(signed)).json()  # type: ignore[attr-defined]
    assert body["outcome"] == "invalid"
    assert body["signatures"][0]["intact"] is False or body["signatures"][0]["valid"] is False


def test_a_revoked_signer(client: Client) -> None:
    ca = sandbox_ca()
    revoked = pdf.KeySigner(
        certificate=ca.revoked.certificate,
        key=ca.revoked.key,
        chain=[ca.issuing.certificate, ca.root.certificate],
    )
    data = pdf.pdf_sign(document(), signer=revoked, stamp=stamp(), validation_context=None)
    body = post(client, data).json()  # type: ignore[attr-defined]
    assert body["outcome"] == "invalid"
    assert body["signatures"][0]["revocation"] == "revoked"
    assert body["signatures"][0]["trusted"] is False


@override_settings(SANDBOX=False)
def test_outside_the_sandbox_the_sandbox_ca_is_not_trusted(client: Client, signed: bytes) -> None:
    body = post(client, signed).json()  # type: ignore[attr-defined]
    assert body["outcome"] == "untrusted"
    assert body["signatures"][0]["trusted"] is False


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"", 400, "empty_file"),
        (b"PK\x03\x04 not a pdf", 400, "not_pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, 400, "not_pdf"),
        (b"%PDF-1.7\n%\xe2\xe3\n garbage without xref", 400, "unreadable_pdf"),
    ],
    ids=["empty", "zip", "png", "broken-pdf"],
)
def test_bad_files_get_a_4xx_with_a_code(client: Client, data: bytes, status: int, code: str) -> None:
    response = post(client, data)
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.json()["code"] == code  # type: ignore[attr-defined]


def test_an_unsigned_pdf_is_422(client: Client) -> None:
    response = post(client, document())
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert response.json()["code"] == "no_signature"  # type: ignore[attr-defined]


@override_settings(MOTCUA_SIGNATURE_VERIFY_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_413(client: Client) -> None:
    response = post(client, b"%PDF-1.7\n" + b"0" * 2000)
    assert response.status_code == 413  # type: ignore[attr-defined]
    assert response.json()["code"] == "file_too_large"  # type: ignore[attr-defined]


def test_no_file_part_and_wrong_content_types(client: Client) -> None:
    response = client.post(URL, {"other": SimpleUploadedFile("a.pdf", b"%PDF-")})
    assert response.status_code == 400
    assert response.json()["code"] == "file_required"
    response = client.post(URL, data=b'{"file": "x"}', content_type="application/json")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert client.get(URL).status_code == 405


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_give_a_500(client: Client, data: bytes) -> None:
    for payload in (data, b"%PDF-1.4\n" + data):
        response = post(client, payload)
        assert response.status_code in {200, 400, 422}  # type: ignore[attr-defined]


def test_the_api_is_throttled_per_address(client: Client, settings: Any) -> None:
    settings.MOTCUA_SIGNATURE_VERIFY_RATE = "2/minute"
    assert [post(client, b"").status_code for _ in range(3)] == [400, 400, 429]  # type: ignore[attr-defined]


def test_the_schema_documents_the_operation(client: Client) -> None:
    schema = client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/signatures/verify/"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"200", "400", "413", "422"} <= set(operation["responses"])


# --- the public page ---


def test_the_page_shows_a_valid_signature(client: Client, signed: bytes) -> None:
    assert client.get(PAGE).status_code == 200
    response = client.post(
        PAGE, {"tep": SimpleUploadedFile("kq.pdf", signed, content_type="application/pdf")}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-outcome="valid"' in page
    assert "Chữ ký số hợp lệ" in page
    assert "Văn phòng UBND tỉnh (sandbox)" in page
    assert "Chưa bị thu hồi" in page


def test_the_page_in_english(client: Client, signed: bytes) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": PAGE})
    response = client.post(
        PAGE, {"tep": SimpleUploadedFile("kq.pdf", signed, content_type="application/pdf")}
    )
    page = response.content.decode()
    assert response.headers["Content-Language"] == "en"
    assert "Verify digital signatures" in page
    assert "Intact, not changed after signing" in page
    assert "Trusted (leads to a recognised root certificate)" in page
    assert "Not revoked" in page


def test_the_page_flags_a_tampered_copy(client: Client, signed: bytes) -> None:
    response = client.post(PAGE, {"tep": SimpleUploadedFile("kq.pdf", tampered(signed))})
    assert 'data-outcome="invalid"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"", 400, "Tệp rỗng"),
        (b"hello", 400, "không phải là tài liệu PDF"),
        (b"%PDF-1.4 broken", 400, "Không đọc được tài liệu PDF"),
    ],
)
def test_the_page_explains_bad_files(client: Client, data: bytes, status: int, message: str) -> None:
    response = client.post(PAGE, {"tep": SimpleUploadedFile("x.pdf", data)})
    assert response.status_code == status
    assert message in response.content.decode()


def test_the_page_without_a_file(client: Client) -> None:
    response = client.post(PAGE, {})
    assert response.status_code == 400
    assert "Chọn một tệp PDF" in response.content.decode()


def test_the_schema_documents_the_throttle() -> None:
    """The verification is throttled per address: its 429 is documented (the API fuzz found it undocumented)."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "429" in schema["paths"]["/api/v1/signatures/verify/"]["post"]["responses"]
