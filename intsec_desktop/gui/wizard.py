"""First run: create a vault, open an existing folder or try the demo; then show the new vault's
recovery code exactly once."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QCommandLinkButton,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core import paths
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.app import demo_vault_dir
from intsec_desktop.gui.bridge import VaultBridge, describe
from intsec_desktop.gui.setup_widgets import (
    busy_bar,
    centred_card,
    error_label,
    heading,
    show_error,
)
from intsec_desktop.gui.wizard_create import CreateVaultStep


class _DemoBuilder(QObject):
    """Builds the demo vault (Argon2 plus sample data, about half a second) off the UI thread."""

    finished = Signal()
    failed = Signal(str)

    def __init__(self, bridge: VaultBridge) -> None:
        super().__init__()
        self._bridge = bridge

    def start(self) -> None:
        QThreadPool.globalInstance().start(self._build)

    def _build(self) -> None:
        from intsec_desktop.gui.demo_setup import create_demo_vault

        try:
            create_demo_vault(self._bridge)
        except Exception as exc:  # noqa: BLE001 - shown as one line on the welcome step
            self.failed.emit(describe(exc))
        else:
            self.finished.emit()


class WelcomeStep(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.create_button = QCommandLinkButton(
            "&Create a new vault",
            "Choose a name, a folder and a passphrase. You get a recovery code to keep safe.",
        )
        self.open_button = QCommandLinkButton(
            "&Open an existing vault folder…",
            "A folder whose name ends in .intsec, for example one shared on a team drive.",
        )
        self.demo_button = QCommandLinkButton(
            "Try the &demo vault",
            "Sample integrations, customers and credentials; nothing real is stored.",
        )
        for button in (self.create_button, self.open_button, self.demo_button):
            button.setAccessibleName(button.text().replace("&", "").rstrip("…"))
            button.setAccessibleDescription(button.description())
        self.error = error_label()
        self.busy = busy_bar("Preparing the demo vault")
        self.back_button = QPushButton("&Back")  # named after the vault when shown

        card = QWidget()
        layout = QVBoxLayout(card)
        layout.addWidget(heading("Welcome to intsec-desktop", 1.8))
        intro = QLabel(
            "Keep your integrations' API keys and tokens in an encrypted vault, get reminded "
            "before they expire, and export secret-free configuration for your repositories."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addSpacing(12)
        for button in (self.create_button, self.open_button, self.demo_button):
            layout.addWidget(button)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        back_row = QHBoxLayout()
        back_row.addStretch(1)
        back_row.addWidget(self.back_button)
        layout.addSpacing(8)
        layout.addLayout(back_row)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(centred_card(card, 620))

    def set_busy(self, busy: bool) -> None:
        for button in (self.create_button, self.open_button, self.demo_button, self.back_button):
            button.setEnabled(not busy)
        self.busy.setVisible(busy)


class RecoveryCodeStep(QWidget):
    confirmed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        advice = QLabel(
            "If you forget your passphrase, this code is the only other way into the vault. "
            "<b>Write it down or print it</b> and keep it somewhere safe, away from this "
            "computer. It is not shown again."
        )
        advice.setWordWrap(True)
        self.code_label = QLabel()
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.code_label.setFont(font)
        self.code_label.setAccessibleName("Recovery code")
        self.code_label.setFrameShape(QFrame.Shape.StyledPanel)
        self.code_label.setMargin(16)
        self.code_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.keyring_note = QLabel()
        self.keyring_note.setWordWrap(True)
        self.saved_check = QCheckBox("I have &saved my recovery code")
        self.continue_button = QPushButton("&Continue")
        self.continue_button.setDefault(True)
        self.continue_button.setEnabled(False)
        self.saved_check.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._continue)

        card = QWidget()
        layout = QVBoxLayout(card)
        layout.addWidget(heading("Save your recovery code"))
        layout.addWidget(advice)
        layout.addSpacing(8)
        layout.addWidget(self.code_label)
        layout.addSpacing(8)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.saved_check)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.continue_button)
        layout.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(centred_card(card, 640))

    def show_code(self, code: str, used_keyring: bool) -> None:
        self.code_label.setText(code)
        self.keyring_note.setText(
            "This computer remembers the vault in the OS keyring, so you can unlock it without "
            "typing the passphrase while you are logged in."
            if used_keyring
            else "Unlocking on this computer will need the passphrase (or this code)."
        )
        self.saved_check.setChecked(False)
        self.saved_check.setFocus()

    def _continue(self) -> None:
        if not self.saved_check.isChecked():
            return
        self.forget()
        self.confirmed.emit()

    def forget(self) -> None:
        """The code leaves the widget tree: no later screenshot or accessibility query reads it."""
        self.code_label.clear()
        self.saved_check.setChecked(False)


class FirstRunWizard(QWidget):
    open_existing_requested = Signal()  # the bridge's folder now points at an existing vault
    setup_finished = Signal()  # a new vault is unlocked and its recovery code was confirmed

    def __init__(
        self, bridge: VaultBridge, settings: AppSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._settings = settings
        self._folder_before_demo: Path | None = None
        self._demo_builder: _DemoBuilder | None = None
        self.welcome = WelcomeStep()
        self.create_step = CreateVaultStep(bridge)
        self.recovery_step = RecoveryCodeStep()
        self.steps = QStackedWidget()
        for step in (self.welcome, self.create_step, self.recovery_step):
            self.steps.addWidget(step)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.steps)

        self.welcome.create_button.clicked.connect(self._start_create)
        self.welcome.open_button.clicked.connect(self.open_existing)
        self.welcome.demo_button.clicked.connect(self.try_demo)
        self.welcome.back_button.clicked.connect(self.open_existing_requested)
        self.create_step.back_requested.connect(self.show_welcome)
        self.create_step.vault_created.connect(self._show_recovery_code)
        self.recovery_step.confirmed.connect(self._finish)
        bridge.vault_locked.connect(self._drop_recovery_code)
        self.show_welcome()

    def is_showing_recovery_code(self) -> bool:
        """True from the moment a vault is being created until its code is confirmed: the bridge
        announces the unlock before the code, and the main window must wait for setup_finished."""
        return self.create_step.is_creating() or self.steps.currentWidget() is self.recovery_step

    def show_welcome(self) -> None:
        self.welcome.error.hide()
        self.welcome.back_button.setText(f"&Back to {self._bridge.vault_name}")
        self.welcome.back_button.setVisible(self._bridge.vault_exists())
        self.steps.setCurrentWidget(self.welcome)
        self.welcome.create_button.setFocus()

    def _start_create(self) -> None:
        self.create_step.reset()
        self.steps.setCurrentWidget(self.create_step)
        self.create_step.name_edit.setFocus()

    def open_existing(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Open a vault folder", str(paths.data_dir())
        )
        if not chosen:
            return
        folder = Path(chosen)
        if not paths.keyslots_path(folder).is_file():
            show_error(
                self.welcome.error,
                f"{folder} is not an intsec vault: it has no {paths.KEYSLOTS_FILENAME}. "
                "Choose the folder whose name ends in .intsec.",
            )
            return
        self.welcome.error.hide()
        self._bridge.set_folder(folder)
        self.open_existing_requested.emit()

    def try_demo(self) -> None:
        if self._demo_builder is not None:
            return
        self.welcome.error.hide()
        self._folder_before_demo = self._bridge.folder
        self._bridge.set_folder(demo_vault_dir())
        if self._bridge.vault_exists():
            self.open_existing_requested.emit()
            return
        self.welcome.set_busy(True)
        self._demo_builder = _DemoBuilder(self._bridge)
        self._demo_builder.finished.connect(self._demo_ready)
        self._demo_builder.failed.connect(self._demo_failed)
        self._demo_builder.start()

    def _demo_ready(self) -> None:
        self._demo_builder = None
        self.welcome.set_busy(False)
        self.open_existing_requested.emit()

    def _demo_failed(self, message: str) -> None:
        self._demo_builder = None
        self.welcome.set_busy(False)
        if self._folder_before_demo is not None:
            self._bridge.set_folder(self._folder_before_demo)
        show_error(self.welcome.error, f"The demo vault could not be created: {message}")

    def _show_recovery_code(self, code: str, used_keyring: bool) -> None:
        self.steps.setCurrentWidget(self.recovery_step)
        self.recovery_step.show_code(code, used_keyring)

    def _drop_recovery_code(self) -> None:
        """Locked (Ctrl+L) before confirming: the main window has moved to the unlock screen, so
        the code must not stay in a hidden widget, nor keep the wizard claiming the screen."""
        if self.steps.currentWidget() is self.recovery_step:
            self.recovery_step.forget()
            self.show_welcome()

    def _finish(self) -> None:
        self.steps.setCurrentWidget(self.welcome)
        self.setup_finished.emit()
