"""Keyring slots through the CLI: a refused backend (anywhere) and the real gnome-keyring (only
inside tests/e2e/desktop/desktop-session.sh, which exports an unlocked Secret Service)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.cli.conftest import (
    FAST_KDF,
    PASSPHRASE,
    CliVault,
    Result,
    assert_one_line_error,
    snapshot,
    write_passphrase,
)

FAIL_BACKEND = "keyring.backends.fail.Keyring"
SECRET_SERVICE = "keyring.backends.SecretService.Keyring"
NO_KEYRING_ENV: dict[str, str | None] = {"PYTHON_KEYRING_BACKEND": FAIL_BACKEND}
REAL_KEYRING_ENV: dict[str, str | None] = {"PYTHON_KEYRING_BACKEND": None}


def _bare(tmp_path: Path, name: str = "kr.intsec") -> CliVault:
    pw = write_passphrase(tmp_path / "pw", PASSPHRASE)
    return CliVault(tmp_path, tmp_path / name, pw, "", "", {})


def test_init_without_a_usable_keyring_says_so(tmp_path: Path) -> None:
    vault = _bare(tmp_path)
    result = vault.run("init", *FAST_KDF, env=NO_KEYRING_ENV)
    assert result.code == 0, result
    assert len(result.stderr.splitlines()) == 1, result
    assert FAIL_BACKEND in result.err
    assert b"Traceback" not in result.stdout + result.stderr
    assert "--no-keyring" not in result.out  # it was not asked for; the keyring was refused
    assert "keyring: not used" in result.out
    kinds = sorted(s["kind"] for s in vault.json("keyslot", "list", env=NO_KEYRING_ENV))
    assert kinds == ["passphrase", "recovery"]


def test_add_keyring_without_a_usable_keyring_fails(fresh: CliVault) -> None:
    before = snapshot(fresh.folder)
    result = fresh.run("keyslot", "add-keyring", env=NO_KEYRING_ENV)
    assert_one_line_error(result, 1, contains=FAIL_BACKEND)
    assert snapshot(fresh.folder) == before


# --- the real Secret Service ---------------------------------------------------------------


@pytest.fixture(scope="module")
def secret_service() -> None:
    """Skips without a desktop session's Secret Service; under CI=true that is a failure."""
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import keyring; k = keyring.get_keyring();"
            " print(f'{type(k).__module__}.{type(k).__qualname__}')",
        ],
        capture_output=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"},
        timeout=60,
        check=False,
    )
    chosen = probe.stdout.decode().strip() or probe.stderr.decode(errors="replace")[-300:]
    problem = None
    if chosen != SECRET_SERVICE:
        problem = f"keyring chose {chosen!r}, not {SECRET_SERVICE}"
    elif shutil.which("secret-tool") is None:
        problem = "secret-tool (libsecret-tools) is missing"
    if problem:
        message = (
            f"needs the desktop session's Secret Service (org.freedesktop.secrets): {problem};"
            " run under tests/e2e/desktop/desktop-session.sh"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def _secret_tool(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["secret-tool", *args],
        capture_output=True,
        timeout=30,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def keyring_vault(secret_service: None, tmp_path: Path) -> Iterator[CliVault]:
    """A vault created WITHOUT --no-keyring; its keyring item is cleared afterwards."""
    vault = _bare(tmp_path)
    result = vault.run("init", *FAST_KDF, "--json", env=REAL_KEYRING_ENV)
    assert result.code == 0, result
    assert result.stderr == b"", result
    data = json.loads(result.stdout)
    assert data["keyring"] == f"device key stored in {SECRET_SERVICE}"
    vault = replace(vault, recovery_code=data["recovery_code"], vault_id=data["vault_id"])
    try:
        yield vault
    finally:
        _secret_tool("clear", "service", "intsec-desktop", "username", vault.vault_id)


def _without_passphrase(vault: CliVault, *args: str) -> Result:
    return vault.run(*args, unlock=False, env=REAL_KEYRING_ENV)


def _lookup(vault: CliVault) -> subprocess.CompletedProcess[bytes]:
    return _secret_tool("lookup", "service", "intsec-desktop", "username", vault.vault_id)


def test_device_key_in_gnome_keyring_unlocks_then_slot_removal_locks(
    keyring_vault: CliVault,
) -> None:
    vault = keyring_vault
    stored = _lookup(vault)
    assert stored.returncode == 0, stored
    entry = json.loads(stored.stdout)
    assert set(entry) >= {"slot", "key"}

    listed = _without_passphrase(vault, "keyslot", "list", "--json")
    assert listed.code == 0, listed
    slots = json.loads(listed.stdout)
    assert sorted(s["kind"] for s in slots) == ["keyring", "passphrase", "recovery"]
    keyring_slot = next(s for s in slots if s["kind"] == "keyring")
    assert keyring_slot["id"] == entry["slot"]
    assert SECRET_SERVICE in keyring_slot["detail"]

    # writes and reveals work with the keyring alone
    integration = ["lever", "--name", "Lever", "--category", "ats", "--method", "api"]
    added = _without_passphrase(vault, "integration", "add", *integration)
    assert added.code == 0, added
    cred = ["cred", "add", "--integration", "lever", "--name", "api_key"]
    added = vault.run(*cred, unlock=False, env=REAL_KEYRING_ENV, stdin=b"lever-secret-123456")
    assert added.code == 0, added
    listing = _without_passphrase(vault, "cred", "list", "--json")
    assert listing.code == 0, listing
    assert [c["integration"] for c in json.loads(listing.stdout)] == ["lever"]
    assert _without_passphrase(vault, "cred", "reveal", "1").stdout == b"lever-secret-123456"

    removed = _without_passphrase(vault, "keyslot", "remove", keyring_slot["id"])
    assert removed.code == 0, removed
    assert _lookup(vault).stdout == b""  # the device key left the keyring with its slot
    before = snapshot(vault.folder)
    assert_one_line_error(_without_passphrase(vault, "cred", "list"), 3, "--passphrase-file")
    assert snapshot(vault.folder) == before
    assert len(vault.json("cred", "list", env=REAL_KEYRING_ENV)) == 1  # the passphrase still works


def test_add_keyring_slot_again(keyring_vault: CliVault) -> None:
    vault = keyring_vault
    slots = vault.json("keyslot", "list", env=REAL_KEYRING_ENV)
    keyring_slot = next(s["id"] for s in slots if s["kind"] == "keyring")
    vault.ok("keyslot", "remove", keyring_slot, env=REAL_KEYRING_ENV)

    added = vault.ok("keyslot", "add-keyring", env=REAL_KEYRING_ENV)
    assert SECRET_SERVICE in added.out
    entry = json.loads(_lookup(vault).stdout)
    assert entry["slot"] != keyring_slot
    assert entry["slot"] in added.out
    listed = _without_passphrase(vault, "cred", "list", "--json")
    assert (listed.code, json.loads(listed.stdout or b"null")) == (0, [])

    before = snapshot(vault.folder)
    again = vault.run("keyslot", "add-keyring", env=REAL_KEYRING_ENV)
    assert_one_line_error(again, 1, contains="already unlocks this vault")
    assert snapshot(vault.folder) == before


def test_keyring_entry_gone_without_terminal(keyring_vault: CliVault) -> None:
    """A keyring slot whose device key vanished (another machine, wiped keyring) and no terminal
    to ask on: authentication failed (3), with the reason, and nothing written."""
    vault = keyring_vault
    cleared = _secret_tool("clear", "service", "intsec-desktop", "username", vault.vault_id)
    assert cleared.returncode == 0, cleared
    before = snapshot(vault.folder)
    result = _without_passphrase(vault, "cred", "list")
    assert_one_line_error(result, 3, contains="keyring")
    assert snapshot(vault.folder) == before
    assert vault.json("cred", "list", env=REAL_KEYRING_ENV) == []
