"""Shared unit-test helpers: an in-memory keyring, a vault template copied per test, snapshots."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from intsec_desktop.core import paths, services
from intsec_desktop.core.clock import FakeClock
from intsec_desktop.core.model import Role
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.vault import audit, database, keyslot_record, keyslots, opening
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import DeviceKeyEntry, DeviceKeyStore

START = datetime(2026, 1, 1, 9, 0, 0, tzinfo=UTC)
ORIGIN = audit.Origin(os_user="tester", host="testhost")
MEMBER = ORIGIN.os_user
PASSPHRASE = "correct horse battery staple"
WRONG_PASSPHRASE = "incorrect horse battery staple"
# Distinctive bytes, so a search for them in files or messages cannot hit by accident.
SECRET = b"sk_live_Q7f2ZpX9mW4tR8vL1nB6"
CREDENTIAL_PATH = "bamboohr/acme/production/api_key"


class MemoryKeyring:
    """A `keyring` backend kept in a dict: priority 1, never touches D-Bus or disk."""

    priority = 1

    def __init__(self, entries: dict[tuple[str, str], str] | None = None) -> None:
        self.entries: dict[tuple[str, str], str] = dict(entries or {})

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.entries[(service, username)]

    def copy(self) -> MemoryKeyring:
        return MemoryKeyring(self.entries)


@dataclass
class VaultCopy:
    """One test's private copy of the template vault, plus ways to unlock it."""

    folder: Path
    recovery_code: str
    keyring: MemoryKeyring
    vault_id: str
    credential_id: int
    clock: FakeClock
    _opened: list[VaultSession] = field(default_factory=list)

    def store(self) -> DeviceKeyStore:
        return DeviceKeyStore(self.keyring)

    def _track(self, session: VaultSession) -> VaultSession:
        self._opened.append(session)
        return session

    def open_secret(self, secret: str) -> VaultSession:
        return self._track(
            services.open_vault_with_secret(self.folder, secret, clock=self.clock, origin=ORIGIN)
        )

    def open_recovery(self) -> VaultSession:
        """The fast way in (HKDF, no Argon2): what most tests use."""
        return self.open_secret(self.recovery_code)

    def open_keyring(self, keyring: MemoryKeyring | None = None) -> VaultSession:
        store = DeviceKeyStore(keyring or self.keyring)
        return self._track(
            services.open_vault_with_keyring(
                self.folder, store_for=lambda _name: store, clock=self.clock, origin=ORIGIN
            )
        )

    def slot_id(self, kind: str) -> str:
        return str(slot_of(read_keyslots(self.folder), kind)["id"])

    def close_all(self) -> None:
        for session in self._opened:
            session.close()
        self._opened.clear()


@dataclass(frozen=True)
class VaultTemplate:
    folder: Path
    recovery_code: str
    keyring: MemoryKeyring
    vault_id: str
    credential_id: int


def create_vault(
    folder: Path, *, keyring: MemoryKeyring | None = None, clock: FakeClock | None = None
) -> tuple[VaultSession, str]:
    """A fresh vault with the fast floor KDF; returns the open session and the recovery code."""
    session, created = services.create_vault(
        folder,
        PASSPHRASE,
        KdfParams.floor(),
        keyring_store=DeviceKeyStore(keyring) if keyring is not None else None,
        clock=clock or FakeClock(START),
        origin=ORIGIN,
    )
    return session, created.recovery_code


@pytest.fixture(scope="session")
def vault_template(tmp_path_factory: pytest.TempPathFactory) -> VaultTemplate:
    """Created once (one Argon2 run); every test gets a byte-for-byte copy."""
    keyring = MemoryKeyring()
    folder = tmp_path_factory.mktemp("template") / "team.intsec"
    session, code = create_vault(folder, keyring=keyring)
    try:
        session.add_integration("bamboohr", "BambooHR", "hris", "api", vendor="BambooHR Inc.")
        session.add_customer("acme", "Acme GmbH", "eu")
        credential = session.add_credential(
            integration="bamboohr", customer="acme", name="api_key", secret=SECRET, owner="dana"
        )
        vault_id = session.vault_id
    finally:
        session.close()
    return VaultTemplate(folder, code, keyring, vault_id, credential.id)


