"""Vietnamese text helpers."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and squeeze spaces: the key for accent-insensitive search.

    ``fold("Thủ tục đăng ký khai sinh") == "thu tuc dang ky khai sinh"``.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()
