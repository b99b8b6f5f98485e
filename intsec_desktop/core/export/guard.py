"""The leak guard: rendered bytes against every kept stored value, in every encoding the scanner
knows (core.scan.encodings names them). The bytes are decoded into views (export.views) and one
Aho-Corasick automaton over the raw values searches them all. Verdicts name credentials and
encodings, never values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intsec_desktop.core.lazy import lazy_module

if TYPE_CHECKING:
    import ahocorasick_rs
else:
    ahocorasick_rs = lazy_module("ahocorasick_rs")

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field

from intsec_desktop.core.errors import LeakFoundError
from intsec_desktop.core.export.views import (
    base64_cores,
    base64_letters,
    decoded_views,
    utf16_without_nul,
)
from intsec_desktop.core.scan.encodings import MIN_PATTERN_BYTES, encoded_forms
from intsec_desktop.core.scan.patterns import SecretEntry


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
    line: int  # 0 when the value was found only in a decoded view (e.g. split across lines)

    def where(self) -> str:
        return f"line {self.line}" if self.line else "across lines"


@dataclass(frozen=True, slots=True)
class Read:
    """What one read of the kept values covered (for the audit event and clearances)."""

    credentials: int
    values: int
    stamp: str  # clearance_repo.values_stamp of the values read


@dataclass(frozen=True)
class KeptValues:
    entries: list[SecretEntry] = field(repr=False)
    credentials: int
    stamp: str

    def read(self) -> Read:
        return Read(self.credentials, len(self.entries), self.stamp)


@dataclass(frozen=True)
class LeakGuard:
    """Built once per export from the vault's values; they stay inside the guard (never in its
    repr, verdicts or exceptions)."""

    entries: tuple[SecretEntry, ...] = field(repr=False)
    too_short: tuple[str, ...]
    _automaton: object = field(repr=False)
    _owners: tuple[tuple[int, ...], ...] = field(repr=False)  # pattern -> entry indexes
    stamp: object = None  # the vault state the values were read at (see ExportServices)

    @classmethod
    def from_entries(cls, entries: list[SecretEntry], stamp: object = None) -> LeakGuard:
        """Pure CPU work (about 0.1 s for 60,000 values): may run on any thread.

        The automaton holds each value without its first two bytes and its last: in a base64
        view those can come out wrong when the value's characters were cut from a longer blob
        (their bits are shared with the neighbours', which is why the scanner's embedded forms
        leave them out). Every match is then confirmed against the whole value."""
        with paused_gc():
            index: dict[bytes, list[int]] = {}
            too_short: set[str] = set()
            for at, entry in enumerate(entries):
                if len(entry.value) < MIN_PATTERN_BYTES:
                    too_short.add(entry.label)
                    continue
                index.setdefault(entry.value[2:-1], []).append(at)
                if entry.value.isascii():
                    continue
                wide = utf16_without_nul(entry.value)
                if wide is not None:
                    index.setdefault(wide[2:-1], []).append(~at)  # ~: its UTF-16 form
            patterns = list(index)
            automaton = ahocorasick_rs.BytesAhoCorasick(patterns) if patterns else None
            owners = tuple(tuple(index[p]) for p in patterns)
            return cls(tuple(entries), tuple(sorted(too_short)), automaton, owners, stamp)

    def __repr__(self) -> str:
        return f"LeakGuard({len(self.entries)} values)"

    def hits(self, data: bytes) -> list[GuardHit]:
        if self._automaton is None:
            return []
        automaton: ahocorasick_rs.BytesAhoCorasick = self._automaton  # type: ignore[assignment]
        found: dict[int, str] = {}  # entry index -> the view it was first seen in
        maybe_base64: set[int] = set()
        for encoding, view in decoded_views(data):
            for pattern, start, end in automaton.find_matches_as_indexes(view, overlapping=True):
                for owner in self._owners[pattern]:
                    at = owner if owner >= 0 else ~owner
                    if at in found:
                        continue
                    if encoding == "base64":
                        if owner >= 0:
                            maybe_base64.add(at)
                        continue
                    whole = self.entries[at].value
                    if owner < 0:
                        whole = whole.decode("utf-8").encode("utf-16-le")
                    if start >= 2 and view[start - 2 : end + 1] == whole:
                        found[at] = encoding
        maybe_base64.difference_update(found)
        if maybe_base64:
            letters = base64_letters(data)
            for at in maybe_base64:
                if any(form in letters for form in base64_cores(self.entries[at].value)):
                    found[at] = "base64"
        hits = {hit for at, encoding in found.items() for hit in self._locate(at, encoding, data)}
        return sorted(hits, key=lambda h: (h.line or 1 << 62, h.credential, h.version, h.encoding))

    def _locate(self, at: int, view_encoding: str, data: bytes) -> list[GuardHit]:
        """Where a value found in a view sits in the bytes, by its exact encoded forms; only
        run for values that were found, so it costs nothing on a clean export."""
        entry = self.entries[at]
        located = []
        for encoding, form in encoded_forms(entry.value):
            start = data.find(form)
            if start >= 0:
                line = data.count(b"\n", 0, start) + 1
                located.append(GuardHit(entry.label, entry.version, encoding, line))
        return located or [GuardHit(entry.label, entry.version, view_encoding, 0)]

    def check(self, data: bytes) -> None:
        """Raise LeakFoundError naming what leaked; return quietly when the bytes are clean."""
        if self.too_short:
            raise too_short_error(self.too_short)
        found = self.hits(data)
        if found:
            raise LeakFoundError(describe(found))


def too_short_error(labels: tuple[str, ...] | list[str]) -> LeakFoundError:
    # Only a vault from before the 8-byte rule can hold these; they cannot be looked for.
    return LeakFoundError(
        "refusing to write: the leak guard cannot look for values shorter than 8 bytes "
        f"({', '.join(labels[:5])}); rotate them; nothing was written"
    )


def describe(found: list[GuardHit]) -> str:
    named = sorted({f"{h.credential} (version {h.version}, {h.encoding}, {h.where()})"
                    for h in found})  # fmt: skip
    shown = "; ".join(named[:5]) + (f"; and {len(named) - 5} more" if len(named) > 5 else "")
    return f"refusing to write: the export contains a stored secret of {shown}; nothing was written"
