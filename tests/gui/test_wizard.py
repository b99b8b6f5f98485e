"""The first-run wizard: create (with validation, busy state and the one-time recovery code),
open an existing folder, and the demo vault."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from intsec_desktop.core import paths
from intsec_desktop.core.errors import KeyringUnavailableError
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore, KeyringStatus
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.main_window import MainWindow
from intsec_desktop.gui.setup_widgets import PASSPHRASE_MAX_LENGTH
from intsec_desktop.gui.wizard import FirstRunWizard
from intsec_desktop.gui.wizard_create import CreateVaultStep
from tests.gui.conftest import (
    PASSPHRASE,
    TEST_BACKEND,
    UNUSABLE,
    MemoryKeyring,
    VaultFactory,
)

RECOVERY_CODE = re.compile(r"^[A-Z2-9]{4}(-[A-Z2-9]{4}){7}$")


def open_create_step(qtbot: QtBot, wizard: FirstRunWizard) -> CreateVaultStep:
    qtbot.mouseClick(wizard.welcome.create_button, Qt.MouseButton.LeftButton)
    assert wizard.steps.currentWidget() is wizard.create_step
    return wizard.create_step


def type_passphrases(qtbot: QtBot, step: CreateVaultStep, first: str, second: str) -> None:
    qtbot.keyClicks(step.passphrase_edit, first)
    qtbot.keyClicks(step.repeat_edit, second)


def all_texts(widget: QWidget) -> str:
    labels = [label.text() for label in widget.findChildren(QLabel)]
    edits = [edit.text() for edit in widget.findChildren(QLineEdit)]
    return "\n".join(labels + edits)


def test_create_a_vault_and_confirm_the_recovery_code(
    qtbot: QtBot, wizard: FirstRunWizard, new_vault_bridge: VaultBridge
) -> None:
    step = open_create_step(qtbot, wizard)
    expected = paths.data_dir() / "default.intsec"
    assert step.name_edit.text() == "default"
    assert step.folder_label.text() == str(expected)
    type_passphrases(qtbot, step, PASSPHRASE, PASSPHRASE)
    assert "very strong" in step.meter.verdict.text()

    with qtbot.waitSignal(new_vault_bridge.vault_created, timeout=30_000) as created:
        qtbot.mouseClick(step.create_button, Qt.MouseButton.LeftButton)
        assert wizard.is_showing_recovery_code()  # the main window must not jump ahead

    code = created.args[0].recovery_code
    recovery = wizard.recovery_step
    assert wizard.steps.currentWidget() is recovery
    assert wizard.is_showing_recovery_code()
    assert RECOVERY_CODE.match(recovery.code_label.text())
    assert recovery.code_label.text() == code
    assert step.passphrase_edit.text() == ""
    assert step.repeat_edit.text() == ""
    assert new_vault_bridge.is_unlocked
    assert new_vault_bridge.folder == expected

    assert not recovery.continue_button.isEnabled()
    qtbot.mouseClick(recovery.continue_button, Qt.MouseButton.LeftButton)  # still gated
    assert wizard.steps.currentWidget() is recovery
    recovery.saved_check.setChecked(True)
    assert recovery.continue_button.isEnabled()
    with qtbot.waitSignal(wizard.setup_finished, timeout=1_000):
        qtbot.mouseClick(recovery.continue_button, Qt.MouseButton.LeftButton)

    assert not wizard.is_showing_recovery_code()
    assert code not in all_texts(wizard)
    assert not recovery.saved_check.isChecked()


def test_tests_create_with_the_kdf_floor(
    qtbot: QtBot, wizard: FirstRunWizard, new_vault_bridge: VaultBridge
) -> None:
    step = open_create_step(qtbot, wizard)
    type_passphrases(qtbot, step, PASSPHRASE, PASSPHRASE)
    with qtbot.waitSignal(new_vault_bridge.vault_created, timeout=30_000):
        step.create_vault()
    slots = json.loads(paths.keyslots_path(new_vault_bridge.folder).read_text())
    passphrase_slot = next(slot for slot in slots["slots"] if slot["kind"] == "passphrase")
    assert passphrase_slot["kdf"]["memory_kib"] == KdfParams.FLOOR_MEMORY_KIB


def test_the_vault_is_unlocked_before_its_code_is_shown(
    qtbot: QtBot, wizard: FirstRunWizard, new_vault_bridge: VaultBridge
) -> None:
    """The bridge emits vault_unlocked first: the wizard must already claim the screen then."""
    claims: list[bool] = []
    new_vault_bridge.vault_unlocked.connect(
        lambda: claims.append(wizard.is_showing_recovery_code())
    )
    step = open_create_step(qtbot, wizard)
    type_passphrases(qtbot, step, PASSPHRASE, PASSPHRASE)
    with qtbot.waitSignal(new_vault_bridge.vault_created, timeout=30_000):
        step.create_vault()
    assert claims == [True]


def test_busy_while_creating_and_enter_twice_creates_once(
    qtbot: QtBot, wizard: FirstRunWizard, new_vault_bridge: VaultBridge
) -> None:
    step = open_create_step(qtbot, wizard)
    type_passphrases(qtbot, step, PASSPHRASE, PASSPHRASE)
    created: list[object] = []
    new_vault_bridge.vault_created.connect(created.append)
    failures: list[str] = []
    new_vault_bridge.create_failed.connect(failures.append)

    qtbot.keyClick(step.repeat_edit, Qt.Key.Key_Return)
    # The work runs on a worker thread: control is back here before the vault exists.
    assert created == []
    assert step.busy.isVisible()
    assert not step.create_button.isEnabled()
    assert not step.form_widget.isEnabled()
    step.create_vault()  # a second Enter or click while busy

    qtbot.waitUntil(lambda: bool(created), timeout=30_000)
    assert not step.busy.isVisible()
    assert failures == []
    assert len(created) == 1


def test_empty_passphrase_is_refused_beside_the_field(
    qtbot: QtBot, wizard: FirstRunWizard, new_vault_bridge: VaultBridge
) -> None:
    step = open_create_step(qtbot, wizard)
    qtbot.mouseClick(step.create_button, Qt.MouseButton.LeftButton)
    assert step.passphrase_error.isVisible()
    assert step.passphrase_error.text() == "Enter a passphrase."
    assert not step.repeat_error.isVisible()
    assert not step.is_creating()
    assert wizard.focusWidget() is step.passphrase_edit
    assert not new_vault_bridge.folder.exists()


def test_mismatched_passphrases_are_refused(
    qtbot: QtBot, wizard: FirstRunWizard, new_vault_bridge: VaultBridge
) -> None:
    step = open_create_step(qtbot, wizard)
    type_passphrases(qtbot, step, PASSPHRASE, PASSPHRASE + "!")
    qtbot.mouseClick(step.create_button, Qt.MouseButton.LeftButton)
    assert step.repeat_error.isVisible()
    assert step.repeat_error.text() == "The passphrases do not match."
    assert not step.is_creating()
    assert wizard.focusWidget() is step.repeat_edit
    assert step.repeat_edit.selectedText() == step.repeat_edit.text()
    qtbot.keyClicks(step.repeat_edit, "x")
    assert not step.repeat_error.isVisible()  # typing clears the stale message


def test_a_weak_passphrase_is_allowed_but_rated(
    qtbot: QtBot, wizard: FirstRunWizard, new_vault_bridge: VaultBridge
) -> None:
    """No composition rules: the meter says so, the choice stays the user's."""
    step = open_create_step(qtbot, wizard)
    type_passphrases(qtbot, step, "hunter2", "hunter2")
    assert "very weak" in step.meter.verdict.text()
    assert "common" in step.meter.feedback.text()
    with qtbot.waitSignal(new_vault_bridge.vault_created, timeout=30_000):
        qtbot.mouseClick(step.create_button, Qt.MouseButton.LeftButton)


