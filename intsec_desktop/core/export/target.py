"""Where an export goes: refusals before writing (symlink, not ours, unwritable folder) and the
atomic write itself."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from intsec_desktop.core.errors import ConflictError, StorageError, UsageError
from intsec_desktop.core.export.drift import is_ours
from intsec_desktop.core.vault.atomic import write_atomic

_SNIFF = 8192


def existing(path: Path) -> bytes | None:
    """The file already at the target (first bytes are enough to tell whose it is), or None."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"cannot inspect {path}: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        raise UsageError(f"{path} is a symbolic link; refusing to write through it")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{path} is not a regular file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror}") from None


def check_target(path: Path, *, force: bool) -> None:
    """Refuse before any work is wasted: a symlink, a foreign file, a folder we cannot write."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise StorageError(f"the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(f"the folder {folder} is not writable; nothing was written")
    current = existing(path)
    if current is not None and not force and not is_ours(current):
        raise ConflictError(
            f"{path} exists and was not written by intsec export; pass --force to replace it"
        )


def write(path: Path, data: bytes, *, force: bool) -> None:
    check_target(path, force=force)  # again: the file may have changed since the preview
    write_atomic(path, data, mode=0o644)
