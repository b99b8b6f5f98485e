"""Bounded, alias-free YAML reading with "file:line: message" errors for catalogs and grant files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intsec_desktop.core.lazy import lazy_module

if TYPE_CHECKING:
    import yaml
else:
    yaml = lazy_module("yaml")

from dataclasses import dataclass

from intsec_desktop.core.errors import ValidationError

MAX_BYTES = 1_000_000
MAX_LINES = 20_000
MAX_DEPTH = 20  # a grant file nests 6 levels, a catalog 5
MAX_MESSAGE_CHARS = 300


@dataclass(frozen=True, slots=True)
class Located:
    """A parsed scalar, list or mapping with the 1-based line it starts on."""

    value: object
    line: int


class YamlSource:
    """Where errors point: the file name and a helper to raise at a line."""

    def __init__(self, name: str) -> None:
        self.name = name

    def error(self, line: int, message: str) -> ValidationError:
        # The message quotes the file: escape control characters (a terminal would act on
        # them) and cut it short (the file could be one megabyte-long line).
        message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
        if len(message) > MAX_MESSAGE_CHARS:
            message = message[: MAX_MESSAGE_CHARS - 3] + "..."
        return ValidationError(f"{self.name}:{line}: {message}")


def load(text: str, source: YamlSource) -> Located:
    """Parse `text` into Located values. Size, line count, aliases, tags and nesting are
    checked before a single node is built, so a 100,000-line file or an alias bomb costs a
    scan, not memory."""
    if len(text) > MAX_BYTES:
        raise source.error(1, f"file is larger than {MAX_BYTES:,} bytes; refused")
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise source.error(1, f"file has {lines:,} lines (limit {MAX_LINES:,}); refused")
    # libyaml's parser where PyYAML has it: about 5 times faster on a file near the limits.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        depth = 0
        for event in yaml.parse(text, Loader=loader):
            line = event.start_mark.line + 1 if event.start_mark else 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise source.error(line, "YAML anchors and aliases are not allowed")
            if getattr(event, "tag", None) is not None:
                # Only untagged text, lists and mappings: no !!python/..., !!binary, !!set.
                raise source.error(line, "YAML tags are not allowed")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    # Checked as the parser goes: the composer and _convert recurse per level.
                    raise source.error(line, f"nested deeper than {MAX_DEPTH} levels; refused")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        node = yaml.compose(text, Loader=loader)
    except UnicodeEncodeError as exc:  # a lone surrogate: libyaml reads UTF-8 only
        raise source.error(text.count("\n", 0, exc.start) + 1, "not valid Unicode text") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise source.error(line, f"malformed YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise source.error(1, f"malformed YAML: {type(exc).__name__}") from None
    if node is None:
        raise source.error(1, "the file is empty")
    return _convert(node, source)


def _convert(node: yaml.Node, source: YamlSource) -> Located:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Located] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, source)
            if str(key.value) in mapping:
                raise source.error(key.line, f"duplicate key {key.value!r}")
            mapping[str(key.value)] = _with_line(_convert(value_node, source), key.line)
        return Located(mapping, line)
    if isinstance(node, yaml.SequenceNode):
        return Located([_convert(item, source) for item in node.value], line)
    if node.tag == "tag:yaml.org,2002:null":
        return Located(None, line)
    return Located(str(node.value), line)


def _with_line(item: Located, line: int) -> Located:
    # A mapping entry's errors point at its key: that is where a reader looks.
    return Located(item.value, line)


def mapping(item: Located, source: YamlSource, what: str) -> dict[str, Located]:
    if not isinstance(item.value, dict):
        raise source.error(item.line, f"{what} must be a mapping")
    return item.value


def sequence(item: Located, source: YamlSource, what: str) -> list[Located]:
    if not isinstance(item.value, list):
        raise source.error(item.line, f"{what} must be a list")
    return item.value


def text(item: Located, source: YamlSource, what: str) -> str:
    if not isinstance(item.value, str) or not item.value:
        raise source.error(item.line, f"{what} must be a non-empty string")
    return item.value


def only_keys(found: dict[str, Located], allowed: set[str], source: YamlSource, where: str) -> None:
    for key, item in found.items():
        if key not in allowed:
            raise source.error(
                item.line, f"unknown key {key!r} in {where} (expected one of {sorted(allowed)})"
            )
