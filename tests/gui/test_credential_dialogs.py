"""Add, edit and rotate dialogs against a real vault: messages land beside the right field,
oversized input is refused cleanly, secrets leave the widgets, double clicks add once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from intsec_desktop.core.model import CredentialKind
from intsec_desktop.core.validation import MAX_SECRET_BYTES
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.dialogs.credential_dialog import CredentialDialog, parse_reminder_days
from intsec_desktop.gui.dialogs.form_dialog import FormDialog
from intsec_desktop.gui.dialogs.rotate_dialog import RotateDialog, checklist_html
from tests.gui.credentials_helpers import (
    KNOWN_SECRET,
    DemoVault,
    demo_bridge,
    demo_template,
    demo_vault,
)

__all__ = ["demo_bridge", "demo_template", "demo_vault"]  # fixtures, imported for pytest

# The offscreen platform says this whenever a top-level window with a minimum size is shown.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NEW_SECRET = "rk_live_9d8c7b6a5f4e3d2c1b0a"


def ok_button(dialog: FormDialog) -> QPushButton:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def double_click(qtbot: QtBot, widget: QWidget) -> None:
    """What a real fast double click delivers: press, release, double-click, release
    (QTest's mouseDClick alone sends only the double-click event)."""
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton)
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton)


def open_add(qtbot: QtBot, bridge: VaultBridge, **preset: str) -> CredentialDialog:
    dialog = CredentialDialog(bridge, **preset)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill_add(dialog: CredentialDialog, name: str = "new_key", secret: str = NEW_SECRET) -> None:
    dialog.integration.setCurrentIndex(dialog.integration.findData("greenhouse"))
    dialog.customer.setCurrentIndex(dialog.customer.findData("globex"))
    dialog.environment.setCurrentIndex(dialog.environment.findData("staging"))
    dialog.name.setText(name)
    dialog.owner.setText("dana@example.com")
    assert dialog.secret is not None
    dialog.secret.line.setText(secret)


def count(bridge: VaultBridge) -> int:
    return len(bridge.list_credentials())


# --- add ------------------------------------------------------------------------------------


def test_add_stores_the_credential_and_clears_the_secret_field(
    qtbot: QtBot, demo_bridge: VaultBridge
) -> None:
    dialog = open_add(qtbot, demo_bridge)
    fill_add(dialog)
    dialog.expires.never.setChecked(False)
    dialog.expires.date.setDate(QDate(2027, 3, 31))
    dialog.rotate_every.setValue(60)
    dialog.reminders.setText("14, 3")
    dialog.notes.setPlainText("issued by the vendor portal")
    with qtbot.waitSignal(demo_bridge.credential_added) as added:
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert dialog.secret is not None
    assert dialog.secret.is_empty()
    stored = demo_bridge.get_credential(added.args[0]).credential
    assert (stored.integration, stored.customer, stored.environment.value, stored.name) == (
        "greenhouse",
        "globex",
        "staging",
        "new_key",
    )
    assert stored.expires_at == datetime(2027, 3, 31, tzinfo=UTC)
    assert stored.rotate_every_days == 60
    assert stored.reminder_days == (14, 3)
    assert stored.notes == "issued by the vendor portal"
    assert demo_bridge.reveal_secret(stored.id, "reveal") == NEW_SECRET.encode()


def test_invalid_name_is_reported_beside_the_name(qtbot: QtBot, demo_bridge: VaultBridge) -> None:
    before = count(demo_bridge)
    dialog = open_add(qtbot, demo_bridge)
    fill_add(dialog, name="Not A Valid Name!")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "name must be" in dialog.field_error("name")
    assert dialog.field_error("secret") == ""
    assert not dialog.banner.isVisible()
    assert dialog.secret is not None
    assert not dialog.secret.is_empty()
    assert count(demo_bridge) == before


def test_ten_thousand_character_owner_is_refused_beside_owner(
    qtbot: QtBot, demo_bridge: VaultBridge
) -> None:
    dialog = open_add(qtbot, demo_bridge)
    fill_add(dialog)
    dialog.owner.setText("o" * 10_000)
    assert len(dialog.owner.text()) == 10_000  # not silently cut
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert "owner is too long (10000 characters" in dialog.field_error("owner")
    assert dialog.isVisible()


def test_one_megabyte_paste_into_the_secret_is_refused_cleanly(
    qtbot: QtBot, demo_bridge: VaultBridge
) -> None:
    dialog = open_add(qtbot, demo_bridge)
    fill_add(dialog, secret="")
    assert dialog.secret is not None
    QGuiApplication.clipboard().setText("A" * 1_048_576)
    dialog.secret.line.setFocus()
    dialog.secret.line.paste()
    assert dialog.secret.is_empty()
    assert f"longer than {MAX_SECRET_BYTES:,} characters" in dialog.field_error("secret")
    QGuiApplication.clipboard().clear()

    dialog.secret.set_multi_line(True)  # the multi-line editor has no length limit of its own
    dialog.secret.block.setFocus()
    dialog.secret.block.insertPlainText("B" * (MAX_SECRET_BYTES + 10))
    assert dialog.secret.is_empty()
    assert "nothing was kept" in dialog.field_error("secret")


