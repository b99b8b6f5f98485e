"""SQLCipher connections: raw-key open sequence, pragmas, transactions and error translation.

The standard-library sqlite3 module is never used for a vault: it cannot decrypt one, and a
plaintext fallback is exactly what we must never write.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, cast

import sqlcipher3

from intsec_desktop.core.errors import (
    ConflictError,
    IntsecError,
    StorageError,
    UnsupportedBackendError,
    VaultBusyError,
    VaultDamagedError,
    VaultMissingError,
)
from intsec_desktop.core.vault.crypto import SecretKey


class Cursor(Protocol):
    lastrowid: int | None

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """The part of sqlcipher3's DB-API connection we use (the module ships no type hints)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...
    def close(self) -> None: ...
    @property
    def in_transaction(self) -> bool: ...


BUSY_TIMEOUT_MS = 2000  # a second writer waits this long, then hears "vault busy"


def translate(exc: Exception) -> IntsecError:
    """Map a driver exception to our hierarchy. Messages name the problem, never any data."""
    text = str(exc).lower()
    if isinstance(exc, sqlcipher3.IntegrityError):
        return ConflictError("that change conflicts with existing data")
    if "locked" in text or "busy" in text:
        return VaultBusyError("vault busy: another intsec process is writing; try again")
    if "disk i/o" in text or "full" in text or "readonly" in text or "unable to open" in text:
        return StorageError(f"the vault could not be written: {text}")
    return VaultDamagedError("the vault database is damaged or was tampered with")


@contextlib.contextmanager
def storage_errors() -> Iterator[None]:
    try:
        yield
    except sqlcipher3.Error as exc:
        raise translate(exc) from exc


@contextlib.contextmanager
def _private_umask() -> Iterator[None]:
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _keyed_connection(path: Path, key: SecretKey) -> Connection:
    conn = cast(
        Connection,
        sqlcipher3.connect(
            str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        ),
    )
    try:
        # Silence SQLCipher's stderr chatter ("hmac check failed") for wrong keys and bad pages.
        conn.execute("PRAGMA cipher_log_level = NONE")
        version = conn.execute("PRAGMA cipher_version").fetchone()
        if not version or not version[0]:
            raise UnsupportedBackendError(
                "the SQLite module in use is not SQLCipher; refusing to run"
            )
        conn.execute(f"PRAGMA key = \"x'{key.raw.hex()}'\"")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        conn.close()
        raise
    return conn


def create(path: Path, key: SecretKey) -> Connection:
    """A new, empty, encrypted database in WAL mode, readable by its owner only."""
    with _private_umask(), storage_errors():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        conn = _keyed_connection(path, key)
        conn.execute("PRAGMA journal_mode = WAL")
    return conn


def open_existing(path: Path, key: SecretKey) -> Connection:
    if not path.is_file():
        raise VaultMissingError(f"no vault database at {path}")
    conn: Connection | None = None
    try:
        with _private_umask(), storage_errors():
            conn = _keyed_connection(path, key)
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            _check_size(conn, path)
    except BaseException:
        if conn is not None:
            conn.close()
        raise
    return conn


def _check_size(conn: Connection, path: Path) -> None:
    """A truncated file is caught cheaply here instead of on the first query that hits the hole."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return  # pages may legitimately live in the WAL until the next checkpoint
    page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    page_count = int(conn.execute("PRAGMA page_count").fetchone()[0])
    if path.stat().st_size < page_size * page_count:
        raise VaultDamagedError("the vault database is truncated")


# Every write transaction raises the vault generation by one, in the same commit, so an older
# copy of the vault (restored, synced back, rolled back on purpose) shows a lower number.
_BUMP_GENERATION = (
    "INSERT INTO meta (key, value) VALUES ('generation', '1')"
    " ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
)


@contextlib.contextmanager
def write_transaction(conn: Connection) -> Iterator[Connection]:
    """BEGIN IMMEDIATE so a concurrent writer is detected up front, not at COMMIT."""
    with storage_errors():
        conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        with storage_errors():
            conn.execute(_BUMP_GENERATION)
            conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("ROLLBACK")
        raise


def read_generation(conn: Connection) -> int:
    """The vault generation: how many write transactions it has seen (0 before the first)."""
    found = rows(conn, "SELECT value FROM meta WHERE key = 'generation'")
    return parse_generation(found[0][0] if found else None)


def parse_generation(value: object) -> int:
    try:
        return max(int(str(value)), 0) if value is not None else 0
    except ValueError:
        return 0


def rows(conn: Connection, sql: str, params: Any = ()) -> list[Any]:
    with storage_errors():
        return list(conn.execute(sql, params).fetchall())


def integrity_problems(conn: Connection) -> list[str]:
    """Full page-by-page check (`intsec doctor`): SQLite structure plus SQLCipher page HMACs."""
    with storage_errors():
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall() if r[0] != "ok"]
        problems += [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    return problems
