"""Atomic file replacement: temp file in the same folder, fsync, rename, fsync the folder."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from intsec_desktop.core.errors import StorageError


def write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace `path` with `data` so that readers see the old or the new bytes, never a mix.

    The rename is the commit point. Any failure before it (open, write, fsync, close, rename)
    leaves the old file as it was and no temp file, and raises StorageError.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as exc:
        raise _storage_error(path, exc) from exc
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _storage_error(path, exc) from exc
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a finished rename durable, best effort. SQLite ignores a failed directory fsync too
    (os_unix.c, unixSync): the rename already happened, so raising here would tell the caller
    that nothing changed when the new file is in place."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


def _storage_error(path: Path, exc: OSError) -> StorageError:
    reason = " ".join((exc.strerror or type(exc).__name__).split())
    return StorageError(f"could not write {path.name}: {reason}; the previous file is unchanged")
