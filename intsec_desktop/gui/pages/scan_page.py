"""The Scan page: folders or repositories in, findings out (file, line, commit, credential,
encoding; never a value), run on a worker thread with files/s and MB/s."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt, QThread, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core.scan.report import ScanReport
from intsec_desktop.core.scan.scanner import PreparedScan, ScanOptions
from intsec_desktop.gui.bridge import VaultBridge, describe
from intsec_desktop.gui.models.findings_model import FindingColumn, FindingsTableModel

_PROGRESS_EVERY = 0.1  # seconds between progress signals, so a fast scan does not flood the UI


class ScanThread(QThread):
    progressed = Signal(int, int)  # files, bytes
    scanned = Signal(object)  # ScanReport
    failed = Signal(str)

    def __init__(self, prepared: PreparedScan, options: ScanOptions) -> None:
        super().__init__()
        self._prepared = prepared
        self._options = options
        self._last = 0.0

    def _progress(self, files: int, done: int) -> None:
        now = time.monotonic()
        if now - self._last >= _PROGRESS_EVERY:
            self._last = now
            self.progressed.emit(files, done)

    def run(self) -> None:
        try:
            report = self._prepared.run(
                self._options, progress=self._progress, cancelled=self.isInterruptionRequested
            )
        except Exception as exc:  # noqa: BLE001 - shown as one line on the page
            self.failed.emit(describe(exc))
        else:
            self.scanned.emit(report)


def open_at_line(path: Path, line: int) -> None:
    """An editor that can jump to a line when one is installed, else the desktop's default."""
    for editor, args in (("code", ["-g", f"{path}:{line}"]), ("gedit", [f"+{line}", str(path)])):
        found = shutil.which(editor)
        if found:
            subprocess.Popen([found, *args], start_new_session=True)
            return
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ScanPage(QWidget):
    def __init__(self, bridge: VaultBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._thread: ScanThread | None = None
        self._started = 0.0
        self.setAccessibleName("Scan")

        heading = QLabel("<h2>Leak scan</h2>")
        intro = QLabel(
            "Looks for every stored secret (every kept version) in the chosen folders: raw, "
            "base64, hex, URL-encoded, JSON-escaped and UTF-16, plus provider key formats "
            "(AWS, GitHub, Slack, Stripe, Google, private keys). Results name the credential, "
            "never the value."
        )
        intro.setWordWrap(True)

        self.folders = QListWidget()
        self.folders.setAccessibleName("Folders to scan")
        self.folders.setMaximumHeight(90)
        add = QPushButton("&Add folder…")
        add.clicked.connect(self._choose_folder)
        self.remove_button = QPushButton("&Remove")
        self.remove_button.clicked.connect(self._remove_folder)
        folder_buttons = QVBoxLayout()
        folder_buttons.addWidget(add)
        folder_buttons.addWidget(self.remove_button)
        folder_buttons.addStretch(1)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folders, 1)
        folder_row.addLayout(folder_buttons)

        self.history = QCheckBox("Git &history (every reachable blob)")
        self.include_ignored = QCheckBox("Include files .git&ignore excludes")
        self.max_size = QSpinBox()
        self.max_size.setRange(1, 10_000)
        self.max_size.setValue(50)
        self.max_size.setSuffix(" MB")
        self.max_size.setAccessibleName("Skip files larger than")
        self.scan_button = QPushButton("&Scan")
        self.scan_button.setDefault(True)
        self.scan_button.clicked.connect(self.start_scan)
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_scan)
        options = QHBoxLayout()
        options.addWidget(self.history)
        options.addWidget(self.include_ignored)
        options.addWidget(QLabel("Skip files over"))
        options.addWidget(self.max_size)
        options.addStretch(1)
        options.addWidget(self.scan_button)
        options.addWidget(self.cancel_button)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setTextVisible(False)
        self.status = QLabel("Choose one or more folders or repositories.")
        self.status.setAccessibleName("Scan status")
        self.status.setWordWrap(True)

        self.model = FindingsTableModel(self)
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.model)
        proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self._proxy = proxy
        self.table = QTableView()
        self.table.setModel(proxy)
        self.table.setAccessibleName("Findings")
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(FindingColumn.FILE, QHeaderView.ResizeMode.Stretch)
        for column in (FindingColumn.LINE, FindingColumn.COMMIT, FindingColumn.ENCODING):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FindingColumn.CREDENTIAL, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._open_finding)
        self.skipped = QLabel("")
        self.skipped.setWordWrap(True)
        self.skipped.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(folder_row)
        layout.addLayout(options)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.skipped)

        bridge.vault_locked.connect(self._on_locked)
        # The pre-commit hook reads fingerprints; keep them current while it is in use.
        bridge.vault_unlocked.connect(self._refresh_fingerprints)
        bridge.credential_added.connect(self._refresh_fingerprints)
        bridge.credential_updated.connect(self._refresh_fingerprints)
        bridge.credential_removed.connect(self._refresh_fingerprints)
        self._sync_buttons()

    # --- folders --------------------------------------------------------------------------

    def add_folder(self, folder: Path) -> None:
        text = str(folder)
        if not self.folders.findItems(text, Qt.MatchFlag.MatchExactly):
            self.folders.addItem(text)
        self._sync_buttons()

    def _choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder or repository to scan")
        if chosen:
            self.add_folder(Path(chosen))

    def _remove_folder(self) -> None:
        for item in self.folders.selectedItems():
            self.folders.takeItem(self.folders.row(item))
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        running = self._thread is not None
        self.scan_button.setEnabled(not running and self.folders.count() > 0)
        self.cancel_button.setEnabled(running)

    # --- scanning -------------------------------------------------------------------------

    def start_scan(self) -> None:
        if self._thread is not None or self.folders.count() == 0:
            return
        try:
            prepared = self._bridge.prepare_leak_scan()
        except Exception as exc:  # noqa: BLE001 - one line on the page
            self.status.setText(f"Cannot scan: {describe(exc)}")
            return
        options = ScanOptions(
            paths=tuple(Path(self.folders.item(i).text()) for i in range(self.folders.count())),
            git_history=self.history.isChecked(),
            include_ignored=self.include_ignored.isChecked(),
            max_bytes=self.max_size.value() * 1024 * 1024,
        )
        self.model.set_findings([])
        self.skipped.setText("")
        self.progress.setRange(0, 0)  # busy: the number of files is not known up front
        self.status.setText("Scanning…")
        self._started = time.monotonic()
        thread = ScanThread(prepared, options)
        thread.progressed.connect(self._on_progress)
        thread.scanned.connect(self._on_scanned)
        thread.failed.connect(self._on_failed)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        self._sync_buttons()
        thread.start()

    def cancel_scan(self) -> None:
        if self._thread is not None:
            self._thread.requestInterruption()
            self.status.setText("Cancelling…")

    def wait_for_scan(self, timeout_ms: int = 60_000) -> None:
        if self._thread is not None:
            self._thread.wait(timeout_ms)

    def _rates(self, files: int, done: int, seconds: float) -> str:
        seconds = max(seconds, 1e-6)
        return (
            f"{files:,} files, {done / 1e6:,.1f} MB — "
            f"{files / seconds:,.0f} files/s, {done / 1e6 / seconds:,.1f} MB/s"
        )

    def _on_progress(self, files: int, done: int) -> None:
        self.status.setText(
            "Scanning… " + self._rates(files, done, time.monotonic() - self._started)
        )

    def _on_scanned(self, report: ScanReport) -> None:
        self.model.set_findings(report.findings)
        verdict = (
            f"{len(report.findings)} finding(s)" if report.findings else "No stored secret found"
        )
        self.status.setText(f"{verdict}. {self._rates(report.files, report.bytes, report.seconds)}")
        notes = [f"skipped {where}: {why}" for where, why in report.skipped[:20]]
        notes += [f"could not read {where}: {why}" for where, why in report.problems[:20]]
        more = len(report.skipped) + len(report.problems) - len(notes)
        if more > 0:
            notes.append(f"… and {more} more")
        self.skipped.setText("\n".join(notes))

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"Scan failed: {message}")

    def _on_thread_finished(self) -> None:
        if self._thread is not None:
            self._thread.deleteLater()
        self._thread = None
        self.progress.setRange(0, 1)
        self._sync_buttons()

    def _open_finding(self) -> None:
        finding = self.model.row_at(self._proxy.mapToSource(self.table.currentIndex()))
        if finding is None or finding.commit is not None:
            return  # history findings have no file on disk to open
        path = Path(finding.path)
        if path.is_file():
            open_at_line(path, finding.line)

    # --- lock and fingerprints ------------------------------------------------------------

    def _on_locked(self) -> None:
        self.cancel_scan()
        self.wait_for_scan()
        self.model.set_findings([])
        self.skipped.setText("")
        self.status.setText("Choose one or more folders or repositories.")

    def _refresh_fingerprints(self, *_args: object) -> None:
        try:
            self._bridge.refresh_scan_fingerprints_if_in_use()
        except Exception as exc:  # noqa: BLE001 - the hook is optional; say why, carry on
            self.status.setText(f"Pre-commit fingerprints not refreshed: {describe(exc)}")
