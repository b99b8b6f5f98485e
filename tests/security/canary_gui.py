"""The app, in-process, against the canary vault: a wrong passphrase, unlock, every page, a
credential's detail, reveal then lock, keyring unlock, copy until the clipboard is cleared, the
Export page's preview, guard and write, a scan, settings that write files, lock and quit. Every
text the widgets hand out is written to the log folder at each stage (never while revealed)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QCoreApplication,
    QModelIndex,
    Qt,
)
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.main_window import MainWindow
from intsec_desktop.gui.workspace import SECTIONS
from tests.gui.conftest import drain
from tests.security import canary_world as w
from tests.security.canary_world import World

ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.EditRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.UserRole,
)


def _model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> list[str]:
    """Every cell's data in ROLES, children of tree models included."""
    parent = parent or QModelIndex()
    # A list model's columnCount is private in PySide6: it has one column.
    columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(parent)
    texts = []
    if not parent.isValid():
        texts += [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(columns)]
    for row in range(model.rowCount(parent)):
        for column in range(columns):
            index = model.index(row, column, parent)
            texts += [str(v) for role in ROLES if (v := model.data(index, role)) is not None]
            if column == 0 and columns > 1 and model.rowCount(index):  # a tree's children
                texts += _model_texts(model, index)
    return texts


def widget_texts(root: QWidget) -> str:
    """Everything a person or an accessibility tool could read off the window."""
    texts: list[str] = []
    for widget in [root, *root.findChildren(QWidget)]:
        texts += [widget.windowTitle(), widget.toolTip(), widget.statusTip()]
        texts += [widget.accessibleName(), widget.accessibleDescription()]
        if isinstance(widget, QLineEdit):
            texts.append(widget.displayText())  # what is shown: a passphrase field is masked
        elif isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            texts += _model_texts(widget.model())
    return "\n".join(t for t in texts if t)


def _dump(world: World, window: MainWindow, stage: str) -> None:
    QCoreApplication.processEvents()
    detail = window.workspace.credentials_page.detail
    assert not detail.is_revealed, "widget texts are only kept while nothing is revealed"
    text = widget_texts(window) + "\n" + window.statusBar().currentMessage()
    (world.log_dir / f"gui-{stage}.txt").write_text(text, encoding="utf-8")


def _clipboard_bytes() -> bytes:
    """Every format on the clipboard and, where there is one, the X11 selection."""
    clipboard, found = QGuiApplication.clipboard(), []
    modes = [QClipboard.Mode.Clipboard]
    if clipboard.supportsSelection():
        modes.append(QClipboard.Mode.Selection)
    for mode in modes:
        mime = clipboard.mimeData(mode)
        if mime is not None:
            found += [bytes(mime.data(f).data()) for f in mime.formats()]
    return b"\n".join(found)


