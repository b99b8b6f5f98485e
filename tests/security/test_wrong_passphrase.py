"""Wrong passphrase: one generic error, and nothing on disk changes: every file byte-identical
with its mtime, no new file in the vault, beside it, or in the per-user folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from intsec_desktop.core import services
from intsec_desktop.core.errors import AuthenticationError
from tests.security.conftest import Figures
from tests.security.helpers import (
    WRONG_PASSPHRASE,
    KnownVault,
    run_cli,
    snapshot,
    write_passphrase_file,
)

GENERIC = "wrong or empty passphrase"


def world(*folders: Path) -> tuple[object, ...]:
    """Every file below each folder (bytes, mtime, mode), plus each folder's own mtime."""
    return tuple((snapshot(f), f.stat().st_mtime_ns if f.exists() else None) for f in folders)


@pytest.mark.parametrize(
    "attempt", [WRONG_PASSPHRASE, WRONG_PASSPHRASE.upper(), " ", "ABCD-EFGH-JKLM-NPQR"]
)
def test_core_wrong_passphrase(
    attempt: str, known_vault: KnownVault, tmp_path: Path, isolated_home: Path
) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    known_vault.open(folder).close()  # opened before on this device, as in real life
    before = world(folder, tmp_path, isolated_home)
    with pytest.raises(AuthenticationError) as raised:
        services.open_vault_with_secret(folder, attempt)
    assert str(raised.value) == GENERIC
    assert raised.value.exit_code == 3
    assert world(folder, tmp_path, isolated_home) == before


def test_cli_wrong_passphrase(known_vault: KnownVault, tmp_path: Path, figures: Figures) -> None:
    home = tmp_path / "home"
    home.mkdir()
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    passfile = write_passphrase_file(tmp_path, WRONG_PASSPHRASE)
    before = world(folder, home, tmp_path)
    results = [
        run_cli([*command, "--vault", str(folder), "--passphrase-file", str(passfile)], home)
        for command in (["cred", "list"], ["doctor"], ["cred", "reveal", "1"])
    ]
    for result in results:
        assert result.returncode == 3
        assert result.stdout == b""
        assert result.stderr.decode() == f"intsec: error: {GENERIC}\n"
        assert WRONG_PASSPHRASE.encode() not in result.stderr
    assert world(folder, home, tmp_path) == before
    assert os.listdir(home) == []
    figures.record(
        "wrong passphrase",
        "core and CLI (list, doctor, reveal)",
        f"exit 3, '{GENERIC}'; files, mtimes and folders unchanged",
    )
