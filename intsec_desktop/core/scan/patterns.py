"""What the automaton looks for: each stored secret's encoded forms, and provider key formats.

Every pattern maps back to (label, version, encoding); the bytes themselves never leave the
scan (they are not in findings, reports or exceptions)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from intsec_desktop.core.scan.encodings import MIN_PATTERN_BYTES, encoded_forms


@dataclass(frozen=True, slots=True)
class SecretEntry:
    """One stored value to look for. `label` is the credential's path (never the value)."""

    label: str
    version: int
    value: bytes

    def __repr__(self) -> str:
        return f"SecretEntry(label={self.label!r}, version={self.version})"


@dataclass(frozen=True, slots=True)
class PatternOrigin:
    label: str  # credential path, or "provider:<rule>" for built-in formats
    version: int  # 0 for provider rules
    encoding: str  # one of encodings.ENCODINGS, or "provider-format"


@dataclass(frozen=True, slots=True)
class ProviderRule:
    name: str
    anchors: tuple[bytes, ...]  # literal prefixes fed to the automaton
    pattern: re.Pattern[bytes]  # checked only where an anchor matched


PROVIDER_RULES: tuple[ProviderRule, ...] = (
    ProviderRule(
        "aws-access-key-id",
        (b"AKIA", b"ASIA"),
        re.compile(rb"(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])"),
    ),
    ProviderRule(
        "github-token",
        (b"ghp_", b"gho_", b"ghs_", b"ghu_", b"github_pat_"),
        re.compile(rb"(?:gh[opsu]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,255})"),
    ),
    ProviderRule(
        "slack-token",
        (b"xoxb-", b"xoxp-", b"xoxa-", b"xoxs-"),
        re.compile(rb"xox[bpas]-[0-9A-Za-z-]{10,250}"),
    ),
    ProviderRule(
        "stripe-live-key",
        (b"sk_live_", b"rk_live_"),
        re.compile(rb"[sr]k_live_[0-9A-Za-z]{16,247}"),
    ),
    ProviderRule(
        "google-api-key",
        (b"AIza",),
        re.compile(rb"AIza[0-9A-Za-z_\-]{35}(?![A-Za-z0-9_\-])"),
    ),
    ProviderRule(
        "private-key-block",
        (b"-----BEGIN ",),
        re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    ),
)


@dataclass(frozen=True)
class PatternSet:
    """Patterns in automaton order. `patterns` is what workers receive (in memory only)."""

    patterns: tuple[bytes, ...]
    origins: tuple[tuple[PatternOrigin, ...], ...]  # per pattern: every secret it stands for
    provider_of: dict[int, int]  # pattern index -> index in PROVIDER_RULES
    too_short: tuple[str, ...]  # labels whose value is too short to look for safely

    def __repr__(self) -> str:
        return f"PatternSet({len(self.patterns)} patterns)"


def build_pattern_set(entries: list[SecretEntry], *, providers: bool = True) -> PatternSet:
    index: dict[bytes, int] = {}
    patterns: list[bytes] = []
    origins: list[list[PatternOrigin]] = []
    too_short: list[str] = []

    def add(pattern: bytes, origin: PatternOrigin) -> int:
        at = index.get(pattern)
        if at is None:
            at = index[pattern] = len(patterns)
            patterns.append(pattern)
            origins.append([])
        if origin not in origins[at]:
            origins[at].append(origin)
        return at

    for entry in entries:
        if len(entry.value) < MIN_PATTERN_BYTES:
            too_short.append(entry.label)
            continue
        for encoding, form in encoded_forms(entry.value):
            add(form, PatternOrigin(entry.label, entry.version, encoding))
    provider_of: dict[int, int] = {}
    if providers:
        for rule_index, rule in enumerate(PROVIDER_RULES):
            for anchor in rule.anchors:
                at = index.get(anchor)
                if at is None:
                    at = index[anchor] = len(patterns)
                    patterns.append(anchor)
                    origins.append([])
                provider_of[at] = rule_index
    return PatternSet(
        tuple(patterns),
        tuple(tuple(o) for o in origins),
        provider_of,
        tuple(sorted(set(too_short))),
    )
