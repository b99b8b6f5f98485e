"""Rollback: the vault folder replaced by an older copy of itself warns at open, through the
passphrase path (state file), the keyring path (the device key entry) and the CLI (stderr).
keyslots.json alone replaced by an older copy is refused when the slot used has changed since
(a changed passphrase, a removed member, a removed recovery code or keyring slot, a revoked
reveal right) and repaired from vault.db when it has not; a crash between writing the file
and committing vault.db is no false alarm."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from intsec_desktop.core import paths, services
from intsec_desktop.core.errors import AuthenticationError, KeySlotRollbackError
from intsec_desktop.core.model import Role
from intsec_desktop.core.vault import generations, keyslot_record, keyslots
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import SERVICE, DeviceKeyStore
from tests.security.conftest import Figures
from tests.security.helpers import (
    ORIGIN,
    PASSPHRASE,
    KnownVault,
    MemoryKeyring,
    cli_env,
    create_known_vault,
    run_cli,
    snapshot,
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


# --- keyslots.json alone replaced by an older copy of itself ----------------------------------

NEW_PASSPHRASE = "security suite: a passphrase chosen later"
OLDER_COPY = "keyslots.json is an older copy"


def keep_keyslots(folder: Path) -> bytes:
    return paths.keyslots_path(folder).read_bytes()


def put_back_keyslots(folder: Path, older: bytes) -> None:
    paths.keyslots_path(folder).write_bytes(older)


def invite_bob(folder: Path, code: str, role: Role = Role.EDITOR) -> None:
    with services.open_vault_with_secret(folder, code, origin=ORIGIN) as owner:
        owner.add_member("bob", role, "bob's one-time passphrase")


def open_as_bob(folder: Path, _code: str) -> object:
    return services.open_vault_with_secret(folder, "bob's one-time passphrase", member="bob")


@dataclass(frozen=True)
class Revocation:
    """Before: set up (optional). Revoke: the change the older file undoes. Attempt: unlock with
    what the older file still accepts."""

    before: Callable[[Path, str], None] | None
    revoke: Callable[[services.VaultSession], object]
    attempt: Callable[[Path, str], object]


def _remove_recovery(session: services.VaultSession) -> object:
    (slot,) = [k for k in session.list_keyslots() if k.kind == keyslots.RECOVERY]
    return session.remove_keyslot(slot.id)


REVOCATIONS: dict[str, Revocation] = {
    "passphrase changed": Revocation(
        None,
        lambda s: s.change_passphrase(NEW_PASSPHRASE, KdfParams.floor()),
        lambda folder, _code: services.open_vault_with_secret(folder, PASSPHRASE),
    ),
    "member removed": Revocation(invite_bob, lambda s: s.remove_member("bob"), open_as_bob),
    "reveal right revoked": Revocation(
        invite_bob, lambda s: s.change_member_role("bob", Role.VIEWER), open_as_bob
    ),
    "recovery code removed": Revocation(
        None,
        _remove_recovery,
        lambda folder, code: services.open_vault_with_secret(folder, code),
    ),
}


def test_an_older_keyslots_json_never_brings_back_a_revoked_slot(
    known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    detected: list[str] = []
    for n, (name, case) in enumerate(REVOCATIONS.items()):
        folder = known_vault.copy_to(tmp_path / f"v{n}.intsec")
        code = known_vault.recovery_code
        if case.before is not None:
            case.before(folder, code)
        older = keep_keyslots(folder)
        # The passphrase opens the session where the recovery slot is the one to go.
        opener = PASSPHRASE if name == "recovery code removed" else code
        with services.open_vault_with_secret(folder, opener, origin=ORIGIN) as session:
            case.revoke(session)
        put_back_keyslots(folder, older)
        before = snapshot(folder)
        with pytest.raises(KeySlotRollbackError) as raised:
            case.attempt(folder, code)
        message = str(raised.value)
        assert raised.value.exit_code == 5
        assert "\n" not in message
        assert message.startswith(OLDER_COPY), message
        assert "changed or removed since" in message
        assert snapshot(folder) == before, f"{name}: a refused open changed a file"
        detected.append(name)
    figures.record(
        "rollback",
        "keyslots.json-only rollback: detected",
        f"{len(detected)}/{len(REVOCATIONS)} ({', '.join(REVOCATIONS)}): refused, exit 5,"
        " no file changed",
    )


def test_a_kept_device_key_of_a_removed_keyring_slot_does_not_open_an_older_copy(
    tmp_path: Path, figures: Figures
) -> None:
    keyring = MemoryKeyring()
    folder = tmp_path / "k.intsec"
    create_known_vault(folder, keyring=keyring)
    store = DeviceKeyStore(keyring)
    kept = DeviceKeyStore(MemoryKeyring(keyring.entries))  # copied before the slot goes
    older = keep_keyslots(folder)
    with services.open_vault_with_keyring(folder, store_for=lambda _name: store) as session:
        (slot,) = [k for k in session.list_keyslots() if k.kind == keyslots.KEYRING]
        session.remove_keyslot(slot.id, store_for=lambda _name: store)
    put_back_keyslots(folder, older)
    with pytest.raises(KeySlotRollbackError):
        services.open_vault_with_keyring(folder, store_for=lambda _name: kept)
    figures.record("rollback", "keyslots.json-only rollback (keyring slot removed)", "refused")


def test_an_older_keyslots_json_is_repaired_by_a_slot_that_still_holds(
    known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    older = keep_keyslots(folder)
    with known_vault.open(folder) as session:
        session.change_passphrase(NEW_PASSPHRASE, KdfParams.floor())
    current = keep_keyslots(folder)
    put_back_keyslots(folder, older)
    with known_vault.open(folder) as session:  # the recovery code did not change
        (note,) = session.notes
        assert note.startswith(OLDER_COPY)
        assert "restored from vault.db" in note
    assert json.loads(keep_keyslots(folder))["slots"] == json.loads(current)["slots"]
    with pytest.raises(AuthenticationError):  # repaired: the old passphrase is simply wrong
        services.open_vault_with_secret(folder, PASSPHRASE)
    with services.open_vault_with_secret(folder, NEW_PASSPHRASE) as session:
        assert session.notes == []
    figures.record(
        "rollback", "keyslots.json-only rollback, unlocked by an unchanged slot", "repaired, noted"
    )


# A passphrase change in its own process that dies at COMMIT: keyslots.json is on disk, vault.db
# never committed (os._exit skips every finally, like a kill or a power cut).
CRASH_AT_COMMIT = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from intsec_desktop.core import services
    from intsec_desktop.core.vault.crypto import KdfParams

    folder, code, new = sys.argv[1:4]
    session = services.open_vault_with_secret(Path(folder), code)
    real = session._vault.conn

    class DieAtCommit:
        def execute(self, sql, *args):
            if sql == "COMMIT":
                os._exit(9)
            return real.execute(sql, *args)

        def close(self):
            real.close()

    session._vault.conn = DieAtCommit()
    session.change_passphrase(new, KdfParams.floor())
    sys.exit("the commit was never reached")
    """
)


