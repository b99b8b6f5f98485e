"""The session core every service group builds on: facts, transactions, audit events."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Self

from intsec_desktop.core.clock import Clock
from intsec_desktop.core.model import (
    Member,
)
from intsec_desktop.core.vault import audit, opening
from intsec_desktop.core.vault.database import Connection, storage_errors, write_transaction


def current_origin() -> audit.Origin:
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return audit.Origin(os_user=user, host=socket.gethostname())


class SessionBase:
    """An unlocked vault used by one member: facts, transactions and the audit hook."""

    def __init__(
        self, vault: opening.OpenVault, clock: Clock, origin: audit.Origin | None = None
    ) -> None:
        self._vault = vault
        self._clock = clock
        self._origin = origin
        self._audit_key = vault.keys.database_key.derive("audit")
        self._batch_depth = 0

    def __repr__(self) -> str:
        return f"VaultSession({self._vault!r})"

    # --- session facts ------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        return self._vault.folder

    @property
    def vault_id(self) -> str:
        return self._vault.vault_id

    @property
    def member(self) -> Member:
        return self._vault.member

    @property
    def slot_id(self) -> str:
        return self._vault.slot_id

    @property
    def can_reveal(self) -> bool:
        return self._vault.keys.sealing_key is not None

    @property
    def notes(self) -> list[str]:
        """One-line warnings from opening the vault (e.g. it looks rolled back), for the user."""
        return list(self._vault.notes)

    def data_version(self) -> int:
        """Changes whenever another connection (the CLI, a teammate) commits to the vault."""
        with storage_errors():
            return int(self._vault.conn.execute("PRAGMA data_version").fetchone()[0])

    def clock_now(self) -> datetime:
        return self._clock.now()

    def _origin_now(self) -> audit.Origin:
        # Resolved on the first audited call: read-only sessions never ask the OS.
        if self._origin is None:
            self._origin = current_origin()
        return self._origin

    def close(self) -> None:
        self._vault.close()
        self._audit_key.wipe()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- transactions -------------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Run several service calls in one transaction (each still writes its own event)."""
        with self._transaction():
            self._batch_depth += 1
            try:
                yield
            finally:
                self._batch_depth -= 1

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Connection]:
        conn = self._vault.conn
        if self._batch_depth:
            # Inside batch(): a savepoint per call, so a call that fails half-way leaves nothing
            # behind even when the caller catches its error and the batch commits.
            with storage_errors():
                conn.execute("SAVEPOINT service_call")
            try:
                yield conn
            except BaseException:
                with storage_errors():
                    conn.execute("ROLLBACK TO service_call")
                    conn.execute("RELEASE service_call")
                raise
            with storage_errors():
                conn.execute("RELEASE service_call")
            return
        with write_transaction(conn), storage_errors():
            yield conn

    def _audit(
        self, conn: Connection, action: str, target: str, details: dict[str, object]
    ) -> None:
        audit.append(
            conn,
            self._audit_key,
            at=self._clock.now(),
            actor=self.member.name,
            origin=self._origin_now(),
            action=action,
            target=target,
            details=details,
        )

    @property
    def _conn(self) -> Connection:
        return self._vault.conn


def _changes(before: object, after: object) -> dict[str, object]:
    """Field → [before, after] for the audit trail (metadata only; no secret is ever a field)."""
    changed: dict[str, object] = {}
    for f in dataclasses.fields(before):  # type: ignore[arg-type]
        old, new = getattr(before, f.name), getattr(after, f.name)
        if old != new:
            changed[f.name] = [_plain(old), _plain(new)]
    return changed


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "value"):
        return value.value
    return value
