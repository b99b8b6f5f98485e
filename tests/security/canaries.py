"""Canary secrets for the leak sweep: random values, every encoded form of each, and a search of
files and captured text whose findings name the place, the canary's index and the encoding, never
the value."""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick_rs

from intsec_desktop.core.scan.encodings import encoded_forms

Encoder = Callable[[bytes], bytes]


@dataclass(frozen=True)
class Canary:
    index: int
    value: bytes

    def __repr__(self) -> str:  # pytest prints fixtures and locals: never the value
        return f"Canary(#{self.index}, {len(self.value)} bytes)"

    @property
    def text(self) -> str:
        return self.value.decode("ascii")


def make_canaries(count: int, *, binary: Iterable[int] = ()) -> list[Canary]:
    """Text canaries (URL-safe, 16 to 58 characters) except at the `binary` indexes (16 to 48
    random bytes). A random choice of lengths per canary, so alignment-dependent encodings vary."""
    binary = set(binary)
    made = []
    for i in range(count):
        if i in binary:
            value = secrets.token_bytes(16 + secrets.randbelow(33))
        else:
            value = b"cnry" + secrets.token_urlsafe(9 + secrets.randbelow(32)).encode()
        made.append(Canary(i, value))
    return made


def _aligned_core(value: bytes, shift: int, encode: Encoder) -> bytes:
    """The characters of `value`'s base64 that stay the same whatever precedes it, when it sits
    `shift` bytes past a 3-byte boundary inside a longer encoded blob."""
    encoded = encode(b"\0" * shift + value)
    return encoded[(shift * 8 + 5) // 6 : ((shift + len(value)) * 8) // 6]


def canary_forms(value: bytes) -> dict[bytes, str]:
    """Every form to look for -> its name. The issue's list, written out here, plus whatever the
    product's scanner looks for (core.scan.encodings) and a Python repr (tracebacks)."""
    forms: list[tuple[str, bytes]] = [("raw", value)]
    for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
        padded = encode(value)
        forms.append((f"{name} padded", padded))
        forms.append((f"{name} unpadded", padded.rstrip(b"=")))
        for shift in range(3):
            forms.append((f"{name} at alignment {shift}", _aligned_core(value, shift, encode)))
    forms.append(("hex", value.hex().encode()))
    forms.append(("hex upper-case", value.hex().upper().encode()))
    forms.append(("url-encoded", urllib.parse.quote(value, safe="").encode()))
    forms.append(("url-encoded (plus)", urllib.parse.quote_plus(value, safe="").encode()))
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        text = value.decode("latin-1")  # how a byte string often ends up quoted in JSON
    forms.append(("json-escaped", json.dumps(text)[1:-1].encode()))
    forms.append(("json-escaped (utf-8)", json.dumps(text, ensure_ascii=False)[1:-1].encode()))
    forms.append(("utf-16le", text.encode("utf-16-le")))
    forms.append(("python repr", repr(value)[2:-1].encode()))
    forms += [(f"scanner's {name}", form) for name, form in encoded_forms(value)]
    named: dict[bytes, str] = {}
    for name, form in forms:
        named.setdefault(form, name)  # the first (most specific) name wins
    return named


@dataclass(frozen=True)
class Hit:
    where: str
    canary: int
    encoding: str

    def __str__(self) -> str:
        return f"{self.where}: canary #{self.canary} as {self.encoding}"


@dataclass
class CanarySearch:
    """One automaton over every form of every canary; counts what it was shown."""

    canaries: list[Canary]
    files: int = 0
    bytes: int = 0
    unreadable: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        patterns: list[bytes] = []
        self._labels: list[tuple[int, str]] = []
        for canary in self.canaries:
            for form, name in canary_forms(canary.value).items():
                patterns.append(form)
                self._labels.append((canary.index, name))
        self.forms = len(patterns)
        self._automaton = ahocorasick_rs.BytesAhoCorasick(patterns)

    def _matches(self, data: bytes) -> list[tuple[int, int, int]]:
        return list(self._automaton.find_matches_as_indexes(data, overlapping=True))

    def text(self, where: str, data: bytes) -> list[Hit]:
        self.bytes += len(data)
        found = {self._labels[i] for i, _start, _end in self._matches(data)}
        return [Hit(where, index, name) for index, name in sorted(found)]

    def tree(self, root: Path, relative_to: Path) -> list[Hit]:
        """Every regular file below `root` (links are not followed: what they point at inside
        the sweep is searched where it lives)."""
        hits: list[Hit] = []
        for folder, _dirs, names in os.walk(root):
            for name in sorted(names):
                path = Path(folder) / name
                try:
                    if not stat.S_ISREG(path.lstat().st_mode):
                        continue
                    data = path.read_bytes()
                except OSError as exc:
                    self.unreadable.append(f"{path.relative_to(relative_to)} ({exc.strerror})")
                    continue
                self.files += 1
                hits += self.text(str(path.relative_to(relative_to)), data)
        return hits

    def redact(self, data: bytes) -> str:
        """`data` as text with every canary form replaced by its index, for failure messages."""
        out, last = [], 0
        for i, start, end in sorted(self._matches(data), key=lambda m: m[1]):
            if start < last:  # overlaps the span just hidden: hide up to its end too
                last = max(last, end)
                continue
            out.append(data[last:start].decode("utf-8", "replace"))
            out.append(f"<canary #{self._labels[i][0]}>")
            last = end
        out.append(data[last:].decode("utf-8", "replace"))
        return "".join(out)
