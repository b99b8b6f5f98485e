"""Key slots: list, add passphrase or keyring slots, remove, change the passphrase."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from intsec_desktop.core import paths
from intsec_desktop.core.errors import (
    ConflictError,
    IntsecError,
    NotFoundError,
    StorageError,
    ValidationError,
)
from intsec_desktop.core.model import (
    KeySlotInfo,
)
from intsec_desktop.core.roles import Action, require
from intsec_desktop.core.services._base import SessionBase
from intsec_desktop.core.timefmt import parse_utc
from intsec_desktop.core.vault import audit_trail, keyslot_record, keyslots, opening
from intsec_desktop.core.vault.crypto import KdfParams, SecretKey
from intsec_desktop.core.vault.database import Connection, read_generation
from intsec_desktop.core.vault.keyring_store import DeviceKeyEntry, DeviceKeyStore


@dataclass
class _SlotChange:
    """One key-slot change in progress: the transaction, the key slots it started from and the
    audit head before it (what the new file records: the change's own event is not committed
    when the file is written, and a crash in between must not leave a head the trail lacks)."""

    conn: Connection
    before: keyslots.KeySlotFile
    head: audit_trail.ChainHead
    saved: bool = False  # the new keyslots.json is on disk


class KeySlotServices(SessionBase):
    def list_keyslots(self) -> list[KeySlotInfo]:
        require(self.member, Action.VIEW_METADATA)
        file = self._current_slots()
        return [_slot_info(s) for s in file.slots]

    def add_passphrase_slot(self, passphrase: str, params: KdfParams) -> KeySlotInfo:
        if not passphrase:
            raise ValidationError("the passphrase must not be empty", "passphrase")
        params.checked()
        slot, kek = keyslots.make_passphrase_slot(
            passphrase, params, self.member.name, self.can_reveal, self._clock.now()
        )
        return self._add_slot(slot, kek)

    def add_keyring_slot(self, store: DeviceKeyStore) -> KeySlotInfo:
        existing: DeviceKeyEntry | None = None
        entry_saved = False
        try:
            with self._slot_change() as change:
                mine = [
                    s for s in opening.keyring_slots(change.before) if s.member == self.member.name
                ]
                existing = store.load(self.vault_id)
                if existing is not None and any(s.id == existing.slot_id for s in mine):
                    raise ConflictError(
                        f"this device's keyring already unlocks this vault"
                        f" (slot {existing.slot_id})"
                    )
                slot, kek, device_key = keyslots.make_keyring_slot(
                    self.vault_id,
                    store.backend_name,
                    self.member.name,
                    self.can_reveal,
                    self._clock.now(),
                )
                # Keep the highest generation this device has seen (the rollback warning).
                seen = max(existing.generation if existing else 0, read_generation(change.conn))
                store.save(self.vault_id, DeviceKeyEntry(slot.id, device_key, seen))
                entry_saved = True
                info = self._write_new_slot(change, slot, kek)
        except BaseException:
            if entry_saved:
                # Put back what this device's keyring held before, so a failed add loses nothing.
                if existing is not None:
                    store.save(self.vault_id, existing)
                else:
                    store.delete(self.vault_id)
            raise
        return info

    def _add_slot(self, slot: keyslots.Slot, kek: SecretKey) -> KeySlotInfo:
        with self._slot_change() as change:
            return self._write_new_slot(change, slot, kek)

    def _write_new_slot(
        self, change: _SlotChange, slot: keyslots.Slot, kek: SecretKey
    ) -> KeySlotInfo:
        wrapped = keyslots.wrap(slot, kek, self._vault.keys, self.vault_id)
        self._audit(change.conn, "keyslot.added", f"keyslot:{slot.id}", {"kind": slot.kind})
        self._save_slots(change, change.before.with_slot(wrapped))
        return _slot_info(wrapped)

    def remove_keyslot(
        self, slot_id: str, store_for: Callable[[str], DeviceKeyStore] = DeviceKeyStore.for_backend
    ) -> None:
        with self._slot_change() as change:
            file = change.before
            try:
                slot = file.slot(slot_id)
            except KeyError:
                raise NotFoundError(f"no key slot {slot_id!r}") from None
            if slot.member != self.member.name:
                require(self.member, Action.MANAGE_MEMBERS)
            remaining = [
                s
                for s in file.slots
                if s.id != slot_id and s.member == slot.member and s.kind != keyslots.KEYRING
            ]
            if not remaining:
                raise ConflictError(
                    "refusing to remove the last passphrase or recovery slot: the vault would"
                    " only open on this device"
                )
            self._audit(change.conn, "keyslot.removed", f"keyslot:{slot_id}", {"kind": slot.kind})
            self._save_slots(change, file.without_slot(slot_id))
        if slot.kind == keyslots.KEYRING:
            with contextlib.suppress(Exception):
                store = store_for(slot.backend)
                entry = store.load(self.vault_id)
                if entry is not None and entry.slot_id == slot_id:
                    store.delete(self.vault_id)

    def change_passphrase(
        self, new_passphrase: str, params: KdfParams | None = None
    ) -> KeySlotInfo:
        """Re-wrap the member's passphrase slot under a new passphrase; no data is re-encrypted."""
        if not new_passphrase:
            raise ValidationError("the new passphrase must not be empty", "passphrase")
        with self._slot_change() as change:
            file = change.before
            mine = [
                s
                for s in file.slots
                if s.kind == keyslots.PASSPHRASE and s.member == self.member.name
            ]
            target = next((s for s in mine if s.id == self.slot_id), None)
            if target is None:
                if len(mine) != 1:
                    raise ValidationError(
                        "unlock with the passphrase you want to change", "passphrase"
                    )
                target = mine[0]
            chosen = (params or target.kdf_params()).checked()
            fresh, kek = keyslots.make_passphrase_slot(
                new_passphrase, chosen, self.member.name, target.can_reveal, self._clock.now()
            )
            fresh = keyslots.wrap(
                dataclasses.replace(fresh, id=target.id), kek, self._vault.keys, self.vault_id
            )
            self._audit(change.conn, "keyslot.passphrase_changed", f"keyslot:{target.id}", {})
            # A one-time passphrase from an invitation is spent once the member chose their own.
            change.conn.execute(
                "UPDATE members SET must_change = 0 WHERE name = ?", (self.member.name,)
            )
            self._save_slots(change, file.replacing(fresh))
        return _slot_info(fresh)

    def _disk_slots(self) -> keyslots.KeySlotFile:
        # Re-read from disk: another process may have changed the slots since we unlocked.
        return keyslot_record.load_verified(
            paths.keyslots_path(self.folder), self.vault_id, self._vault.keys.database_key
        )

    def _current_slots(self) -> keyslots.KeySlotFile:
        """The key slots that hold now (an older copy put back meanwhile does not count)."""
        return keyslot_record.current(self._conn, self._disk_slots())

    @contextlib.contextmanager
    def _slot_change(self) -> Iterator[_SlotChange]:
        """A write transaction around one key-slot change. keyslots.json is replaced before the
        audit event commits; if anything after that fails (the commit included), the previous
        file is put back, so the key slots and the audit trail never disagree. (Inside batch()
        the commit comes later, at the end of the batch, and is not covered.)"""
        change: _SlotChange | None = None
        try:
            with self._transaction() as conn:
                change = _SlotChange(conn, self._current_slots(), audit_trail.current_head(conn))
                yield change
        except BaseException as exc:
            if change is not None and change.saved:
                try:
                    # What held before, with its generation: vault.db's record is that again.
                    audit_trail.with_head(change.before, self._conn).save(
                        paths.keyslots_path(self.folder), self._vault.keys.database_key
                    )
                except IntsecError:
                    raise StorageError(
                        "the key-slot change failed half-way and the previous keyslots.json"
                        " could not be put back; run `intsec doctor`"
                    ) from exc
            raise

    def _save_slots(self, change: _SlotChange, file: keyslots.KeySlotFile) -> None:
        self._write_slots(change.conn, audit_trail.with_recorded_head(file, change.head))
        change.saved = True

    def _write_slots(self, conn: Connection, file: keyslots.KeySlotFile) -> None:
        """Every write of keyslots.json in a session, under the database write lock. `file`
        carries the audit chain head to record (truncation check); when its slots changed, it
        takes the next key-slot generation, recorded in vault.db (rollback check)."""
        keyslot_record.save(
            conn, paths.keyslots_path(self.folder), file, self._vault.keys.database_key
        )


def _slot_info(slot: keyslots.Slot) -> KeySlotInfo:
    if slot.kind == keyslots.PASSPHRASE:
        detail = slot.kdf_params().describe()
    elif slot.kind == keyslots.KEYRING:
        detail = f"device key in {slot.backend}"
    else:
        detail = "recovery code"
    return KeySlotInfo(
        id=slot.id,
        kind=slot.kind,
        member=slot.member,
        can_reveal=slot.can_reveal,
        created_at=parse_utc(slot.created_at),
        detail=detail,
    )
