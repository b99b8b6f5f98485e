"""Drift: a committed export against what the vault would export now, as short readable lines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intsec_desktop.core.lazy import lazy_module

if TYPE_CHECKING:
    import yaml
else:
    yaml = lazy_module("yaml")

import difflib
import json
from typing import Any

from intsec_desktop.core.errors import ValidationError
from intsec_desktop.core.export.profile import ExportFormat, ExportProfile, profile_from_spec
from intsec_desktop.core.export.render import MARKER, Rendered

MAX_LINES = 40
# What a hostile committed file can throw at a loader or at our own walk of what it loaded
# (deep nesting, huge or base-60 numbers, odd tags, circular aliases): each ends as a
# ValidationError or a plain text comparison, never a traceback.
_UNREADABLE = (ValueError, RecursionError, OverflowError, TypeError, KeyError, AttributeError)
_MAX_DEPTH = 32  # our exports nest 7 deep
_MAX_LEAF_CHARS = 4096  # longer leaves are compared as text


# libyaml's safe loader when PyYAML was built with it (10x faster on a large export).
def _loader() -> Any:
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def is_ours(data: bytes) -> bool:
    """Whether a file was written by us (the only kind we overwrite without --force)."""
    head = data[:4096].decode("utf-8", "replace")
    if head.startswith(f"# {MARKER}"):
        return True
    if head.lstrip().startswith("{"):
        return '"generator": "intsec-desktop' in head or _json_generator(data)
    return False


def _json_generator(data: bytes) -> bool:
    try:
        tree = json.loads(data)
    except _UNREADABLE:
        return False
    return isinstance(tree, dict) and str(tree.get("generator", "")).startswith("intsec-desktop")


def parse(data: bytes, fmt: ExportFormat, name: str) -> dict[str, Any]:
    """A YAML or JSON export as a tree (safe loader; bounded by the caller's read limit)."""
    try:
        text = data.decode("utf-8")
        tree = json.loads(text) if fmt is ExportFormat.JSON else yaml.load(text, _loader())
    except (*_UNREADABLE, yaml.YAMLError) as exc:
        raise ValidationError(
            f"{name}: not a readable {fmt.value} export ({type(exc).__name__})"
        ) from None
    if not isinstance(tree, dict):
        raise ValidationError(f"{name}: not an intsec export")
    return tree


def recorded_profile(data: bytes, name: str) -> ExportProfile:
    """The profile a committed file says it was exported with (header or `profile` key)."""
    text = data[:8192].decode("utf-8", "replace")
    try:
        if text.lstrip().startswith("{"):
            return profile_from_spec(parse(data, ExportFormat.JSON, name).get("profile"))
        for line in text.splitlines():
            if line.startswith("# profile: "):
                return profile_from_spec(json.loads(line[len("# profile: ") :]))
            if line.startswith("profile:"):
                return profile_from_spec(parse(data, ExportFormat.YAML, name).get("profile"))
    except _UNREADABLE as exc:
        raise ValidationError(
            f"{name}: unreadable profile record ({type(exc).__name__}); pass --profile"
        ) from None
    raise ValidationError(f"{name}: not an intsec export (no profile recorded); pass --profile")


def _tree_diff(path: str, old: Any, new: Any, out: list[str], depth: int = 0) -> None:
    if depth > _MAX_DEPTH:  # deeper than anything we write: compare as text
        if _short(old) != _short(new):
            out.append(f"~ {path}: {_short(old)} -> {_short(new)}")
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            here = f"{path}.{key}" if path else str(key)
            if key not in new:
                out.append(f"- {here} (removed)")
            elif key not in old:
                out.append(f"+ {here} (new)")
            else:
                _tree_diff(here, old[key], new[key], out, depth + 1)
        return
    if isinstance(old, list) and isinstance(new, list):
        if old != new:
            gone = [str(x) for x in old if x not in new]
            added = [str(x) for x in new if x not in old]
            parts = [f"+{x}" for x in added] + [f"-{x}" for x in gone]
            out.append(f"~ {path}: {' '.join(parts) or 'reordered'}")
        return
    if old != new:
        out.append(f"~ {path}: {_short(old)} -> {_short(new)}")


def _short(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except _UNREADABLE:  # circular or too deep to write out
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def _body_lines(text: str) -> list[str]:
    """Lines below the header comments and the top-level `content_hash`/`generator` keys,
    which change with every content change or upgrade and are not drift themselves."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and lines[start].startswith(("#", "content_hash:", "generator:")):
        start += 1
    return lines[start:]


def _changed_region(old: list[str], new: list[str]) -> tuple[int, int, int]:
    """(common prefix length, end of the region in old, end in new): only what lies between
    the common first and last lines is indexed (a 13 MB export with one change: milliseconds)."""
    prefix = 0
    shortest = min(len(old), len(new))
    while prefix < shortest and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix, len(old) - suffix, len(new) - suffix


def _ancestors(lines: list[str], before: int) -> list[str]:
    """The key path of the last line above `before` (read upwards, by indentation): what
    _index's stack holds there, so a region is indexed as if from the top."""
    keys: list[str] = []
    deeper = None  # lines starting with this much indentation cannot be ancestors
    for at in range(before - 1, -1, -1):
        line = lines[at]
        if (deeper is not None and line.startswith(deeper)) or not line or line[0] == "#":
            continue
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 2
        key, sep, _rest = stripped.partition(": ")
        keys.append(key if sep else stripped.rstrip(":"))
        if depth == 0:
            break
        deeper = " " * (2 * depth)
    return keys[::-1]


def _aligned_region(old: list[str], new: list[str]) -> tuple[int, int, int]:
    """_changed_region, with the common tail moved down until it has the same key path in
    both files (identical lines under different parents must not be matched up)."""
    prefix, old_end, new_end = _changed_region(old, new)
    for _attempt in range(_ALIGN_ATTEMPTS):
        if old_end >= len(old) or _ancestors(old, old_end) == _ancestors(new, new_end):
            return prefix, old_end, new_end
        old_end, new_end = old_end + 1, new_end + 1
    return prefix, len(old), len(new)  # give up on the tail: index it all (slower, exact)


_ALIGN_ATTEMPTS = 64


def _index(lines: list[str], start: int, end: int, stack: list[str]) -> dict[str, str]:
    """Our own canonical YAML (two-space block mappings, leaf mappings on one line) as
    path -> value text, in one pass: parsing 10 MB with a YAML loader takes seconds."""
    index: dict[str, str] = {}
    stack = list(stack)
    for line in lines[start:end]:
        if not line or line[0] == "#":
            continue
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 2
        key, sep, rest = stripped.partition(": ")
        if not sep:
            key = stripped.rstrip(":")
        del stack[depth:]
        stack.append(key)
        index[".".join(stack)] = rest  # "" for a block mapping: its keys follow
    return index


def _yaml_diff(old_text: str, new_text: str) -> list[str]:
    old_lines, new_lines = _body_lines(old_text), _body_lines(new_text)
    prefix, old_end, new_end = _aligned_region(old_lines, new_lines)
    context = _ancestors(old_lines, prefix)
    return compare_indexes(
        _index(old_lines, prefix, old_end, context), _index(new_lines, prefix, new_end, context)
    )


def compare_indexes(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Change lines between two path -> value-text indexes."""
    out: list[str] = []
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        if after is None:
            out.append(f"- {path} (removed)")
        elif before is None:
            out.append(f"+ {path} (new)")
        else:
            _leaf_diff(path, before, after, out)
    return _collapse(out)


def _leaf_diff(path: str, before: str, after: str, out: list[str]) -> None:
    try:
        old, new = _load_leaf(before), _load_leaf(after)
    except (*_UNREADABLE, yaml.YAMLError):
        out.append(f"~ {path}: {_short(before)} -> {_short(after)}")
        return
    _tree_diff(path, old, new, out)


def _load_leaf(text: str) -> Any:
    """One line of our YAML as a value. Anchors, aliases, tags, deep nesting and long scalars
    never occur in what we write, and can be made expensive: such a leaf stays text."""
    if len(text) > _MAX_LEAF_CHARS:
        raise ValueError("leaf too long")
    depth = 0
    for event in yaml.parse(text, _loader()):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ValueError("anchor or alias in a leaf")
        if isinstance(event, yaml.NodeEvent) and getattr(event, "tag", None):
            raise ValueError("explicit tag in a leaf")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > _MAX_DEPTH:
                raise ValueError("leaf nested too deep")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return yaml.load(text, _loader())


def _collapse(lines: list[str]) -> list[str]:
    """A removed or new mapping is one line, not one per key below it."""
    out: list[str] = []
    for line in lines:
        if out and line[0] in "+-" and out[-1][0] == line[0]:
            parent = out[-1][2:].split(" (")[0]
            if line[2:].startswith(parent + "."):
                continue
        out.append(line)
    return out


def _dotenv_entries(text: str) -> dict[str, dict[str, str]] | None:
    """Our .env template as credential path -> {variable, ref, kind, ...} (the comment above
    each variable carries its path and metadata); None when the file is not in that shape."""
    entries: dict[str, dict[str, str]] = {}
    comment: str | None = None
    for line in text.split("\n"):
        if line.startswith("# "):
            where, sep, _meta = line[2:].partition(": ")
            comment = line[2:] if sep and "/" in where else None
            continue
        if not line:
            continue
        variable, eq, ref = line.partition("=")
        if not eq or comment is None:
            return None
        where, _sep, meta = comment.partition(": ")
        entries[where] = {"variable": variable, "ref": ref, **_meta_fields(meta)}
        comment = None
    return entries


def _meta_fields(meta: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    last = None
    for token in meta.split(" "):
        key, eq, value = token.partition("=")
        if eq and key.isidentifier():
            fields[key] = value
            last = key
        elif last is not None:  # a value with a space in it (an owner's name)
            fields[last] += " " + token
    return fields


def _k8s_documents(text: str) -> dict[str, Any] | None:
    """Our ExternalSecret manifests as name -> document, `spec.data` keyed by secretKey; None
    when the file is not in that shape. Aliases are refused first: we never write them, and a
    crafted file could make walking the loaded tree exponential."""
    try:
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text, _loader())):
            return None
        documents: dict[str, Any] = {}
        for doc in yaml.load_all(text, _loader()):
            if doc is None:
                continue
            spec = dict(doc["spec"])
            spec["data"] = {str(item["secretKey"]): item["remoteRef"] for item in spec["data"]}
            metadata = dict(doc["metadata"])
            metadata["annotations"] = {  # "kind=... owner=..." compared field by field
                str(key): _meta_fields(str(value))
                for key, value in (metadata.get("annotations") or {}).items()
            }
            documents[str(metadata["name"])] = dict(doc, spec=spec, metadata=metadata)
        return documents
    except (*_UNREADABLE, yaml.YAMLError):
        return None


def _text_format_diff(committed: str, fresh: Rendered) -> list[str]:
    """.env and Kubernetes files compared by credential path (or manifest name) and field,
    like YAML and JSON; a file we cannot read in our own shape falls back to changed lines."""
    fmt = fresh.profile.format
    read = _dotenv_entries if fmt is ExportFormat.DOTENV else _k8s_documents
    old, new = read(committed), read(fresh.data.decode("utf-8"))
    if old is not None and new is not None:
        out: list[str] = []
        _tree_diff("", old, new, out)
        return out
    old_lines, new_lines = committed.splitlines(), fresh.data.decode("utf-8").splitlines()
    out = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        out += [f"- committed line {i + 1}: {old_lines[i]}" for i in range(i1, i2)
                if not old_lines[i].startswith("# schema:")]  # fmt: skip
        out += [f"+ vault line {j + 1}: {new_lines[j]}" for j in range(j1, j2)
                if not new_lines[j].startswith("# schema:")]  # fmt: skip
    return out


_LINE_PREFIXES = ("- committed line ", "+ vault line ")


def hide_values(lines: list[str]) -> list[str]:
    """The same differences with every value left out: paths (and line numbers) only."""
    out = []
    for line in lines:
        if line.startswith(_LINE_PREFIXES):
            out.append(line.split(": ", 1)[0] + " (hidden)")
        elif line.startswith("~ ") and ": " in line:
            out.append(f"~ {line[2:].split(': ', 1)[0]} (changed; values hidden)")
        else:
            out.append(line)
    return out


def drift(committed: bytes, fresh: Rendered, name: str) -> list[str]:
    """[] when the committed file is what the vault exports now; else readable change lines.

    A generator version alone is not drift (upgrading intsec must not fail CI)."""
    if committed == fresh.data:
        return []
    fmt = fresh.profile.format
    out: list[str] = []
    if fmt is ExportFormat.YAML:
        out = _yaml_diff(committed.decode("utf-8", "replace"), fresh.data.decode("utf-8"))
    elif fmt is ExportFormat.JSON:
        old = parse(committed, fmt, name)
        new = fresh.tree
        ignore = {"generator", "content_hash"}
        _tree_diff("", {k: v for k, v in old.items() if k not in ignore},
                   {k: v for k, v in new.items() if k not in ignore}, out)  # fmt: skip
        if not out and old.get("content_hash") != fresh.content_hash:
            out.append(f"~ content_hash: {old.get('content_hash')} -> {fresh.content_hash}")
    else:
        out = _text_format_diff(committed.decode("utf-8", "replace"), fresh)
    if len(out) > MAX_LINES:
        out = [*out[:MAX_LINES], f"... and {len(out) - MAX_LINES} more"]
    return out
