"""Parse .env, JSON and YAML config files, decide which values are secrets, and render the file
back with references in their place. Values are held as bytes and never reach messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intsec_desktop.core.lazy import lazy_module

if TYPE_CHECKING:
    import yaml
else:
    yaml = lazy_module("yaml")

import json
import re
from dataclasses import dataclass
from enum import StrEnum

from intsec_desktop.core.errors import UsageError
from intsec_desktop.core.scan.patterns import PROVIDER_RULES
from intsec_desktop.core.validation import MIN_SECRET_BYTES

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ALIAS_NODES = 1_000_000  # what a YAML file's aliases may add, written out
MAX_NUMBER_CHARS = 4300  # as many digits as Python converts between int and text
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class FileFormat(StrEnum):
    DOTENV = "dotenv"
    JSON = "json"
    YAML = "yaml"


@dataclass(frozen=True, slots=True)
class EnvEntry:
    key: str
    value: bytes
    first_line: int  # 0-based line index where the entry starts (dotenv only)
    last_line: int  # 0-based line index where it ends (multi-line values)

    def __repr__(self) -> str:
        return f"EnvEntry({self.key!r}, lines {self.first_line + 1}-{self.last_line + 1})"


@dataclass(frozen=True, slots=True)
class PlanItem:
    key: str
    secret: bool
    reason: str  # why it is (or is not) treated as a secret
    credential: str | None  # target credential name for secrets
    reference: str | None
    value: bytes

    def __repr__(self) -> str:
        return f"PlanItem({self.key!r}, secret={self.secret}, credential={self.credential!r})"


_NAME_RULES = (
    re.compile(r".*_KEY$"),
    re.compile(r".*_SECRET$"),
    re.compile(r".*_TOKEN$"),
    re.compile(r".*PASSWORD.*"),
    re.compile(r".*PASSWD.*"),
    re.compile(r"^(?:SECRET|TOKEN|API_KEY|PRIVATE_KEY)$"),
)
_BRACED_REFERENCE = re.compile(rb"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-[^}]*)?\}")
_BARE_REFERENCE = re.compile(rb"\$[A-Za-z_][A-Za-z0-9_]*$")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_CREDENTIAL_NAME = re.compile(r"[a-z0-9][a-z0-9_.\-]{0,63}")


def decode_text(data: bytes, where: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"{where} is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where} is not UTF-8 text (byte {exc.start})") from None
    return text.replace("\r\n", "\n")


# --- dotenv -------------------------------------------------------------------------------

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "$": "$"}


def parse_dotenv(text: str, where: str = ".env") -> list[EnvEntry]:
    """KEY=value lines; `export ` prefix; # comments; '...' literal; "..." with escapes and
    line breaks; unquoted values end at ` #`. `${VAR}` is kept as written."""
    lines = text.split("\n")
    entries: list[EnvEntry] = []
    i = 0
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        body = stripped[7:].lstrip() if stripped.startswith("export ") else stripped
        key, sep, rest = body.partition("=")
        key = key.strip()
        if not sep or not _KEY.fullmatch(key):
            raise UsageError(f"{where}:{i + 1}: expected KEY=value")
        rest = rest.lstrip()
        first = i
        if rest[:1] in ("'", '"'):
            quote = rest[0]
            chunks = [rest[1:]]
            while True:
                value, closed, tail = _closing(chunks[-1], quote)
                if closed:
                    chunks[-1] = value
                    if tail.strip() and not tail.strip().startswith("#"):
                        raise UsageError(f"{where}:{i + 1}: text after the closing quote")
                    break
                i += 1
                if i >= len(lines):
                    raise UsageError(f"{where}:{first + 1}: the {quote} quote is never closed")
                chunks.append(lines[i])
            joined = "\n".join(chunks)
            if quote == '"':
                joined = re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), joined)
            value_text = joined
        else:
            # `\s#`, not `\s+#`: the same cut once stripped, without rescanning every run of
            # blanks from each of its characters (a long one took seconds).
            value_text = re.split(r"\s#", rest, maxsplit=1)[0].rstrip()
        entries.append(EnvEntry(key, value_text.encode("utf-8"), first, i))
        i += 1
    return entries


def _closing(segment: str, quote: str) -> tuple[str, bool, str]:
    """(text before the closing quote, found?, text after it); backslash escapes in "..."."""
    j = 0
    while j < len(segment):
        ch = segment[j]
        if ch == "\\" and quote == '"':
            j += 2
            continue
        if ch == quote:
            return segment[:j], True, segment[j + 1 :]
        j += 1
    return segment, False, ""


# --- JSON and YAML (flat string mappings) ------------------------------------------------


def parse_mapping(text: str, file_format: FileFormat, where: str) -> dict[str, object]:
    try:
        data = json.loads(text) if file_format is FileFormat.JSON else _load_yaml(text, where)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        line = getattr(exc, "lineno", None) if line is None else line + 1
        raise UsageError(
            f"{where}{':' + str(line) if line else ''}: not valid {file_format.value}"
        ) from None
    except RecursionError:
        raise UsageError(f"{where}: nested too deeply to read") from None
    if not isinstance(data, dict):
        raise UsageError(f"{where}: expected a mapping of names to values at the top level")
    mapping = {str(k): v for k, v in data.items()}
    try:
        # Keys are shown and values stored as UTF-8, and the file is written back only after
        # the secrets are stored: find out now whether all that can be done. A lone surrogate
        # (from a "\ud800" escape) cannot be encoded, nor a 5,000-digit number printed.
        for key, value in mapping.items():
            key.encode("utf-8")
            if isinstance(value, str):
                value.encode("utf-8")
        render_mapping(mapping, [], file_format).encode("utf-8")
    except (ValueError, RecursionError, yaml.YAMLError):
        raise UsageError(f"{where}: holds a value that cannot be stored or written back") from None
    return mapping


def _load_yaml(text: str, where: str) -> object:
    """yaml.safe_load, after refusing what would take the loader minutes or gigabytes: aliases
    that multiply the document (an alias bomb) and numbers of thousands of digits."""
    # libyaml's parser where PyYAML has it: fast, and it stops at 1,000 levels of nesting,
    # where the pure-Python one spends half a second reaching Python's recursion limit.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_expensive(node, where)
        try:
            return loader.construct_document(node)
        except (LookupError, AttributeError):
            # PyYAML's constructors trip over a tagged value of the wrong form ("!!bool x",
            # "!!float" with nothing after it, "!!timestamp x") with these, not a YAMLError.
            raise UsageError(f"{where}: not valid yaml (a tagged value)") from None
    finally:
        loader.dispose()


def _refuse_expensive(root: yaml.Node, where: str) -> None:
    """Refuses a node inside itself, a number of thousands of digits, and aliases that written
    out (each replaced by a copy of its anchor's node) would add over MAX_ALIAS_NODES nodes.
    Each distinct node is visited once, whatever the expansion."""
    sizes: dict[int, int] = {}
    entered: set[int] = set()  # the path from the root: a child on it contains itself
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        children = _children(node)
        if finished:
            entered.discard(id(node))
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in children)
            continue
        if id(node) in sizes:
            continue
        line = node.start_mark.line + 1
        if id(node) in entered:
            raise UsageError(f"{where}:{line}: a YAML alias refers to a node that contains it")
        if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER_CHARS:
            # Base-60 numbers ("1:30:00") are converted in quadratic time, and overflow.
            raise UsageError(f"{where}:{line}: a number of over {MAX_NUMBER_CHARS:,} characters")
        entered.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    if sizes[id(root)] - len(sizes) > MAX_ALIAS_NODES:
        raise UsageError(
            f"{where}: its YAML aliases would add over {MAX_ALIAS_NODES:,} nodes; refused"
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def mapping_entries(data: dict[str, object]) -> list[EnvEntry]:
    return [
        EnvEntry(key, value.encode("utf-8"), 0, 0)
        for key, value in data.items()
        if isinstance(value, str)
    ]


# --- deciding and rendering ---------------------------------------------------------------


def credential_name_for(key: str) -> str:
    name = re.sub(r"[^a-z0-9_.\-]", "_", key.lower()).strip("_") or "value"
    return name[:64]


def reference_for(integration: str, customer: str | None, name: str) -> str:
    """The export's env-dialect name, so an imported file and a later export agree."""
    from intsec_desktop.core.export.refs import env_name_of

    return "${" + env_name_of(integration, customer, name) + "}"


def classify(key: str, value: bytes) -> tuple[bool, str]:
    secret, reason = _classify(key, value)
    if secret and len(value) < MIN_SECRET_BYTES:
        return False, f"looks secret but under {MIN_SECRET_BYTES} bytes; left as is"
    return secret, reason


def _is_reference(value: bytes) -> bool:
    # No braced reference ends after the last "}"; searching only up to it keeps each
    # unclosed "${NAME:-" from rescanning the rest of the value (quadratic on repeats).
    end = value.rfind(b"}") + 1
    return bool(_BRACED_REFERENCE.search(value, 0, end) or _BARE_REFERENCE.match(value))


def _classify(key: str, value: bytes) -> tuple[bool, str]:
    if not value.strip():
        return False, "empty"
    if _is_reference(value):
        return False, "already a reference"
    for rule in PROVIDER_RULES:
        if rule.pattern.search(value):
            return True, f"{rule.name} format"
    upper = key.upper()
    if any(r.fullmatch(upper) for r in _NAME_RULES):
        return True, "name looks secret"
    return False, "not a secret"


def _shown(key: str) -> str:
    """A key from a JSON or YAML file as an error message quotes it: control characters
    escaped (a terminal would act on them), and not a whole megabyte of it."""
    if key.isprintable() and len(key) <= 80:
        return key
    shown = repr(key)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def plan(entries: list[EnvEntry], integration: str, customer: str | None) -> list[PlanItem]:
    items = []
    seen: dict[str, str] = {}
    for entry in entries:
        secret, reason = classify(entry.key, entry.value)
        name = credential_name_for(entry.key) if secret else None
        if name is not None:
            if not _CREDENTIAL_NAME.fullmatch(name):
                raise UsageError(f"{_shown(entry.key)}: cannot make a credential name from it")
            if name in seen and seen[name] != entry.key:
                raise UsageError(
                    f"{_shown(entry.key)} and {_shown(seen[name])} would both be named {name}"
                )
            seen[name] = entry.key
        items.append(
            PlanItem(
                entry.key,
                secret,
                reason,
                name,
                reference_for(integration, customer, name) if name else None,
                entry.value,
            )
        )
    return items


def render_dotenv(text: str, entries: list[EnvEntry], items: list[PlanItem]) -> str:
    """The same file with each secret's value replaced by its reference; every other line,
    comment and blank kept as written (line endings become LF)."""
    lines = text.split("\n")
    by_key = {item.key: item for item in items if item.secret}
    for entry in sorted(entries, key=lambda e: e.first_line, reverse=True):
        item = by_key.get(entry.key)
        if item is None or item.reference is None:
            continue
        head = lines[entry.first_line]
        indent = head[: len(head) - len(head.lstrip())]
        export = "export " if head.strip().startswith("export ") else ""
        lines[entry.first_line : entry.last_line + 1] = [
            f"{indent}{export}{entry.key}={item.reference}"
        ]
    return "\n".join(lines)


def render_mapping(data: dict[str, object], items: list[PlanItem], file_format: FileFormat) -> str:
    out = dict(data)
    for item in items:
        if item.secret and item.reference is not None:
            out[item.key] = item.reference
    if file_format is FileFormat.JSON:
        return json.dumps(out, indent=2, ensure_ascii=False) + "\n"
    dumped: str = yaml.safe_dump(out, sort_keys=False, allow_unicode=True)
    return dumped


def parse_file(
    data: bytes, file_format: FileFormat, where: str
) -> tuple[str, list[EnvEntry], dict[str, object] | None]:
    text = decode_text(data, where)
    if file_format is FileFormat.DOTENV:
        return text, parse_dotenv(text, where), None
    mapping = parse_mapping(text, file_format, where)
    return text, mapping_entries(mapping), mapping


def render(
    text: str,
    entries: list[EnvEntry],
    mapping: dict[str, object] | None,
    items: list[PlanItem],
    file_format: FileFormat,
) -> bytes:
    if mapping is None:
        return render_dotenv(text, entries, items).encode("utf-8")
    return render_mapping(mapping, items, file_format).encode("utf-8")
