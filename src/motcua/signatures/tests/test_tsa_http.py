"""A timestamp authority over real HTTP: ``MOTCUA_TSA_URL`` pointing at an RFC 3161 server on a loopback port.

The server is a thread of this test (``http.server``) answering ``application/timestamp-query`` with
``application/timestamp-reply`` from pyHanko's test timestamper holding the sandbox TSA certificate, so the
worker's ``HTTPTimeStamper`` goes through sockets, headers and status codes like with a real TSA. When the TSA
is down or refuses, the result waits in "Chờ ký số" with the error and is signed at the next attempt.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from asn1crypto import tsp
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from pyhanko.sign.timestamps.api import TimeStamper

from motcua.accounts.models import User
from motcua.documents.tests import files
from motcua.portal.tests.submission_factories import World, login, make_world
from motcua.portal.tests.test_result_files import processing, resolve, results
from motcua.signatures import pdf
from motcua.signatures.ca import sandbox_ca
from motcua.signatures.constants import RequestState
from motcua.signatures.models import SignatureRequest
from motcua.signatures.services import pdf_signatures_verify, signature_request_sign
from motcua.signatures.signers import signer_plugins, timestamper

from .helpers import document, pdfsig
from .test_flow import run_signing

pytestmark = [pytest.mark.django_db]


class TSA(ThreadingHTTPServer):
    """An RFC 3161 timestamp authority on 127.0.0.1 (a free port); ``status`` other than 200 to refuse."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.status = 200
        self.queries: list[tuple[str, tsp.TimeStampReq]] = []
        ca = sandbox_ca()
        self.stamper = pdf.dummy_timestamper(
            ca.tsa.certificate, ca.tsa.key, [ca.issuing.certificate, ca.root.certificate]
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/tsa"


class _Handler(BaseHTTPRequestHandler):
    server: TSA

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        query = tsp.TimeStampReq.load(body)
        self.server.queries.append((self.headers.get("Content-Type", ""), query))
        if self.server.status != 200:
            self.send_error(self.server.status)
            return
        reply = self.server.stamper.request_tsa_response(query).dump()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture
def tsa() -> Iterator[TSA]:
    server = TSA()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def world() -> World:
    return make_world()


def _stamper(url: str) -> TimeStamper | None:
    with override_settings(MOTCUA_TSA_URL=url):
        return timestamper()


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return bytes(handle.read())


def test_a_result_gets_a_signature_and_a_document_timestamp_from_an_http_tsa(
    client: Client, world: World, specialist: User, media: Path, tmp_path: Path, tsa: TSA
) -> None:
    dossier = processing(world, specialist)
    client.force_login(specialist)
    with override_settings(MOTCUA_SIGNER="sandbox", MOTCUA_TSA_URL=tsa.url):
        assert resolve(client, dossier, files.upload("Giấy chứng nhận.pdf", document())).status_code == 302
        assert run_signing() == ["signed"]
    request = SignatureRequest.objects.get(dossier=dossier)
    assert request.level == "PAdES B-LTA"
    # RFC 3161 queries over HTTP: pyHanko's first one over a dummy digest (to learn the TSA's certificates),
    # the signature's timestamp, then the document timestamp.
    assert [content_type for content_type, _query in tsa.queries] == ["application/timestamp-query"] * 3
    assert all(query["cert_req"].native for _content_type, query in tsa.queries)
    signed_digests = {query["message_imprint"]["hashed_message"].native for _c, query in tsa.queries[1:]}
    assert len(signed_digests) == 2

    signed = _read(request.signed_name)
    signature, doc_timestamp = pdf_signatures_verify(signed)
    assert signature.intact
    assert signature.valid
    assert signature.trusted
    assert signature.timestamp is not None  # the signature timestamp token, validated
    assert doc_timestamp.kind == "document_timestamp"
    assert doc_timestamp.intact
    assert doc_timestamp.valid
    assert doc_timestamp.trusted
    assert doc_timestamp.signer == "motcua Sandbox TSA"
    assert not signature.modified_after_signing  # the document timestamp is an LTA update
    report = pdfsig(signed, tmp_path)
    first, second = report.split("Signature #2")
    assert "Signature Validation: Signature is Valid." in first
    assert "Certificate Validation: Certificate is Trusted." in first
    assert "Signer Certificate Common Name: motcua Sandbox TSA" in second  # pdfsig lists, not checks, it

    # The next signature reuses the client: two queries, no dummy one.
    again = pdf.pdf_sign(
        document(),
        signer=signer_plugins["sandbox"].signer(),
        stamp=pdf.StampText(title="Giấy phép", signer="Lãnh đạo", unit=world.unit.name, at=request.signed_at),
        validation_context=signer_plugins["sandbox"].validation_context(),
        timestamper=_stamper(tsa.url),
    )
    assert len(tsa.queries) == 5
    signature, doc_timestamp = pdf_signatures_verify(again)
    assert signature.timestamp is not None
    assert doc_timestamp.trusted


@pytest.mark.parametrize("down", ["refuses", "closed"])
def test_a_tsa_down_keeps_the_result_awaiting_with_the_error_then_it_is_signed(
    client: Client, world: World, specialist: User, media: Path, tsa: TSA, down: str
) -> None:
    dossier = processing(world, specialist)
    client.force_login(specialist)
    original = document()
    if down == "refuses":
        tsa.status = 503
        url = tsa.url
    else:  # nothing listens there any more
        closed = TSA()
        url = closed.url
        closed.server_close()
    with override_settings(MOTCUA_SIGNER="sandbox", MOTCUA_TSA_URL=url):
        assert resolve(client, dossier, files.upload("Giấy chứng nhận.pdf", original)).status_code == 302
        assert run_signing() == ["awaiting"]
    dossier.refresh_from_db()
    assert dossier.status == "resolved"  # the result is never lost
    request = SignatureRequest.objects.get(dossier=dossier)
    assert request.state == RequestState.AWAITING
    assert request.attempts == 1
    assert request.last_error
    assert request.next_attempt_at is not None  # retried with backoff
    assert not request.signed_name
    page = client.get(f"/can-bo/ho-so/{dossier.code}/").content.decode()
    assert "data-signature-error" in page
    assert request.last_error.split(":")[0] in page
    login(client, world.citizen)
    download = client.get(f"/ho-so-cua-toi/tep/{results(dossier)[0].pk}/")
    assert b"".join(download.streaming_content) == original  # type: ignore[attr-defined]

    # The TSA is back: the next attempt signs, with timestamps.
    tsa.status = 200
    with override_settings(MOTCUA_SIGNER="sandbox", MOTCUA_TSA_URL=tsa.url):
        assert signature_request_sign(request_id=request.pk, expected_attempts=1) == "signed"
    request.refresh_from_db()
    assert request.level == "PAdES B-LTA"
    assert request.last_error == ""
    signature, doc_timestamp = pdf_signatures_verify(_read(request.signed_name))
    assert signature.trusted
    assert signature.timestamp is not None
    assert doc_timestamp.trusted
