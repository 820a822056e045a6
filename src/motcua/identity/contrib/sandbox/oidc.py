"""django-oauth-toolkit glue of the sandbox provider: claims of the fake people, the issuer URL."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from oauth2_provider.oauth2_validators import OAuth2Validator

from motcua.identity.models import SandboxPerson

DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
ACCOUNT_TYPE_CITIZEN = "1"
ACCOUNT_TYPE_BUSINESS = "2"


class _HeadersRequest(HttpRequest):
    def __init__(self, meta: Any, secure: bool) -> None:
        super().__init__()
        self.META = dict(meta)
        self._secure = secure

    def _get_scheme(self) -> str:
        return "https" if self._secure else "http"


def sandbox_issuer(request: Any) -> str:
    """``<scheme>://<host>/sandbox/vneid`` for a Django or an oauthlib request (the host it was called on)."""
    if not isinstance(request, HttpRequest):
        headers = request.headers
        request = _HeadersRequest(headers, secure=bool(headers.get("X_DJANGO_OAUTH_TOOLKIT_SECURE")))
    return request.build_absolute_uri(reverse("sandbox_vneid:discovery")).removesuffix(DISCOVERY_SUFFIX)


def person_claims(person: SandboxPerson) -> dict[str, Any]:
    """The claims the sandbox issues for ``person`` (INTEGRATIONS.md "National identity")."""
    claims: dict[str, Any] = {
        "sub": person.subject,
        "SoDinhDanh": person.id_number,
        "HoVaTen": person.full_name,
        "NgayThangNamSinh": person.birth_date.strftime("%Y%m%d"),
        "GioiTinh": "Nam" if person.sex == "male" else "Nữ",
        "ThuongTru": person.permanent_address,
        "SoDienThoai": person.phone,
        "ThuDienTu": person.email,
        "LoaiTaiKhoan": ACCOUNT_TYPE_BUSINESS if person.kind == "business" else ACCOUNT_TYPE_CITIZEN,
        "acr": f"LoA{person.level}",
        "loAs": f"LoA{person.level}",
        "IAL": person.level,
    }
    if person.kind == "business":
        claims["MaSoDoanhNghiep"] = person.tax_code
        claims["TenDoanhNghiep"] = person.organisation_name
    return claims


class SandboxValidator(OAuth2Validator):
    # Our claims are not standard OIDC claims: issue them whatever the scope (a sandbox, not a policy).
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        person = SandboxPerson.objects.filter(user_id=request.user.pk).first()
        return person_claims(person) if person is not None else {}

    def get_discovery_claims(self, request: Any) -> list[str]:
        return ["sub", "acr", "SoDinhDanh", "HoVaTen", "NgayThangNamSinh", "GioiTinh", "ThuongTru",
                "SoDienThoai", "ThuDienTu", "LoaiTaiKhoan", "MaSoDoanhNghiep", "TenDoanhNghiep", "loAs", "IAL"]  # fmt: skip

    def get_oidc_issuer_endpoint(self, request: Any) -> str:
        return sandbox_issuer(request)
