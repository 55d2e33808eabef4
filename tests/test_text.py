"""The fast paths of the text helpers give exactly what the plain definitions give."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sftlint.checks.minhash import BANDS, NUM_PERM, bands, exact_hash, exact_text, h64, shingles, shingles_of
from sftlint.checks.patterns import Prefilter
from sftlint.checks.text import WORD_HASHES, digit_count, folded_words, words
from sftlint.packs import PatternRule

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=200) | st.text(
    alphabet=st.characters(max_codepoint=127), max_size=200)


@given(TEXT)
def test_words_are_the_regex_words(text):
    found = words(text)
    assert [w.decode() if isinstance(w, bytes) else w for w in found] == re.findall(r"\w+", text)
    assert [WORD_HASHES[w] for w in found] == [WORD_HASHES[w] for w in re.findall(r"\w+", text)]


@given(TEXT)
def test_folded_words_are_the_regex_words_of_the_normalised_case_folded_text(text):
    found, ids = folded_words(text)
    expected = re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())
    assert [w.decode() if isinstance(w, bytes) else w for w in found] == expected
    assert ids.tolist() == [WORD_HASHES[w] for w in expected]


@given(st.lists(TEXT, max_size=5))
def test_shingles_of_parts_joined_by_non_word_characters_are_the_joined_texts(parts):
    ids = [folded_words(p)[1] for p in parts]
    joined = shingles_of(np.concatenate(ids) if ids else np.zeros(0, dtype=np.uint64))
    assert np.array_equal(joined, shingles(": \n".join(parts)))


def _signature(shingle_set: np.ndarray) -> list[int]:
    """One-permutation MinHash as defined: a bin (a shingle's top 6 bits) holds the top 32 of the
    other 58 bits of its least shingle; an empty bin the value of the first filled bin of its
    probe sequence (or of the first filled bin); a text without shingles 2**32-1 everywhere."""
    from sftlint.checks.minhash import _PROBES

    least: dict[int, int] = {}
    for s in map(int, shingle_set):
        least[s >> 58] = min(least.get(s >> 58, 1 << 64), s & ((1 << 58) - 1))
    if not least:
        return [0xFFFFFFFF] * NUM_PERM
    first = min(least)
    return [least[next((p for p in map(int, _PROBES[b]) if p in least), first)] >> 26 if b not in least
            else least[b] >> 26 for b in range(NUM_PERM)]


WORD_IDS = st.lists(st.integers(0, 2**64 - 1), max_size=12).map(lambda v: np.array(v, dtype=np.uint64))
FEW_WORDS = st.lists(st.sampled_from([1, 2, 3, 2**63, 2**64 - 1]), max_size=5).map(lambda v: np.array(v, dtype=np.uint64))


@given(st.lists(WORD_IDS | FEW_WORDS, max_size=6))
def test_bands_of_texts_banded_together_are_each_texts_own_signature_banded(texts):
    together = bands(texts)
    assert together.shape == (len(texts), BANDS) and together.dtype == np.uint32
    for words_of, row in zip(texts, together, strict=True):
        assert np.array_equal(bands([words_of])[0], row)  # whatever it is banded with
        signature = np.array(_signature(shingles_of(words_of)), dtype=np.uint64).reshape(BANDS, -1)
        mixed = (signature * np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F], dtype=np.uint64)).sum(axis=1)
        assert np.array_equal(row, (mixed ^ (mixed >> np.uint64(32))).astype(np.uint32))


@given(st.lists(st.sampled_from(["a", "b", "c", "Ünï", "d_1"]), max_size=30).map(" ".join) | TEXT)
def test_a_five_word_phrase_said_twice_is_found(text):
    from sftlint.checks.repetition import _phrases

    said = [tuple(w) for w in np.lib.stride_tricks.sliding_window_view(folded_words(text)[0], 5)] if len(
        folded_words(text)[0]) >= 5 else []
    assert _phrases.__wrapped__(text)[2] == (len(set(said)) < len(said))


@given(TEXT | st.text(alphabet="ab `~$\\|{};<=\t:>\n", max_size=20)
       | st.builds("word {} word é".format, st.characters(max_codepoint=127)))
def test_a_turn_that_may_hold_more_than_prose_is_told_by_its_symbols_as_the_regex_tells_it(text):
    from sftlint.checks.segments import _OUTPUT_WORD, _SYMBOLS, _maybe

    for t in (text, text.replace("é", "e")):  # the ASCII path and the other
        assert _maybe(t) == (bool(_SYMBOLS.search(t)) or "   " in t or "\n>>> " in t
                             or t.startswith(">>> ") or bool(_OUTPUT_WORD.search(t)))


@given(TEXT)
def test_letter_words_are_the_regex_letter_runs(text):
    found = words(text, letters_only=True)
    assert [w.decode() if isinstance(w, bytes) else w for w in found] == re.findall(r"[^\W\d_]+", text)


@given(TEXT)
def test_exact_hash_is_the_hash_of_the_normalised_text(text):
    norm = exact_text(text)
    assert exact_hash(text) == (h64(norm), len(norm))


@given(TEXT)
def test_digit_count(text):
    assert digit_count(text) == sum(c in "0123456789" for c in text)


def _rule(code, *prefilter):
    return PatternRule(code, "", frozenset({"assistant"}), re.compile("x"), prefilter=prefilter)


def test_prefilter_finds_overlapping_phrases_of_different_rules():
    rules = [_rule("A001", "as an ai"), _rule("A002", "an ai language model"), _rule("A003", "zzz"), _rule("A004")]
    pf = Prefilter(rules)
    assert pf.candidates("Well, As An AI Language Model I cannot.") == {0, 1, 3}
    assert pf.candidates("nothing here") == {3}  # a rule without a prefilter always runs
