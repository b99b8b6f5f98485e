"""The key slots as vault.db last recorded them: an older keyslots.json is refused or repaired.

keyslots.json carries a generation in its meta (under its checksum and MAC) that every change
of its slots raises. The transaction that commits a key-slot change also records the new file
(generation and body) in vault.db, where SQLCipher encrypts and authenticates it. The file is
written first and the record commits after it, so a crash in between leaves the file ahead of
the record, never behind: a file behind the record is an older copy that was put back, and with
it a changed passphrase, a removed member's slot or a removed recovery code could come back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from intsec_desktop.core.errors import (
    AuthenticationError,
    KeySlotRollbackError,
    VaultBusyError,
    VaultDamagedError,
)
from intsec_desktop.core.vault import audit_trail, keyslots
from intsec_desktop.core.vault.crypto import SecretKey
from intsec_desktop.core.vault.database import (
    Connection,
    rows,
    storage_errors,
    write_transaction,
)
from intsec_desktop.core.vault.keyslots import KeySlotFile, Slot

GENERATION_KEY = "keyslots_generation"  # in keyslots.json's meta


@dataclass(frozen=True, slots=True)
class Recorded:
    generation: int
    file: KeySlotFile


def generation_of(file: KeySlotFile) -> int:
    """The file's key-slot generation; 0 for a file written before generations were kept."""
    value = file.meta.get(GENERATION_KEY, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise VaultDamagedError("keyslots.json holds an invalid key-slot generation")
    return value


def stamped(file: KeySlotFile, generation: int) -> KeySlotFile:
    return replace(file, meta={**file.meta, GENERATION_KEY: generation})


def read(conn: Connection) -> Recorded | None:
    """None for a vault that has not recorded its key slots yet (opened before, by an older
    intsec): the next unlock records them."""
    found = rows(conn, "SELECT generation, content FROM keyslots_record WHERE id = 1")
    if not found:
        return None
    where = "the key-slot record in vault.db"
    try:
        file = keyslots.parse(json.loads(found[0][1]), where)
    except ValueError as exc:
        raise VaultDamagedError(f"{where} is damaged and cannot be read") from exc
    if generation_of(file) != found[0][0]:
        raise VaultDamagedError(f"{where} is damaged (generation mismatch)")
    return Recorded(int(found[0][0]), file)


def record(conn: Connection, file: KeySlotFile) -> None:
    """`file` becomes the recorded key slots when the caller's transaction commits."""
    with storage_errors():
        conn.execute(
            "INSERT INTO keyslots_record (id, generation, content) VALUES (1, ?, ?)"
            " ON CONFLICT (id) DO UPDATE"
            " SET generation = excluded.generation, content = excluded.content",
            (generation_of(file), file.canonical().decode()),
        )


def save(conn: Connection, path: Path, file: KeySlotFile, database_key: SecretKey) -> None:
    """The one way keyslots.json is rewritten once the vault exists; the caller holds the
    database write lock. Changed slots take the next generation, recorded in the caller's
    transaction, which commits after the file is on disk: a crash before that commit leaves the
    file ahead of the record, and the next unlock adopts it. Unchanged slots (only the audit
    head moved) keep their generation and need no record."""
    recorded = read(conn)
    if recorded is not None and file.slots == recorded.file.slots:
        stamped(file, max(generation_of(file), recorded.generation)).save(path, database_key)
        return
    base = max(generation_of(file), recorded.generation if recorded else 0)
    file = stamped(file, base + 1)
    record(conn, file)  # uncommitted until the caller commits; a failed write rolls it back
    file.save(path, database_key)


def load_verified(path: Path, vault_id: str, database_key: SecretKey) -> KeySlotFile:
    loaded = keyslots.load(path)
    if loaded.file.vault_id != vault_id:
        raise VaultDamagedError("keyslots.json now belongs to another vault")
    loaded.file.verify_mac(loaded.mac, database_key)
    return loaded.file


def current(conn: Connection, file: KeySlotFile) -> KeySlotFile:
    """The key slots that hold now: `file` as read from disk, unless it is older than the
    recorded ones (put back while a session was open); then the record, which the next write
    of keyslots.json puts on disk."""
    recorded = read(conn)
    if recorded is None or generation_of(file) > recorded.generation:
        return file  # a change in progress elsewhere, or one whose commit never came
    if generation_of(file) == recorded.generation:
        _check_same_slots(file, recorded)
        return file
    return recorded.file


def problem(file: KeySlotFile, recorded: Recorded | None) -> str | None:
    """For `intsec doctor`. Read the record before the file: a change committing in between
    then leaves the file ahead (fine), never behind (a false alarm)."""
    if recorded is None:
        return None
    generation = generation_of(file)
    if generation < recorded.generation:
        behind = _behind(generation, recorded.generation)
        return f"{behind}; unlocking with a key slot that did not change restores it"
    if generation == recorded.generation and file.slots != recorded.file.slots:
        return _MISMATCH
    return None


def reconcile_at_open(
    conn: Connection, path: Path, loaded: KeySlotFile, used: Slot, database_key: SecretKey
) -> str | None:
    """Run once `used` (a slot of `loaded`) opened the database; returns a note for the user.
    The usual case costs one read. The others (first unlock since the upgrade, a change whose
    commit never came, an older copy) take the write lock and read both again, because a change
    in another process may have landed since `loaded` was read."""
    recorded = read(conn)
    if (
        recorded is not None
        and generation_of(loaded) == recorded.generation
        and loaded.slots == recorded.file.slots
    ):
        return None
    try:
        with write_transaction(conn):
            return _reconcile_locked(conn, path, loaded, used, database_key)
    except VaultBusyError:
        if recorded is not None and generation_of(loaded) < recorded.generation:
            raise  # an older copy is never let through unchecked
        return None  # recording the newer file can wait for the next unlock


def _reconcile_locked(
    conn: Connection, path: Path, loaded: KeySlotFile, used: Slot, database_key: SecretKey
) -> str | None:
    recorded = read(conn)
    file = load_verified(path, loaded.vault_id, database_key)
    generation = generation_of(file)
    behind = recorded is not None and generation < recorded.generation
    holds = recorded.file if recorded is not None and behind else file
    if used not in holds.slots:
        if recorded is not None and generation_of(loaded) < recorded.generation:
            raise KeySlotRollbackError(
                f"{_behind(generation_of(loaded), recorded.generation)} and the key slot used"
                " was changed or removed since: refused; put the newest keyslots.json back, or"
                " unlock with a passphrase, recovery code or keyring key that did not change"
                " (that repairs the file)"
            )
        raise AuthenticationError("the key slots changed while unlocking; unlock again")
    if recorded is not None and behind:
        # Whoever unlocked holds a slot that is still current: put the current slots back.
        audit_trail.with_head(recorded.file, conn).save(path, database_key)
        return (
            f"{_behind(generation, recorded.generation)}: the current key slots were restored"
            " from vault.db"
        )
    if recorded is not None and generation == recorded.generation:
        _check_same_slots(file, recorded)
    else:
        record(conn, file)  # first unlock since the upgrade, or finishing an interrupted change
    return None


_MISMATCH = (
    "keyslots.json does not match the key slots recorded in vault.db"
    " (modified outside intsec with the vault key)"
)


def _check_same_slots(file: KeySlotFile, recorded: Recorded) -> None:
    if file.slots != recorded.file.slots:
        raise VaultDamagedError(_MISMATCH)


def _behind(generation: int, recorded: int) -> str:
    return (
        f"keyslots.json is an older copy of itself (key-slot generation {generation},"
        f" vault.db records {recorded})"
    )
