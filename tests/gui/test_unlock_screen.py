"""The unlock screen: passphrase and keyring unlock off the UI thread, clear errors, one unlock
per request, and the way back to the wizard."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from intsec_desktop.core import services
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.demo_setup import DEMO_PASSPHRASE
from intsec_desktop.gui.main_window import MainWindow
from intsec_desktop.gui.setup_widgets import PASSPHRASE_MAX_LENGTH
from intsec_desktop.gui.unlock_screen import UnlockScreen
from tests.gui.conftest import PASSPHRASE, WRONG_PASSPHRASE, MemoryKeyring, VaultFactory, drain

UNLOCK_TIMEOUT_MS = 30_000


def shown_screen(qtbot: QtBot, bridge: VaultBridge) -> UnlockScreen:
    screen = UnlockScreen(bridge)
    qtbot.addWidget(screen)
    screen.resize(1000, 700)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)  # key clicks go to the active window (xcb, no WM)
    screen.prepare()
    return screen


@pytest.fixture
def screen(qtbot: QtBot, bridge: VaultBridge) -> UnlockScreen:
    return shown_screen(qtbot, bridge)


def test_prepare_shows_the_vault_and_focuses_an_empty_field(
    qtbot: QtBot, screen: UnlockScreen, bridge: VaultBridge
) -> None:
    screen.passphrase_edit.setText("left over")
    screen.error.show()
    screen.prepare()
    assert screen.vault_name_label.text() == "team"
    assert screen.folder_label.toolTip() == str(bridge.folder)
    assert screen.passphrase_edit.text() == ""
    assert screen.passphrase_edit.echoMode() == QLineEdit.EchoMode.Password
    assert screen.passphrase_edit.accessibleName() == "Passphrase"
    assert not screen.error.isVisible()
    assert not screen.demo_hint.isVisible()
    assert screen.focusWidget() is screen.passphrase_edit


def test_wrong_passphrase_says_so_and_keeps_the_focus(
    qtbot: QtBot, screen: UnlockScreen, bridge: VaultBridge
) -> None:
    failures: list[str] = []
    bridge.unlock_failed.connect(failures.append)
    qtbot.keyClicks(screen.passphrase_edit, WRONG_PASSPHRASE)
    with qtbot.waitSignal(bridge.unlock_failed, timeout=UNLOCK_TIMEOUT_MS):
        qtbot.keyClick(screen.passphrase_edit, Qt.Key.Key_Return)
        # The KDF runs on a worker: the UI is back before the answer, showing that it works.
        assert failures == []
        assert screen.busy.isVisible()
        assert not screen.unlock_button.isEnabled()
        assert screen.passphrase_edit.isReadOnly()
    assert screen.error.isVisible()
    assert "did not unlock the vault" in screen.error.text()
    assert not screen.busy.isVisible()
    assert screen.unlock_button.isEnabled()
    assert not screen.passphrase_edit.isReadOnly()
    assert screen.focusWidget() is screen.passphrase_edit
    assert screen.passphrase_edit.selectedText() == WRONG_PASSPHRASE  # retype over it
    assert not bridge.is_unlocked
    qtbot.keyClicks(screen.passphrase_edit, "x")
    assert not screen.error.isVisible()


def test_right_passphrase_unlocks_and_clears_the_field(
    qtbot: QtBot, screen: UnlockScreen, bridge: VaultBridge
) -> None:
    qtbot.keyClicks(screen.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=UNLOCK_TIMEOUT_MS):
        qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    assert bridge.is_unlocked
    assert screen.passphrase_edit.text() == ""
    assert not screen.busy.isVisible()


def test_the_recovery_code_unlocks_too(qtbot: QtBot, new_vault_bridge: VaultBridge) -> None:
    from intsec_desktop.core import services
    from intsec_desktop.core.vault.crypto import KdfParams

    session, created = services.create_vault(
        new_vault_bridge.folder, PASSPHRASE, KdfParams.floor(), keyring_store=None
    )
    session.close()
    screen = shown_screen(qtbot, new_vault_bridge)
    qtbot.keyClicks(screen.passphrase_edit, created.recovery_code)
    with qtbot.waitSignal(new_vault_bridge.vault_unlocked, timeout=UNLOCK_TIMEOUT_MS):
        qtbot.keyClick(screen.passphrase_edit, Qt.Key.Key_Return)


def test_double_click_starts_one_unlock(
    qtbot: QtBot, screen: UnlockScreen, bridge: VaultBridge
) -> None:
    started: list[bool] = []
    bridge.unlock_started.connect(lambda: started.append(True))
    qtbot.keyClicks(screen.passphrase_edit, PASSPHRASE)
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=UNLOCK_TIMEOUT_MS):
        qtbot.mouseDClick(screen.unlock_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
        qtbot.keyClick(screen.passphrase_edit, Qt.Key.Key_Return)
    drain(bridge)  # nothing else was queued behind the first unlock
    assert started == [True]


def test_empty_passphrase_asks_for_one_without_starting(
    qtbot: QtBot, screen: UnlockScreen, bridge: VaultBridge
) -> None:
    with qtbot.assertNotEmitted(bridge.unlock_started):
        qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
    assert screen.error.isVisible()
    assert "Enter the passphrase" in screen.error.text()
    assert screen.focusWidget() is screen.passphrase_edit


def test_a_megabyte_paste_is_capped_and_simply_fails(
    qtbot: QtBot, screen: UnlockScreen, bridge: VaultBridge
) -> None:
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("x" * 1_000_000)
    try:
        screen.passphrase_edit.paste()
    finally:
        clipboard.clear()
    assert len(screen.passphrase_edit.text()) == PASSPHRASE_MAX_LENGTH
    with qtbot.waitSignal(bridge.unlock_failed, timeout=UNLOCK_TIMEOUT_MS):
        screen.unlock()
    assert "did not unlock" in screen.error.text()


def test_keyring_button_hidden_without_a_keyring_slot(screen: UnlockScreen) -> None:
    assert not screen.keyring_button.isVisible()


def test_keyring_button_hidden_when_the_keyring_is_unusable(
    qtbot: QtBot, make_vault: VaultFactory
) -> None:
    folder, _ = make_vault("remembered", keyring=MemoryKeyring())  # slot exists, keyring gone
    bridge = VaultBridge(folder)
    screen = shown_screen(qtbot, bridge)
    assert bridge.has_keyring_slot()
    assert not screen.keyring_button.isVisible()


def test_keyring_button_unlocks_without_a_passphrase(
    qtbot: QtBot, memory_keyring: MemoryKeyring, make_vault: VaultFactory
) -> None:
    folder, _ = make_vault("remembered", keyring=memory_keyring)
    bridge = VaultBridge(folder)
    screen = shown_screen(qtbot, bridge)
    assert screen.keyring_button.isVisible()
    started: list[bool] = []
    bridge.unlock_started.connect(lambda: started.append(True))
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=UNLOCK_TIMEOUT_MS):
        qtbot.mouseClick(screen.keyring_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(screen.keyring_button, Qt.MouseButton.LeftButton)
    drain(bridge)
    assert started == [True]
    bridge.lock()


def test_keyring_failure_is_shown_as_the_bridge_words_it(
    qtbot: QtBot, memory_keyring: MemoryKeyring, make_vault: VaultFactory
) -> None:
    folder, _ = make_vault("remembered", keyring=memory_keyring)
    memory_keyring.entries.clear()  # the device key was removed from the keyring
    bridge = VaultBridge(folder)
    screen = shown_screen(qtbot, bridge)
    with qtbot.waitSignal(bridge.unlock_failed, timeout=UNLOCK_TIMEOUT_MS) as failed:
        qtbot.mouseClick(screen.keyring_button, Qt.MouseButton.LeftButton)
    message = failed.args[0]
    assert screen.error.text() == message[:1].upper() + message[1:]
    assert screen.keyring_button.isEnabled()


def test_the_demo_vault_shows_its_passphrase(qtbot: QtBot, make_vault: VaultFactory) -> None:
    folder, _ = make_vault("demo")
    screen = shown_screen(qtbot, VaultBridge(folder))
    assert screen.demo_hint.isVisible()
    assert DEMO_PASSPHRASE in screen.demo_hint.text()


def test_use_a_different_vault_asks_for_the_wizard(qtbot: QtBot, screen: UnlockScreen) -> None:
    with qtbot.waitSignal(screen.other_vault_requested, timeout=1_000):
        qtbot.mouseClick(screen.other_vault_button, Qt.MouseButton.LeftButton)


def test_main_window_wires_the_wizard_both_ways(qtbot: QtBot, bridge: VaultBridge) -> None:
    window = MainWindow(bridge, AppSettings())
    qtbot.addWidget(window)
    assert window.screens.currentWidget() is window.unlock_screen
    window.unlock_screen.other_vault_button.click()
    assert window.screens.currentWidget() is window.wizard
    assert window.wizard.steps.currentWidget() is window.wizard.welcome
    window.wizard.welcome.back_button.click()
    assert window.screens.currentWidget() is window.unlock_screen


def test_tab_order_and_mnemonics(screen: UnlockScreen) -> None:
    assert screen.passphrase_edit.nextInFocusChain() is screen.unlock_button
    labels = {label.text(): label for label in screen.findChildren(QLabel)}
    assert labels["&Passphrase:"].buddy() is screen.passphrase_edit
    assert "&" in screen.unlock_button.text()
    assert "&" in screen.other_vault_button.text()
    assert screen.unlock_button.isDefault()


def test_a_rolled_back_vault_warns_in_the_window(
    qtbot: QtBot, make_vault: VaultFactory, tmp_path: Path
) -> None:
    """The warning the CLI prints at open (an older copy of the vault) is shown in the app."""
    folder, passphrase = make_vault()
    older = tmp_path / "older-copy"
    shutil.copytree(folder, older)
    with services.open_vault_with_secret(folder, passphrase) as session:  # the newer state
        session.add_customer("newer", "Newer Ltd", "eu")
    shutil.rmtree(folder)
    shutil.copytree(older, folder)  # replaced by the older copy
    bridge = VaultBridge(folder)
    window = MainWindow(bridge, AppSettings())
    qtbot.addWidget(window)
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=UNLOCK_TIMEOUT_MS):
        bridge.unlock_with_passphrase(passphrase)
    qtbot.waitUntil(lambda: window.notes_box is not None and window.notes_box.isVisible())
    assert window.notes_box is not None
    assert "rolled back" in window.notes_box.text()
    assert "rolled back" in window.statusBar().currentMessage()
    window.notes_box.accept()
    drain(bridge)
    bridge.lock()
