"""The fast paths of the text helpers give exactly what the plain definitions give."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sftlint.checks.minhash import exact_hash, exact_text, h64, shingles, shingles_of
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
