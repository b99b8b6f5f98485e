"""Reveal and copy on the credentials page with a real vault: the mask, the re-mask timer,
binary values, the clipboard's hint and clearing, and roles that cannot reveal."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from intsec_desktop.core.model import Member, Role
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.clipboard import SecureClipboard
from intsec_desktop.gui.pages.credential_detail import BINARY_NOTE, MASK
from intsec_desktop.gui.pages.credentials_page import CredentialsPage
from tests.gui.credentials_helpers import (
    BINARY_SECRET,
    KNOWN_SECRET,
    DemoVault,
    clipboard,
    demo_bridge,
    demo_template,
    demo_vault,
    page,
    select,
)

__all__ = ["clipboard", "demo_bridge", "demo_template", "demo_vault", "page"]  # fixtures

# The offscreen platform says this whenever a top-level window with a minimum size is shown.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

KNOWN_TEXT = KNOWN_SECRET.decode()


# --- reveal and copy ------------------------------------------------------------------------


def test_reveal_shows_then_masks_itself(
    qtbot: QtBot, page: CredentialsPage, demo_vault: DemoVault
) -> None:
    page.apply_settings(replace(AppSettings(), reveal_seconds=1))
    select(page, demo_vault.known_id)
    qtbot.keyClick(
        page.table,
        Qt.Key.Key_R,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert page.detail.secret_view.toPlainText() == KNOWN_TEXT
    assert page.detail.countdown.text() == "Hides in 1 s"
    qtbot.waitUntil(lambda: page.detail.secret_view.toPlainText() == MASK, timeout=5000)
    assert page.detail.countdown.text() == ""
    assert not page.detail.is_revealed


def test_reveal_hides_when_the_selection_moves(
    page: CredentialsPage, demo_vault: DemoVault
) -> None:
    select(page, demo_vault.known_id)
    page.detail.reveal()
    select(page, demo_vault.binary_id)
    assert page.detail.secret_view.toPlainText() == MASK


def test_binary_value_is_revealed_as_hex_with_a_note(
    page: CredentialsPage, demo_vault: DemoVault
) -> None:
    select(page, demo_vault.binary_id)
    page.detail.reveal()
    assert page.detail.secret_view.toPlainText() == BINARY_SECRET.hex(" ")
    assert page.detail.secret_note.text() == BINARY_NOTE
    assert page.detail.secret_note.isVisibleTo(page.detail)


def test_binary_value_cannot_be_copied(
    qtbot: QtBot, page: CredentialsPage, demo_vault: DemoVault
) -> None:
    QGuiApplication.clipboard().setText("untouched")
    select(page, demo_vault.binary_id)
    qtbot.keyClick(page.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "untouched"
    assert "not UTF-8" in page.detail.feedback.text()


def test_copy_puts_value_and_hint_then_clears(
    qtbot: QtBot, page: CredentialsPage, clipboard: SecureClipboard, demo_vault: DemoVault
) -> None:
    clipboard.set_timeout_seconds(1)
    select(page, demo_vault.known_id)
    qtbot.keyClick(page.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.text() == KNOWN_TEXT
    assert bytes(mime.data("x-kde-passwordManagerHint").data()) == b"secret"
    assert page.detail.feedback.text() == "Copied; clears in 1 s"
    assert page.detail.secret_view.toPlainText() == MASK  # copying does not reveal
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == "", timeout=5000)
    assert page.detail.feedback.text() == "Clipboard cleared"


def test_copy_button_says_the_default_timeout(
    qtbot: QtBot, page: CredentialsPage, demo_vault: DemoVault
) -> None:
    select(page, demo_vault.known_id)
    qtbot.mouseClick(page.detail.copy_button, Qt.MouseButton.LeftButton)
    assert page.detail.feedback.text() == "Copied; clears in 30 s"


def test_roles_without_reveal_see_why(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    demo_bridge: VaultBridge,
    clipboard: SecureClipboard,
    demo_vault: DemoVault,
) -> None:
    monkeypatch.setattr(VaultBridge, "can_reveal", property(lambda self: False))
    monkeypatch.setattr(VaultBridge, "member", property(lambda self: Member("ana", Role.AUDITOR)))
    page = CredentialsPage(demo_bridge, clipboard, AppSettings())
    qtbot.addWidget(page)
    select(page, demo_vault.known_id)
    for button in (page.detail.reveal_button, page.detail.copy_button):
        assert not button.isEnabled()
        assert "auditor" in button.toolTip()
        assert "cannot reveal" in button.toolTip()
    for action in (
        page.reveal_action,
        page.copy_action,
        page.add_action,
        page.edit_action,
        page.rotate_action,
        page.delete_action,
    ):
        assert not action.isEnabled()
