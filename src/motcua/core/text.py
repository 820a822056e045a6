"""Vietnamese text helpers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and squeeze spaces: the key for accent-insensitive search.

    ``fold("Thủ tục đăng ký khai sinh") == "thu tuc dang ky khai sinh"``.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


# --- Vietnamese sort order ----------------------------------------------------------------------------------
#
# The alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y), with the Latin letters Vietnamese
# lacks (f j w z) where the Latin alphabet has them. Tones are a second level, in the dictionaries' order (and
# CLDR's "vi" collation): none, huyền (`), hỏi (̉), ngã (~), sắc (´), nặng (.): "ma" < "mà" < "mả" < "mã" <
# "má" < "mạ" < "mác" (a word's letters decide before its tones). Case is a third level.

_ALPHABET = list("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")
_LETTER_RANK = {letter: 100 + i for i, letter in enumerate(_ALPHABET)}
# combining marks that make a letter of the alphabet (breve, circumflex, horn) and the tone marks
_LETTER_MARKS = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

type SortKey = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], str]


def _clusters(text: str) -> list[tuple[str, str]]:
    """``text`` (NFD) as (base character, its combining marks) pairs."""
    clusters: list[tuple[str, str]] = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and clusters:
            base, marks = clusters[-1]
            clusters[-1] = (base, marks + ch)
        else:
            clusters.append((ch, ""))
    return clusters


def vi_sort_key(text: str) -> SortKey:
    """The key that sorts ``text`` in Vietnamese order (``sorted(names, key=vi_sort_key)``).

    Level 1: letters by the Vietnamese alphabet (đ after every d, ă and â after a, ơ after ô, ư after u),
    ignoring tones and case; spaces and punctuation before numbers (by their value), numbers before letters. Level 2: the tones,
    letter by letter. Level 3: lower case before upper case. The text itself breaks any tie. NFC and NFD
    spellings of the same text get the same key.
    """
    primary: list[int] = []
    tones: list[int] = []
    cases: list[int] = []
    digits = ""
    for base, marks in [*_clusters(_SPACES.sub(" ", text).strip()), ("", "")]:
        if "0" <= base <= "9" and len(base) == 1:
            digits += base
            tones.append(0)
            cases.append(0)
            continue
        if digits:  # a number sorts by its value: "Phường 2" before "Phường 10"
            significant = digits.lstrip("0") or "0"
            primary += [10, len(significant), *(int(d) for d in significant)]
            digits = ""
        if not base:
            break
        lower = base.lower()
        letter_marks = "".join(m for m in marks if m in _LETTER_MARKS)
        letter = "đ" if lower == "đ" else unicodedata.normalize("NFC", lower + letter_marks)
        if letter in _LETTER_RANK:
            primary.append(_LETTER_RANK[letter])
        elif not lower.strip() or unicodedata.category(lower)[0] in "PSZ":
            primary.append(1)  # spaces and punctuation sort first
        else:
            primary.append(1000 + ord(lower))
        tones.append(next((_TONES[m] for m in marks if m in _TONES), 0))
        cases.append(0 if base == lower else 1)
    return tuple(primary), tuple(tones), tuple(cases), unicodedata.normalize("NFC", text)


def vi_person_sort_key(full_name: str) -> tuple[SortKey, SortKey]:
    """People in Vietnamese order: by the given name (the last word), then the whole name
    ("Trần Văn An" before "Lê Thị Bình")."""
    words = full_name.split()
    return vi_sort_key(words[-1] if words else ""), vi_sort_key(full_name)


def vi_sorted[T](items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """``items`` sorted by ``vi_sort_key`` of ``key(item)`` (default ``str(item)``)."""
    return sorted(items, key=lambda item: vi_sort_key(key(item)))
