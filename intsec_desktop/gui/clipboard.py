"""STUB (being written): secure clipboard with password-manager hints and timed clearing."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class SecureClipboard(QObject):
    cleared = Signal()

    def __init__(self, timeout_seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timeout = timeout_seconds

    def copy_secret(self, value: bytes) -> None:
        raise NotImplementedError

    def clear_now(self) -> None:
        pass

    def set_timeout_seconds(self, seconds: int) -> None:
        self._timeout = seconds
