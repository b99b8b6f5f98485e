"""The main window: first-run wizard, unlock screen or workspace, plus the status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMessageBox, QStackedWidget

from intsec_desktop.core.settings import AppSettings, save_settings
from intsec_desktop.gui.background import Background
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.clipboard import SecureClipboard
from intsec_desktop.gui.icons import icon
from intsec_desktop.gui.idle_lock import IdleLock
from intsec_desktop.gui.unlock_screen import UnlockScreen
from intsec_desktop.gui.vault_watcher import VaultWatcher
from intsec_desktop.gui.wizard import FirstRunWizard
from intsec_desktop.gui.workspace import Workspace


class MainWindow(QMainWindow):
    def __init__(self, bridge: VaultBridge, settings: AppSettings) -> None:
        super().__init__()
        self.notes_box: QMessageBox | None = None  # the last open-time warning shown
        self.bridge = bridge
        self.settings = settings
        self.setWindowTitle("intsec-desktop")
        self.setWindowIcon(icon("app"))
        self.resize(1200, 760)

        self.clipboard = SecureClipboard(settings.clipboard_clear_seconds, self)
        self.idle_lock = IdleLock(settings.auto_lock_minutes, self)
        self.idle_lock.idle_timeout.connect(self.lock)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.idle_lock)
        self.watcher = VaultWatcher(bridge, self)

        self.wizard = FirstRunWizard(bridge, settings)
        self.unlock_screen = UnlockScreen(bridge)
        self.background = Background(self, settings)
        self.workspace = Workspace(bridge, self.clipboard, settings, self.background.reminders)
        self.screens = QStackedWidget()
        for screen in (self.wizard, self.unlock_screen, self.workspace):
            self.screens.addWidget(screen)
        self.setCentralWidget(self.screens)

        self._status_vault = QLabel()
        self._status_member = QLabel()
        self._status_lock = QLabel()
        self._status_keyring = QLabel()
        for label in (
            self._status_vault,
            self._status_member,
            self._status_lock,
            self._status_keyring,
        ):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.statusBar().addPermanentWidget(label)

        self.lock_action = QAction(icon("lock"), "&Lock vault", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock)
        self.addAction(self.lock_action)

        bridge.vault_unlocked.connect(self._on_unlocked)
        bridge.vault_locked.connect(self._on_locked)
        self.wizard.open_existing_requested.connect(self._show_unlock)
        self.wizard.setup_finished.connect(self._enter_workspace)
        self.unlock_screen.other_vault_requested.connect(self._show_wizard)
        self.workspace.settings_changed.connect(self._apply_settings)
        self.workspace.reminders_page.open_credential_requested.connect(self.show_credential)
        bridge.webhook_reported.connect(lambda text: self.statusBar().showMessage(text, 10_000))

        if bridge.vault_exists():
            self._show_unlock()
        else:
            self.screens.setCurrentWidget(self.wizard)
        self._refresh_status()

    # --- screens --------------------------------------------------------------------------

    def _show_unlock(self) -> None:
        self.unlock_screen.prepare()
        self.screens.setCurrentWidget(self.unlock_screen)
        self._refresh_status()

    def _show_wizard(self) -> None:
        self.wizard.show_welcome()
        self.screens.setCurrentWidget(self.wizard)

    def _on_unlocked(self) -> None:
        if self.wizard.is_showing_recovery_code():
            return  # the wizard moves on once the code is confirmed
        self._enter_workspace()

    def _enter_workspace(self) -> None:
        self.screens.setCurrentWidget(self.workspace)
        self.idle_lock.start()
        self.settings = self._remember_vault()
        self._refresh_status()
        self._show_notes()

    def _show_notes(self) -> None:
        """What the CLI prints on stderr at open (a rollback warning), the app says in a
        window-modal box that does not block the event loop, and in the status bar."""
        notes = self.bridge.session_notes
        if not notes:
            return
        self.statusBar().showMessage(notes[0])
        box = QMessageBox(QMessageBox.Icon.Warning, "Vault warning", "\n\n".join(notes),
                          QMessageBox.StandardButton.Ok, self)  # fmt: skip
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.notes_box = box
        box.open()

    def _remember_vault(self) -> AppSettings:
        from dataclasses import replace

        updated = replace(self.settings, last_vault=str(self.bridge.folder))
        if updated != self.settings:
            save_settings(updated)
        return updated

    def lock(self) -> None:
        self.bridge.lock()

    def _on_locked(self) -> None:
        self.clipboard.clear_now()
        self.idle_lock.stop()
        self._show_unlock()

    def _apply_settings(self, settings: AppSettings) -> None:
        self.settings = settings
        self.idle_lock.set_minutes(settings.auto_lock_minutes)
        if self.bridge.is_unlocked:
            self.idle_lock.start()
        self.clipboard.set_timeout_seconds(settings.clipboard_clear_seconds)
        self.workspace.credentials_page.apply_settings(settings)
        self.background.apply_settings(settings)

    def show_credential(self, credential_id: int) -> None:
        if not self.bridge.is_unlocked:
            return
        self.screens.setCurrentWidget(self.workspace)
        self.workspace.show_section("Credentials")
        self.workspace.credentials_page.select_credential(credential_id)

    def _refresh_status(self) -> None:
        self._status_vault.setText(f"Vault: {self.bridge.vault_name}")
        member = self.bridge.member
        self._status_member.setText(
            f"Member: {member.name} ({member.role.value})" if member else "Member: -"
        )
        self._status_lock.setText("Unlocked" if self.bridge.is_unlocked else "Locked")
        status = self.bridge.keyring_status()
        self._status_keyring.setText(
            f"Keyring: {status.backend_name.rsplit('.', 2)[-2] if status.usable else 'unavailable'}"
        )
        self._status_keyring.setToolTip(status.backend_name if status.usable else status.reason)

    def raise_window(self) -> None:
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.background.keeps_running:
            # Reminders go on in the tray; the vault stays as it was (idle lock still applies).
            self.hide()
            event.ignore()
            return
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Quit: nothing of ours stays on the clipboard, the database closes, keys are dropped."""
        self.clipboard.clear_now()
        self.bridge.lock()
