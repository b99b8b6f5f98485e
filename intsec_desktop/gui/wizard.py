"""STUB (being written): first-run wizard."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.bridge import VaultBridge


class FirstRunWizard(QWidget):
    open_existing_requested = Signal()  # the bridge's folder now points at an existing vault
    setup_finished = Signal()  # a new vault is unlocked and its recovery code was confirmed

    def __init__(
        self, bridge: VaultBridge, settings: AppSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        QVBoxLayout(self).addWidget(QLabel("Welcome"))

    def is_showing_recovery_code(self) -> bool:
        return False
