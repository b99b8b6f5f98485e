"""Notices commits by other processes (the CLI, a teammate on a shared drive).

QFileSystemWatcher reports changes to the vault folder and its WAL file; a short debounce
collapses bursts, then the bridge compares SQLite's data_version and reloads if it moved."""

from __future__ import annotations

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer

from intsec_desktop.gui.bridge import VaultBridge


class VaultWatcher(QObject):
    def __init__(self, bridge: VaultBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._watcher = QFileSystemWatcher(self)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._check)
        self._watcher.directoryChanged.connect(self._poke)
        self._watcher.fileChanged.connect(self._poke)
        bridge.vault_unlocked.connect(self._watch)
        bridge.vault_locked.connect(self._unwatch)

    def _watch(self) -> None:
        self._unwatch()
        folder = self._bridge.folder
        targets = [str(folder)] + [
            str(folder / name) for name in ("vault.db", "vault.db-wal") if (folder / name).exists()
        ]
        self._watcher.addPaths(targets)

    def _unwatch(self) -> None:
        paths = self._watcher.files() + self._watcher.directories()
        if paths:
            self._watcher.removePaths(paths)
        self._debounce.stop()

    def _poke(self, *_: object) -> None:
        self._debounce.start()

    def _check(self) -> None:
        if not self._bridge.is_unlocked:
            return
        if not self._bridge.folder.exists():
            self._bridge.lock()
            return
        self._bridge.check_external_changes()
        self._watch()  # the WAL file comes and goes; follow it
