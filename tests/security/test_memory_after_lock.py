"""Item 12: what stays in process memory after lock. Unlock, reveal 20 secrets, copy 5, lock;
dump the process with gdb's gcore; count the secrets and keys still readable in the dump.

Python cannot wipe memory it frees (bytes and str are immutable; freed blocks are reused, not
zeroed) and Qt keeps its own copies of clipboard text. The figure is reported, not hidden; the
README's security model says what this means."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from intsec_desktop.core import services
from intsec_desktop.core.vault.crypto import KdfParams
from tests.security.conftest import Figures

HERE = Path(__file__).parent
PASSPHRASE = "memory after lock passphrase"


def test_secrets_and_keys_left_in_memory_after_lock(tmp_path: Path, figures: Figures) -> None:
    if shutil.which("gcore") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("gcore (Debian gdb) is needed for the memory-after-lock check")
        pytest.skip("gcore (Debian gdb) is not installed")
    folder = tmp_path / "memory.intsec"
    session, _ = services.create_vault(folder, PASSPHRASE, KdfParams.floor(), keyring_store=None)
    values = [b"memcanary_" + secrets.token_hex(16).encode() for _ in range(20)]
    with session:
        session.add_integration("bamboohr", "BambooHR", "hris", "api")
        for n, value in enumerate(values):
            session.add_credential(integration="bamboohr", name=f"key_{n}", secret=value)
        keys = [session._vault.keys.database_key.raw, session._vault.keys.sealing_key.raw]  # type: ignore[union-attr]
    passphrase_file = tmp_path / "passphrase"
    passphrase_file.write_text(PASSPHRASE)

    with subprocess.Popen(
        [sys.executable, str(HERE / "memory_child.py"), str(folder), str(passphrase_file)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    ) as child:
        assert child.stdout is not None
        assert child.stdin is not None
        assert child.stdout.readline().strip() == b"LOCKED"
        core_prefix = tmp_path / "core"
        dumped = subprocess.run(
            ["gcore", "-o", str(core_prefix), str(child.pid)], capture_output=True, timeout=120
        )
        core_file = Path(f"{core_prefix}.{child.pid}")
        assert core_file.is_file(), dumped.stderr.decode(errors="replace")[-500:]
        dump = core_file.read_bytes()
        core_file.unlink()  # ~100 MB; the figures are all we keep
        child.stdin.close()
        child.wait(timeout=30)
    assert len(dump) > 1_000_000  # a real process image, so a 0 below means something
    secrets_found = sum(1 for value in values if value in dump)
    copied_found = sum(1 for value in values[:5] if value in dump)
    keys_found = sum(1 for key in keys if key in dump)
    keys_as_hex = sum(1 for key in keys if key.hex().encode() in dump)
    figures.record(
        "memory after lock",
        "process dumped with gcore after unlock, 20 reveals, 5 copies, lock",
        f"{len(dump) / 1e6:.0f} MB core",
    )
    figures.record("memory after lock", "revealed secrets still readable (of 20)", secrets_found)
    figures.record("memory after lock", "of those, copied to the clipboard (of 5)", copied_found)
    figures.record(
        "memory after lock", "vault keys DK/SK still readable as bytes (of 2)", keys_found
    )
    figures.record(
        "memory after lock", "... as hex (DK is handed to SQLCipher as hex)", keys_as_hex
    )
    # Control: the dump must contain something we know is there, or zeros would prove nothing.
    assert b"intsec_desktop" in dump
