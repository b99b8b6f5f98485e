"""The opt-in expiry index: readable while locked with this device's keyring key, holds names and
dates only, and is useless without that key. Plus the XDG autostart entry."""

from __future__ import annotations

from datetime import timedelta

from intsec_desktop.core import autostart, expiry_index, services
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore
from tests.unit.conftest import SECRET, START, MemoryKeyring, VaultCopy


def test_index_round_trip_while_locked(vault: VaultCopy) -> None:
    keyring = vault.keyring
    with vault.open_recovery() as session:
        session.edit_credential(vault.credential_id, expires_at=START + timedelta(days=9))
        assert session.refresh_expiry_index(store_for=lambda _name: DeviceKeyStore(keyring))
        expected = session.reminder_deadlines()
    found = services.read_expiry_index(
        vault.folder, store_for=lambda _name: DeviceKeyStore(keyring)
    )
    assert found is not None
    vault_id, deadlines = found
    assert vault_id == vault.vault_id
    assert deadlines == expected
    sealed = expiry_index.index_path(vault_id).read_bytes()
    assert b"bamboohr" not in sealed  # sealed, not just stored
    assert SECRET not in sealed


def test_index_needs_this_devices_key(vault: VaultCopy) -> None:
    with vault.open_recovery() as session:
        assert session.refresh_expiry_index(store_for=lambda _name: DeviceKeyStore(vault.keyring))
    stranger = MemoryKeyring()  # another device: no entry for this vault
    assert (
        services.read_expiry_index(vault.folder, store_for=lambda _name: DeviceKeyStore(stranger))
        is None
    )


def test_no_keyring_slot_entry_means_no_index(vault: VaultCopy) -> None:
    with vault.open_recovery() as session:
        assert not session.refresh_expiry_index(
            store_for=lambda _name: DeviceKeyStore(MemoryKeyring())
        )
        session.remove_expiry_index()
    assert not expiry_index.index_path(vault.vault_id).exists()


def test_autostart_entry_written_and_removed() -> None:
    assert not autostart.is_enabled()
    path = autostart.enable("/opt/intsec/intsec-desktop")
    assert autostart.is_enabled()
    text = path.read_text()
    assert "Exec=/opt/intsec/intsec-desktop --background" in text
    assert "[Desktop Entry]" in text
    autostart.disable()
    assert not autostart.is_enabled()
    autostart.disable()  # idempotent
