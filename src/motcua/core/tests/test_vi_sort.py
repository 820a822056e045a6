"""The Vietnamese sort order (``core.text.vi_sort_key``): the alphabet, tones as a second level, case third."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from motcua.core.text import fold, vi_person_sort_key, vi_sort_key, vi_sorted

ALPHABET = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")
TONES = ["", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]  # none, huyền, hỏi, ngã, sắc, nặng
VOWELS = set("aăâeêioôơuưy")


def syllable(letter: str, tone: str) -> str:
    return unicodedata.normalize("NFC", letter + tone)


letters = st.sampled_from(ALPHABET)
words = st.lists(
    st.tuples(letters, st.sampled_from(TONES)).map(
        lambda lt: syllable(lt[0], lt[1]) if lt[0] in VOWELS else lt[0]
    ),
    min_size=1,
    max_size=8,
).map("".join)


def test_the_alphabet_in_order() -> None:
    assert vi_sorted(reversed(ALPHABET)) == ALPHABET


def test_the_tones_in_the_dictionaries_order() -> None:
    shuffled = ["mạ", "mác", "má", "mã", "mả", "mà", "ma"]
    assert vi_sorted(shuffled) == ["ma", "mà", "mả", "mã", "má", "mạ", "mác"]


def test_known_lists() -> None:
    assert vi_sorted(["Đông Anh", "Dương Kinh", "Đà Nẵng", "Diên Khánh"]) == [
        "Diên Khánh",
        "Dương Kinh",
        "Đà Nẵng",
        "Đông Anh",
    ]
    assert vi_sorted(["Phường 10", "Phường 2", "Phường Ái Quốc", "Phường An"]) == [
        "Phường 2",
        "Phường 10",
        "Phường Ái Quốc",
        "Phường An",
    ]
    names = ["Nguyễn Văn Đức", "Trần Thị Dung", "Lê An", "Phạm Bình"]
    assert sorted(names, key=vi_person_sort_key) == ["Lê An", "Phạm Bình", "Trần Thị Dung", "Nguyễn Văn Đức"]


@given(st.text(alphabet="dđDĐ", min_size=1, max_size=6), st.text(alphabet="dD", min_size=0, max_size=6))
def test_every_word_with_d_comes_before_the_same_with_đ(rest: str, prefix: str) -> None:
    assert vi_sort_key(prefix + "d" + rest) < vi_sort_key(prefix + "đ" + rest)


@given(words, words)
def test_the_letters_decide_before_the_tones(a: str, b: str) -> None:
    """Two words whose toneless letters differ sort like their toneless forms (tones only break ties)."""
    bare_a, bare_b = _toneless(a), _toneless(b)
    if bare_a != bare_b:
        assert (vi_sort_key(a) < vi_sort_key(b)) == (vi_sort_key(bare_a) < vi_sort_key(bare_b))


@given(words)
def test_nfc_and_nfd_and_case_agree_on_the_first_two_levels(word: str) -> None:
    nfd = unicodedata.normalize("NFD", word)
    assert vi_sort_key(nfd) == vi_sort_key(word)
    upper = vi_sort_key(word.upper())
    assert upper[:2] == vi_sort_key(word)[:2]
    assert vi_sort_key(word) <= upper


@given(st.lists(words, max_size=12))
def test_sorting_is_a_total_order(items: list[str]) -> None:
    once = vi_sorted(items)
    assert vi_sorted(once) == once
    assert vi_sorted(reversed(items)) == once
    keys = [vi_sort_key(x) for x in once]
    assert keys == sorted(keys)


@given(words)
def test_a_tone_never_sorts_before_the_bare_syllable(word: str) -> None:
    assert vi_sort_key(_toneless(word)) <= vi_sort_key(word)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_numbers_by_their_value(a: int, b: int) -> None:
    if a != b:
        assert (vi_sort_key(f"Phường {a}") < vi_sort_key(f"Phường {b}")) == (a < b)


@given(words, words)
def test_the_primary_level_ignores_what_search_ignores_except_the_vietnamese_letters(a: str, b: str) -> None:
    """Words equal under ``fold`` (which drops every mark and đ) differ at most in letters fold merges."""
    if vi_sort_key(a)[0] == vi_sort_key(b)[0]:
        assert fold(a) == fold(b)


def _toneless(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONES[1:]))
