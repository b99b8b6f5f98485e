"""The key-slot generation: every change of keyslots.json is recorded in vault.db, an older copy
of the file is refused (or repaired when the slot used still holds), a newer one is adopted."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from intsec_desktop.core import paths, services
from intsec_desktop.core.errors import (
    AuthenticationError,
    IntsecError,
    KeySlotRollbackError,
    StorageError,
    VaultDamagedError,
)
from intsec_desktop.core.model import Role
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.vault import database, keyslot_record, keyslots, migrations, opening
from intsec_desktop.core.vault.crypto import KdfParams
from tests.unit.conftest import PASSPHRASE, VaultCopy, assert_one_line, snapshot

NEW_PASSPHRASE = "a brand new passphrase for the rollback test"


def refused(
    call: Callable[[], object], error: type[IntsecError], exit_code: int, folder: Path
) -> IntsecError:
    """`call` raises `error` and leaves every file as it was. (The database did open, so
    SQLite's -wal and -shm files came and went: the folder's own mtime is not compared.)"""
    before = snapshot(folder)
    with pytest.raises(error) as raised:
        call()
    assert raised.value.exit_code == exit_code
    assert_one_line(raised.value)
    assert snapshot(folder) == before
    return raised.value


def file_generation(folder: Path) -> int:
    return keyslot_record.generation_of(keyslots.load(paths.keyslots_path(folder)).file)


def recorded_generation(session: VaultSession) -> int:
    recorded = keyslot_record.read(session._conn)
    assert recorded is not None
    return recorded.generation


def keep_copy(vault: VaultCopy) -> Path:
    older = vault.folder.parent / "keyslots.older.json"
    shutil.copy2(paths.keyslots_path(vault.folder), older)
    return older


def put_back(vault: VaultCopy, older: Path) -> None:
    shutil.copy2(older, paths.keyslots_path(vault.folder))


def remove_recovery_slot(session: VaultSession) -> object:
    (slot,) = [k for k in session.list_keyslots() if k.kind == keyslots.RECOVERY]
    session.remove_keyslot(slot.id)
    return slot


CHANGES: dict[str, Callable[[VaultSession], object]] = {
    "passphrase changed": lambda s: s.change_passphrase(NEW_PASSPHRASE, KdfParams.floor()),
    "passphrase slot added": lambda s: s.add_passphrase_slot(NEW_PASSPHRASE, KdfParams.floor()),
    "recovery slot removed": remove_recovery_slot,
    "member added": lambda s: s.add_member("bob", Role.EDITOR, "bob-one-time"),
}


def test_a_new_vault_records_generation_one(session: VaultSession, vault: VaultCopy) -> None:
    assert file_generation(vault.folder) == 1
    assert recorded_generation(session) == 1
    assert session.notes == []


@pytest.mark.parametrize("name", list(CHANGES))
def test_every_key_slot_change_takes_the_next_generation_and_records_it(
    vault: VaultCopy, name: str
) -> None:
    session = vault.open_recovery()
    CHANGES[name](session)
    assert file_generation(vault.folder) == 2
    assert recorded_generation(session) == 2
    recorded = keyslot_record.read(session._conn)
    assert recorded is not None
    assert recorded.file.slots == keyslots.load(paths.keyslots_path(vault.folder)).file.slots
    assert session.integrity_problems() == []


def test_member_removal_and_role_change_are_recorded(vault: VaultCopy) -> None:
    session = vault.open_recovery()
    session.add_member("bob", Role.EDITOR, "bob-one-time")
    session.change_member_role("bob", Role.VIEWER)  # loses the reveal right: slot replaced
    session.remove_member("bob")
    assert file_generation(vault.folder) == recorded_generation(session) == 4


def test_the_audit_head_alone_keeps_the_generation(vault: VaultCopy) -> None:
    """Closing a session that wrote events rewrites keyslots.json (the chain head) without a
    new generation: its slots did not change, and closing costs no database commit."""
    session = vault.open_recovery()
    before = paths.keyslots_path(vault.folder).read_bytes()
    session.add_integration("workday", "Workday", "hris", "api")
    session.close()
    assert paths.keyslots_path(vault.folder).read_bytes() != before
    assert file_generation(vault.folder) == 1
    assert vault.open_recovery().notes == []


def test_an_older_copy_after_a_passphrase_change_refuses_the_old_passphrase(
    vault: VaultCopy,
) -> None:
    older = keep_copy(vault)
    vault.open_recovery().change_passphrase(NEW_PASSPHRASE, KdfParams.floor())
    vault.close_all()
    put_back(vault, older)
    error = refused(lambda: vault.open_secret(PASSPHRASE), KeySlotRollbackError, 5, vault.folder)
    assert isinstance(error, VaultDamagedError)
    message = str(error)
    assert "keyslots.json is an older copy" in message
    assert "generation 1, vault.db records 2" in message
    assert "put the newest keyslots.json back" in message


def test_an_older_copy_after_a_removed_recovery_slot_refuses_the_code(vault: VaultCopy) -> None:
    older = keep_copy(vault)
    session = vault.open_secret(PASSPHRASE)
    remove_recovery_slot(session)
    vault.close_all()
    put_back(vault, older)
    refused(vault.open_recovery, KeySlotRollbackError, 5, vault.folder)


def test_an_older_copy_after_a_member_was_removed_refuses_that_member(vault: VaultCopy) -> None:
    owner = vault.open_recovery()
    owner.add_member("bob", Role.EDITOR, "bob-one-time")
    vault.close_all()
    older = keep_copy(vault)
    vault.open_recovery().remove_member("bob")
    vault.close_all()
    put_back(vault, older)

    def open_bob() -> object:
        return services.open_vault_with_secret(vault.folder, "bob-one-time", member="bob")

    error = refused(open_bob, KeySlotRollbackError, 5, vault.folder)
    assert "changed or removed since" in str(error)


def test_an_unchanged_slot_opens_an_older_copy_and_repairs_it(vault: VaultCopy) -> None:
    older = keep_copy(vault)
    vault.open_recovery().change_passphrase(NEW_PASSPHRASE, KdfParams.floor())
    vault.close_all()
    current = keyslots.load(paths.keyslots_path(vault.folder)).file
    put_back(vault, older)

    session = vault.open_recovery()  # the recovery slot did not change
    (note,) = session.notes
    assert "older copy" in note
    assert "restored from vault.db" in note
    assert "\n" not in note
    repaired = keyslots.load(paths.keyslots_path(vault.folder)).file
    assert repaired.slots == current.slots
    assert keyslot_record.generation_of(repaired) == 2
    vault.close_all()
    # Repaired: the old passphrase is plainly wrong now, the new one opens without a note.
    with pytest.raises(AuthenticationError):
        vault.open_secret(PASSPHRASE)
    assert vault.open_secret(NEW_PASSPHRASE).notes == []


def test_a_change_whose_commit_never_came_is_adopted_without_alarm(
    vault: VaultCopy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """keyslots.json is written before the database commits. Fail that commit, and the put-back
    of the previous file too: the file is left ahead of vault.db, as after a crash."""
    session = vault.open_recovery()
    real = session._vault.conn
    failing = FailingCommit(real)
    monkeypatch.setattr(session._vault, "conn", failing)
    saves = 0
    original_save = keyslots.KeySlotFile.save

    def save_once(self: keyslots.KeySlotFile, path: Path, key: object) -> None:
        nonlocal saves
        saves += 1
        if saves > 1:
            raise StorageError("could not write keyslots.json: No space left on device")
        original_save(self, path, key)  # type: ignore[arg-type]

    monkeypatch.setattr(keyslots.KeySlotFile, "save", save_once)
    with pytest.raises(StorageError, match="could not be put back"):
        session.change_passphrase(NEW_PASSPHRASE, KdfParams.floor())
    monkeypatch.undo()
    assert file_generation(vault.folder) == 2
    assert recorded_generation(session) == 1
    failing.close()

    reopened = vault.open_secret(NEW_PASSPHRASE)  # what the file says holds
    assert reopened.notes == []
    assert recorded_generation(reopened) == 2
    assert reopened.integrity_problems() == []
    reopened.close()
    with pytest.raises(AuthenticationError):
        vault.open_secret(PASSPHRASE)


class FailingCommit:
    """The session's connection, with COMMIT failing like a disk that filled up meanwhile."""

    def __init__(self, conn: database.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: object) -> database.Cursor:
        if sql == "COMMIT":
            raise database.sqlcipher3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def close(self) -> None:
        self._conn.close()


