"""Preferences: auto-lock, clipboard clearing, reveal time and default reminder lead times."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QSpinBox, QWidget

from intsec_desktop.core.errors import IntsecError, ValidationError
from intsec_desktop.core.settings import AppSettings, save_settings
from intsec_desktop.gui.dialogs.form_dialog import FormDialog


def parse_reminder_days(text: str) -> tuple[int, ...]:
    """ "30, 7, 1" -> (30, 7, 1); the range check lives in AppSettings.validated()."""
    parts = [part.strip() for part in text.replace(";", ",").split(",")]
    if not any(parts):
        raise ValidationError("enter at least one lead time, e.g. 30, 7, 1", "reminder_days")
    days = []
    for part in parts:
        if not part:
            continue
        if not part.isdecimal():
            raise ValidationError(
                f"{part!r} is not a whole number of days; separate lead times with commas",
                "reminder_days",
            )
        days.append(int(part))
    return tuple(days)


def _spin_box(minimum: int, maximum: int, value: int, suffix: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setValue(min(max(value, minimum), maximum))
    box.setSuffix(suffix)
    box.setAccelerated(True)
    return box


LOCKED_REMINDERS_TRADE_OFF = (
    "Keeps a list of credential names and due dates, sealed with this device's OS-keyring key, "
    "so reminders fire while the vault is locked. Anyone who can use your unlocked login "
    "session can read that list (never a secret value). Needs a keyring slot on this device."
)


class SettingsDialog(FormDialog):
    def __init__(
        self, settings: AppSettings, parent: QWidget | None = None, notifier_name: str = ""
    ) -> None:
        super().__init__("Settings", parent)
        self._settings = settings
        self.auto_lock = _spin_box(1, 24 * 60, settings.auto_lock_minutes, " min")
        self.clipboard_clear = _spin_box(5, 600, settings.clipboard_clear_seconds, " s")
        self.reveal = _spin_box(5, 600, settings.reveal_seconds, " s")
        self.reminder_days = QLineEdit(", ".join(str(d) for d in settings.reminder_days))
        self.reminder_days.setPlaceholderText("30, 7, 1")
        self._add_field(
            "auto_lock_minutes",
            "&Lock after idle:",
            self.auto_lock,
            "Lock the vault when there is no keyboard or mouse activity for this long.",
        )
        self._add_field(
            "clipboard_clear_seconds",
            "&Clear clipboard after:",
            self.clipboard_clear,
            "A copied secret is removed from the clipboard after this time, on lock and on quit.",
        )
        self._add_field(
            "reveal_seconds",
            "&Hide revealed secret after:",
            self.reveal,
            "A secret shown in clear text is masked again after this time.",
        )
        self._add_field(
            "reminder_days",
            "&Remind before expiry (days):",
            self.reminder_days,
            "Default lead times for new credentials, separated by commas.",
        )
        self.close_to_tray = QCheckBox("&Keep running in the tray when the window is closed")
        self.close_to_tray.setChecked(settings.close_to_tray)
        self.start_at_login = QCheckBox("&Start at login (in the tray)")
        self.start_at_login.setChecked(settings.start_at_login)
        self.locked_reminders = QCheckBox("Remind me while the vault is &locked")
        self.locked_reminders.setChecked(settings.reminders_while_locked)
        self._add_field("close_to_tray", "Tray:", self.close_to_tray, "")
        self._add_field("start_at_login", "Login:", self.start_at_login, "")
        self._add_field(
            "reminders_while_locked",
            "Reminders:",
            self.locked_reminders,
            LOCKED_REMINDERS_TRADE_OFF,
        )
        if notifier_name:
            shown_by = QLabel(notifier_name)
            shown_by.setAccessibleName("Notifications shown by")
            self.form.addRow("Notifications via:", shown_by)

    def _add_field(self, field: str, label: str, widget: QWidget, hint: str) -> None:
        self.add_row(field, label, widget, hint)
        # FormDialog's label is the buddy of the row's container, which takes no focus, so the
        # mnemonic would do nothing; point it at the field itself.
        container = widget.parentWidget()
        row_label = self.form.labelForField(container) if container is not None else None
        if isinstance(row_label, QLabel):
            row_label.setBuddy(widget)

    def submit(self) -> None:
        settings = replace(
            self._settings,
            auto_lock_minutes=self.auto_lock.value(),
            clipboard_clear_seconds=self.clipboard_clear.value(),
            reveal_seconds=self.reveal.value(),
            reminder_days=parse_reminder_days(self.reminder_days.text()),
            close_to_tray=self.close_to_tray.isChecked(),
            start_at_login=self.start_at_login.isChecked(),
            reminders_while_locked=self.locked_reminders.isChecked(),
        ).validated()
        try:
            save_settings(settings)
        except OSError as exc:
            raise IntsecError(f"the settings could not be saved ({exc.strerror})") from exc
        self._settings = settings

    def result_settings(self) -> AppSettings:
        return self._settings
