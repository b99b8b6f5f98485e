"""One app per user and vault: a second launch asks the first to raise its window, then exits."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket


def server_name(vault_folder: Path) -> str:
    digest = hashlib.sha256(str(vault_folder.absolute()).encode()).hexdigest()[:16]
    return f"intsec-desktop-{os.getuid()}-{digest}"


class SingleInstance(QObject):
    raise_requested = Signal()

    def __init__(self, vault_folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = server_name(vault_folder)
        self._server: QLocalServer | None = None

    def notify_running_instance(self) -> bool:
        """True if another instance answered (it will raise itself)."""
        socket = QLocalSocket()
        socket.connectToServer(self._name)
        if not socket.waitForConnected(300):
            return False
        socket.write(b"raise\n")
        socket.waitForBytesWritten(300)
        socket.disconnectFromServer()
        return True

    def listen(self) -> None:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self._name):
            # A stale socket from a crashed instance: nobody answered above, so take it over.
            QLocalServer.removeServer(self._name)
            server.listen(self._name)
        server.newConnection.connect(self._accept)
        self._server = server

    def _accept(self) -> None:
        assert self._server is not None
        while (connection := self._server.nextPendingConnection()) is not None:
            connection.readyRead.connect(self.raise_requested.emit)
            connection.disconnected.connect(connection.deleteLater)