@pytest.fixture
def vault(vault_template: VaultTemplate, tmp_path: Path) -> Iterator[VaultCopy]:
    folder = tmp_path / "team.intsec"
    shutil.copytree(vault_template.folder, folder)
    copy = VaultCopy(
        folder,
        vault_template.recovery_code,
        vault_template.keyring.copy(),
        vault_template.vault_id,
        vault_template.credential_id,
        FakeClock(START),
    )
    yield copy
    copy.close_all()


@pytest.fixture
def session(vault: VaultCopy) -> VaultSession:
    return vault.open_recovery()


# --- inspecting and tampering -------------------------------------------------------------

Snapshot = dict[str, tuple[bytes, int]]


def snapshot(folder: Path) -> Snapshot:
    """{relative path: (bytes, mtime_ns)} of every file below `folder` ({} if it is absent)."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def read_keyslots(folder: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(paths.keyslots_path(folder).read_bytes())
    return document


def checksum_of(document: dict[str, Any]) -> str:
    """What an attacker who read the format would compute: sha256 of the canonical body."""
    body = {k: v for k, v in document.items() if k not in ("checksum", "mac")}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return "sha256:" + hashlib.sha256(canonical).hexdigest()


def edit_keyslots(
    folder: Path, edit: Callable[[dict[str, Any]], None], *, fix_checksum: bool
) -> None:
    document = read_keyslots(folder)
    assert document["checksum"] == checksum_of(document), "test's checksum recipe is out of date"
    edit(document)
    if fix_checksum:
        document["checksum"] = checksum_of(document)
    paths.keyslots_path(folder).write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


def slot_of(document: dict[str, Any], kind: str) -> dict[str, Any]:
    slot: dict[str, Any] = next(s for s in document["slots"] if s["kind"] == kind)
    return slot


def _edit_members(vault: VaultCopy, sql: str, params: tuple[str, ...]) -> None:
    opened = opening.unlock_with_secret(vault.folder, vault.recovery_code)
    try:
        opened.conn.execute(sql, params)
    finally:
        opened.close()


def set_role(vault: VaultCopy, role: Role) -> None:
    """Change the member's role by editing the members table through an unlocked connection."""
    _edit_members(vault, "UPDATE members SET role = ? WHERE name = ?", (role.value, MEMBER))


def add_member(vault: VaultCopy, name: str, role: Role) -> None:
    _edit_members(
        vault,
        "INSERT INTO members (name, role, created_at) VALUES (?, ?, ?)",
        (name, role.value, "2026-01-01T00:00:00Z"),
    )


def add_slot_without_reveal(vault: VaultCopy, keyring: MemoryKeyring) -> str:
    """A keyring slot wrapping DK only (can_reveal False), its device key kept in `keyring`."""
    opened = opening.unlock_with_secret(vault.folder, vault.recovery_code)
    try:
        loaded = keyslots.load(paths.keyslots_path(vault.folder))
        store = DeviceKeyStore(keyring)
        slot, kek, device_key = keyslots.make_keyring_slot(
            opened.vault_id, store.backend_name, MEMBER, False, START
        )
        wrapped = keyslots.wrap(slot, kek, opened.keys, opened.vault_id)
        with database.write_transaction(opened.conn):
            keyslot_record.save(
                opened.conn,
                paths.keyslots_path(vault.folder),
                loaded.file.with_slot(wrapped),
                opened.keys.database_key,
            )
        store.save(opened.vault_id, DeviceKeyEntry(slot.id, device_key, 0))
    finally:
        opened.close()
    return slot.id


def audit_count(session: VaultSession) -> int:
    return len(session.audit_events())


def assert_one_line(exc: BaseException) -> None:
    message = str(exc)
    assert message.strip(), f"{type(exc).__name__} has an empty message"
    assert "\n" not in message, f"{type(exc).__name__} message spans lines: {message!r}"
