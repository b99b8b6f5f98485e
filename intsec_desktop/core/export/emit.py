"""Deterministic YAML and JSON text for the export tree: sorted keys, LF, trailing newline.

Our own YAML emitter (a few dozen lines) instead of PyYAML's: the tree holds only dicts, lists,
strings, ints and None, and PyYAML takes seconds on a 1,000-customer export. Strings are plain
only when YAML cannot read them as anything else; all others are JSON-style double-quoted
(valid YAML), so the leak guard's JSON-escaped form covers them."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_YAML_WORDS = frozenset(
    ["y", "n", "yes", "no", "on", "off", "true", "false", "null"]
)  # YAML 1.1 booleans and null, in any case


def _quote(text: str) -> str:
    quoted = json.dumps(text, ensure_ascii=False)
    if quoted.isascii() and "\x7f" not in quoted:
        return quoted
    out = []
    for ch in quoted:
        if ch != " " and unicodedata.category(ch)[0] in "CZ":
            code = ord(ch)
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return _quote(text)


def _yaml(value: Any, indent: int, out: list[str]) -> None:
    pad = "  " * indent
    if isinstance(value, dict):
        for key in sorted(value):
            item = value[key]
            k = scalar(key)
            if isinstance(item, dict) and item:
                out.append(f"{pad}{k}:")
                _yaml(item, indent + 1, out)
            elif isinstance(item, list):
                out.append(f"{pad}{k}: [{', '.join(scalar(x) for x in item)}]")
            elif isinstance(item, dict):
                out.append(f"{pad}{k}: {{}}")
            else:
                out.append(f"{pad}{k}: {scalar(item)}")
        return
    raise TypeError(f"unexpected {type(value).__name__} in the export tree")


def to_yaml(tree: dict[str, Any], header: list[str]) -> str:
    out = [f"# {line}" for line in header]
    _yaml(tree, 0, out)
    return "\n".join(out) + "\n"


def to_json(tree: dict[str, Any]) -> str:
    return json.dumps(tree, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def canonical(tree: Any) -> bytes:
    """The hashed form: compact, sorted, UTF-8."""
    return json.dumps(tree, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
