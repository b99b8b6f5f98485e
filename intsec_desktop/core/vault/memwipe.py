"""Best-effort zeroing of key bytes that Python would otherwise free without clearing.

CPython's `bytes` are immutable, so the only way to clear one is to write to its buffer in
place. This is done only for key objects the vault owns (never shared or interned), only on
CPython, and only after checking the buffer layout on a scratch object. Copies made elsewhere
(by OpenSSL, SQLCipher, or a caller) are out of reach: this narrows the window, it does not
close it; the README's security model says so."""

from __future__ import annotations

import ctypes
import sys
from functools import cache


@cache
def _bytes_offset() -> int | None:
    """Where a bytes object's data starts, verified on a scratch object; None if unsure."""
    if sys.implementation.name != "cpython":
        return None
    offset = sys.getsizeof(b"") - 1  # header size; the empty object still has its NUL byte
    scratch = bytes(bytearray(b"intsec-wipe-probe"))
    try:
        if ctypes.string_at(id(scratch) + offset, len(scratch)) != b"intsec-wipe-probe":
            return None
        ctypes.memset(id(scratch) + offset, 0, len(scratch))
    except (ValueError, OSError):
        return None
    return offset if scratch == bytes(len(scratch)) else None


def wipe(value: bytes) -> bool:
    """Overwrite `value` with zeros in place; False when this interpreter does not allow it."""
    offset = _bytes_offset()
    if offset is None or not value:
        return False
    ctypes.memset(id(value) + offset, 0, len(value))
    return True
