"""Process hardening at start-up: no core dumps and no memory reads by same-user debuggers.

An unlocked vault keeps its keys (and, briefly, revealed secrets) in process memory. A core
file would write them to disk, and a dumpable process lets any program of the same user
attach with ptrace or read /proc/PID/mem. Both are switched off before a vault is opened.
This does not stop root, and Python cannot promise to wipe memory; see README.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

# <linux/prctl.h>
PR_GET_DUMPABLE = 3
PR_SET_DUMPABLE = 4


@dataclass(frozen=True, slots=True)
class HardeningStatus:
    core_dumps_off: bool  # RLIMIT_CORE is 0 (soft and hard, so it cannot be raised again)
    not_dumpable: bool  # Linux: prctl(PR_SET_DUMPABLE, 0) succeeded


def harden_process() -> HardeningStatus:
    """Idempotent and cheap; a no-op (reported as False) where the platform has no such knob."""
    return HardeningStatus(_no_core_dumps(), _not_dumpable())


def _no_core_dumps() -> bool:
    try:
        import resource
    except ImportError:  # Windows
        return False
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        return False
    return True


def _not_dumpable() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        result = libc.prctl(
            ctypes.c_int(PR_SET_DUMPABLE),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
        )
    except (OSError, AttributeError):
        return False
    return bool(result == 0)
