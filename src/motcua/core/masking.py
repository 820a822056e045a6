"""Masking of personal identifiers in lists and exports (DOMAIN.md §7, Decree 13/2023).

Lists, tables, search results and exports show ``mask_id_number(user.citizen_id)`` instead of the number;
only a page about that one person (which logs the view with ``personal_data_view_log``) shows it whole.
"""

from __future__ import annotations

MASK_CHAR = "*"


def mask_id_number(value: str | None, *, keep_start: int = 3, keep_end: int = 3) -> str:
    """``"026090001234" -> "026******234"``: keep the province code and the last three digits.

    Works for any identifier (ID numbers, tax codes, phone numbers). Values too short to keep both ends
    visible while hiding at least four characters are masked entirely; ``None`` and ``""`` give ``""``.
    """
    if not value:
        return ""
    text = str(value).strip()
    hidden = len(text) - keep_start - keep_end
    if hidden < 4:
        return MASK_CHAR * len(text)
    return text[:keep_start] + MASK_CHAR * hidden + text[len(text) - keep_end :]


def mask_phone(value: str | None) -> str:
    """``"0912345678" -> "091****678"``."""
    return mask_id_number(value, keep_start=3, keep_end=3)


def mask_email(value: str | None) -> str:
    """``"nguyen.van.an@example.vn" -> "n***@example.vn"``."""
    if not value:
        return ""
    local, _at, domain = str(value).strip().partition("@")
    if not domain:
        return MASK_CHAR * len(local)
    return f"{local[:1]}{MASK_CHAR * 3}@{domain}"
