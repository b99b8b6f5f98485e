"""Rollback: the vault folder replaced by an older copy of itself warns at open, through the
passphrase path (state file), the keyring path (the device key entry) and the CLI (stderr)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from intsec_desktop.core import services
from intsec_desktop.core.vault import generations
from intsec_desktop.core.vault.keyring_store import SERVICE, DeviceKeyStore
from tests.security.conftest import Figures
from tests.security.helpers import (
    PASSPHRASE,
    KnownVault,
    MemoryKeyring,
    create_known_vault,
    run_cli,
    write_passphrase_file,
)

ROLLBACK = "it may have been rolled back"


def replace_folder(folder: Path, older: Path) -> None:
    shutil.rmtree(folder)
    shutil.copytree(older, folder)


def test_every_write_raises_the_generation_by_one(known_vault: KnownVault, tmp_path: Path) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    with known_vault.open(folder) as session:
        start = session._vault.generation
        assert start > 0
        session.add_customer("initech", "Initech", "us")
        with session.batch():  # one transaction, however many calls
            session.add_customer("umbrella", "Umbrella", "eu")
            session.add_customer("hooli", "Hooli", "us")
    with known_vault.open(folder) as session:
        assert session._vault.generation == start + 2
        assert session.notes == []


def test_older_copy_warns_when_opened_with_a_secret(
    known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    older = known_vault.copy_to(tmp_path / "older.intsec")
    with known_vault.open(folder) as session:
        assert session.notes == []
        session.add_customer("initech", "Initech", "us")
        newest = session._vault.generation + 1
    assert generations.read_state()[known_vault.vault_id] == newest  # remembered at close

    replace_folder(folder, older)
    with known_vault.open(folder) as session:
        (note,) = session.notes
        assert ROLLBACK in note
        assert f"< {newest})" in note
        assert "\n" not in note
    # The warning stays until the vault is newer again; the remembered number never drops.
    with known_vault.open(folder) as session:
        assert len(session.notes) == 1
        session.add_customer("one", "One", "us")
        session.add_customer("two", "Two", "us")
    with known_vault.open(folder) as session:
        assert session.notes == []
    figures.record("rollback", "older copy opened (passphrase / recovery code)", "warned")


def test_older_copy_warns_when_opened_through_the_keyring(tmp_path: Path, figures: Figures) -> None:
    keyring = MemoryKeyring()
    folder = tmp_path / "k.intsec"
    _, vault_id = create_known_vault(folder, keyring=keyring)
    store = DeviceKeyStore(keyring)
    older = tmp_path / "older.intsec"
    shutil.copytree(folder, older)

    def open_keyring() -> services.VaultSession:
        return services.open_vault_with_keyring(folder, store_for=lambda _name: store)

    with open_keyring() as session:
        assert session.notes == []
        session.add_customer("initech", "Initech", "us")
        newest = session._vault.generation + 1
    entry = json.loads(keyring.entries[(SERVICE, vault_id)])
    assert entry["generation"] == newest
    assert vault_id not in generations.read_state()  # the keyring holds it, not the state file

    replace_folder(folder, older)
    with open_keyring() as session:
        (note,) = session.notes
        assert ROLLBACK in note
        assert f"< {newest})" in note
    figures.record("rollback", "older copy opened (keyring slot)", "warned")


def test_cli_prints_the_warning_on_stderr(
    known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    home = tmp_path / "home"
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    older = known_vault.copy_to(tmp_path / "older.intsec")
    passfile = write_passphrase_file(tmp_path, PASSPHRASE)
    common = ["--vault", str(folder), "--passphrase-file", str(passfile)]

    first = run_cli(
        ["customer", "add", "initech", "--name", "Initech", "--region", "us", *common], home
    )
    assert first.returncode == 0, first.stderr
    assert b"rolled back" not in first.stderr

    replace_folder(folder, older)
    listed = run_cli(["cred", "list", "--json", *common], home)
    assert listed.returncode == 0, listed.stderr
    warning = [line for line in listed.stderr.decode().splitlines() if ROLLBACK in line]
    assert len(warning) == 1
    assert warning[0].startswith("intsec: warning: this vault is older")
    assert json.loads(listed.stdout)  # stdout stays clean JSON for scripts
    figures.record("rollback", "older copy opened (CLI)", f"stderr: {warning[0]}")


def test_closing_never_brings_back_a_removed_keyring_entry(tmp_path: Path) -> None:
    """Remembering the generation at close re-reads the entry: a slot removed meanwhile (its
    device key deleted from the keyring) stays removed."""
    keyring = MemoryKeyring()
    folder = tmp_path / "k.intsec"
    _, vault_id = create_known_vault(folder, keyring=keyring)
    store = DeviceKeyStore(keyring)
    session = services.open_vault_with_keyring(folder, store_for=lambda _name: store)
    (slot,) = [k for k in session.list_keyslots() if k.kind == "keyring"]
    session.remove_keyslot(slot.id, store_for=lambda _name: store)
    assert (SERVICE, vault_id) not in keyring.entries
    session.close()
    assert (SERVICE, vault_id) not in keyring.entries
