"""Create a vault folder and unlock one through a key slot: the open sequence in one place."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from intsec_desktop.core import paths
from intsec_desktop.core.errors import (
    AuthenticationError,
    IntsecError,
    KeyringUnavailableError,
    ValidationError,
    VaultDamagedError,
    VaultExistsError,
    VaultMissingError,
)
from intsec_desktop.core.model import Member, Role
from intsec_desktop.core.timefmt import format_utc
from intsec_desktop.core.vault import database, generations, keyslot_record, keyslots, migrations
from intsec_desktop.core.vault.atomic import fsync_dir
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.database import Connection, rows, storage_errors
from intsec_desktop.core.vault.generations import GenerationMemory
from intsec_desktop.core.vault.keyring_store import DeviceKeyEntry, DeviceKeyStore
from intsec_desktop.core.vault.keyslots import KeySlotFile, Slot, VaultKeys

StoreFactory = Callable[[str], DeviceKeyStore]  # backend name -> store


@dataclass
class OpenVault:
    """An unlocked vault: the connection, the keys of the slot used, and who unlocked it."""

    folder: Path
    vault_id: str
    conn: Connection
    keys: VaultKeys
    member: Member
    slot_id: str
    notes: list[str] = field(default_factory=list)  # one-line warnings for the user
    generation: int = 0  # the vault generation when it was opened
    memory: GenerationMemory | None = None  # where this device remembers generations seen

    def close(self) -> None:
        memory, self.memory = self.memory, None
        if memory is not None:
            # Remember what this session wrote, so a copy from before it warns at the next open.
            with contextlib.suppress(IntsecError, OSError):
                current = database.read_generation(self.conn)
                if current > self.generation:
                    memory.remember(current)
        with contextlib.suppress(Exception):
            self.conn.close()
        # Locked means the keys are gone from this process, as far as Python lets us.
        self.keys.database_key.wipe()
        if self.keys.sealing_key is not None:
            self.keys.sealing_key.wipe()

    def __repr__(self) -> str:
        return f"OpenVault(folder={str(self.folder)!r}, member={self.member.name!r})"


@dataclass(frozen=True, slots=True)
class CreatedVault:
    vault: OpenVault
    recovery_code: str
    keyring_note: str  # which backend holds the device key, or why none does


def _check_passphrase(passphrase: str) -> None:
    if not passphrase:
        raise ValidationError("the passphrase must not be empty", "passphrase")


def _prepare_folder(folder: Path) -> None:
    if folder.exists():
        if not folder.is_dir():
            raise VaultExistsError(f"{folder} exists and is not a folder")
        if any(folder.iterdir()):
            kind = "a vault" if paths.keyslots_path(folder).exists() else "a non-empty folder"
            raise VaultExistsError(f"{folder} already exists and is {kind}")


def create(
    folder: Path,
    passphrase: str,
    params: KdfParams,
    now: datetime,
    member_name: str,
    keyring_store: DeviceKeyStore | None,
    record_creation: Callable[[Connection, VaultKeys, Member], None],
) -> CreatedVault:
    """Build the vault in a hidden sibling folder and rename it into place: never half-made."""
    import shutil  # creation-only imports stay off the unlock path
    import uuid

    _check_passphrase(passphrase)
    params.checked()
    folder = folder.expanduser().absolute()
    _prepare_folder(folder)
    folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)

    keys = VaultKeys.generate()
    vault_id = str(uuid.uuid4())
    member = Member(member_name, Role.OWNER)
    staging = folder.with_name(f".{folder.name}.creating-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    os.mkdir(staging, 0o700)
    stored_device_key = False
    entry: DeviceKeyEntry | None = None
    try:
        slot, kek = keyslots.make_passphrase_slot(passphrase, params, member.name, True, now)
        slots = [keyslots.wrap(slot, kek, keys, vault_id)]
        code = keyslots.generate_recovery_code()
        slot, kek = keyslots.make_recovery_slot(code, member.name, now)
        slots.append(keyslots.wrap(slot, kek, keys, vault_id))
        device_key = b""
        if keyring_store is not None:
            slot, kek, device_key = keyslots.make_keyring_slot(
                vault_id, keyring_store.backend_name, member.name, True, now
            )
            slots.append(keyslots.wrap(slot, kek, keys, vault_id))
        slot_file = keyslot_record.stamped(
            KeySlotFile(vault_id, format_utc(now), tuple(slots), {}), 1
        )

        conn = database.create(paths.db_path(staging), keys.database_key)
        try:
            migrations.migrate(conn)
            with database.write_transaction(conn), storage_errors():
                conn.execute("INSERT INTO meta (key, value) VALUES ('vault_id', ?)", (vault_id,))
                conn.execute(
                    "INSERT INTO members (name, role, created_at) VALUES (?,?,?)",
                    (member.name, member.role.value, format_utc(now)),
                )
                record_creation(conn, keys, member)
                keyslot_record.record(conn, slot_file)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            generation = database.read_generation(conn)
        finally:
            conn.close()

        keyring_note = "not used (--no-keyring)"
        if keyring_store is not None:
            entry = DeviceKeyEntry(slots[-1].id, device_key, generation)
            keyring_store.save(vault_id, entry)
            stored_device_key = True
            keyring_note = f"device key stored in {keyring_store.backend_name}"
        slot_file.save(paths.keyslots_path(staging), keys.database_key)

        if folder.exists():
            folder.rmdir()  # only ever an empty folder here (checked above)
        os.rename(staging, folder)
        fsync_dir(folder.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if stored_device_key and keyring_store is not None:
            with contextlib.suppress(IntsecError):
                keyring_store.delete(vault_id)
        raise
    vault = _open_with_keys(folder, vault_id, keys, member.name, slots[0].id)
    # Nothing older than a new vault can exist, so nothing is written now; what this session
    # goes on to write is remembered when it closes.
    if keyring_store is not None and entry is not None:
        vault.memory = generations.KeyringMemory(keyring_store, vault_id, entry)
    else:
        vault.memory = generations.StateFileMemory(vault_id)
    return CreatedVault(vault, code, keyring_note)


def load_slots(folder: Path) -> keyslots.LoadedKeySlots:
    folder = folder.expanduser().absolute()
    if not folder.is_dir():
        raise VaultMissingError(f"no vault at {folder}")
    if not paths.db_path(folder).is_file():
        if not paths.keyslots_path(folder).exists():
            raise VaultMissingError(f"{folder} is not an intsec vault (no vault.db)")
        raise VaultDamagedError(f"{folder} has no vault.db")
    return keyslots.load(paths.keyslots_path(folder))


def _open_with_keys(
    folder: Path,
    vault_id: str,
    keys: VaultKeys,
    member_name: str,
    slot_id: str,
    unlocked_by: tuple[KeySlotFile, Slot] | None = None,
) -> OpenVault:
    """`unlocked_by`: the key slot file as read and the slot that opened it, checked against the
    key slots vault.db recorded (None right after creation, which recorded them)."""
    conn = database.open_existing(paths.db_path(folder), keys.database_key)
    notes: list[str] = []
    try:
        migrations.migrate(conn)
        meta = dict(
            rows(conn, "SELECT key, value FROM meta WHERE key IN ('vault_id', 'generation')")
        )
        if meta.get("vault_id") != vault_id:
            raise VaultDamagedError("vault.db and keyslots.json belong to different vaults")
        if unlocked_by is not None:
            # Before the member check: a removed member's slot from an older copy of the file
            # is named as what it is.
            note = keyslot_record.reconcile_at_open(
                conn, paths.keyslots_path(folder), *unlocked_by, keys.database_key
            )
            notes += [note] if note else []
        role = rows(conn, "SELECT role FROM members WHERE name = ?", (member_name,))
        if not role:
            raise AuthenticationError(f"member {member_name!r} is no longer in this vault")
        member = Member(member_name, Role(role[0][0]))
    except BaseException:
        conn.close()
        raise
    return OpenVault(
        folder.expanduser().absolute(),
        vault_id,
        conn,
        keys,
        member,
        slot_id,
        notes,
        generation=database.parse_generation(meta.get("generation")),
    )


def _watch_generation(vault: OpenVault, memory: GenerationMemory) -> OpenVault:
    """Warn when this vault is older than a copy this device opened before; else remember it.
    Failing to read or write the memory never stops an unlock: the warning is a courtesy."""
    vault.memory = memory
    with contextlib.suppress(IntsecError, OSError):
        seen = memory.seen()
        note = generations.rollback_note(vault.generation, seen)
        if note:
            vault.notes.append(note)
        elif vault.generation > seen:
            memory.remember(vault.generation)
    return vault


def _finish(
    folder: Path, loaded: keyslots.LoadedKeySlots, slot: Slot, keys: VaultKeys
) -> OpenVault:
    loaded.file.verify_mac(loaded.mac, keys.database_key)
    return _open_with_keys(
        folder, loaded.file.vault_id, keys, slot.member, slot.id, (loaded.file, slot)
    )


def unlock_with_secret(folder: Path, secret: str, member: str | None = None) -> OpenVault:
    """A passphrase, or a recovery code typed where the passphrase goes. `member` picks that
    member's slots only (when several members' passphrases could match, and to skip the
    Argon2 runs for everyone else's slots)."""
    if not secret:
        raise AuthenticationError("wrong or empty passphrase")
    loaded = load_slots(folder)
    file = loaded.file
    passphrase_slots = [
        s
        for s in file.slots
        if s.kind == keyslots.PASSPHRASE and (member is None or s.member == member)
    ]
    for s in passphrase_slots:
        s.kdf_params()  # refuse absurd parameters before any Argon2 allocation
    # A recovery code typed at the passphrase prompt is tried first: it costs no KDF time.
    recovery_slots = [
        s
        for s in file.slots
        if s.kind == keyslots.RECOVERY and (member is None or s.member == member)
    ]
    candidates = (
        recovery_slots if keyslots.looks_like_recovery_code(secret) else []
    ) + passphrase_slots
    for slot in candidates:
        if slot.kind == keyslots.RECOVERY:
            kek = keyslots.kek_for_recovery_slot(slot, secret)
        else:
            kek = keyslots.kek_for_passphrase_slot(slot, secret)
        try:
            keys = keyslots.unwrap(slot, kek, file.vault_id)
        except AuthenticationError:
            continue
        vault = _finish(folder, loaded, slot, keys)
        return _watch_generation(vault, generations.StateFileMemory(vault.vault_id))
    if member is not None:
        raise AuthenticationError(f"wrong passphrase for member {member!r}, or no such member")
    raise AuthenticationError("wrong or empty passphrase")


def keyring_slots(file: KeySlotFile) -> list[Slot]:
    return [s for s in file.slots if s.kind == keyslots.KEYRING]


def unlock_with_keyring(folder: Path, store_for: StoreFactory) -> OpenVault:
    loaded = load_slots(folder)
    file = loaded.file
    slots = keyring_slots(file)
    if not slots:
        raise KeyringUnavailableError("this vault has no keyring slot")
    last_error: IntsecError = KeyringUnavailableError(
        "the OS keyring holds no key for this vault on this device"
    )
    for slot in slots:
        try:
            store = store_for(slot.backend)
            entry = store.load(file.vault_id)
        except KeyringUnavailableError as exc:
            last_error = exc
            continue
        if entry is None or entry.slot_id != slot.id:
            continue
        keys = keyslots.unwrap(
            slot, keyslots.device_kek(entry.device_key, file.vault_id), file.vault_id
        )
        vault = _finish(folder, loaded, slot, keys)
        return _watch_generation(vault, generations.KeyringMemory(store, file.vault_id, entry))
    raise last_error
