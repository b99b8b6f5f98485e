"""The harness itself: a Qt tray message reaches the session's notification daemon."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .conftest import DesktopSession

CHILD = Path(__file__).with_name("tray_child.py")


def test_session_exports_an_xcb_desktop(desktop_session: DesktopSession) -> None:
    assert desktop_session.display.startswith(":")
    assert desktop_session.bus_address


def test_tray_message_reaches_notification_daemon(
    desktop_session: DesktopSession, notifications: Callable[[], list[dict[str, Any]]]
) -> None:
    if desktop_session.tray_mode not in ("sni", "fake"):
        pytest.skip(f"TRAY={desktop_session.tray_mode}: Qt draws its own balloon, no D-Bus call")
    summary = f"intsec e2e {uuid.uuid4().hex[:8]}"

    child = subprocess.run(
        [sys.executable, str(CHILD), summary, "tray check"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "xcb"},
    )

    assert child.returncode == 0, f"exit {child.returncode}: {child.stderr[-2000:]}"
    (sent,) = [n for n in notifications() if n.get("summary") == summary]
    assert sent["body"] == "tray check"
    assert sent["appname"] == "intsec-e2e-tray"
