"""The tray icon: open, lock, what is due, snooze all for a day, quit; tooltip with the count."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from intsec_desktop.gui.icons import icon


class TrayController(QObject):
    open_requested = Signal()
    lock_requested = Signal()
    snooze_all_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(icon("app"), self)
        self.menu = QMenu()
        self.open_action = QAction("&Open intsec-desktop", self)
        self.due_action = QAction("Nothing due", self)
        self.due_action.setEnabled(False)
        self.snooze_action = QAction("&Snooze all reminders for a day", self)
        self.lock_action = QAction(icon("lock"), "&Lock vault", self)
        self.quit_action = QAction("&Quit", self)
        for action in (self.open_action, self.due_action, self.snooze_action, self.lock_action):
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.open_action.triggered.connect(self.open_requested.emit)
        self.snooze_action.triggered.connect(self.snooze_all_requested.emit)
        self.lock_action.triggered.connect(self.lock_requested.emit)
        self.quit_action.triggered.connect(self.quit_requested.emit)
        self.icon.activated.connect(self._activated)
        self.set_due_count(0)

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_due_count(self, count: int) -> None:
        text = "nothing due" if count == 0 else f"{count} due, overdue or expired"
        self.icon.setToolTip(f"intsec-desktop: {text}")
        self.due_action.setText(text[0].upper() + text[1:])

    def set_locked(self, locked: bool) -> None:
        self.lock_action.setEnabled(not locked)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_requested.emit()