def exercise_gui(qtbot: QtBot, world: World) -> None:
    settings = AppSettings(close_to_tray=False, reminders_while_locked=True)
    bridge = VaultBridge(world.vault)
    window = MainWindow(bridge, settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    try:
        _unlock_browse_reveal_copy(qtbot, world, window)
        _export_scan_settings(qtbot, world, window)
        with qtbot.waitSignal(bridge.vault_locked, timeout=10_000):
            window.lock()
        _dump(world, window, "locked")
    finally:
        drain(bridge)
        window.shutdown()
        window.background.notifier.close()
        if window.background.tray is not None:
            window.background.tray.hide()


def _unlock_browse_reveal_copy(qtbot: QtBot, world: World, window: MainWindow) -> None:
    bridge, screen = window.bridge, window.unlock_screen
    # A secret typed where the passphrase goes: the error must not repeat it.
    screen.passphrase_edit.setText(world.canaries[w.WRONG_PASSPHRASE].text)
    with qtbot.waitSignal(bridge.unlock_failed, timeout=30_000):
        screen.unlock()
    _dump(world, window, "wrong-passphrase")
    screen.passphrase_edit.setText(w.PASSPHRASE)
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=30_000):
        screen.unlock()
    page = window.workspace.credentials_page
    qtbot.waitUntil(lambda: page.model.rowCount() > 150, timeout=10_000)
    for section in SECTIONS:
        window.workspace.show_section(section)
        QCoreApplication.processEvents()
    _dump(world, window, "every-page")

    window.workspace.show_section("Credentials")
    page.filter_bar.text.setText("key_0")  # the instant filter
    qtbot.waitUntil(lambda: 0 < page.proxy.rowCount() < page.model.rowCount())
    _dump(world, window, "filtered")
    page.filter_bar.text.clear()
    ids = {item.credential.name: item.credential.id for item in bridge.list_credentials()}
    shown = (w.REVEALED, 5, 11, min(w.OVERDUE_ROTATION), min(w.EXPIRED))  # 5 binary, 11 rotated
    for index in shown:
        assert page.select_credential(ids[f"key_{index:03d}"])
        _dump(world, window, f"detail-{index}")

    revealed = ids[f"key_{w.REVEALED:03d}"]
    assert page.select_credential(revealed)
    page.detail.reveal()
    secret = world.canaries[w.REVEALED].text
    # Compared as bools: pytest would print the operands of a failed comparison.
    shown = page.detail.secret_view.toPlainText() == secret
    assert shown, "Reveal did not show the value"
    with qtbot.waitSignal(bridge.vault_locked, timeout=10_000):
        window.lock()
    masked = secret not in page.detail.secret_view.toPlainText()
    assert masked, "the value stayed on screen after lock"
    _dump(world, window, "relocked")

    assert screen.keyring_button.isVisible()  # the slot `keyslot add-keyring` made
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=30_000):
        screen.unlock_with_keyring()
    qtbot.waitUntil(lambda: page.model.rowCount() > 150, timeout=10_000)
    window.clipboard.set_timeout_seconds(1)
    assert page.select_credential(revealed)
    page.copy_action.trigger()
    copied = QGuiApplication.clipboard().text() == secret
    assert copied, "Copy did not put the value on the clipboard"
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "", timeout=5_000)
    (world.log_dir / "gui-clipboard-after-clear.bin").write_bytes(_clipboard_bytes())
    _dump(world, window, "copied")


def _export_scan_settings(qtbot: QtBot, world: World, window: MainWindow) -> None:
    workspace = window.workspace
    workspace.show_section("Export")
    export = workspace.export_page
    export.reload()
    export.name_edit.setText("gui-staging")
    export.environment.setCurrentText("staging")
    target: Path = world.work / "exports-gui" / "staging.yaml"
    target.parent.mkdir()
    export.target_edit.setText(str(target))
    export.refresh_preview()
    assert export.preview.toPlainText().startswith("# Generated by intsec-desktop.")
    with qtbot.waitSignal(export.guard_finished, timeout=60_000):
        export.check_leaks()
    assert "clean" in export.verdict.text()
    with qtbot.waitSignal(export.guard_finished, timeout=60_000):
        export.write()
    assert target.is_file()
    _dump(world, window, "export")

    workspace.show_section("Scan")
    scan = workspace.scan_page
    scan.add_folder(world.work / "clean-tree")
    scan.add_folder(world.outside / "dirty")  # findings name credentials, never values
    scan.start_scan()
    qtbot.waitUntil(scan.scan_button.isEnabled, timeout=60_000)
    assert scan.model.rowCount() >= len(w.PLANTED)
    _dump(world, window, "scan")

    workspace.show_section("Audit")
    workspace.audit_page.verify()
    _dump(world, window, "audit")
    # While the app holds the vault open its WAL and shared-memory files exist: keep a copy,
    # since closing checkpoints and removes them.
    open_files = world.log_dir / "vault-while-open"
    shutil.copytree(world.vault, open_files)
    assert {p.name for p in open_files.iterdir()} >= {"vault.db-wal", "vault.db-shm"}
    # Start at login writes an autostart entry; reminders while locked, a sealed index.
    workspace.settings_changed.emit(replace(window.settings, start_at_login=True))
    _dump(world, window, "settings")
