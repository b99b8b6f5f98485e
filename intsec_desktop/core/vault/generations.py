"""Rollback warning: the highest vault generation this device has seen, per vault id.

Every write transaction raises the vault's generation (database.write_transaction). A vault
that opens with a lower generation than this device saw before is an older copy of itself:
restored from a backup, synced back by a team drive, or rolled back on purpose.

Where the number is kept: in the OS keyring entry when the keyring slot unlocked the vault
(DeviceKeyEntry.generation), otherwise in `seen-generations.json` in the per-user state dir
(vault id -> generation; no secrets). Neither is tamper-proof against someone who controls
the user's account; the warning is for copies that come back through files and folders.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
from pathlib import Path
from typing import Protocol

from intsec_desktop.core import paths
from intsec_desktop.core.vault.atomic import write_atomic
from intsec_desktop.core.vault.keyring_store import DeviceKeyEntry, DeviceKeyStore

STATE_FILENAME = "seen-generations.json"
# A few hundred vaults need a few kB; a larger file is not ours and is ignored, not parsed.
_STATE_LIMIT_BYTES = 256 * 1024


class GenerationMemory(Protocol):
    def seen(self) -> int:
        """The highest generation remembered for this vault on this device (0: never seen)."""
        ...

    def remember(self, generation: int) -> None:
        """Raise the remembered generation to `generation` (never lowers it)."""
        ...


def rollback_note(current: int, seen: int) -> str | None:
    if current >= seen:
        return None
    return (
        f"this vault is older than the copy last opened on this device"
        f" (generation {current} < {seen}): it may have been rolled back"
    )


def state_path() -> Path:
    return paths.state_dir() / STATE_FILENAME


def read_state() -> dict[str, int]:
    """vault id -> generation; an unreadable or foreign file counts as empty (never locks out)."""
    try:
        with state_path().open("rb") as f:
            raw = f.read(_STATE_LIMIT_BYTES + 1)
    except OSError:
        return {}
    if len(raw) > _STATE_LIMIT_BYTES:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k): v
        for k, v in data.items()
        if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2**63
    }


class StateFileMemory:
    """seen-generations.json: for vaults opened with a passphrase or recovery code."""

    def __init__(self, vault_id: str) -> None:
        self._vault_id = vault_id

    def seen(self) -> int:
        return read_state().get(self._vault_id, 0)

    def remember(self, generation: int) -> None:
        # Re-read right before writing: another intsec process may have raised other vaults.
        state = read_state()
        if state.get(self._vault_id, 0) >= generation:
            return
        state[self._vault_id] = generation
        folder = paths.state_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(state_path(), (json.dumps(state, sort_keys=True, indent=1) + "\n").encode())


class KeyringMemory:
    """The `generation` field of the device key entry that unlocked the vault."""

    def __init__(self, store: DeviceKeyStore, vault_id: str, entry: DeviceKeyEntry) -> None:
        self._store = store
        self._vault_id = vault_id
        self._entry = entry

    def seen(self) -> int:
        return self._entry.generation

    def remember(self, generation: int) -> None:
        if generation <= self._entry.generation:
            return
        # Re-read first: the slot may have been removed (entry deleted) or replaced since the
        # unlock, and a stale device key must never be written back.
        current = self._store.load(self._vault_id)
        if (
            current is None
            or current.slot_id != self._entry.slot_id
            or not hmac.compare_digest(current.device_key, self._entry.device_key)
            or current.generation >= generation
        ):
            return
        entry = dataclasses.replace(current, generation=generation)
        self._store.save(self._vault_id, entry)
        self._entry = entry
