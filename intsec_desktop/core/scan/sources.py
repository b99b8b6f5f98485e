"""Where the bytes come from: a working tree (honouring .gitignore), every reachable git blob
once, or the staged index. Problems are collected, never raised, so one bad file does not
stop a scan."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from intsec_desktop.core.errors import UsageError
from intsec_desktop.core.scan.engine import Unit

_GIT_TIMEOUT = 600


@dataclass
class Problems:
    """Paths that were not scanned, with a reason (reported, the scan goes on)."""

    items: list[tuple[str, str]] = field(default_factory=list)

    def add(self, where: str, why: str) -> None:
        self.items.append((where, why))


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        timeout=_GIT_TIMEOUT,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def repo_root(path: Path) -> Path | None:
    folder = path if path.is_dir() else path.parent
    try:
        result = _git(folder, "rev-parse", "--show-toplevel")
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return Path(os.fsdecode(result.stdout.strip()))


def _display(path: Path) -> str:
    return os.fsdecode(path)


def working_tree(paths: list[Path], *, include_ignored: bool, problems: Problems) -> Iterator[Unit]:
    """Files below each path: `git ls-files` inside a repo unless `include_ignored`, else a walk
    that never follows symbolic links (so link loops cannot trap it)."""
    seen: set[str] = set()
    for root in paths:
        if not root.exists() and not root.is_symlink():
            raise UsageError(f"{root}: no such file or directory")
        if root.is_file() or (root.is_symlink() and not root.is_dir()):
            candidates: Iterator[Path] = iter([root])
        elif not include_ignored and repo_root(root) is not None:
            candidates = _git_listed(root, problems)
        else:
            candidates = _walk(root, problems)
        for path in candidates:
            key = _display(path)
            if key not in seen:
                seen.add(key)
                yield Unit(key, path=key)


def _git_listed(root: Path, problems: Problems) -> Iterator[Path]:
    result = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard", ".")
    if result.returncode != 0:
        problems.add(_display(root), "git ls-files failed; walked the folder instead")
        yield from _walk(root, problems)
        return
    for name in result.stdout.split(b"\0"):
        if name:
            path = root / os.fsdecode(name)
            if path.is_dir() and not path.is_symlink():
                continue  # a submodule's folder
            if not os.path.lexists(path):
                continue  # listed in the index but deleted in the tree
            yield path


def _walk(root: Path, problems: Problems) -> Iterator[Path]:
    def report(exc: OSError) -> None:
        problems.add(exc.filename or _display(root), exc.strerror or "unreadable folder")

    for folder, dirs, files in os.walk(root, onerror=report, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(files):
            yield Path(folder) / name


# --- git objects ----------------------------------------------------------------------------


def _blob_origins(repo: Path, problems: Problems) -> dict[str, tuple[str, str]]:
    """blob id -> (first commit that added it, its path there), oldest commit first."""
    result = _git(
        repo, "log", "--all", "--reverse", "--root", "--raw", "--no-abbrev", "--no-renames",
        "-m", "--format=commit %H", "--diff-filter=AMT",
    )  # fmt: skip
    if result.returncode != 0:
        problems.add(_display(repo), _git_error(result, "git log failed"))
    origins: dict[str, tuple[str, str]] = {}
    commit = ""
    for line in result.stdout.decode("utf-8", "surrogateescape").splitlines():
        if line.startswith("commit "):
            commit = line[7:].strip()
        elif line.startswith(":"):
            meta, _, path = line.partition("\t")
            parts = meta.split()
            if len(parts) >= 4 and parts[1] != "160000":
                origins.setdefault(parts[3], (commit, path))
    return origins


def _git_error(result: subprocess.CompletedProcess[bytes], fallback: str) -> str:
    lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:200] if lines else fallback


def history(repo_path: Path, problems: Problems, max_bytes: int) -> Iterator[Unit]:
    """Every reachable blob once (`git rev-list --all --objects`), read by `git cat-file
    --batch`; each reported with the first commit and path that introduced it."""
    root = repo_root(repo_path)
    if root is None:
        raise UsageError(f"{repo_path}: not inside a git repository (needed for --git)")
    listed = _git(root, "rev-list", "--all", "--objects")
    if listed.returncode != 0:
        problems.add(_display(root), _git_error(listed, "git rev-list failed"))
    origins = _blob_origins(root, problems)
    wanted: dict[str, str] = {}
    for line in listed.stdout.decode("utf-8", "surrogateescape").splitlines():
        object_id, _, path = line.partition(" ")
        if path and object_id not in wanted:
            wanted[object_id] = path
    yield from _cat_blobs(root, wanted, origins, problems, max_bytes)


def staged(repo_path: Path, problems: Problems, max_bytes: int) -> Iterator[Unit]:
    """The staged content of every added or modified file (what `git commit` would record)."""
    root = repo_root(repo_path)
    if root is None:
        raise UsageError(f"{repo_path}: not inside a git repository (needed for --staged)")
    result = _git(root, "diff", "--cached", "--raw", "-z", "--no-abbrev", "--diff-filter=ACMRT")
    if result.returncode != 0:
        problems.add(_display(root), _git_error(result, "git diff --cached failed"))
        return
    fields = result.stdout.split(b"\0")
    wanted: dict[str, str] = {}
    i = 0
    while i + 1 < len(fields):
        meta = fields[i].decode("ascii", "replace").split()
        path = os.fsdecode(fields[i + 1])
        step = 3 if meta and meta[-1][:1] in ("R", "C") else 2
        if step == 3 and i + 2 < len(fields):
            path = os.fsdecode(fields[i + 2])
        if len(meta) >= 4 and meta[1] != "160000":
            wanted[meta[3]] = path
        i += step
    yield from _cat_blobs(root, wanted, {}, problems, max_bytes)


def _cat_blobs(
    root: Path,
    wanted: dict[str, str],
    origins: dict[str, tuple[str, str]],
    problems: Problems,
    max_bytes: int,
) -> Iterator[Unit]:
    if not wanted:
        return
    process = subprocess.Popen(
        ["git", "-C", str(root), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        for object_id, listed_path in wanted.items():
            process.stdin.write(object_id.encode() + b"\n")
            process.stdin.flush()
            header = process.stdout.readline()
            parts = header.split()
            commit, path = origins.get(object_id, ("", listed_path))
            where = f"{path}@{commit[:12]}" if commit else f"{path}@{object_id[:12]}"
            if len(parts) != 3:
                problems.add(where, "git object is missing or corrupt")
                if not header:
                    break  # cat-file died (a corrupt pack); nothing more can be read
                continue
            size = int(parts[2])
            if size > max_bytes:
                _discard(process.stdout, size + 1)
                if parts[1] == b"blob":
                    problems.add(where, "over the size limit; skipped")
                continue
            data = process.stdout.read(size)
            process.stdout.read(1)  # the newline after each object
            if parts[1] != b"blob":
                continue
            if len(data) != size:
                problems.add(where, "git object is truncated")
                break
            yield Unit(path, commit=commit or None, data=data)
    finally:
        process.stdin.close()
        process.stdout.close()
        process.wait(timeout=_GIT_TIMEOUT)


def _discard(stream: IO[bytes], count: int) -> None:
    while count > 0:
        got = stream.read(min(count, 1 << 20))
        if not got:
            return
        count -= len(got)
