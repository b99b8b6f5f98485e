"""The strength estimate rewards length and unrelated words, and sees through common patterns."""

from __future__ import annotations

import time

import pytest

from intsec_desktop.core.passphrase_strength import (
    LABELS,
    MAX_ANALYSED,
    common_passwords,
    estimate,
)


def test_empty_is_very_weak_and_asks_for_input() -> None:
    result = estimate("")
    assert (result.score, result.label, result.bits) == (0, "very weak", 0.0)
    assert result.feedback == "Enter a passphrase."


@pytest.mark.parametrize(
    "common", ["password", "123456", "qwerty", "iloveyou", "letmein", "Password", "PASSWORD"]
)
def test_common_passwords_are_very_weak(common: str) -> None:
    result = estimate(common)
    assert result.score == 0
    assert "most common" in result.feedback


@pytest.mark.parametrize("disguised", ["P@ssw0rd", "p@$$w0rd", "Password1", "hunter2", "qwe rty"])
def test_disguised_common_passwords_are_still_very_weak(disguised: str) -> None:
    assert estimate(disguised).score == 0


def test_a_common_password_with_a_suffix_stays_weak() -> None:
    result = estimate("password123!")
    assert result.score <= 1
    assert "common password" in result.feedback


@pytest.mark.parametrize("sequence", ["abcdefghij", "zyxwvutsrq", "1234567890", "asdfghjk"])
def test_sequences_are_very_weak(sequence: str) -> None:
    result = estimate(sequence)
    assert result.score == 0
    assert result.feedback  # one line, whatever the pattern


def test_sequences_are_named_in_the_feedback() -> None:
    assert "Sequences" in estimate("abcdefghijk").feedback


@pytest.mark.parametrize(
    "repeated", ["aaaaaaaaaaaaaaaa", "abcabcabcabcabc", "xyz!xyz!xyz!xyz!", "a b a b a b a b"]
)
def test_repeats_add_almost_nothing(repeated: str) -> None:
    result = estimate(repeated)
    assert result.score <= 1
    assert "Repeats" in result.feedback


def test_the_same_word_four_times_is_not_four_words() -> None:
    repeated = estimate("correct correct correct correct")
    distinct = estimate("correct horse battery staple")
    assert repeated.score <= 1
    assert distinct.score == 4


def test_a_single_dictionary_word_is_weak_and_told_to_add_words() -> None:
    result = estimate("troubadour")
    assert result.score <= 1
    assert result.feedback == "A single word is easy to guess: add another word or two."


def test_leet_and_a_suffix_do_not_make_one_word_strong() -> None:
    assert estimate("Tr0ub4dor&3").score <= 2


def test_each_additional_word_raises_the_estimate() -> None:
    words = ["correct", "horse", "battery", "staple"]
    bits = [estimate(" ".join(words[: n + 1])).bits for n in range(len(words))]
    assert bits == sorted(bits)
    assert bits[-1] - bits[0] > 40


def test_two_words_are_fair_and_ask_for_another() -> None:
    result = estimate("correct horse")
    assert result.label == "fair"
    assert "another word" in result.feedback


def test_four_unrelated_words_are_very_strong() -> None:
    result = estimate("correct horse battery staple")
    assert (result.score, result.label) == (4, "very strong")
    assert result.bits > 50


def test_words_run_together_still_count_as_several() -> None:
    assert estimate("correcthorsebatterystaple").score >= 3


def test_a_long_sentence_is_very_strong() -> None:
    assert estimate("Dana's cat eats lasagne on Tuesdays").score == 4


def test_random_characters_are_rewarded_by_length() -> None:
    short, long = estimate("xK9#"), estimate("kq8-ZpL4x!Vb")
    assert short.score <= 1
    assert long.score == 4


def test_short_input_says_so() -> None:
    assert estimate("k9").feedback == "Too short: use a few unrelated words."


def test_no_composition_rules_lowercase_words_can_be_very_strong() -> None:
    """Strength comes from the number of guesses, not from digits or symbols being present."""
    assert estimate("purple elephant quietly borrows umbrellas").score == 4


def test_other_scripts_are_estimated_without_crashing() -> None:
    result = estimate("ёжик в тумане гуляет ночью")
    assert 0 <= result.score <= 4
    assert result.label in LABELS


def test_score_and_label_agree_and_bits_are_non_negative() -> None:
    for text in ("a", "monkey", "correct horse", "correct horse battery", "kq8-ZpL4x!Vb"):
        result = estimate(text)
        assert result.label == LABELS[result.score]
        assert result.bits >= 0
        assert result.guesses_log10 == pytest.approx(result.bits * 0.30103, rel=1e-4)
        assert "\n" not in result.feedback


@pytest.mark.parametrize("pasted", ["x" * 1_000_000, "ab1!" * 250_000])
def test_a_megabyte_paste_is_estimated_quickly(pasted: str) -> None:
    start = time.perf_counter()
    result = estimate(pasted)
    assert time.perf_counter() - start < 0.5
    assert result.score <= 2  # only the analysed prefix counts, and it is one repeated unit


def test_only_a_bounded_prefix_is_analysed() -> None:
    base = "kq8-ZpL4x!Vb" * 30
    assert len(base) > MAX_ANALYSED
    assert estimate(base).bits == estimate(base + "more words here").bits


def test_the_worst_case_for_the_pattern_search_stays_fast() -> None:
    worst = "abcdqwer1234" * 22  # sequences and keyboard runs everywhere, no whole-text period
    start = time.perf_counter()
    estimate(worst[:-1] + "!")
    assert time.perf_counter() - start < 0.5


def test_the_common_list_is_large_lowercase_and_ranked() -> None:
    ranks = common_passwords()
    assert len(ranks) >= 200
    assert ranks["123456"] == 1
    assert ranks["password"] == 2
    assert all(word == word.lower().strip() for word in ranks)
