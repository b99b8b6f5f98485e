"""Permissions: the vault folder is 0700 and every file in it 0600 (the WAL and shared-memory
files included), as are the per-user state files, whatever the umask says."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from intsec_desktop.core import paths
from intsec_desktop.core.vault import generations
from tests.security.conftest import Figures
from tests.security.helpers import PASSPHRASE, KnownVault, run_cli, write_passphrase_file

FLOOR_KDF = ["--kdf-memory-mib", "64", "--kdf-iterations", "3"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes_below(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): oct(mode(p)) for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_cli_init_and_write_under_umask(umask: int, tmp_path: Path, figures: Figures) -> None:
    home = tmp_path / "home"
    folder = tmp_path / "created-by-init" / "v.intsec"
    passfile = write_passphrase_file(tmp_path, PASSPHRASE)
    common = ["--vault", str(folder), "--passphrase-file", str(passfile)]

    init = run_cli(["init", "--no-keyring", *FLOOR_KDF, *common], home, umask=umask)
    assert init.returncode == 0, init.stderr
    added = run_cli(
        ["customer", "add", "acme", "--name", "Acme", "--region", "eu", *common], home, umask=umask
    )
    assert added.returncode == 0, added.stderr

    assert mode(folder.parent) == 0o700  # the parent init had to create
    assert mode(folder) == 0o700
    files = sorted(folder.iterdir())
    assert {p.name for p in files} >= {"vault.db", "keyslots.json"}
    assert all(mode(p) == 0o600 for p in files), modes_below(folder)
    state = home / "state"  # written by the second command: init alone writes nothing there
    assert mode(state) == 0o700
    assert mode(state / generations.STATE_FILENAME) == 0o600
    figures.record(
        "permissions",
        f"umask {umask:03o}: CLI init + write",
        "folder 0700, vault.db/keyslots.json 0600, state dir 0700, seen-generations.json 0600",
    )


def test_wal_and_shm_while_open_under_umask_002(
    known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    previous = os.umask(0o002)
    try:
        with known_vault.open(folder) as session:
            session.add_customer("initech", "Initech", "us")
            names = {p.name for p in folder.iterdir()}
            assert {"vault.db-wal", "vault.db-shm"} <= names
            assert all(mode(p) == 0o600 for p in folder.iterdir()), modes_below(folder)
    finally:
        os.umask(previous)
    assert mode(paths.db_path(folder)) == 0o600
    figures.record("permissions", "umask 002: WAL and -shm while open", "0600")
