"""The vault on disk: private permissions, encrypted from the first byte, SQLCipher underneath."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from intsec_desktop.core.services import VaultSession
from tests.unit.conftest import SECRET, VaultCopy, create_vault


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The most permissive umask people really run with: the vault must not depend on it."""
    previous = os.umask(0o002)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("loose_umask")
def test_fresh_vault_is_private(tmp_path: Path) -> None:
    folder = tmp_path / "fresh.intsec"
    session, _code = create_vault(folder)
    try:
        session.add_integration("bamboohr", "BambooHR", "hris", "api")
        session.add_credential(integration="bamboohr", name="api_key", secret=SECRET)
        assert mode(folder) == 0o700
        names = sorted(p.name for p in folder.iterdir())
        assert names == ["keyslots.json", "vault.db", "vault.db-shm", "vault.db-wal"]
        for name in names:
            assert mode(folder / name) == 0o600, name
    finally:
        session.close()
    assert sorted(p.name for p in folder.iterdir()) == ["keyslots.json", "vault.db"]
    assert [p.name for p in tmp_path.iterdir()] == ["fresh.intsec"], "staging folder left behind"


@pytest.mark.usefixtures("loose_umask")
def test_files_stay_private_after_slot_changes(vault: VaultCopy) -> None:
    session = vault.open_recovery()
    session.change_passphrase("another passphrase")
    session.add_customer("globex", "Globex", "us")
    for path in vault.folder.iterdir():
        assert mode(path) == 0o600, path.name
    assert mode(vault.folder) == 0o700


def test_database_file_is_encrypted(session: VaultSession) -> None:
    header = (session.folder / "vault.db").read_bytes()[:16]
    assert not header.startswith(b"SQLite format 3")
    version = session._conn.execute("PRAGMA cipher_version").fetchone()
    assert version
    assert version[0]


def test_database_does_not_open_without_the_key(session: VaultSession) -> None:
    import sqlcipher3

    conn = sqlcipher3.connect(str(session.folder / "vault.db"))
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        with pytest.raises(sqlcipher3.DatabaseError):
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
    finally:
        conn.close()


def test_integrity_check_is_clean(session: VaultSession) -> None:
    assert session.integrity_problems() == []
