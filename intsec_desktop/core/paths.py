"""Every filesystem location the product uses, in one place; tests point them at tmp."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

APP_NAME = "intsec-desktop"
VAULT_SUFFIX = ".intsec"
DB_FILENAME = "vault.db"
KEYSLOTS_FILENAME = "keyslots.json"

# INTSEC_HOME moves every per-user location below one folder (tests, portable installs).
_HOME_ENV = "INTSEC_HOME"


def _home_override() -> Path | None:
    value = os.environ.get(_HOME_ENV)
    return Path(value) if value else None


def _platform() -> Any:
    # Imported on first use: most commands get their paths from --vault or INTSEC_HOME.
    import platformdirs

    return platformdirs


def data_dir() -> Path:
    home = _home_override()
    return home / "data" if home else Path(_platform().user_data_dir(APP_NAME))


def config_dir() -> Path:
    home = _home_override()
    return home / "config" if home else Path(_platform().user_config_dir(APP_NAME))


def state_dir() -> Path:
    home = _home_override()
    return home / "state" if home else Path(_platform().user_state_dir(APP_NAME))


def default_vault_dir() -> Path:
    """`INTSEC_VAULT` if set, else `<data dir>/default.intsec`."""
    explicit = os.environ.get("INTSEC_VAULT")
    if explicit:
        return Path(explicit)
    return data_dir() / f"default{VAULT_SUFFIX}"


def db_path(vault_dir: Path) -> Path:
    return vault_dir / DB_FILENAME


def keyslots_path(vault_dir: Path) -> Path:
    return vault_dir / KEYSLOTS_FILENAME


def resources_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "resources"