def test_an_older_copy_put_back_during_a_session_is_not_built_upon(vault: VaultCopy) -> None:
    session = vault.open_recovery()
    session.add_member("bob", Role.EDITOR, "bob-one-time")
    with_bob = keep_copy(vault)
    session.remove_member("bob")
    put_back(vault, with_bob)  # generation 2 < 3, bob's slot is back in the file
    problems = session.integrity_problems()
    assert any("older copy" in p for p in problems), problems
    # The listing and the next change start from what vault.db recorded, not from the file.
    assert "bob" not in {k.member for k in session.list_keyslots()}
    session.add_passphrase_slot(NEW_PASSPHRASE, KdfParams.floor())
    slots = keyslots.load(paths.keyslots_path(vault.folder)).file.slots
    assert "bob" not in {s.member for s in slots}
    assert file_generation(vault.folder) == recorded_generation(session) == 4
    assert session.integrity_problems() == []


def test_same_generation_with_other_slots_is_damage(vault: VaultCopy) -> None:
    """Only someone holding the vault key can write a valid file; one that bypassed the
    bookkeeping (same generation, other slots) is refused like any edit outside intsec."""
    opened = opening.unlock_with_secret(vault.folder, vault.recovery_code)
    try:
        loaded = keyslots.load(paths.keyslots_path(vault.folder))
        loaded.file.without_slot(vault.slot_id(keyslots.PASSPHRASE)).save(
            paths.keyslots_path(vault.folder), opened.keys.database_key
        )
    finally:
        opened.close()
    error = refused(vault.open_recovery, VaultDamagedError, 5, vault.folder)
    assert not isinstance(error, KeySlotRollbackError)
    assert "does not match the key slots recorded in vault.db" in str(error)


