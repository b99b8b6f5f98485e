"""Decoded views of rendered bytes, so the leak guard looks for each stored value once, raw.

Encoding every value into every form (base64 both alphabets x 3 alignments, hex both cases,
URL, JSON, UTF-16LE) made 7 patterns per value and an automaton that took seconds to build
for 60,000 values. Decoding the output instead is a handful of C-speed passes over it:

- base64: keep only alphabet characters (URL-safe mapped to standard, padding dropped) and
  decode from each of the 4 character offsets; every encoded blob is aligned in one of them,
  so a value encoded alone or inside a longer blob appears raw in that view. Characters of
  other words concatenate around it, which cannot hide it (and line-wrapped base64 is found).
- hex: keep only hex digits, lower-cased, and decode from both offsets.
- URL-encoded (with `+` as space or not), JSON/YAML backslash escapes, and UTF-16LE (only
  when the bytes hold a NUL, which UTF-16LE of ASCII text always does).

A value found in a view is then located precisely (encoding and line) where possible."""

from __future__ import annotations

import binascii
import re
import urllib.parse
from collections.abc import Iterator

from intsec_desktop.core.scan.encodings import encoded_forms

_B64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_NOT_B64 = bytes(b for b in range(256) if b not in _B64_ALPHABET + b"-_")
_HEX_TO_LOWER = bytes.maketrans(b"ABCDEF", b"abcdef")
_NOT_HEX = bytes(b for b in range(256) if b not in b"0123456789abcdefABCDEF")

_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2})|(.))", re.S)
_SIMPLE_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "0": "\0", "a": "\a", "v": "\v",
    "e": "\x1b", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip


def _unescape_one(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2) or match.group(3)
    if code is not None:
        value = int(code, 16)
        return chr(value) if value <= 0x10FFFF else ""
    char = match.group(4)
    return _SIMPLE_ESCAPES.get(char, char)


def unescaped(data: bytes) -> bytes:
    """JSON and YAML double-quoted escapes resolved (surrogate pairs joined)."""
    text = _ESCAPE.sub(_unescape_one, data.decode("utf-8", "surrogateescape"))
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return joined.encode("utf-8", "surrogateescape")


def base64_letters(data: bytes) -> bytes:
    """The base64 alphabet characters of `data`, URL-safe ones as standard, padding dropped."""
    return data.translate(_B64_TO_STANDARD, _NOT_B64)


def base64_cores(value: bytes) -> list[bytes]:
    """The value's base64 forms (alone and inside a blob at each alignment) as they appear in
    base64_letters: the exact confirmation of a base64 view's candidate."""
    return [
        form.translate(_B64_TO_STANDARD, b"=")
        for encoding, form in encoded_forms(value)
        if encoding in ("base64", "base64url")
    ]


def _base64_views(data: bytes) -> Iterator[bytes]:
    letters = base64_letters(data)
    for offset in range(4):
        chunk = letters[offset:]
        tail = len(chunk) % 4  # a last partial quad still holds whole bytes, unless it is 1 char
        if tail == 1:
            chunk = chunk[:-1]
        elif tail:
            chunk += b"=" * (4 - tail)
        if chunk:
            yield binascii.a2b_base64(chunk)


def _hex_views(data: bytes) -> Iterator[bytes]:
    digits = data.translate(_HEX_TO_LOWER, _NOT_HEX)
    for offset in range(2):
        usable = (len(digits) - offset) // 2 * 2
        if usable > 0:
            yield binascii.unhexlify(digits[offset : offset + usable])


def decoded_views(data: bytes) -> Iterator[tuple[str, bytes]]:
    """(encoding, view) pairs; "raw" first. Views are only made when they can differ."""
    yield "raw", data
    if b"\\" in data:
        yield "json-escaped", unescaped(data)
    if b"%" in data:
        yield "url-encoded", urllib.parse.unquote_to_bytes(data)
    if b"+" in data:  # form encoding: + for a space
        yield "url-encoded", urllib.parse.unquote_to_bytes(data.replace(b"+", b" "))
    for view in _base64_views(data):
        yield "base64", view
    for view in _hex_views(data):
        yield "hex", view
    if b"\0" in data:
        for offset in range(2):
            usable = (len(data) - offset) // 2 * 2
            text = data[offset : offset + usable].decode("utf-16-le", "surrogatepass")
            yield "utf-16le", text.encode("utf-8", "surrogatepass")


def utf16_without_nul(value: bytes) -> bytes | None:
    """UTF-16LE of a text value that has no NUL byte (no ASCII in it): such a form can hide in
    bytes without a NUL, where no UTF-16 view is made, so the guard looks for it directly."""
    try:
        form = value.decode("utf-8").encode("utf-16-le")
    except UnicodeDecodeError:
        return None
    return None if b"\0" in form else form
