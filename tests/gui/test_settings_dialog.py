"""The settings dialog: current values shown, errors beside their field, saved on OK only."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from intsec_desktop.core import settings as settings_module
from intsec_desktop.core.settings import AppSettings, load_settings, settings_path
from intsec_desktop.gui import settings_dialog
from intsec_desktop.gui.settings_dialog import SettingsDialog, parse_reminder_days

CUSTOM = AppSettings(
    auto_lock_minutes=12,
    clipboard_clear_seconds=45,
    reveal_seconds=20,
    reminder_days=(60, 14),
    last_vault="/somewhere/team.intsec",
)


@pytest.fixture
def dialog(qtbot: QtBot) -> SettingsDialog:
    dialog = SettingsDialog(CUSTOM)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def press_ok(dialog: SettingsDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_shows_the_current_settings(dialog: SettingsDialog) -> None:
    assert dialog.auto_lock.value() == 12
    assert dialog.clipboard_clear.value() == 45
    assert dialog.reveal.value() == 20
    assert dialog.reminder_days.text() == "60, 14"


def test_defaults_are_five_minutes_thirty_seconds_and_30_7_1(qtbot: QtBot) -> None:
    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    assert (dialog.auto_lock.value(), dialog.clipboard_clear.value()) == (5, 30)
    assert dialog.reveal.value() == 30
    assert dialog.reminder_days.text() == "30, 7, 1"


def test_ranges_match_what_the_settings_accept(dialog: SettingsDialog) -> None:
    assert (dialog.auto_lock.minimum(), dialog.auto_lock.maximum()) == (1, 1440)
    assert (dialog.clipboard_clear.minimum(), dialog.clipboard_clear.maximum()) == (5, 600)
    assert (dialog.reveal.minimum(), dialog.reveal.maximum()) == (5, 600)


def test_ok_saves_and_round_trips(dialog: SettingsDialog) -> None:
    dialog.auto_lock.setValue(15)
    dialog.clipboard_clear.setValue(10)
    dialog.reveal.setValue(90)
    dialog.reminder_days.setText("7, 30, 1, 7")
    press_ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    expected = AppSettings(15, 10, 90, (30, 7, 1), CUSTOM.last_vault)
    assert dialog.result_settings() == expected
    assert load_settings() == expected  # what the next start reads


def test_cancel_saves_nothing(dialog: SettingsDialog) -> None:
    dialog.auto_lock.setValue(99)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not settings_path().exists()
    assert dialog.result_settings() == CUSTOM


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30, soon", "'soon' is not a whole number of days"),
        ("", "enter at least one lead time"),
        (" , ,", "enter at least one lead time"),
        ("30, -1", "'-1' is not a whole number of days"),
        ("0, 7", "reminder lead times must be 1 to 3650 days"),
        ("4000", "reminder lead times must be 1 to 3650 days"),
    ],
)
def test_bad_lead_times_are_shown_beside_the_field(
    dialog: SettingsDialog, text: str, message: str
) -> None:
    dialog.reminder_days.setText(text)
    press_ok(dialog)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.isVisible()
    assert message in dialog.field_error("reminder_days")
    assert dialog.field_error("auto_lock_minutes") == ""
    assert dialog.focusWidget() is dialog.reminder_days
    assert not settings_path().exists()


def test_fixing_the_field_then_ok_succeeds(dialog: SettingsDialog) -> None:
    dialog.reminder_days.setText("often")
    press_ok(dialog)
    dialog.reminder_days.setText("14;3")  # semicolons are forgiven
    press_ok(dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert load_settings().reminder_days == (14, 3)


def test_a_failed_save_is_shown_in_the_banner(
    dialog: SettingsDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_settings: AppSettings) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(settings_dialog, "save_settings", refuse)
    press_ok(dialog)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.banner.isVisible()
    assert "could not be saved (Permission denied)" in dialog.banner.text()
    assert dialog.result_settings() == CUSTOM


def test_every_field_has_a_mnemonic_label_and_a_name(dialog: SettingsDialog) -> None:
    fields = [dialog.auto_lock, dialog.clipboard_clear, dialog.reveal, dialog.reminder_days]
    buddies = {label.buddy(): label.text() for label in dialog.findChildren(QLabel)}
    for field in fields:
        assert field.accessibleName()
        assert "&" in buddies[field]


def test_parse_reminder_days() -> None:
    assert parse_reminder_days("30,7,1") == (30, 7, 1)
    assert parse_reminder_days(" 30 , 7 ,, 1 ") == (30, 7, 1)
    assert settings_module.DEFAULT_REMINDER_DAYS == (30, 7, 1)


def test_a_mnemonic_moves_the_focus_to_its_field(qtbot: QtBot, dialog: SettingsDialog) -> None:
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.auto_lock.setFocus()
    qtbot.keyClick(dialog, "r", Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.reminder_days)
