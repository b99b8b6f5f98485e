"""Deterministic YAML and JSON text for the export tree: sorted keys, LF, trailing newline.

Our own YAML emitter (a few dozen lines) instead of PyYAML's: the tree holds only dicts, lists,
strings, ints and None, and PyYAML takes seconds on a 1,000-customer export. Strings are plain
only when YAML cannot read them as anything else; all others are JSON-style double-quoted
(valid YAML), so the leak guard's JSON-escaped form covers them."""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from typing import Any

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_YAML_WORDS = frozenset(
    ["y", "n", "yes", "no", "on", "off", "true", "false", "null"]
)  # YAML 1.1 booleans and null, in any case


# Printable ASCII without `"` and `\`: JSON quoting adds only the quotes (most references).
_SIMPLE_QUOTED = re.compile(r"[ !#-\[\]-~]*\Z")


def _quote(text: str) -> str:
    if _SIMPLE_QUOTED.match(text):
        return f'"{text}"'
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


@functools.lru_cache(maxsize=1 << 18)  # an export's distinct strings: one per reference
def _scalar_text(text: str) -> str:
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return _quote(text)


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _scalar_text(str(value))


_CREDENTIAL_KEYS = frozenset(["kind", "not_after", "owner", "ref", "rotate_every_days", "status"])


def _credential_flow(v: dict[str, Any]) -> str:
    """The commonest line of an export (one per credential), without the general loop; the
    types are fixed by render._credential_entry (strings, a date string or None, int or None)."""
    not_after, every = v["not_after"], v["rotate_every_days"]
    return (
        f"{{kind: {_scalar_text(v['kind'])}, "
        f"not_after: {'null' if not_after is None else _scalar_text(not_after)}, "
        f"owner: {_scalar_text(v['owner'])}, ref: {_scalar_text(v['ref'])}, "
        f"rotate_every_days: {'null' if every is None else int(every)}, "
        f"status: {_scalar_text(v['status'])}}}"
    )


def _flow(value: Any) -> str | None:
    """One-line form of a list or of a mapping whose values are scalars or lists; else None."""
    if isinstance(value, dict) and len(value) == 6 and value.keys() == _CREDENTIAL_KEYS:
        return _credential_flow(value)
    if isinstance(value, list):
        return "[" + ", ".join([scalar(x) for x in value]) + "]"
    if isinstance(value, dict):
        parts = []
        for key in sorted(value):
            item = value[key]
            if isinstance(item, str):
                text = _scalar_text(item)
            elif isinstance(item, dict):
                return None
            elif isinstance(item, list):
                text = "[" + ", ".join([scalar(x) for x in item]) + "]"
            else:
                text = scalar(item)
            parts.append(f"{_scalar_text(key)}: {text}")
        return "{" + ", ".join(parts) + "}"
    return scalar(value)


class _Writer:
    """Block mappings, with leaf mappings on one line; a mapping registered as an anchor is
    written once and referred to by alias afterwards (keys are sorted, so the anchor's key
    must sort before its aliases: `base_scopes` before `customers`)."""

    def __init__(self, anchors: dict[int, str]) -> None:
        self.anchors = anchors
        self.defined: set[int] = set()
        self.out: list[str] = []

    def mapping(self, value: dict[str, Any], indent: int) -> None:
        pad = "  " * indent
        out = self.out
        for key in sorted(value):
            item = value[key]
            k = _scalar_text(key) if type(key) is str else scalar(key)
            if type(item) is str:  # most values: skip the checks below
                out.append(f"{pad}{k}: {_scalar_text(item)}")
                continue
            anchor = self.anchors.get(id(item)) if isinstance(item, dict) else None
            if anchor is not None and id(item) in self.defined:
                out.append(f"{pad}{k}: *{anchor}")
                continue
            if anchor is not None:
                self.defined.add(id(item))
                if item:
                    out.append(f"{pad}{k}: &{anchor}")
                    self.mapping(item, indent + 1)
                else:
                    out.append(f"{pad}{k}: &{anchor} {{}}")
                continue
            flow = _flow(item)
            if flow is not None:
                out.append(f"{pad}{k}: {flow}")
            else:
                out.append(f"{pad}{k}:")
                self.mapping(item, indent + 1)


def to_yaml(tree: dict[str, Any], header: list[str], anchors: dict[int, str] | None = None) -> str:
    writer = _Writer(anchors or {})
    writer.out.extend(f"# {line}" for line in header)
    writer.mapping(tree, 0)
    return "\n".join(writer.out) + "\n"


def to_json(tree: dict[str, Any]) -> str:
    return json.dumps(tree, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def canonical(tree: Any) -> bytes:
    """The hashed form: compact, sorted, UTF-8."""
    return json.dumps(tree, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
