"""STUB (being written): the unlock screen."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from intsec_desktop.gui.bridge import VaultBridge


class UnlockScreen(QWidget):
    def __init__(self, bridge: VaultBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        QVBoxLayout(self).addWidget(QLabel("Unlock"))

    def prepare(self) -> None:
        """Called each time the screen is shown: clear the field, focus it, offer the keyring."""
