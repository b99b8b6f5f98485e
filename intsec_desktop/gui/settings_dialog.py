"""STUB (being written): settings dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QWidget

from intsec_desktop.core.settings import AppSettings


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings

    def result_settings(self) -> AppSettings:
        return self._settings
