"""What keeps running when the window is closed: the tray icon, the notifier and the reminder
service, wired to the main window (open, lock, open a credential from a notification, quit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from intsec_desktop.core import autostart
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.notifiers import choose_notifier
from intsec_desktop.gui.reminder_service import ReminderService
from intsec_desktop.gui.tray import TrayController

if TYPE_CHECKING:
    from intsec_desktop.gui.main_window import MainWindow


class Background(QObject):
    def __init__(self, window: MainWindow, settings: AppSettings) -> None:
        super().__init__(window)
        self._window = window
        self._pending_credential: int | None = None
        # Qt picks its tray backend when the first QSystemTrayIcon is built; no tray, no icon.
        self.tray = TrayController(self) if TrayController.available() else None
        self.notifier = choose_notifier(self.tray.icon if self.tray else None, self)
        self.reminders = ReminderService(window.bridge, self.notifier, settings, self)
        if self.tray is not None:
            self.tray.open_requested.connect(window.raise_window)
            self.tray.lock_requested.connect(window.lock)
            self.tray.snooze_all_requested.connect(lambda: self.reminders.snooze_all())
            self.tray.quit_requested.connect(self.quit)
            self.reminders.due_count_changed.connect(self.tray.set_due_count)
            tray = self.tray
            window.bridge.vault_unlocked.connect(lambda: tray.set_locked(False))
            window.bridge.vault_locked.connect(lambda: tray.set_locked(True))
            tray.set_locked(not window.bridge.is_unlocked)
            self.tray.show()
        self.notifier.activated.connect(self.open_subject)
        window.bridge.vault_unlocked.connect(self._after_unlock)
        QTimer.singleShot(0, self.reminders.refresh)

    @property
    def keeps_running(self) -> bool:
        """Closing the window leaves the app in the tray (setting, and only with a tray)."""
        return self.tray is not None and self._window.settings.close_to_tray

    def apply_settings(self, settings: AppSettings) -> None:
        if settings.start_at_login:
            autostart.enable()
        else:
            autostart.disable()
        if not settings.reminders_while_locked:
            self._window.bridge.remove_expiry_index()
        self.reminders.set_settings(settings)

    def open_subject(self, subject: str) -> None:
        """A clicked notification: show the window at that credential (after unlock if needed)."""
        self._window.raise_window()
        if not subject.startswith("credential:"):
            self._window.workspace.show_section("Reminders")
            return
        credential_id = int(subject.split(":", 1)[1])
        if self._window.bridge.is_unlocked:
            self._window.show_credential(credential_id)
        else:
            self._pending_credential = credential_id

    def _after_unlock(self) -> None:
        self._window.bridge.purge_retired_values()
        if self._pending_credential is not None:
            credential_id, self._pending_credential = self._pending_credential, None
            QTimer.singleShot(0, lambda: self._window.show_credential(credential_id))

    def quit(self) -> None:
        self.notifier.close()
        if self.tray is not None:
            self.tray.hide()
        self._window.shutdown()
        app = QApplication.instance()
        if app is not None:
            app.quit()
