"""Start at login: an XDG autostart entry written or removed from settings."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from intsec_desktop.core.vault.atomic import write_atomic

DESKTOP_ID = "io.intsec.desktop"


def autostart_dir() -> Path:
    home = os.environ.get("INTSEC_HOME")
    if home:
        return Path(home) / "config" / "autostart"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart"


def autostart_path() -> Path:
    return autostart_dir() / f"{DESKTOP_ID}.desktop"


def entry(command: str) -> str:
    # --background: start in the tray, show the window only when a reminder is clicked.
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Name=intsec-desktop\n"
        "Comment=Credential expiry reminders\n"
        f"Exec={command} --background\n"
        f"Icon={DESKTOP_ID}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )


def enable(command: str = "intsec-desktop") -> Path:
    folder = autostart_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = autostart_path()
    write_atomic(path, entry(command).encode(), mode=0o644)
    return path


def disable() -> None:
    with contextlib.suppress(FileNotFoundError):
        autostart_path().unlink()


def is_enabled() -> bool:
    return autostart_path().is_file()
