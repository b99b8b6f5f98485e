"""One contract every key-slot kind meets: passphrase, recovery code and OS keyring."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import pytest

from intsec_desktop.core.errors import (
    AuthenticationError,
    ConflictError,
    KeyringUnavailableError,
    VaultDamagedError,
)
from intsec_desktop.core.model import Role
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.vault import keyslots
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import SERVICE, DeviceKeyStore
from tests.unit.conftest import (
    MEMBER,
    PASSPHRASE,
    SECRET,
    WRONG_PASSPHRASE,
    MemoryKeyring,
    VaultCopy,
    add_member,
    edit_keyslots,
    slot_of,
    snapshot,
)

KINDS = [keyslots.PASSPHRASE, keyslots.RECOVERY, keyslots.KEYRING]


def unlock(vault: VaultCopy, kind: str) -> VaultSession:
    if kind == keyslots.PASSPHRASE:
        return vault.open_secret(PASSPHRASE)
    if kind == keyslots.RECOVERY:
        return vault.open_recovery()
    return vault.open_keyring()


def unlock_with_wrong_secret(vault: VaultCopy, kind: str) -> VaultSession:
    if kind == keyslots.PASSPHRASE:
        return vault.open_secret(WRONG_PASSPHRASE)
    if kind == keyslots.RECOVERY:
        # Well-formed, so the recovery slot really is tried (and then every passphrase slot).
        return vault.open_secret(keyslots.generate_recovery_code())
    # The keyring still names the right slot, but holds a different device key.
    entry = json.loads(vault.keyring.entries[(SERVICE, vault.vault_id)])
    entry["key"] = base64.b64encode(os.urandom(32)).decode()
    return vault.open_keyring(MemoryKeyring({(SERVICE, vault.vault_id): json.dumps(entry)}))


def other_kind(kind: str) -> str:
    return keyslots.KEYRING if kind == keyslots.RECOVERY else keyslots.RECOVERY


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


class TestKeySlotContract:
    def test_unlock_gives_keys_that_reveal_the_secret(self, vault: VaultCopy, kind: str) -> None:
        session = unlock(vault, kind)
        assert session.slot_id == vault.slot_id(kind)
        assert session.member.name == MEMBER
        assert session.member.role is Role.OWNER
        assert session.can_reveal
        assert session.reveal_secret(vault.credential_id) == SECRET

    def test_wrong_secret_fails_and_touches_nothing(self, vault: VaultCopy, kind: str) -> None:
        before = snapshot(vault.folder)
        with pytest.raises(AuthenticationError) as raised:
            unlock_with_wrong_secret(vault, kind)
        assert raised.value.exit_code == 3
        assert snapshot(vault.folder) == before

    def test_unlock_and_close_touch_nothing(self, vault: VaultCopy, kind: str) -> None:
        before = snapshot(vault.folder)
        unlock(vault, kind).list_credentials()
        vault.close_all()
        assert snapshot(vault.folder) == before

    @pytest.mark.parametrize("field", ["member", "can_reveal"])
    def test_slot_cannot_be_relabelled(self, vault: VaultCopy, kind: str, field: str) -> None:
        # mallory exists as a member, so a relabel that slipped through would open as her.
        add_member(vault, "mallory", Role.OWNER)

        def relabel(document: dict[str, Any]) -> None:
            slot = slot_of(document, kind)
            if field == "member":
                slot["member"] = "mallory"
            else:
                slot["can_reveal"] = not slot["can_reveal"]

        edit_keyslots(vault.folder, relabel, fix_checksum=True)
        with pytest.raises((AuthenticationError, VaultDamagedError)) as raised:
            unlock(vault, kind)
        assert raised.value.exit_code in (3, 5)

    def test_added_passphrase_slot_only_rewraps(self, vault: VaultCopy, kind: str) -> None:
        session = unlock(vault, kind)
        info = session.add_passphrase_slot("a second passphrase", KdfParams.floor())
        assert info.kind == keyslots.PASSPHRASE
        assert info.can_reveal
        vault.close_all()
        for again in (unlock(vault, kind), vault.open_secret("a second passphrase")):
            assert again.reveal_secret(vault.credential_id) == SECRET
            assert again.first_broken_audit_event() is None

    def test_removed_slot_stops_working(self, vault: VaultCopy, kind: str) -> None:
        slot_id = vault.slot_id(kind)
        session = unlock(vault, other_kind(kind))
        session.remove_keyslot(slot_id, store_for=lambda _name: vault.store())
        assert slot_id not in [s.id for s in session.list_keyslots()]
        vault.close_all()
        expected = KeyringUnavailableError if kind == keyslots.KEYRING else AuthenticationError
        with pytest.raises(expected):
            unlock(vault, kind)
        if kind == keyslots.KEYRING:
            assert vault.keyring.entries == {}, "the device key stayed in the keyring"
        assert unlock(vault, other_kind(kind)).reveal_secret(vault.credential_id) == SECRET

    def test_change_passphrase_only_rewraps(self, vault: VaultCopy, kind: str) -> None:
        session = unlock(vault, kind)
        session.change_passphrase("a brand new passphrase")
        vault.close_all()
        with pytest.raises(AuthenticationError):
            vault.open_secret(PASSPHRASE)
        assert (
            vault.open_secret("a brand new passphrase").reveal_secret(vault.credential_id) == SECRET
        )
        if kind != keyslots.PASSPHRASE:
            assert unlock(vault, kind).reveal_secret(vault.credential_id) == SECRET

    def test_listing_shows_no_key_material(self, vault: VaultCopy, kind: str) -> None:
        session = unlock(vault, kind)
        slot = slot_of(json.loads((vault.folder / "keyslots.json").read_text()), kind)
        info = next(s for s in session.list_keyslots() if s.id == slot["id"])
        assert info.kind == kind
        assert info.member == MEMBER
        assert slot["wrapped"] not in repr(info)
        assert vault.recovery_code not in repr(info)


# --- kind-specific edges ------------------------------------------------------------------


def test_keyring_without_an_entry_says_so(vault: VaultCopy) -> None:
    with pytest.raises(KeyringUnavailableError, match="holds no key"):
        vault.open_keyring(MemoryKeyring())


def test_second_keyring_on_the_same_device_is_a_conflict(vault: VaultCopy) -> None:
    session = vault.open_recovery()
    with pytest.raises(ConflictError):
        session.add_keyring_slot(vault.store())


def test_keyring_slot_on_another_device(vault: VaultCopy) -> None:
    laptop = MemoryKeyring()
    vault.open_recovery().add_keyring_slot(DeviceKeyStore(laptop))
    vault.close_all()
    assert vault.open_keyring(laptop).reveal_secret(vault.credential_id) == SECRET
    assert vault.open_keyring().reveal_secret(vault.credential_id) == SECRET


def test_recovery_code_is_accepted_in_any_case_and_grouping(vault: VaultCopy) -> None:
    sloppy = vault.recovery_code.lower()
    assert vault.open_secret(sloppy).slot_id == vault.slot_id(keyslots.RECOVERY)


def test_last_passphrase_or_recovery_slot_cannot_be_removed(vault: VaultCopy) -> None:
    session = vault.open_keyring()
    session.remove_keyslot(vault.slot_id(keyslots.RECOVERY))
    with pytest.raises(ConflictError):
        session.remove_keyslot(vault.slot_id(keyslots.PASSPHRASE))
    assert vault.open_secret(PASSPHRASE).reveal_secret(vault.credential_id) == SECRET


def test_malformed_keyring_entry_falls_back_to_the_passphrase(vault: VaultCopy) -> None:
    before = snapshot(vault.folder)
    broken = MemoryKeyring({(SERVICE, vault.vault_id): "{not json"})
    with pytest.raises(KeyringUnavailableError):
        vault.open_keyring(broken)
    assert snapshot(vault.folder) == before
    assert vault.open_secret(PASSPHRASE).reveal_secret(vault.credential_id) == SECRET
