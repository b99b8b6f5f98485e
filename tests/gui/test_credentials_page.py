"""The credentials page on a real vault: loading, sorting, filtering, keyboard actions, reacting
to bridge signals, locking. Reveal and copy are in test_credential_detail.py."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from intsec_desktop.core.model import Status
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.clipboard import SecureClipboard
from intsec_desktop.gui.dialogs.credential_dialog import CredentialDialog
from intsec_desktop.gui.models.credentials_model import Column
from intsec_desktop.gui.pages.credential_detail import MASK
from intsec_desktop.gui.pages.credentials_page import CredentialsPage
from tests.gui.credentials_helpers import (
    DEMO_CREDENTIALS,
    KNOWN_SECRET,
    DemoVault,
    all_cell_texts,
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

TOTAL = DEMO_CREDENTIALS + 2
KNOWN_TEXT = KNOWN_SECRET.decode()


def visible_texts(page: CredentialsPage) -> list[str]:
    texts = [label.text() for label in page.findChildren(QLabel)]
    texts += all_cell_texts(page.proxy, (0, 3, 11))  # display, tooltip, accessible text
    return texts


# --- loading and the table ------------------------------------------------------------------


def test_unlock_loads_every_credential(page: CredentialsPage) -> None:
    assert page.model.rowCount() == TOTAL
    assert page.count.text() == f"{TOTAL} of {TOTAL} credentials"
    assert page.filter_bar.integration.count() > 1
    assert page.detail.credential_id is None


def test_page_built_after_unlock_loads_too(
    qtbot: QtBot, demo_bridge: VaultBridge, clipboard: SecureClipboard
) -> None:
    late = CredentialsPage(demo_bridge, clipboard, AppSettings())
    qtbot.addWidget(late)
    assert late.model.rowCount() == TOTAL


def test_clicking_a_header_sorts(qtbot: QtBot, page: CredentialsPage) -> None:
    header = page.table.horizontalHeader()
    x = header.sectionViewportPosition(Column.OWNER) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    owners = [page.proxy.index(r, Column.OWNER).data() for r in range(page.proxy.rowCount())]
    assert owners == sorted(owners)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    owners = [page.proxy.index(r, Column.OWNER).data() for r in range(page.proxy.rowCount())]
    assert owners == sorted(owners, reverse=True)


def test_the_page_never_shows_a_secret_until_revealed(
    page: CredentialsPage, demo_vault: DemoVault
) -> None:
    select(page, demo_vault.known_id)
    assert page.detail.secret_view.toPlainText() == MASK
    texts = visible_texts(page)
    assert not [t for t in texts if KNOWN_TEXT in t]
    page.detail.reveal()
    # Revealed in the detail pane only: the table and every label still do not carry it.
    assert page.detail.secret_view.toPlainText() == KNOWN_TEXT
    assert not [t for t in visible_texts(page) if KNOWN_TEXT in t]


# --- filtering ------------------------------------------------------------------------------


def test_filter_bar_narrows_and_counts(qtbot: QtBot, page: CredentialsPage) -> None:
    qtbot.keyClicks(page.filter_bar.text, "bamboohr acme")
    shown = page.proxy.rowCount()
    assert 0 < shown < TOTAL
    assert page.count.text() == f"{shown} of {TOTAL} credentials"
    bar = page.filter_bar
    bar.text.clear()
    bar.status.setCurrentIndex(bar.status.findText("Needs attention"))
    statuses = {
        page.model.listing(page.proxy.mapToSource(page.proxy.index(r, 0)).row()).status
        for r in range(page.proxy.rowCount())
    }
    assert statuses
    assert Status.OK not in statuses
    bar.environment.setCurrentIndex(bar.environment.findData("staging"))
    bar.integration.setCurrentIndex(bar.integration.findData("bamboohr"))
    assert all(
        page.proxy.index(r, Column.INTEGRATION).data() == "bamboohr"
        and page.proxy.index(r, Column.ENVIRONMENT).data() == "staging"
        for r in range(page.proxy.rowCount())
    )


def test_keyboard_find_and_enter(qtbot: QtBot, page: CredentialsPage) -> None:
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.filter_bar.text.hasFocus()
    qtbot.keyClicks(page.filter_bar.text, "workday")
    qtbot.keyClick(page.filter_bar.text, Qt.Key.Key_Delete)  # edits the text, deletes nothing
    assert page.model.rowCount() == TOTAL
    qtbot.keyClick(page.filter_bar.text, Qt.Key.Key_Return)
    assert page.table.hasFocus()
    listing = page.selected_listing()
    assert listing is not None
    assert listing.credential.integration == "workday"


def test_escape_clears_the_filter_and_the_empty_state_says_why(
    qtbot: QtBot, page: CredentialsPage
) -> None:
    qtbot.keyClicks(page.filter_bar.text, "matches nothing at all")
    assert page.proxy.rowCount() == 0
    assert "No credential matches the filter" in page.detail.empty.text()
    qtbot.keyClick(page.filter_bar.text, Qt.Key.Key_Escape)
    assert page.filter_bar.text.text() == ""
    assert page.proxy.rowCount() == TOTAL
    assert page.detail.empty.text() == "Select a credential to see its details."


def test_combos_follow_catalog_changes(page: CredentialsPage, demo_bridge: VaultBridge) -> None:
    bar = page.filter_bar
    bar.integration.setCurrentIndex(bar.integration.findData("xero"))
    demo_bridge.add_integration(
        slug="personio2", name="Personio Two", category="hris", method="api"
    )
    assert bar.integration.findData("personio2") > 0
    assert bar.integration.currentData() == "xero"  # the choice survives the refill
    demo_bridge.add_customer(slug="newco", name="NewCo", region="eu")
    assert page.filter_bar.customer.findData("newco") > 0


# --- bridge signals -------------------------------------------------------------------------


def test_changes_through_the_bridge_show_up(
    page: CredentialsPage, demo_bridge: VaultBridge, demo_vault: DemoVault
) -> None:
    created = demo_bridge.add_credential(
        integration="lever", name="fresh_key", secret=b"fresh value 123", customer="hooli"
    )
    assert page.model.row_of(created.id) is not None
    assert page.count.text() == f"{TOTAL + 1} of {TOTAL + 1} credentials"

    select(page, demo_vault.known_id)
    demo_bridge.rotate_credential(demo_vault.known_id, b"rotated value 456")
    assert page.detail.versions.rowCount() == 2
    assert page.detail.fields["Version"].text() == "2"

    demo_bridge.remove_credential(created.id)
    assert page.model.row_of(created.id) is None


def test_reload_keeps_the_selection(
    page: CredentialsPage, demo_bridge: VaultBridge, demo_vault: DemoVault
) -> None:
    select(page, demo_vault.known_id)
    demo_bridge.credentials_reloaded.emit()
    assert page.detail.credential_id == demo_vault.known_id
    listing = page.selected_listing()
    assert listing is not None
    assert listing.credential.id == demo_vault.known_id


def test_lock_clears_everything(
    page: CredentialsPage,
    demo_bridge: VaultBridge,
    clipboard: SecureClipboard,
    demo_vault: DemoVault,
) -> None:
    select(page, demo_vault.known_id)
    page.detail.reveal()
    page.detail.copy_secret()
    page.filter_bar.text.setText("bamboohr")
    demo_bridge.lock()
    assert page.model.rowCount() == 0
    assert page.count.text() == "0 of 0 credentials"
    assert page.detail.credential_id is None
    assert page.detail.secret_view.toPlainText() == MASK
    assert QGuiApplication.clipboard().text() == ""
    assert page.filter_bar.text.text() == ""
    assert not page.add_action.isEnabled()


# --- actions --------------------------------------------------------------------------------


def test_add_from_the_page_selects_the_new_row(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, page: CredentialsPage
) -> None:
    def fill_and_ok(dialog: CredentialDialog) -> int:
        dialog.name.setText("added_here")
        assert dialog.secret is not None
        dialog.secret.line.setText("a value from the page")
        dialog.buttons.accepted.emit()
        return dialog.result()

    monkeypatch.setattr(CredentialDialog, "exec", fill_and_ok)
    page.filter_bar.text.setText("no-match-at-all")
    page.table.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    listing = page.selected_listing()
    assert listing is not None
    assert listing.credential.name == "added_here"
    assert page.filter_bar.text.text() == ""  # the filter hid it, so the filter was reset


def test_enter_and_f2_edit(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, page: CredentialsPage, demo_vault: DemoVault
) -> None:
    opened: list[str] = []

    def record(dialog: CredentialDialog) -> int:
        opened.append(dialog.windowTitle())
        return 0

    monkeypatch.setattr(CredentialDialog, "exec", record)
    select(page, demo_vault.known_id)
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    assert opened == ["Edit credential", "Edit credential"]


@pytest.mark.parametrize(
    ("answer", "removed"),
    [(QMessageBox.StandardButton.Yes, True), (QMessageBox.StandardButton.Cancel, False)],
)
def test_delete_asks_first(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    page: CredentialsPage,
    demo_bridge: VaultBridge,
    demo_vault: DemoVault,
    answer: QMessageBox.StandardButton,
    removed: bool,
) -> None:
    asked: list[str] = []

    def question(
        _parent: object, _title: str, text: str, *_args: object
    ) -> QMessageBox.StandardButton:
        asked.append(text)
        return answer

    monkeypatch.setattr(QMessageBox, "question", question)
    select(page, demo_vault.known_id)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert asked
    assert "bamboohr / acme / staging / known_key" in asked[0]
    assert (page.model.row_of(demo_vault.known_id) is None) is removed
    assert (len(demo_bridge.list_credentials()) == TOTAL - 1) is removed