def test_a_change_that_landed_while_unlocking_is_no_false_alarm(vault: VaultCopy) -> None:
    """The file read to unlock may predate a change another process committed since: the check
    reads the file again under the write lock before calling it a rollback."""
    loaded = keyslots.load(paths.keyslots_path(vault.folder)).file
    recovery = next(s for s in loaded.slots if s.kind == keyslots.RECOVERY)
    vault.open_recovery().add_passphrase_slot(NEW_PASSPHRASE, KdfParams.floor())
    vault.close_all()
    opened = opening.unlock_with_secret(vault.folder, vault.recovery_code)
    try:
        note = keyslot_record.reconcile_at_open(
            opened.conn,
            paths.keyslots_path(vault.folder),
            loaded,
            recovery,
            opened.keys.database_key,
        )
    finally:
        opened.close()
    assert note is None


def test_a_vault_from_before_generations_records_its_slots_at_the_next_unlock(
    vault: VaultCopy,
) -> None:
    opened = opening.unlock_with_secret(vault.folder, vault.recovery_code)
    try:  # what an older intsec left: no record, no migration, no generation in the file
        opened.conn.execute("DROP TABLE keyslots_record")
        opened.conn.execute("DELETE FROM schema_migrations WHERE name = '0009_keyslots_record'")
        opened.conn.execute(f"PRAGMA user_version = {len(migrations.MIGRATIONS) - 1}")
        file = keyslots.load(paths.keyslots_path(vault.folder)).file
        meta = {k: v for k, v in file.meta.items() if k != keyslot_record.GENERATION_KEY}
        keyslots.KeySlotFile(file.vault_id, file.created_at, file.slots, meta).save(
            paths.keyslots_path(vault.folder), opened.keys.database_key
        )
    finally:
        opened.close()
    assert file_generation(vault.folder) == 0
    older = keep_copy(vault)

    session = vault.open_recovery()
    assert session.notes == []
    assert recorded_generation(session) == 0
    session.change_passphrase(NEW_PASSPHRASE, KdfParams.floor())
    assert file_generation(vault.folder) == recorded_generation(session) == 1
    vault.close_all()
    put_back(vault, older)
    refused(lambda: vault.open_secret(PASSPHRASE), KeySlotRollbackError, 5, vault.folder)


def test_the_keyring_path_repairs_and_refuses_alike(
    vault: VaultCopy, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = keep_copy(vault)
    vault.open_recovery().change_passphrase(NEW_PASSPHRASE, KdfParams.floor())
    vault.close_all()
    put_back(vault, older)
    (note,) = vault.open_keyring().notes  # the keyring slot did not change: repaired
    assert "restored from vault.db" in note
    vault.close_all()

    older = keep_copy(vault)
    kept = vault.keyring.copy()  # someone kept the device key of the slot about to go
    session = vault.open_recovery()
    session.remove_keyslot(vault.slot_id(keyslots.KEYRING), store_for=lambda _n: vault.store())
    vault.close_all()
    put_back(vault, older)
    refused(lambda: vault.open_keyring(kept), KeySlotRollbackError, 5, vault.folder)
