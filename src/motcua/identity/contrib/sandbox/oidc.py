"""django-oauth-toolkit glue of the sandbox provider: claims of the fake people, the issuer URL."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from oauth2_provider.models import get_access_token_model, get_grant_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauthlib.oauth2.rfc6749 import errors

from motcua.identity.models import SandboxPerson

DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
DVCQG_SSO_PREFIX = "/sandbox/dvcqg/sso/"
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
    """``<scheme>://<host>/sandbox/vneid`` for a Django or an oauthlib request (the host it was called on);
    ``.../sandbox/dvcqg/sso`` for a request to the national portal's sandbox single sign-on (same provider,
    mounted twice: each mount is its own issuer)."""
    if isinstance(request, HttpRequest):
        path = request.path
    else:
        path = urlsplit(str(getattr(request, "uri", "") or "")).path
        headers = request.headers
        request = _HeadersRequest(headers, secure=bool(headers.get("X_DJANGO_OAUTH_TOOLKIT_SECURE")))
    namespace = "sandbox_dvcqg_sso" if path.startswith(DVCQG_SSO_PREFIX) else "sandbox_vneid"
    return request.build_absolute_uri(reverse(f"{namespace}:discovery")).removesuffix(DISCOVERY_SUFFIX)


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

    # What discovery advertises, and no more (issue 17): PKCE with S256 only, the authorization-code grant
    # only (no refresh tokens), and a replayed code revokes the tokens issued from it (RFC 6749 §4.1.2).

    def is_pkce_required(self, client_id: str, request: Any) -> bool:
        if request.code_challenge is not None and request.code_challenge_method != "S256":
            raise errors.UnsupportedCodeChallengeMethodError(
                description="Only code_challenge_method=S256 is supported.", request=request
            )
        return True

    def validate_grant_type(self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:  # fmt: skip
        return grant_type == "authorization_code" and super().validate_grant_type(
            client_id, grant_type, client, request, *args, **kwargs
        )

    def save_bearer_token(self, token: dict[str, Any], request: Any, *args: Any, **kwargs: Any) -> None:
        token.pop("refresh_token", None)
        super().save_bearer_token(token, request, *args, **kwargs)

    def invalidate_authorization_code(self, client_id: str, code: str, request: Any, *args: Any, **kwargs: Any) -> None:  # fmt: skip
        """The used grant is kept, marked used (its expiry moved before its creation), to recognise a replay."""
        unused = get_grant_model().objects.filter(
            code=code, application=request.client, expires__gte=F("created")
        )
        if not unused.update(expires=USED_GRANT_EXPIRY):
            raise errors.InvalidGrantError(request=request)

    def validate_code(self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:  # fmt: skip
        used = (
            get_grant_model().objects.filter(code=code, application=client, expires=USED_GRANT_EXPIRY).first()
        )
        if used is not None:
            # Tokens from this code were issued within the code's lifetime after it was granted.
            window = dt.timedelta(seconds=oauth2_settings.AUTHORIZATION_CODE_EXPIRE_SECONDS)
            get_access_token_model().objects.filter(
                user=used.user,
                application=client,
                created__gte=used.created,
                created__lte=used.created + window,
            ).delete()
            return False
        return bool(super().validate_code(client_id, code, client, request, *args, **kwargs))


USED_GRANT_EXPIRY = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
