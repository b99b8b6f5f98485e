"""Work-arounds for defects in the Qt binding itself, applied once when the gui package loads."""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject

# Far more calls than any session makes (one reference is lost per call), far below overflow.
_SPARE_REFERENCES = 1 << 40
_PROBES = 64


def _binding_drops_references() -> bool:
    """PySide6 6.12.0 on CPython 3.11 returns None from every void method, None from Python
    overrides called by C++ (QAbstractItemModel.data), and True from Signal.emit() without
    owning a reference to them: each call costs None or True one reference."""
    probe = QObject()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(_PROBES):
        probe.setObjectName("")  # void
        probe.objectNameChanged.emit("")  # returns True
    lost_none = none_before - sys.getrefcount(None)
    lost_true = true_before - sys.getrefcount(True)
    return lost_none >= _PROBES // 2 or lost_true >= _PROBES // 2


def keep_singletons_alive() -> bool:
    """CPython 3.12+ makes None, True and False immortal, so the lost references above do no
    harm there. On 3.11 the count reaches zero after some thousands of calls — a few repaints of
    a big table — and the interpreter aborts ("none_dealloc: deallocating None"). Raising the
    three counts once is the one fix that covers every call site, ours and Qt's.
    Returns whether it was needed."""
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    if not _binding_drops_references():
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object; id() is the object's address.
        ctypes.c_ssize_t.from_address(id(singleton)).value += _SPARE_REFERENCES
    return True
