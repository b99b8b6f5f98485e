"""The wizard's welcome step: open an existing vault folder, try the demo, or go back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.app import demo_vault_dir
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.wizard import FirstRunWizard
from tests.gui.conftest import VaultFactory


def test_open_existing_refuses_a_folder_that_is_not_a_vault(
    qtbot: QtBot, wizard: FirstRunWizard, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    not_a_vault = tmp_path / "photos"
    not_a_vault.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(not_a_vault))
    with qtbot.assertNotEmitted(wizard.open_existing_requested):
        qtbot.mouseClick(wizard.welcome.open_button, Qt.MouseButton.LeftButton)
    assert wizard.welcome.error.isVisible()
    assert "keyslots.json" in wizard.welcome.error.text()
    assert str(not_a_vault) in wizard.welcome.error.text()


def test_open_existing_points_the_bridge_at_the_vault(
    qtbot: QtBot,
    wizard: FirstRunWizard,
    new_vault_bridge: VaultBridge,
    monkeypatch: pytest.MonkeyPatch,
    make_vault: VaultFactory,
) -> None:
    folder, _ = make_vault()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    with qtbot.waitSignal(wizard.open_existing_requested, timeout=1_000):
        qtbot.mouseClick(wizard.welcome.open_button, Qt.MouseButton.LeftButton)
    assert new_vault_bridge.folder == folder
    assert not wizard.welcome.error.isVisible()


def test_cancelling_the_folder_dialog_does_nothing(
    qtbot: QtBot,
    wizard: FirstRunWizard,
    new_vault_bridge: VaultBridge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = new_vault_bridge.folder
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    with qtbot.assertNotEmitted(wizard.open_existing_requested):
        qtbot.mouseClick(wizard.welcome.open_button, Qt.MouseButton.LeftButton)
    assert new_vault_bridge.folder == before
    assert not wizard.welcome.error.isVisible()


def test_demo_vault_is_built_off_the_ui_thread_then_opened(
    qtbot: QtBot, wizard: FirstRunWizard, new_vault_bridge: VaultBridge
) -> None:
    with qtbot.waitSignal(wizard.open_existing_requested, timeout=30_000):
        qtbot.mouseClick(wizard.welcome.demo_button, Qt.MouseButton.LeftButton)
        assert wizard.welcome.busy.isVisible()
        assert not wizard.welcome.create_button.isEnabled()
    assert new_vault_bridge.folder == demo_vault_dir()
    assert new_vault_bridge.vault_exists()
    assert not wizard.welcome.busy.isVisible()
    # A second visit opens the same demo vault without rebuilding it.
    with qtbot.waitSignal(wizard.open_existing_requested, timeout=1_000):
        wizard.try_demo()


def test_back_to_unlock_only_when_a_vault_exists(
    qtbot: QtBot, bridge: VaultBridge, new_vault_bridge: VaultBridge
) -> None:
    first_run = FirstRunWizard(new_vault_bridge, AppSettings())
    returning = FirstRunWizard(bridge, AppSettings())
    for wizard in (first_run, returning):
        qtbot.addWidget(wizard)
        wizard.show()
    assert not first_run.welcome.back_button.isVisible()
    assert returning.welcome.back_button.isVisible()
    with qtbot.waitSignal(returning.open_existing_requested, timeout=1_000):
        qtbot.mouseClick(returning.welcome.back_button, Qt.MouseButton.LeftButton)


def test_welcome_choices_have_mnemonics_and_tab_stops(wizard: FirstRunWizard) -> None:
    welcome = wizard.welcome
    choices = [welcome.create_button, welcome.open_button, welcome.demo_button]
    assert [button.text().count("&") for button in choices] == [1, 1, 1]
    assert all(button.focusPolicy() & Qt.FocusPolicy.TabFocus for button in choices)
    assert welcome.create_button.nextInFocusChain() is welcome.open_button
    assert wizard.focusWidget() is welcome.create_button


def test_the_back_button_names_the_vault(qtbot: QtBot, bridge: VaultBridge) -> None:
    wizard = FirstRunWizard(bridge, AppSettings())
    qtbot.addWidget(wizard)
    assert wizard.welcome.back_button.text() == "&Back to team"
