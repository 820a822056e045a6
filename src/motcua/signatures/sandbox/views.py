"""The sandbox CA's files, timestamp authority and remote signing service (sandbox mode only)."""

from __future__ import annotations

import base64
import hmac
import json

from asn1crypto import tsp
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from .. import pdf
from ..ca import sandbox_ca

MAX_TSA_REQUEST = 16 * 1024


@require_GET
def ca_file(request: HttpRequest, name: str) -> HttpResponse:
    ca = sandbox_ca()
    files = {
        "root.pem": (lambda: ca.root.cert_pem, "application/x-pem-file"),
        "issuing.pem": (lambda: ca.issuing.cert_pem, "application/x-pem-file"),
        "issuing.crl": (ca.crl_der, "application/pkix-crl"),
    }
    if name not in files:
        return HttpResponse("Không có tệp này.", status=404, content_type="text/plain; charset=utf-8")
    body, content_type = files[name]
    return HttpResponse(body(), content_type=content_type)


@csrf_exempt
@require_POST
def tsa(request: HttpRequest) -> HttpResponse:
    """RFC 3161 over HTTP: ``application/timestamp-query`` in, ``application/timestamp-reply`` out."""
    body = request.body[: MAX_TSA_REQUEST + 1]
    if len(body) > MAX_TSA_REQUEST:
        return HttpResponse(status=413)
    try:
        query = tsp.TimeStampReq.load(body)
        _ = query.native  # parse it whole: a malformed request fails here, not inside the timestamper
    except Exception:
        return HttpResponse("Yêu cầu dấu thời gian không hợp lệ.", status=400, content_type="text/plain")
    ca = sandbox_ca()
    stamper = pdf.dummy_timestamper(
        ca.tsa.certificate, ca.tsa.key, [ca.issuing.certificate, ca.root.certificate]
    )
    try:
        reply = stamper.request_tsa_response(query)  # type: ignore[attr-defined]
    except Exception:
        return HttpResponse("Không cấp được dấu thời gian.", status=400, content_type="text/plain")
    return HttpResponse(reply.dump(), content_type="application/timestamp-reply")


def _authorised(request: HttpRequest) -> bool:
    expected = f"Bearer {settings.MOTCUA_SANDBOX_REMOTE_SIGNING_TOKEN}"
    return hmac.compare_digest(request.headers.get("Authorization", "").encode(), expected.encode())


def _error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": code, "message": message}, status=status)


@require_GET
def remote_certificate(request: HttpRequest) -> JsonResponse:
    if not _authorised(request):
        return _error("unauthorised", "Sai mã truy cập dịch vụ ký số.", 401)
    ca = sandbox_ca()
    return JsonResponse(
        {
            "certificate": ca.leader.cert_pem.decode(),
            "chain": [ca.issuing.cert_pem.decode(), ca.root.cert_pem.decode()],
        }
    )


@csrf_exempt
@require_POST
def remote_sign(request: HttpRequest) -> JsonResponse:
    """Sign a SHA-256 hash with the sandbox leader's key (RSA PKCS#1 v1.5), as a remote signing service does."""
    if not _authorised(request):
        return _error("unauthorised", "Sai mã truy cập dịch vụ ký số.", 401)
    try:
        payload = json.loads(request.body[:4096])
        if payload.get("hash_algorithm") != "sha256":
            return _error("unsupported_algorithm", "Chỉ hỗ trợ SHA-256.", 400)
        digest = base64.b64decode(str(payload["hash"]), validate=True)
    except (ValueError, KeyError, TypeError, AttributeError):
        return _error("invalid", "Yêu cầu không hợp lệ.", 400)
    if len(digest) != 32:
        return _error("invalid", "Giá trị băm SHA-256 phải dài 32 byte.", 400)
    signature = sandbox_ca().leader.key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    return JsonResponse({"signature": base64.b64encode(signature).decode()})
