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
    except ValueError:
        return False
    return isinstance(tree, dict) and str(tree.get("generator", "")).startswith("intsec-desktop")


def parse(data: bytes, fmt: ExportFormat, name: str) -> dict[str, Any]:
    """A YAML or JSON export as a tree (safe loader; bounded by the caller's read limit)."""
    try:
        text = data.decode("utf-8")
        tree = json.loads(text) if fmt is ExportFormat.JSON else yaml.load(text, _loader())
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise ValidationError(
            f"{name}: not a readable {fmt.value} export ({type(exc).__name__})"
        ) from None
    if not isinstance(tree, dict):
        raise ValidationError(f"{name}: not an intsec export")
    return tree


def recorded_profile(data: bytes, name: str) -> ExportProfile:
    """The profile a committed file says it was exported with (header or `profile` key)."""
    text = data[:8192].decode("utf-8", "replace")
    if text.lstrip().startswith("{"):
        return profile_from_spec(parse(data, ExportFormat.JSON, name).get("profile"))
    for line in text.splitlines():
        if line.startswith("# profile: "):
            try:
                return profile_from_spec(json.loads(line[len("# profile: ") :]))
            except ValueError as exc:
                raise ValidationError(f"{name}: unreadable profile line") from exc
        if line.startswith("profile:"):
            return profile_from_spec(parse(data, ExportFormat.YAML, name).get("profile"))
    raise ValidationError(f"{name}: not an intsec export (no profile recorded); pass --profile")


def _tree_diff(path: str, old: Any, new: Any, out: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            here = f"{path}.{key}" if path else str(key)
            if key not in new:
                out.append(f"- {here} (removed)")
            elif key not in old:
                out.append(f"+ {here} (new)")
            else:
                _tree_diff(here, old[key], new[key], out)
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
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _index(text: str) -> dict[str, str]:
    """Our own canonical YAML (two-space block mappings, leaf mappings on one line) as
    path -> value text, in one pass: parsing 10 MB with a YAML loader takes seconds."""
    index: dict[str, str] = {}
    stack: list[str] = []
    for line in text.split("\n"):
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
    old, new = _index(old_text), _index(new_text)
    out: list[str] = []
    for path in sorted(old.keys() | new.keys()):
        if path in ("content_hash", "generator"):
            continue
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
        old, new = yaml.load(before, _loader()), yaml.load(after, _loader())
    except yaml.YAMLError:
        out.append(f"~ {path}: {_short(before)} -> {_short(after)}")
        return
    _tree_diff(path, old, new, out)


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
        old_lines = committed.decode("utf-8", "replace").splitlines()
        new_lines = fresh.data.decode("utf-8").splitlines()
        generator = [line for line in new_lines[:3] if line.startswith("# schema:")]
        out = [
            line
            for line in difflib.unified_diff(
                old_lines, new_lines, "committed", "vault", n=0, lineterm=""
            )
            if not line.startswith(("---", "+++", "@@"))
            and not (line[1:].startswith("# schema:") and generator)
        ]
    if len(out) > MAX_LINES:
        out = [*out[:MAX_LINES], f"... and {len(out) - MAX_LINES} more"]
    return out
