"""The real app under Xvfb with the real gnome-keyring, clipboard, tray and dunst: first run
through the wizard, add a credential, filter, copy and watch the clipboard clear, auto-lock,
unlock through the keyring slot; and a reminder that reaches the notification daemon."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from intsec_desktop.core import paths, services
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.main_window import MainWindow
from intsec_desktop.gui.wizard_create import FAST_KDF_ENV

PASSPHRASE = "orbit lantern cactus violin"
SECRET = "sk_e2e_" + "Zq8mN3vR7tX2wL5kP9"


@pytest.fixture
def window(
    qtbot: QtBot, real_keyring: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    monkeypatch.setenv(FAST_KDF_ENV, "1")
    settings = AppSettings(clipboard_clear_seconds=5, close_to_tray=False)
    bridge = VaultBridge(paths.default_vault_dir())
    main = MainWindow(bridge, settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.shutdown()
    main.background.notifier.close()
    if main.background.tray is not None:
        main.background.tray.hide()


def answer_modal(qtbot: QtBot, fill: Callable[[Any], None]) -> None:
    """Fill the next modal dialog once it is open, then press OK (exec() blocks the test)."""

    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, attempt)
            return
        fill(dialog)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, attempt)


def test_first_run_add_filter_copy_autolock_keyring_unlock(
    qtbot: QtBot, window: MainWindow
) -> None:
    bridge = window.bridge
    assert window.screens.currentWidget() is window.wizard

    # First run: create a vault that the OS keyring remembers.
    qtbot.mouseClick(window.wizard.welcome.create_button, Qt.MouseButton.LeftButton)
    create = window.wizard.create_step
    qtbot.keyClicks(create.passphrase_edit, PASSPHRASE)
    qtbot.keyClicks(create.repeat_edit, PASSPHRASE)
    assert create.keyring_check.isEnabled()
    assert create.keyring_check.isChecked()
    with qtbot.waitSignal(bridge.vault_created, timeout=30_000):
        qtbot.mouseClick(create.create_button, Qt.MouseButton.LeftButton)
    recovery = window.wizard.recovery_step
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){7}", recovery.code_label.text())
    assert not recovery.continue_button.isEnabled()
    recovery.saved_check.setChecked(True)
    qtbot.mouseClick(recovery.continue_button, Qt.MouseButton.LeftButton)
    assert window.screens.currentWidget() is window.workspace
    assert recovery.code_label.text() == ""
    assert bridge.has_keyring_slot()

    # Add a credential through the real dialog.
    bridge.add_integration(slug="bamboohr", name="BambooHR", category="hris", method="api")
    bridge.add_integration(slug="xero", name="Xero", category="accounting", method="api")
    page = window.workspace.credentials_page

    def filler(integration: str, name: str, secret: str) -> Callable[[Any], None]:
        def fill(dialog: Any) -> None:
            dialog.integration.setCurrentIndex(dialog.integration.findData(integration))
            dialog.name.setText(name)
            qtbot.keyClicks(dialog.secret.line, secret)

        return fill

    for integration, name, secret in (
        ("bamboohr", "api_key", SECRET),
        ("xero", "client_secret", "another-secret-value-42"),
    ):
        answer_modal(qtbot, filler(integration, name, secret))
        with qtbot.waitSignal(bridge.credential_added, timeout=10_000):
            page.add_action.trigger()
    assert page.proxy.rowCount() == 2

    # Filter: typing narrows the table to the match.
    qtbot.keyClicks(page.filter_bar.text, "bamboo")
    qtbot.waitUntil(lambda: page.proxy.rowCount() == 1)
    assert SECRET not in str(
        [page.proxy.index(0, c).data() for c in range(page.proxy.columnCount())]
    )

    # Copy: the clipboard holds the value with the password-manager hint, then is cleared.
    page.table.selectRow(0)
    page.copy_action.trigger()
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == SECRET
    assert clipboard.mimeData().hasFormat("x-kde-passwordManagerHint")
    qtbot.waitUntil(lambda: clipboard.text() != SECRET, timeout=10_000)

    # Auto-lock after idle: the session closes and the table empties.
    window.idle_lock.set_interval_ms(200)
    window.idle_lock.start()
    with qtbot.waitSignal(bridge.vault_locked, timeout=5_000):
        pass
    assert window.screens.currentWidget() is window.unlock_screen
    assert page.model.rowCount() == 0

    # Unlock through the real gnome-keyring slot.
    screen = window.unlock_screen
    assert screen.keyring_button.isVisible()
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=15_000):
        qtbot.mouseClick(screen.keyring_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.screens.currentWidget() is window.workspace)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)


@pytest.fixture
def vault_due_tomorrow(real_keyring: Any) -> str:
    folder = paths.default_vault_dir()
    session, _ = services.create_vault(
        folder, PASSPHRASE, KdfParams.floor(), keyring_store=DeviceKeyStore.default()
    )
    with session:
        session.add_integration("personio", "Personio", "hris", "api")
        session.add_credential(
            integration="personio",
            name="api_key",
            secret=b"personio-secret-value-1",
            expires_at=datetime.now(UTC) + timedelta(days=1, hours=6),
        )
    return str(folder)


def test_due_tomorrow_reaches_dunst_and_the_tray_tooltip(
    qtbot: QtBot,
    vault_due_tomorrow: str,
    notifications: Callable[[], list[dict[str, Any]]],
    desktop_session: Any,
) -> None:
    if desktop_session.tray_mode == "none":
        pytest.fail("this test needs the SNI tray the desktop session starts", pytrace=False)
    bridge = VaultBridge(paths.default_vault_dir())
    window = MainWindow(bridge, AppSettings(close_to_tray=False))
    qtbot.addWidget(window)
    try:
        assert window.background.tray is not None
        assert window.background.notifier.name == "system tray"
        before = len(notifications())
        with qtbot.waitSignal(bridge.vault_unlocked, timeout=15_000):
            bridge.unlock_with_keyring()
        qtbot.waitUntil(lambda: len(notifications()) > before, timeout=10_000)
        message = notifications()[-1]
        assert message["summary"] == "intsec-desktop reminder"
        assert "personio/-/production/api_key expires" in message["body"]
        assert window.background.tray.icon.toolTip() == "intsec-desktop: 1 due, overdue or expired"
    finally:
        window.shutdown()
        window.background.notifier.close()
        if window.background.tray is not None:
            window.background.tray.hide()


def test_without_a_tray_notifications_go_over_dbus(
    qtbot: QtBot, notifications: Callable[[], list[dict[str, Any]]]
) -> None:
    from intsec_desktop.gui.notifiers import DBusNotifier, choose_notifier

    notifier = choose_notifier(None)  # no tray icon: the D-Bus fallback, not a crash
    try:
        assert isinstance(notifier, DBusNotifier)
        before = len(notifications())
        notifier.notify(
            "intsec-desktop reminder", "xero/-/production/api_key expires", "credential:7"
        )
        qtbot.waitUntil(lambda: len(notifications()) > before, timeout=10_000)
        message = notifications()[-1]
        assert message["summary"] == "intsec-desktop reminder"
        assert message["body"] == "xero/-/production/api_key expires"
    finally:
        notifier.close()