def test_a_crash_between_keyslots_json_and_the_commit_is_no_false_alarm(
    known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    before = json.loads(keep_keyslots(folder))
    crashed = subprocess.run(
        [
            sys.executable,
            "-c",
            CRASH_AT_COMMIT,
            str(folder),
            known_vault.recovery_code,
            NEW_PASSPHRASE,
        ],
        capture_output=True,
        env=cli_env(tmp_path / "home"),
        timeout=60,
        check=False,
    )
    assert crashed.returncode == 9, crashed.stderr
    after = json.loads(keep_keyslots(folder))
    assert after["slots"] != before["slots"], "the file was not written before the commit"
    assert after["meta"]["keyslots_generation"] == before["meta"]["keyslots_generation"] + 1

    with services.open_vault_with_secret(folder, NEW_PASSPHRASE) as session:  # the file wins
        assert session.notes == []
        recorded = keyslot_record.read(session._conn)
        assert recorded is not None
        assert recorded.generation == after["meta"]["keyslots_generation"]
        assert session.integrity_problems() == []
    with pytest.raises(AuthenticationError):
        services.open_vault_with_secret(folder, PASSPHRASE)
    figures.record(
        "rollback",
        "crash between keyslots.json and the vault.db commit",
        "next open adopts the file, no alarm, doctor clean",
    )


def test_cli_refuses_an_older_keyslots_json_in_one_line(
    known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    home = tmp_path / "home"
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    old = write_passphrase_file(tmp_path, PASSPHRASE, "old.txt")
    new = write_passphrase_file(tmp_path, NEW_PASSPHRASE, "new.txt")
    older = keep_keyslots(folder)
    common = ["--vault", str(folder), "--passphrase-file"]
    changed = run_cli(["passwd", *common, str(old), "--new-passphrase-file", str(new)], home)
    assert changed.returncode == 0, changed.stderr
    put_back_keyslots(folder, older)

    listed = run_cli(
        ["cred", "list", "--json", "--vault", str(folder), "--passphrase-file", str(old)], home
    )
    assert listed.returncode == 5
    assert listed.stdout == b""
    lines = listed.stderr.decode().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"intsec: error: {OLDER_COPY}")
    assert "Traceback" not in listed.stderr.decode()

    # The new passphrase is not in the older file: plainly wrong (exit 3). The recovery code did
    # not change: it opens, says so in one warning line and repairs the file.
    wrong = run_cli(["doctor", *common, str(new)], home)
    assert wrong.returncode == 3, wrong.stderr
    code = write_passphrase_file(tmp_path, known_vault.recovery_code, "code.txt")
    repaired = run_cli(["doctor", *common, str(code)], home)
    assert repaired.returncode == 0, repaired.stderr
    (warning,) = repaired.stderr.decode().splitlines()
    assert warning.startswith(f"intsec: warning: {OLDER_COPY}"), warning
    assert run_cli(["doctor", *common, str(new)], home).returncode == 0
    figures.record("rollback", "keyslots.json-only rollback (CLI)", f"exit 5: {lines[0]}")