def test_short_secret_is_reported_beside_the_secret_and_field_cleared(
    qtbot: QtBot, demo_bridge: VaultBridge
) -> None:
    dialog = open_add(qtbot, demo_bridge)
    fill_add(dialog, secret="short")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert "at least 8" in dialog.field_error("secret")
    assert dialog.secret is not None
    assert dialog.secret.is_empty()


def test_bad_reminder_days_are_reported_beside_reminders(
    qtbot: QtBot, demo_bridge: VaultBridge
) -> None:
    dialog = open_add(qtbot, demo_bridge)
    fill_add(dialog)
    dialog.reminders.setText("30, soon")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert "whole numbers" in dialog.field_error("reminder days")
    dialog.reminders.setText("30, 9999")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert "1 to 3650" in dialog.field_error("reminder days")
    assert parse_reminder_days(" 30,7 1 ") == (30, 7, 1)


def test_duplicate_path_is_reported_in_the_banner(qtbot: QtBot, demo_bridge: VaultBridge) -> None:
    dialog = open_add(qtbot, demo_bridge)
    fill_add(dialog)
    dialog.integration.setCurrentIndex(dialog.integration.findData("bamboohr"))
    dialog.customer.setCurrentIndex(dialog.customer.findData("acme"))
    dialog.name.setText("known_key")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert "already exists" in dialog.banner.text()
    assert dialog.banner.isVisibleTo(dialog)


def test_fast_double_click_adds_one_credential(qtbot: QtBot, demo_bridge: VaultBridge) -> None:
    before = count(demo_bridge)
    dialog = open_add(qtbot, demo_bridge)
    fill_add(dialog)
    added: list[int] = []
    demo_bridge.credential_added.connect(added.append)
    double_click(qtbot, ok_button(dialog))
    ok_button(dialog).click()  # a click queued behind the first one still arrives
    assert len(added) == 1
    assert count(demo_bridge) == before + 1
    assert not dialog.banner.isVisibleTo(dialog)
    assert dialog.field_error("secret") == ""  # the late click was ignored, not re-validated


def test_private_key_kind_switches_to_multi_line_and_keeps_the_value_exact(
    qtbot: QtBot, demo_bridge: VaultBridge
) -> None:
    dialog = open_add(qtbot, demo_bridge)
    fill_add(dialog, secret="")
    dialog.kind.setCurrentIndex(dialog.kind.findData(CredentialKind.PRIVATE_KEY.value))
    assert dialog.secret is not None
    assert dialog.secret.is_multi_line()
    pem = (
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
    )
    dialog.secret.block.setPlainText(pem)
    with qtbot.waitSignal(demo_bridge.credential_added) as added:
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert demo_bridge.reveal_secret(added.args[0], "reveal") == pem.encode()


def test_cancel_clears_the_secret_field(qtbot: QtBot, demo_bridge: VaultBridge) -> None:
    dialog = open_add(qtbot, demo_bridge)
    fill_add(dialog)
    dialog.reject()
    assert dialog.secret is not None
    assert dialog.secret.is_empty()


def test_add_preselects_the_filtered_integration(qtbot: QtBot, demo_bridge: VaultBridge) -> None:
    dialog = open_add(qtbot, demo_bridge, integration="xero", customer="acme")
    assert dialog.integration.currentData() == "xero"
    assert dialog.customer.currentData() == "acme"
    assert dialog.customer.itemText(0) == "(all customers)"


# --- edit -----------------------------------------------------------------------------------


def test_edit_changes_metadata_only(
    qtbot: QtBot, demo_bridge: VaultBridge, demo_vault: DemoVault
) -> None:
    existing = demo_bridge.get_credential(demo_vault.known_id).credential
    dialog = CredentialDialog(demo_bridge, existing)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.secret is None  # a new value is a rotation, not an edit
    assert dialog.name.text() == "known_key"
    dialog.owner.setText("new-owner@example.com")
    dialog.rotate_every.setValue(0)  # "no policy"
    with qtbot.waitSignal(demo_bridge.credential_updated):
        qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    after = demo_bridge.get_credential(demo_vault.known_id).credential
    assert after.owner == "new-owner@example.com"
    assert after.rotate_every_days is None
    assert after.version == existing.version
    assert demo_bridge.reveal_secret(after.id, "reveal") == KNOWN_SECRET


# --- rotate ---------------------------------------------------------------------------------


