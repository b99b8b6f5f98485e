"""The encoded forms a secret can take in a file, each named so a finding can say which."""

from __future__ import annotations

import base64
import json
import urllib.parse

# Shorter forms would match ordinary text by chance; such secrets are reported as unscannable.
MIN_PATTERN_BYTES = 8

ENCODINGS = (
    "raw",
    "base64",
    "base64url",
    "hex",
    "hex-upper",
    "url-encoded",
    "json-escaped",
    "utf-16le",
)


def _embedded_base64(value: bytes, alphabet: str) -> list[bytes]:
    """The characters of `value`'s base64 that do not depend on its neighbours, for each of the
    three byte alignments it can have inside a longer encoded blob."""
    out = []
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + value)
        if alphabet == "url":
            encoded = base64.urlsafe_b64encode(b"\0" * shift + value)
        skip = (shift * 8 + 5) // 6  # characters that carry bits of the unknown prefix
        end = ((shift + len(value)) * 8) // 6  # characters wholly inside known bytes
        out.append(encoded[skip:end])
    return out


def encoded_forms(value: bytes) -> list[tuple[str, bytes]]:
    """(encoding, bytes to look for), most specific first, without duplicates or short forms."""
    forms: list[tuple[str, bytes]] = [("raw", value)]
    for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
        padded = encode(value)
        forms.append((name, padded))
        forms.append((name, padded.rstrip(b"=")))
        forms += [(name, part) for part in _embedded_base64(value, "url" if "url" in name else "")]
    forms.append(("hex", value.hex().encode()))
    forms.append(("hex-upper", value.hex().upper().encode()))
    forms.append(("url-encoded", urllib.parse.quote(value, safe="").encode()))
    forms.append(("url-encoded", urllib.parse.quote_plus(value, safe="").encode()))
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        forms.append(("json-escaped", json.dumps(text)[1:-1].encode()))
        forms.append(("json-escaped", json.dumps(text, ensure_ascii=False)[1:-1].encode("utf-8")))
        forms.append(("utf-16le", text.encode("utf-16-le")))
    seen: set[bytes] = set()
    unique: list[tuple[str, bytes]] = []
    for name, form in forms:
        if len(form) >= MIN_PATTERN_BYTES and form not in seen:
            seen.add(form)
            unique.append((name, form))
    # A form that contains a shorter form of the same encoding can only match where that one
    # does (e.g. padded base64 contains the aligned core): fewer patterns, a faster automaton.
    return [
        (name, form)
        for name, form in unique
        if not any(n == name and f != form and f in form for n, f in unique)
    ]
