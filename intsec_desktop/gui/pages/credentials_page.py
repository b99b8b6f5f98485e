"""STUB (being written): the credentials page."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.clipboard import SecureClipboard


class CredentialsPage(QWidget):
    def __init__(
        self,
        bridge: VaultBridge,
        clipboard: SecureClipboard,
        settings: AppSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        QVBoxLayout(self).addWidget(QLabel("Credentials"))
