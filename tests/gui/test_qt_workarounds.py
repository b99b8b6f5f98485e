"""The binding work-around: PySide6 6.12.0 on CPython 3.11 drops a reference to None on every
void call and to True on every emit; without the fix a session aborts after a few thousand."""

from __future__ import annotations

import subprocess
import sys

from intsec_desktop.gui import qt_workarounds

# More calls than None and True have references at start-up: enough to free them if unfixed.
PROBE = """
import sys
calls = sys.getrefcount(None) + sys.getrefcount(True) + 1000
import intsec_desktop.gui
from PySide6.QtCore import QObject
probe = QObject()
for _ in range(calls):
    probe.setObjectName("")
    probe.objectNameChanged.emit("")
print("survived")
"""


def test_a_session_survives_more_calls_than_none_and_true_have_references() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "survived"


def test_applied_only_where_needed() -> None:
    if sys.version_info >= (3, 12):
        assert qt_workarounds.keep_singletons_alive() is False
    elif qt_workarounds._binding_drops_references():
        assert sys.getrefcount(None) > 1 << 39  # applied when the package was imported
