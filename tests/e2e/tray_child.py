"""Run as a separate process by test_desktop_session.py: shows a tray message through Qt's xcb
tray and exits 0 once the notification daemon logged it (1 on timeout, 3 without a tray).

A child process keeps this QApplication (platform xcb) out of the pytest process, where other
tests decide the Qt platform for themselves.
"""

import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

SUMMARY, BODY = sys.argv[1], sys.argv[2]
LOG = Path(os.environ["NOTIFY_LOG"])


def delivered() -> bool:
    if not LOG.exists():
        return False
    lines = LOG.read_text(encoding="utf-8").splitlines()
    return any(json.loads(line).get("summary") == SUMMARY for line in lines if line.strip())


app = QApplication(sys.argv[:1])
app.setApplicationName("intsec-e2e-tray")
# The tray must be there before QSystemTrayIcon is built: Qt picks its backend at construction.
if not QSystemTrayIcon.isSystemTrayAvailable():
    sys.exit(3)
pixmap = QPixmap(22, 22)
pixmap.fill(QColor("red"))
tray = QSystemTrayIcon(QIcon(pixmap))
tray.show()
tray.showMessage(SUMMARY, BODY, QSystemTrayIcon.MessageIcon.Information, 3000)


def check() -> None:
    if delivered():
        app.exit(0)


poll = QTimer(interval=50)
poll.timeout.connect(check)
poll.start()
QTimer.singleShot(10_000, lambda: app.exit(1))
sys.exit(app.exec())