def open_rotate(qtbot: QtBot, bridge: VaultBridge, credential_id: int) -> RotateDialog:
    dialog = RotateDialog(bridge, bridge.get_credential(credential_id).credential)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_rotate_stores_version_two_with_the_note(
    qtbot: QtBot, demo_bridge: VaultBridge, demo_vault: DemoVault
) -> None:
    dialog = open_rotate(qtbot, demo_bridge, demo_vault.known_id)
    dialog.secret.line.setText(NEW_SECRET)
    dialog.repeat.line.setText(NEW_SECRET)
    dialog.note.setText("SEC-142")
    dialog.revoked.setCurrentIndex(dialog.revoked.findData(True))
    assert dialog.old_revoked() is True
    with qtbot.waitSignal(demo_bridge.credential_updated):
        double_click(qtbot, ok_button(dialog))
    ok_button(dialog).click()
    assert dialog.secret.is_empty()
    assert dialog.repeat.is_empty()
    versions = demo_bridge.credential_versions(demo_vault.known_id)
    assert [v.version for v in versions] == [1, 2]  # the double click rotated once
    assert demo_bridge.reveal_secret(demo_vault.known_id, "reveal") == NEW_SECRET.encode()
    assert versions[0].revoked_at_vendor is True
    assert versions[1].note == "SEC-142"


def test_rotate_shows_the_integrations_checklist(
    qtbot: QtBot, demo_bridge: VaultBridge, demo_vault: DemoVault
) -> None:
    credential = demo_bridge.get_credential(demo_vault.known_id).credential
    demo_bridge.edit_integration(
        credential.integration,
        rotation_steps="Open API settings\nCreate a key <b>named</b> after the customer",
        console_url="https://vendor.example.com/api-keys",
    )
    dialog = open_rotate(qtbot, demo_bridge, demo_vault.known_id)
    text = dialog.checklist.text()
    assert "<li>Open API settings</li>" in text
    assert "&lt;b&gt;named&lt;/b&gt;" in text  # vendor text is shown, never interpreted
    assert 'href="https://vendor.example.com/api-keys"' in text
    assert checklist_html(demo_bridge.integration(credential.integration)) == text


def test_rotate_mismatch_is_reported_beside_repeat(
    qtbot: QtBot, demo_bridge: VaultBridge, demo_vault: DemoVault
) -> None:
    dialog = open_rotate(qtbot, demo_bridge, demo_vault.known_id)
    dialog.secret.line.setText(NEW_SECRET)
    dialog.repeat.line.setText(NEW_SECRET + "x")
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert "differ" in dialog.field_error("repeat")
    assert dialog.secret.is_empty()
    assert dialog.repeat.is_empty()
    assert demo_bridge.get_credential(demo_vault.known_id).credential.version == 1


@pytest.mark.parametrize("note", ["n" * 501, "bad\x07bell"])
def test_rotate_bad_note_is_reported_beside_the_note(
    qtbot: QtBot, demo_bridge: VaultBridge, demo_vault: DemoVault, note: str
) -> None:
    dialog = open_rotate(qtbot, demo_bridge, demo_vault.known_id)
    dialog.secret.line.setText(NEW_SECRET)
    dialog.repeat.line.setText(NEW_SECRET)
    dialog.note.setText(note)
    qtbot.mouseClick(ok_button(dialog), Qt.MouseButton.LeftButton)
    assert dialog.field_error("note")
    assert not dialog.secret.is_empty()  # only the note needs fixing
    assert demo_bridge.get_credential(demo_vault.known_id).credential.version == 1


def test_label_mnemonics_reach_their_fields(qtbot: QtBot, demo_bridge: VaultBridge) -> None:
    dialog = open_add(qtbot, demo_bridge)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    assert dialog.secret is not None
    for key, field in (
        (Qt.Key.Key_I, dialog.integration),
        (Qt.Key.Key_S, dialog.secret.line),
        (Qt.Key.Key_N, dialog.name),
        (Qt.Key.Key_O, dialog.owner),
        (Qt.Key.Key_X, dialog.expires.date),
        (Qt.Key.Key_D, dialog.reminders),
    ):
        qtbot.keyClick(dialog, key, Qt.KeyboardModifier.AltModifier)
        assert field.hasFocus(), key
    dialog.secret.set_multi_line(True)
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    assert dialog.secret.block.hasFocus()


def test_tab_visits_each_field_once(qtbot: QtBot, demo_bridge: VaultBridge) -> None:
    dialog = open_add(qtbot, demo_bridge)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=5000)
    dialog.name.setFocus()
    seen = []
    for _ in range(6):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert dialog.secret is not None
    assert seen[:4] == [
        dialog.kind,
        dialog.secret.line,
        dialog.secret.show_box,
        dialog.secret.multi_box,
    ]
    assert seen[4] is dialog.owner
