"""How many guesses a passphrase would take, estimated from the patterns people actually use."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from intsec_desktop.core import paths

# Composition rules ("one digit, one symbol") push people towards Passw0rd!; this estimate
# instead counts the guesses an attacker with a pattern-aware cracker would need: common
# passwords first, then sequences, repeats and dictionary words, and only then brute force.

LABELS = ("very weak", "weak", "fair", "strong", "very strong")
# log10(guesses) at which each score starts. The vault file can be copied and attacked offline;
# Argon2id slows each guess, but only 10^14 guesses (about four random words) count as
# very strong.
SCORE_THRESHOLDS = (4.0, 7.0, 10.0, 14.0)
# Longer input only adds guesses; analysing a bounded prefix keeps every keystroke fast.
MAX_ANALYSED = 256
# An attacker's wordlist: larger than diceware lists (7,776), smaller than every word in English.
WORD_GUESSES = 20_000
SEPARATORS = frozenset(" \t-_.,+/|:;~")
KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertzuiop", "azertyuiop")
LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
VOWELS = frozenset("aeiouy")
_SEPARATOR_RUN = re.compile("[" + re.escape("".join(sorted(SEPARATORS))) + "]+")
_CLASS_RUN = re.compile(r"[^\W\d_]+|\d+|[\W_]+")
_YEAR = re.compile(r"(19|20)\d\d")


@dataclass(frozen=True, slots=True)
class PassphraseStrength:
    score: int  # 0..4
    label: str  # "very weak" .. "very strong"
    bits: float  # log2 of the estimated guesses
    feedback: str  # one line telling the user what would help most

    @property
    def guesses_log10(self) -> float:
        return self.bits * math.log10(2)


@cache
def common_passwords() -> dict[str, int]:
    """{password: rank}, rank 1 = most common."""
    text = (paths.resources_dir() / "common-passwords.txt").read_text(encoding="utf-8")
    ranks: dict[str, int] = {}
    for line in text.splitlines():
        word = line.strip()
        if word and not word.startswith("#"):
            ranks.setdefault(word, len(ranks) + 1)
    return ranks


def estimate(passphrase: str) -> PassphraseStrength:
    text = passphrase[:MAX_ANALYSED]
    if not text:
        return PassphraseStrength(0, LABELS[0], 0.0, "Enter a passphrase.")
    findings: set[str] = set()
    log10 = min(_pattern_log10(text, findings), _brute_force_log10(text))
    score = sum(log10 >= threshold for threshold in SCORE_THRESHOLDS)
    return PassphraseStrength(
        score, LABELS[score], log10 / math.log10(2), _feedback(score, findings, len(text))
    )


def _pattern_log10(text: str, findings: set[str]) -> float:
    whole = text.lower()
    common = common_passwords()
    for candidate in (whole, whole.translate(LEET), "".join(whole.split())):
        if candidate in common:
            findings.add("common")
            return math.log10(common[candidate] + 1)
    period = _period(text)
    if period:
        findings.add("repeat")
        return _pattern_log10(text[:period], findings) + math.log10(len(text) / period)

    tokens = [t for t in _SEPARATOR_RUN.split(text) if t]
    used_separators = {c for c in text if c in SEPARATORS}
    total = len(used_separators) * 1.0 if len(tokens) > 1 else 0.0  # 10 choices per separator
    seen: set[str] = set()
    for token in tokens:
        key = token.lower()
        if key in seen:
            findings.add("repeat")
            total += math.log10(2)  # "the same word again" is one cheap guess
            continue
        seen.add(key)
        total += _token_log10(token, findings)
    if len(tokens) == 1 and findings & {"word", "common part"}:
        findings.add("one word")
    return total


def _token_log10(token: str, findings: set[str]) -> float:
    letters = [i for i, c in enumerate(token) if c.isalpha()]
    if not letters:
        return sum(_run_log10(run, findings) for run in _CLASS_RUN.findall(token))
    first, last = letters[0], letters[-1] + 1
    core = token[first:last]
    total = sum(_run_log10(run, findings) for run in _CLASS_RUN.findall(token[:first]))
    total += sum(_run_log10(run, findings) for run in _CLASS_RUN.findall(token[last:]))
    unleeted = core.lower().translate(LEET)
    if unleeted.isalpha():
        substitutions = sum(a != b for a, b in zip(core.lower(), unleeted, strict=True))
        total += _segmented_log10(unleeted, findings) + _case_log10(core)
        total += min(substitutions, 6) * math.log10(2)
    else:
        runs = _CLASS_RUN.findall(core)
        total += sum(_run_log10(run, findings) for run in runs)
        total += (len(runs) - 1) * math.log10(4)  # which character class comes next
    return total


def _run_log10(run: str, findings: set[str]) -> float:
    """A run of one character class: letters, digits or symbols."""
    if run[0].isalpha():
        return _segmented_log10(run.lower(), findings) + _case_log10(run)
    return _segmented_log10(run, findings)


def _case_log10(run: str) -> float:
    upper = sum(c.isupper() for c in run)
    if upper == 0:
        return 0.0
    if upper == len(run) or (upper == 1 and run[0].isupper()):
        return math.log10(2)
    return min(upper, len(run) - upper) * math.log10(2) + math.log10(2)


def _segmented_log10(text: str, findings: set[str]) -> float:
    """Cheapest cover of `text` by known patterns, with brute-forced gaps between them."""
    matches: dict[tuple[int, int], list[tuple[float, str]]] = {}
    for start, end, cost, kind in _pattern_matches(text):
        matches.setdefault((start, end), []).append((cost, kind))
    cuts = sorted({0, len(text)} | {i for span in matches for i in span})
    best: dict[int, tuple[float, list[str]]] = {0: (0.0, [])}
    for end in cuts[1:]:
        options: list[tuple[float, list[str]]] = []
        for start in cuts:
            if start >= end or start not in best:
                continue
            cost, kinds = best[start]
            gap_kind, gap_cost = _gap_log10(text[start:end])
            options.append((cost + gap_cost, [*kinds, gap_kind]))
            for m_cost, m_kind in matches.get((start, end), ()):
                options.append((cost + m_cost, [*kinds, m_kind]))
        best[end] = min(options, key=lambda option: option[0])
    cost, kinds = best[len(text)]
    findings.update(kinds)
    return cost


def _pattern_matches(text: str) -> list[tuple[int, int, float, str]]:
    """(start, end, log10 guesses, kind) for every common password, sequence and repeat."""
    found: list[tuple[int, int, float, str]] = []
    common = common_passwords()
    n = len(text)
    for start in range(n):
        for end in range(start + 3, min(n, start + 20) + 1):
            rank = common.get(text[start:end])
            if rank is not None:
                found.append((start, end, math.log10(rank + 1), "common part"))
    for start, end in _sequence_spans(text):
        found.append((start, end, math.log10(2 * 36 * (end - start)), "sequence"))
    for same in re.finditer(r"(.)\1{2,}", text):
        start, end = same.span()
        found.append((start, end, math.log10(_alphabet(text[start]) * (end - start)), "repeat"))
    for row in KEYBOARD_ROWS:
        for line in (row, row[::-1]):
            for start in range(n - 3):
                length = _common_prefix(text[start:], line)
                if length >= 4:
                    cost = math.log10(len(KEYBOARD_ROWS) * 2 * 10 * length)
                    found.append((start, start + length, cost, "sequence"))
    period = _period(text)
    if period > 1:
        cost = _segmented_log10(text[:period], set()) + math.log10(len(text) / period)
        found.append((0, n, cost, "repeat"))
    return found


def _period(text: str) -> int:
    """Length of the shortest unit that `text` repeats at least twice (abcabcab: 3), or 0."""
    for period in range(1, len(text) // 2 + 1):
        if text[period:] == text[:-period]:
            return period
    return 0


def _common_prefix(text: str, line: str) -> int:
    """Length of the longest start of `text` that appears in `line`."""
    length = 0
    while length < len(text) and text[: length + 1] in line:
        length += 1
    return length


def _sequence_spans(text: str) -> list[tuple[int, int]]:
    """Maximal runs like abcd, 4321 or xyz: neighbours one code point apart, one direction."""
    spans: list[tuple[int, int]] = []
    start, direction = 0, 0
    for i in range(1, len(text) + 1):
        step = _step(text[i - 1], text[i]) if i < len(text) else 0
        if step and direction in (0, step):
            direction = step
            continue
        if i - start >= 3:
            spans.append((start, i))
        start, direction = (i - 1, step) if step else (i, 0)
    return spans


def _step(a: str, b: str) -> int:
    delta = ord(b) - ord(a)
    same_class = a.isalnum() and b.isalnum() and a.isdigit() == b.isdigit()
    return delta if abs(delta) == 1 and same_class else 0


def _gap_log10(gap: str) -> tuple[str, float]:
    """Text no pattern explains: a year, a dictionary-like word, or brute force."""
    if gap.isdigit() and _YEAR.fullmatch(gap):
        return "year", math.log10(200)
    brute = len(gap) * math.log10(_alphabet(gap[0]))
    if gap.isalpha() and _looks_like_words(gap):
        words = max(1, math.ceil((len(gap) - 3) / 8))  # a run-on "horsebattery" is two
        return ("word" if words == 1 else "words"), min(brute, words * math.log10(WORD_GUESSES))
    return "random", brute


def _looks_like_words(lower: str) -> bool:
    """Pronounceable: vowels in the proportion of natural language and no long consonant runs.
    Other scripts count as words: without their vowels we cannot tell, and guessing low is the
    safe side for a strength meter."""
    if len(lower) < 3:
        return False
    if not lower.isascii():
        return True
    vowels = sum(c in VOWELS for c in lower)
    if not 0.1 <= vowels / len(lower) <= 0.65:
        return False
    return not re.search(r"[^aeiouy]{6,}|[aeiouy]{4,}", lower)


def _alphabet(char: str) -> int:
    if char.isdigit():
        return 10
    if char.isalpha():
        return 26 if char.isascii() else 40
    return 33


def _brute_force_log10(text: str) -> float:
    """Upper bound: every string of this length over the character classes it uses."""
    size = 0
    size += 26 if any(c.islower() and c.isascii() for c in text) else 0
    size += 26 if any(c.isupper() and c.isascii() for c in text) else 0
    size += 10 if any(c.isdigit() for c in text) else 0
    size += 33 if any(not c.isalnum() and c.isascii() for c in text) else 0
    size += 40 if any(not c.isascii() for c in text) else 0
    return len(text) * math.log10(max(size, 2))


def _feedback(score: int, findings: set[str], length: int) -> str:
    if "common" in findings:
        return "This is one of the most common passwords; pick something else."
    if score == 4:
        return "Very strong. Make sure you can remember it."
    if score == 3:
        return "Good. One more word would make it very strong."
    if "common part" in findings:
        return "It is built on a very common password; add unrelated words."
    if "repeat" in findings:
        return "Repeats add little; use different words."
    if "sequence" in findings:
        return "Sequences like abcd, 1234 or qwerty are guessed early; use words instead."
    if length < 8:
        return "Too short: use a few unrelated words."
    if "one word" in findings:
        return "A single word is easy to guess: add another word or two."
    return "Add another word or two; several unrelated words work best."
