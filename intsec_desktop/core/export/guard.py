"""The leak guard: rendered bytes against every kept stored value, in every encoding the scanner
knows (core.scan: same encoded forms, same Aho-Corasick matcher). Verdicts name credentials and
encodings, never values."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass

from intsec_desktop.core.errors import LeakFoundError
from intsec_desktop.core.scan.engine import Matcher
from intsec_desktop.core.scan.patterns import PatternSet, SecretEntry, build_pattern_set


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Building an export or a guard allocates millions of small acyclic objects; the cyclic
    collector's passes over them cost a quarter of the time and find nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, slots=True)
class GuardHit:
    credential: str  # the credential's path
    version: int
    encoding: str
    line: int


@dataclass(frozen=True)
class LeakGuard:
    """Built once per export from the vault's values; the values stay inside the automaton."""

    patterns: PatternSet
    matcher: Matcher
    stamp: object = None  # the vault state the values were read at (see ExportServices)

    @classmethod
    def from_entries(cls, entries: list[SecretEntry], stamp: object = None) -> LeakGuard:
        """Pure CPU work (seconds for tens of thousands of values): may run on any thread."""
        with paused_gc():
            patterns = build_pattern_set(entries, providers=False)
            return cls(patterns, Matcher(patterns.patterns, {}), stamp)

    def __repr__(self) -> str:
        return f"LeakGuard({len(self.patterns.patterns)} patterns)"

    def hits(self, data: bytes) -> list[GuardHit]:
        found: list[GuardHit] = []
        for hit in self.matcher.scan(data):
            for origin in self.patterns.origins[hit.pattern]:
                found.append(GuardHit(origin.label, origin.version, origin.encoding, hit.line))
        return sorted(set(found), key=lambda h: (h.line, h.credential, h.version, h.encoding))

    def check(self, data: bytes) -> None:
        """Raise LeakFoundError naming what leaked; return quietly when the bytes are clean."""
        if self.patterns.too_short:
            # Only a vault from before the 8-byte rule can hold these; they cannot be looked for.
            raise LeakFoundError(
                "refusing to write: the leak guard cannot look for values shorter than 8 bytes "
                f"({', '.join(self.patterns.too_short[:5])}); rotate them; nothing was written"
            )
        found = self.hits(data)
        if found:
            raise LeakFoundError(describe(found))


def describe(found: list[GuardHit]) -> str:
    named = sorted({f"{h.credential} (version {h.version}, {h.encoding}, line {h.line})"
                    for h in found})  # fmt: skip
    shown = "; ".join(named[:5]) + (f"; and {len(named) - 5} more" if len(named) > 5 else "")
    return f"refusing to write: the export contains a stored secret of {shown}; nothing was written"
