"""From the claims of a national e-ID provider to a typed, validated identity.

Each provider has a claim map (canonical name -> claim name, settings override the defaults below). The
12-digit ID is validated against the birth date and sex claims (``motcua.core.citizen_id``); business
accounts must carry a valid tax code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from motcua.accounts.models import AccountKind
from motcua.core.citizen_id import FEMALE, MALE, Sex, validate_citizen_id
from motcua.core.errors import ValidationFailed

from .errors import LoginFailed

# Claims seen in VNeID / national-portal single sign-on (INTEGRATIONS.md "National identity").
DEFAULT_CLAIM_MAP: dict[str, str | list[str]] = {
    "subject": "sub",
    "id_number": "SoDinhDanh",
    "full_name": "HoVaTen",
    "birth_date": "NgayThangNamSinh",
    "sex": "GioiTinh",
    "permanent_address": "ThuongTru",
    "phone": "SoDienThoai",
    "email": "ThuDienTu",
    "account_type": "LoaiTaiKhoan",
    "tax_code": "MaSoDoanhNghiep",
    "organisation_name": "TenDoanhNghiep",
    # The assurance level: the first of these claims present wins.
    "level": ["acr", "loAs", "IAL"],
}

_TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")
_BUSINESS_TYPES = {"2", "doanhnghiep", "tochuc", "business", "organisation", "organization"}
_MALE_VALUES = {"nam", "male", "m", "1"}
_FEMALE_VALUES = {"nữ", "nu", "female", "f", "2"}


@dataclass(frozen=True)
class EidIdentity:
    """A person or business as the e-ID provider vouched for them at login."""

    provider: str
    subject: str
    kind: str  # AccountKind.CITIZEN or AccountKind.BUSINESS
    id_number: str  # the citizen, or the business's representative
    full_name: str
    level: int
    birth_date: dt.date | None = None
    sex: Sex | None = None
    permanent_address: str = ""
    phone: str = ""
    email: str = ""
    tax_code: str = ""
    organisation_name: str = ""


def _claim(claims: Mapping[str, Any], names: str | list[str]) -> Any:
    for name in [names] if isinstance(names, str) else names:
        value = claims.get(name)
        if value not in (None, "", []):
            return value
    return None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_birth_date(value: Any) -> dt.date | None:
    """``YYYYMMDD`` (VNeID), also ``YYYY-MM-DD`` and ``DD/MM/YYYY``; ``None`` when absent or unparseable."""
    text = _text(value)
    for fmt in ("%Y%m%d", "%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_sex(value: Any) -> Sex | None:
    text = _text(value).lower()
    if text in _MALE_VALUES:
        return MALE
    if text in _FEMALE_VALUES:
        return FEMALE
    return None


def parse_level(value: Any) -> int | None:
    """``"LoA2"``, ``"IAL2"``, ``2``, ``["LoA1", "LoA2"]`` (the highest) -> 2; ``None`` if unknown."""
    if isinstance(value, list | tuple):
        levels = [level for level in (parse_level(item) for item in value) if level is not None]
        return max(levels) if levels else None
    match = re.search(r"(\d+)\s*$", _text(value))
    if match is None:
        return None
    level = int(match.group(1))
    return level if level in (1, 2) else None


def identity_from_claims(
    claims: Mapping[str, Any], *, provider: str, claim_map: Mapping[str, str | list[str]] | None = None
) -> EidIdentity:
    """Map and validate ``claims``; ``LoginFailed`` (code ``invalid_claims``) says what is wrong."""
    names = {**DEFAULT_CLAIM_MAP, **(claim_map or {})}

    def get(field: str) -> Any:
        return _claim(claims, names[field])

    def refuse(message: str) -> LoginFailed:
        return LoginFailed(message, code="invalid_claims")

    subject = _text(get("subject"))
    if not subject:
        raise refuse(_("Nhà cung cấp định danh không trả về mã định danh tài khoản."))
    level = parse_level(get("level"))
    if level is None:
        raise refuse(_("Nhà cung cấp định danh không cho biết mức độ định danh của tài khoản."))
    birth_date = parse_birth_date(get("birth_date"))
    sex = parse_sex(get("sex"))
    raw_id = _text(get("id_number"))
    if not raw_id:
        raise refuse(_("Nhà cung cấp định danh không trả về số định danh cá nhân."))
    try:
        id_number = validate_citizen_id(raw_id, birth_date=birth_date, sex=sex)
    except ValidationFailed as exc:
        raise refuse(exc.message) from exc
    full_name = " ".join(_text(get("full_name")).split())
    if not full_name:
        raise refuse(_("Nhà cung cấp định danh không trả về họ và tên."))

    tax_code = _text(get("tax_code"))
    account_type = _text(get("account_type")).lower().replace(" ", "")
    kind = AccountKind.BUSINESS if account_type in _BUSINESS_TYPES or tax_code else AccountKind.CITIZEN
    organisation_name = ""
    if kind == AccountKind.BUSINESS:
        if not _TAX_CODE.match(tax_code):
            raise refuse(_("Tài khoản tổ chức, doanh nghiệp không có mã số doanh nghiệp hợp lệ."))
        organisation_name = " ".join(_text(get("organisation_name")).split())
        if not organisation_name:
            raise refuse(_("Tài khoản tổ chức, doanh nghiệp không có tên doanh nghiệp."))
    return EidIdentity(
        provider=provider,
        subject=subject,
        kind=kind,
        id_number=id_number,
        full_name=full_name,
        level=level,
        birth_date=birth_date,
        sex=sex,
        permanent_address=_text(get("permanent_address")),
        phone=_text(get("phone"))[:20],
        email=_text(get("email"))[:254],
        tax_code=tax_code,
        organisation_name=organisation_name,
    )
