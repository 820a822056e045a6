"""VietQR (NAPAS): the EMVCo merchant-presented QR payload for a transfer to a bank account (INTEGRATIONS.md).

Fields are TLV: a 2-digit ID, a 2-digit length (of the value in characters), the value. A dynamic code
(``01`` = ``12``) carries the amount (``54``) and the purpose (``62``/``08``: the payment reference, which the
bank statement import looks for); ``63`` is the CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection,
no final XOR) over everything up to and including ``6304``, as 4 uppercase hex digits.
"""

from __future__ import annotations

import re
import unicodedata

AID_NAPAS = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"  # transfer to an account (QRIBFTTC: to a card)
CURRENCY_VND = "704"
COUNTRY = "VN"
_ALLOWED = re.compile(r"[^A-Za-z0-9 ]+")


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, MSB first, no final XOR (check value of b"123456789":
    0x29B1)."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise ValueError(f"EMVCo tag must be 2 digits: {tag!r}")
    if not 0 < len(value) <= 99:
        raise ValueError(f"EMVCo field {tag} must be 1–99 characters, got {len(value)}")
    return f"{tag}{len(value):02d}{value}"


def with_crc(payload_without_crc: str) -> str:
    """Append ``6304`` and the CRC computed over everything up to and including it."""
    head = payload_without_crc + "6304"
    return f"{head}{crc16_ccitt_false(head.encode('ascii')):04X}"


def purpose_text(text: str, limit: int = 25) -> str:
    """A purpose the banks carry unchanged: ASCII letters, digits and spaces (no diacritics), ``limit`` long."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(_ALLOWED.sub(" ", plain).split())[:limit].strip()


def payload(*, bank_bin: str, account: str, amount: int | None = None, purpose: str = "") -> str:
    """The VietQR string: static without ``amount``, dynamic with it (a whole number of VND > 0)."""
    if not (bank_bin.isdigit() and len(bank_bin) == 6):
        raise ValueError(f"bank BIN must be 6 digits: {bank_bin!r}")
    if not account or not account.isalnum():
        raise ValueError(f"account number must be letters and digits: {account!r}")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0):
        raise ValueError(f"amount must be a positive whole number of VND: {amount!r}")
    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", AID_NAPAS) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    parts = [
        tlv("00", "01"),
        tlv("01", "12" if amount is not None else "11"),
        tlv("38", merchant),
        tlv("53", CURRENCY_VND),
    ]
    if amount is not None:
        parts.append(tlv("54", str(amount)))
    parts.append(tlv("58", COUNTRY))
    purpose = purpose_text(purpose)
    if purpose:
        parts.append(tlv("62", tlv("08", purpose)))
    return with_crc("".join(parts))


def parse(text: str) -> dict[str, str]:
    """The top-level fields of an EMVCo payload (``{"00": "01", "38": "...", ...}``); ``ValueError`` when the
    TLV structure or the CRC is wrong."""
    fields = parse_tlv(text)
    if "63" not in fields or not text.endswith(fields["63"]):
        raise ValueError("no CRC field at the end")
    if with_crc(text[:-8]) != text:
        raise ValueError("CRC mismatch")
    return fields


def parse_tlv(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    i = 0
    while i < len(text):
        tag, size = text[i : i + 2], text[i + 2 : i + 4]
        if len(tag) < 2 or not size.isdigit():
            raise ValueError(f"bad TLV at {i}")
        value = text[i + 4 : i + 4 + int(size)]
        if len(value) != int(size):
            raise ValueError(f"field {tag} is cut short")
        fields[tag] = value
        i += 4 + int(size)
    return fields
