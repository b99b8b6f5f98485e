"""An invited member's first unlock: the one-time passphrase from the owner is replaced by the
member's own before anything in the vault is shown."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.setup_widgets import (
    StrengthMeter,
    busy_bar,
    error_label,
    passphrase_field,
    show_error,
)


class OwnPassphraseDialog(QDialog):
    def __init__(self, bridge: VaultBridge, member: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose your own passphrase")
        self.setMinimumWidth(460)
        self._bridge = bridge
        intro = QLabel(
            f"Welcome, <b>{member}</b>. The passphrase you were given opens this vault only once. "
            "Choose your own; nobody else will know it."
        )
        intro.setWordWrap(True)
        self.passphrase = passphrase_field("New passphrase")
        self.repeat = passphrase_field("Repeat new passphrase")
        self.meter = StrengthMeter()
        self.error = error_label()
        self.busy = busy_bar("Setting the passphrase")
        self.busy.hide()
        form = QFormLayout()
        form.addRow("&New passphrase:", self.passphrase)
        form.addRow("&Repeat:", self.repeat)
        form.addRow("", self.meter)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.passphrase.textChanged.connect(self.meter.show_estimate)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        bridge.vault_unlocked.connect(self._done)
        bridge.unlock_failed.connect(self._failed)

    def submit(self) -> None:
        new, again = self.passphrase.text(), self.repeat.text()
        if not new:
            show_error(self.error, "The passphrase must not be empty.")
            return
        if new != again:
            show_error(self.error, "The two passphrases differ.")
            return
        self.error.hide()
        self.buttons.setEnabled(False)  # one change, however fast the clicks
        self.busy.show()
        self._bridge.set_own_passphrase(new)

    def _done(self) -> None:
        self.passphrase.clear()
        self.repeat.clear()
        self.accept()

    def _failed(self, message: str) -> None:
        self.busy.hide()
        self.buttons.setEnabled(True)
        show_error(self.error, message)

    def reject(self) -> None:
        self._bridge.cancel_passphrase_change()
        self.passphrase.clear()
        self.repeat.clear()
        super().reject()

    def done(self, result: int) -> None:
        # Drop the bridge connections: this dialog must not react to later unlocks.
        for signal, slot in (
            (self._bridge.vault_unlocked, self._done),
            (self._bridge.unlock_failed, self._failed),
        ):
            signal.disconnect(slot)
        super().done(result)