def test_name_and_folder_problems_are_shown_live(
    qtbot: QtBot, wizard: FirstRunWizard, make_vault: VaultFactory
) -> None:
    step = open_create_step(qtbot, wizard)
    step.name_edit.setText("../escape")
    assert step.name_error.isVisible()
    assert "slashes" in step.name_error.text()
    existing, _ = make_vault("taken")
    step.location_edit.setText(str(existing.parent))
    step.name_edit.setText("taken")
    assert "already exists" in step.name_error.text()
    qtbot.mouseClick(step.create_button, Qt.MouseButton.LeftButton)
    assert not step.is_creating()
    step.name_edit.setText("fresh.intsec")  # the suffix is not doubled
    assert not step.name_error.isVisible()
    assert step.folder_label.text() == str(existing.parent / "fresh.intsec")


def test_the_default_name_avoids_an_existing_vault(
    qtbot: QtBot, new_vault_bridge: VaultBridge
) -> None:
    taken = paths.data_dir() / "default.intsec"
    taken.mkdir(parents=True)
    (taken / "keyslots.json").write_text("{}")
    wizard = FirstRunWizard(new_vault_bridge, AppSettings())
    qtbot.addWidget(wizard)
    assert wizard.create_step.name_edit.text() == "default-2"


def test_show_passphrase_unmasks_both_fields(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    step = open_create_step(qtbot, wizard)
    qtbot.keyClick(step.show_check, Qt.Key.Key_Space)
    assert step.passphrase_edit.echoMode() == QLineEdit.EchoMode.Normal
    assert step.repeat_edit.echoMode() == QLineEdit.EchoMode.Normal
    step.show_check.setChecked(False)
    assert step.passphrase_edit.echoMode() == QLineEdit.EchoMode.Password


def test_keyring_checkbox_is_disabled_with_the_reason(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, new_vault_bridge: VaultBridge
) -> None:
    monkeypatch.setattr(DeviceKeyStore, "detect", classmethod(lambda cls: UNUSABLE))
    wizard = FirstRunWizard(VaultBridge(new_vault_bridge.folder), AppSettings())
    qtbot.addWidget(wizard)
    step = wizard.create_step
    assert not step.keyring_check.isEnabled()
    assert not step.keyring_check.isChecked()
    assert "unavailable" in step.keyring_check.text()
    assert "keyring.backends.fail.Keyring" in step.keyring_reason.text()
    assert "a passphrase is needed" in step.keyring_reason.text()


def test_keyring_checkbox_names_the_backend_and_stores_the_device_key(
    qtbot: QtBot, memory_keyring: MemoryKeyring, new_vault_bridge: VaultBridge
) -> None:
    wizard = FirstRunWizard(new_vault_bridge, AppSettings())
    qtbot.addWidget(wizard)
    wizard.show()
    step = open_create_step(qtbot, wizard)
    assert step.keyring_check.isEnabled()
    assert step.keyring_check.isChecked()
    assert f"OS keyring: {TEST_BACKEND.rsplit('.', 2)[-2]}" in step.keyring_check.text()
    type_passphrases(qtbot, step, PASSPHRASE, PASSPHRASE)
    with qtbot.waitSignal(new_vault_bridge.vault_created, timeout=30_000):
        step.create_vault()
    assert memory_keyring.entries  # the device key went to the (test) keyring
    assert new_vault_bridge.has_keyring_slot()
    assert "OS keyring" in wizard.recovery_step.keyring_note.text()


def test_create_failure_is_shown_inline_and_the_form_comes_back(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, new_vault_bridge: VaultBridge
) -> None:
    def refuse(cls: type[DeviceKeyStore]) -> DeviceKeyStore:
        raise KeyringUnavailableError("the OS keyring is locked")

    usable = KeyringStatus(True, "keyring.backends.SecretService.Keyring", "ok")
    monkeypatch.setattr(DeviceKeyStore, "detect", classmethod(lambda cls: usable))
    monkeypatch.setattr(DeviceKeyStore, "default", classmethod(refuse))
    wizard = FirstRunWizard(new_vault_bridge, AppSettings())
    qtbot.addWidget(wizard)
    wizard.show()
    step = open_create_step(qtbot, wizard)
    type_passphrases(qtbot, step, PASSPHRASE, PASSPHRASE)
    with qtbot.waitSignal(new_vault_bridge.create_failed, timeout=30_000):
        qtbot.mouseClick(step.create_button, Qt.MouseButton.LeftButton)
    assert step.error.isVisible()
    assert step.error.text() == "The OS keyring is locked"
    assert step.create_button.isEnabled()
    assert step.form_widget.isEnabled()
    assert not step.busy.isVisible()
    assert step.passphrase_edit.text() == PASSPHRASE  # untick the keyring box and retry
    assert wizard.steps.currentWidget() is step
    assert not wizard.is_showing_recovery_code()


def test_a_megabyte_paste_is_capped(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    step = open_create_step(qtbot, wizard)
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("x" * 1_000_000)
    try:
        step.passphrase_edit.paste()
    finally:
        clipboard.clear()
    assert len(step.passphrase_edit.text()) == PASSPHRASE_MAX_LENGTH
    assert "very weak" in step.meter.verdict.text()  # one repeated character


def test_back_returns_to_the_welcome_step_and_clears_the_passphrase(
    qtbot: QtBot, wizard: FirstRunWizard
) -> None:
    step = open_create_step(qtbot, wizard)
    qtbot.keyClicks(step.passphrase_edit, PASSPHRASE)
    qtbot.mouseClick(step.back_button, Qt.MouseButton.LeftButton)
    assert wizard.steps.currentWidget() is wizard.welcome
    open_create_step(qtbot, wizard)
    assert step.passphrase_edit.text() == ""


def test_every_create_control_has_a_name_and_a_tab_stop(
    qtbot: QtBot, wizard: FirstRunWizard
) -> None:
    step = open_create_step(qtbot, wizard)
    expected = [
        step.name_edit,
        step.location_edit,
        step.browse_button,
        step.passphrase_edit,
        step.repeat_edit,
        step.show_check,
        step.keyring_check,
        step.back_button,
        step.create_button,
    ]
    chain: list[QWidget] = []
    widget = step.name_edit
    while len(chain) < len(expected):
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isEnabled():
            chain.append(widget)
        widget = widget.nextInFocusChain()
    enabled = [w for w in expected if w.isEnabled()]  # the keyring box is off without a keyring
    assert chain[: len(enabled)] == enabled
    for label in step.findChildren(QLabel):
        if label.text().startswith(("Vault &name", "&Location", "&Passphrase", "&Repeat")):
            assert label.buddy() is not None
    assert step.passphrase_edit.accessibleName() == "Passphrase"
    assert step.repeat_edit.accessibleName() == "Repeat passphrase"


def test_the_main_window_waits_for_the_recovery_code(
    qtbot: QtBot, new_vault_bridge: VaultBridge
) -> None:
    window = MainWindow(new_vault_bridge, AppSettings())
    qtbot.addWidget(window)
    window.show()
    assert window.screens.currentWidget() is window.wizard
    step = open_create_step(qtbot, window.wizard)
    type_passphrases(qtbot, step, PASSPHRASE, PASSPHRASE)
    with qtbot.waitSignal(new_vault_bridge.vault_created, timeout=30_000):
        step.create_vault()
    assert window.screens.currentWidget() is window.wizard  # the code is on screen
    window.wizard.recovery_step.saved_check.setChecked(True)
    window.wizard.recovery_step.continue_button.click()
    assert window.screens.currentWidget() is window.workspace


def test_locking_on_the_recovery_step_drops_the_code(
    qtbot: QtBot, wizard: FirstRunWizard, new_vault_bridge: VaultBridge
) -> None:
    step = open_create_step(qtbot, wizard)
    type_passphrases(qtbot, step, PASSPHRASE, PASSPHRASE)
    with qtbot.waitSignal(new_vault_bridge.vault_created, timeout=30_000) as created:
        step.create_vault()
    new_vault_bridge.lock()  # Ctrl+L works on every screen
    assert not wizard.is_showing_recovery_code()
    assert wizard.steps.currentWidget() is wizard.welcome
    assert created.args[0].recovery_code not in all_texts(wizard)
