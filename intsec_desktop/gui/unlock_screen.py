"""The unlock screen: passphrase (or recovery code) or the OS keyring, worked off the UI thread."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.demo_setup import DEMO_PASSPHRASE
from intsec_desktop.gui.icons import icon
from intsec_desktop.gui.setup_widgets import (
    busy_bar,
    centred_card,
    error_label,
    heading,
    passphrase_field,
)

CARD_WIDTH = 460
DEMO_FOLDER_NAME = "demo.intsec"
NOT_UNLOCKED_MESSAGE = (
    "That passphrase did not unlock the vault. Check Caps Lock and the keyboard layout, "
    "or type the recovery code."
)


class UnlockScreen(QWidget):
    other_vault_requested = Signal()  # the user wants the wizard: open, create or try another

    def __init__(self, bridge: VaultBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._busy = False

        logo = QLabel()
        logo.setPixmap(icon("app").pixmap(48, 48))
        logo.setAccessibleName("intsec-desktop")
        self.vault_name_label = heading("")
        self.vault_name_label.setAccessibleName("Vault name")
        self.folder_label = QLabel()
        self.folder_label.setAccessibleName("Vault folder")
        small = self.folder_label.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.folder_label.setFont(small)
        self.demo_hint = QLabel(f"Demo vault passphrase: <b>{DEMO_PASSPHRASE}</b>")
        self.demo_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.demo_hint.setAccessibleName(f"Demo vault passphrase: {DEMO_PASSPHRASE}")
        self.passphrase_edit = passphrase_field("Passphrase")
        self.passphrase_edit.setPlaceholderText("Passphrase or recovery code")
        passphrase_label = QLabel("&Passphrase:")
        passphrase_label.setBuddy(self.passphrase_edit)
        self.error = error_label()
        self.busy = busy_bar("Unlocking")
        self.unlock_button = QPushButton(icon("unlock"), "&Unlock")
        self.unlock_button.setDefault(True)
        self.keyring_button = QPushButton("Unlock with OS &keyring")
        self.other_vault_button = QPushButton("Use a &different vault…")
        self.other_vault_button.setFlat(True)

        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(28, 24, 28, 20)
        title_row = QHBoxLayout()
        title_row.addWidget(logo)
        names = QVBoxLayout()
        names.setSpacing(0)
        names.addWidget(self.vault_name_label)
        names.addWidget(self.folder_label)
        title_row.addLayout(names, 1)
        layout.addLayout(title_row)
        layout.addSpacing(12)
        layout.addWidget(passphrase_label)
        layout.addWidget(self.passphrase_edit)
        layout.addWidget(self.demo_hint)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keyring_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        layout.addSpacing(4)
        layout.addLayout(buttons)
        layout.addSpacing(8)
        layout.addWidget(self.other_vault_button, 0, Qt.AlignmentFlag.AlignLeft)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(centred_card(card, CARD_WIDTH))

        for first, second in (
            (self.passphrase_edit, self.unlock_button),
            (self.unlock_button, self.keyring_button),
            (self.keyring_button, self.other_vault_button),
        ):
            QWidget.setTabOrder(first, second)

        self.passphrase_edit.returnPressed.connect(self.unlock)
        self.passphrase_edit.textEdited.connect(lambda _text: self.error.hide())
        self.unlock_button.clicked.connect(self.unlock)
        self.keyring_button.clicked.connect(self.unlock_with_keyring)
        self.other_vault_button.clicked.connect(self.other_vault_requested)
        bridge.unlock_started.connect(lambda: self._set_busy(True))
        bridge.vault_unlocked.connect(self._on_unlocked)
        bridge.unlock_failed.connect(self._on_failed)
        bridge.passphrase_change_required.connect(self._choose_own_passphrase)
        self._set_busy(False)

    def _choose_own_passphrase(self, member: str) -> None:
        from intsec_desktop.gui.dialogs.own_passphrase_dialog import OwnPassphraseDialog

        self._set_busy(False)
        self.passphrase_edit.clear()
        OwnPassphraseDialog(self._bridge, member, self).open()

    def prepare(self) -> None:
        """Called each time the screen is shown: clear the field, focus it, offer the keyring."""
        folder = self._bridge.folder
        self.vault_name_label.setText(self._bridge.vault_name)
        metrics = QFontMetrics(self.folder_label.font())
        self.folder_label.setText(
            metrics.elidedText(str(folder), Qt.TextElideMode.ElideMiddle, CARD_WIDTH - 140)
        )
        self.folder_label.setToolTip(str(folder))
        self.folder_label.setAccessibleDescription(str(folder))
        self.demo_hint.setVisible(folder.name == DEMO_FOLDER_NAME)
        self.keyring_button.setVisible(
            self._bridge.has_keyring_slot() and self._bridge.keyring_status().usable
        )
        self.passphrase_edit.clear()
        self.error.hide()
        self._set_busy(False)
        self.passphrase_edit.setFocus()

    def unlock(self) -> None:
        if self._busy:  # a double-click or Enter during the KDF must not start a second unlock
            return
        passphrase = self.passphrase_edit.text()
        if not passphrase:
            self._show_error("Enter the passphrase or the recovery code.")
            return
        self._set_busy(True)
        self._bridge.unlock_with_passphrase(passphrase)

    def unlock_with_keyring(self) -> None:
        if self._busy:
            return
        self._set_busy(True)
        self._bridge.unlock_with_keyring()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        # Read-only rather than disabled: the field keeps the keyboard focus during the work.
        self.passphrase_edit.setReadOnly(busy)
        for button in (self.unlock_button, self.keyring_button, self.other_vault_button):
            button.setEnabled(not busy)
        self.busy.setVisible(busy)

    def _on_unlocked(self) -> None:
        self.passphrase_edit.clear()
        self.error.hide()
        self._set_busy(False)

    def _on_failed(self, message: str) -> None:
        self._set_busy(False)
        # The field was not empty (unlock() checks), so "wrong or empty" means wrong; every
        # other failure (damaged vault, keyring refused) is shown as the bridge words it.
        wrong = message.startswith("wrong")
        self._show_error(NOT_UNLOCKED_MESSAGE if wrong else message[:1].upper() + message[1:])

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.passphrase_edit.setFocus()
        self.passphrase_edit.selectAll()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():
            self.passphrase_edit.setFocus()
