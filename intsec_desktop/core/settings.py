"""User settings (auto-lock, clipboard timeout, reminder lead times, last vault), kept as JSON
in the config dir. No secrets live here."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from intsec_desktop.core import paths
from intsec_desktop.core.errors import ValidationError
from intsec_desktop.core.rotation import DEFAULT_REMINDER_DAYS
from intsec_desktop.core.vault.atomic import write_atomic


@dataclass(frozen=True, slots=True)
class AppSettings:
    auto_lock_minutes: int = 5
    clipboard_clear_seconds: int = 30
    reveal_seconds: int = 30
    reminder_days: tuple[int, ...] = DEFAULT_REMINDER_DAYS
    last_vault: str = ""
    close_to_tray: bool = True  # closing the window keeps reminders running in the tray
    start_at_login: bool = False
    # Off by default: the index reveals credential names and dates to anyone using this login.
    reminders_while_locked: bool = False

    def validated(self) -> AppSettings:
        if not 1 <= self.auto_lock_minutes <= 24 * 60:
            raise ValidationError("auto-lock must be 1 to 1440 minutes", "auto_lock_minutes")
        if not 5 <= self.clipboard_clear_seconds <= 600:
            raise ValidationError(
                "clipboard clearing must be 5 to 600 seconds", "clipboard_clear_seconds"
            )
        if not 5 <= self.reveal_seconds <= 600:
            raise ValidationError("reveal time must be 5 to 600 seconds", "reveal_seconds")
        if not self.reminder_days or any(not 1 <= d <= 3650 for d in self.reminder_days):
            raise ValidationError("reminder lead times must be 1 to 3650 days", "reminder_days")
        return replace(self, reminder_days=tuple(sorted(set(self.reminder_days), reverse=True)))


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


def load_settings() -> AppSettings:
    """Defaults for anything missing or unreadable: a broken settings file must not lock anyone out."""
    try:
        raw = json.loads(settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return AppSettings()
    if not isinstance(raw, dict):
        return AppSettings()
    known = {f.name for f in fields(AppSettings)}
    values = {k: v for k, v in raw.items() if k in known}
    if "reminder_days" in values:
        values["reminder_days"] = tuple(values["reminder_days"])
    try:
        return AppSettings(**values).validated()
    except (TypeError, ValidationError):
        return AppSettings()


def save_settings(settings: AppSettings) -> None:
    checked = settings.validated()
    folder = paths.config_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = asdict(checked)
    data["reminder_days"] = list(checked.reminder_days)
    write_atomic(settings_path(), (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())
