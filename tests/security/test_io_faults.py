"""I/O faults while keyslots.json is saved: open, write, fsync, rename or close fail at the N-th
call, for every N the save makes. Outcome is all or nothing: an IntsecError with the files
byte-identical and no temp file left, or (a failed directory fsync after the rename, which
SQLite ignores too) the change complete with its audit event. A failed COMMIT after the save
puts the previous keyslots.json back."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from intsec_desktop.core import paths
from intsec_desktop.core.errors import IntsecError, StorageError
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.vault import atomic, keyslots
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore
from tests.security.conftest import Figures
from tests.security.helpers import (
    PASSPHRASE,
    KnownVault,
    MemoryKeyring,
    cli_env,
    snapshot,
    write_passphrase_file,
)

FAULTY = ("open", "write", "fsync", "replace", "close")
NEW_PASSPHRASE = "a new passphrase for the fault test"


class FaultyOs:
    """`os` as atomic.py sees it: counts the calls of FAULTY and fails the n-th of one of them."""

    def __init__(self, fail: str | None = None, at: int = 0) -> None:
        self.fail, self.at = fail, at
        self.calls: Counter[str] = Counter()
        self.failed = False
        self.failed_after_rename = False
        self.after_rename: Counter[str] = Counter()  # calls made once the rename was done

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def _call(self, name: str, *args: Any) -> Any:
        self.calls[name] += 1
        if self.calls["replace"] and name != "replace":
            self.after_rename[name] += 1
        if name == self.fail and self.calls[name] == self.at:
            self.failed = True
            self.failed_after_rename = bool(self.calls["replace"]) and name != "replace"
            if name == "close":
                os.close(*args)  # EIO from close(2) still releases the descriptor
            code = errno.ENOSPC if name == "write" else errno.EIO
            raise OSError(code, os.strerror(code))
        return getattr(os, name)(*args)

    def open(self, *args: Any) -> Any:
        return self._call("open", *args)

    def write(self, *args: Any) -> Any:
        return self._call("write", *args)

    def fsync(self, *args: Any) -> Any:
        return self._call("fsync", *args)

    def replace(self, *args: Any) -> Any:
        return self._call("replace", *args)

    def close(self, *args: Any) -> Any:
        return self._call("close", *args)


Operation = Callable[[VaultSession, MemoryKeyring], object]


def _change_passphrase(s: VaultSession, _k: MemoryKeyring) -> object:
    return s.change_passphrase(NEW_PASSPHRASE, KdfParams.floor())


def _add_passphrase_slot(s: VaultSession, _k: MemoryKeyring) -> object:
    return s.add_passphrase_slot(NEW_PASSPHRASE, KdfParams.floor())


def _add_keyring_slot(s: VaultSession, keyring: MemoryKeyring) -> object:
    return s.add_keyring_slot(DeviceKeyStore(keyring))


def _remove_passphrase_slot(s: VaultSession, _k: MemoryKeyring) -> object:
    (slot,) = [k for k in s.list_keyslots() if k.kind == keyslots.PASSPHRASE]
    s.remove_keyslot(slot.id)
    return slot


OPERATIONS: dict[str, Operation] = {
    "passphrase change": _change_passphrase,
    "add passphrase slot": _add_passphrase_slot,
    "add keyring slot": _add_keyring_slot,
    "remove slot": _remove_passphrase_slot,
}


def _attempt(
    known_vault: KnownVault,
    folder: Path,
    operation: Operation,
    monkeypatch: pytest.MonkeyPatch,
    faulty: FaultyOs,
) -> tuple[str, str]:
    """Run one operation under `faulty`; returns (outcome, detail) after checking it."""
    known_vault.copy_to(folder)
    keyring = MemoryKeyring()
    session = known_vault.open(folder)
    try:
        before_files = snapshot(folder)
        before_events = len(session.audit_events())
        with monkeypatch.context() as mp:
            mp.setattr(atomic, "os", faulty)
            try:
                operation(session, keyring)
            except IntsecError as exc:
                error: IntsecError | None = exc
            else:
                error = None
        if error is not None:
            message = str(error)
            assert message, type(error)
            assert "\n" not in message, message
            assert snapshot(folder) == before_files, "files changed although the save failed"
            assert len(session.audit_events()) == before_events
            assert keyring.entries == {}, "the keyring kept a device key for a failed slot"
            assert not session.integrity_problems()
            return "refused, intact", message
        # No error: only a fault after the rename may end like this, and the change is whole.
        assert faulty.fail is None or faulty.failed_after_rename, (faulty.fail, faulty.at)
        assert paths.keyslots_path(folder).read_bytes() != before_files["keyslots.json"][0]
        assert len(session.audit_events()) == before_events + 1
        assert not session.integrity_problems()
        return "completed", ""
    finally:
        session.close()
        leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
        assert not leftovers, f"stray temp files: {leftovers}"


@pytest.mark.parametrize("name", list(OPERATIONS))
def test_every_fault_point_of_a_keyslot_save(
    name: str,
    known_vault: KnownVault,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    figures: Figures,
) -> None:
    operation = OPERATIONS[name]
    counter = FaultyOs()
    _attempt(known_vault, tmp_path / "dry.intsec", operation, monkeypatch, counter)
    calls = {f: counter.calls[f] for f in FAULTY}
    assert calls["write"] >= 1, calls
    assert calls["fsync"] >= 2, calls
    assert calls["replace"] == 1, calls

    outcomes: Counter[str] = Counter()
    for fail in FAULTY:
        for at in range(1, calls[fail] + 1):
            faulty = FaultyOs(fail, at)
            outcome, message = _attempt(
                known_vault, tmp_path / f"{fail}{at}.intsec", operation, monkeypatch, faulty
            )
            assert faulty.failed, f"{fail} #{at} was never reached"
            if outcome == "refused, intact":
                assert "keyslots.json" in message, message
            else:
                assert faulty.failed_after_rename
            outcomes[outcome] += 1
    points = sum(calls.values())
    figures.record(
        "I/O faults (keyslots.json)",
        f"{name}: fault points (open/write/fsync/rename/close)",
        f"{points}: {outcomes['refused, intact']} refused with files intact,"
        f" {outcomes['completed']} completed (directory sync after the rename)",
    )
    assert outcomes["refused, intact"] + outcomes["completed"] == points
    # Only the directory sync (open, fsync, close of the folder) comes after the rename.
    assert outcomes["completed"] == sum(counter.after_rename.values())


class FailingCommit:
    """The session's connection, with COMMIT failing like a disk that filled up meanwhile."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "COMMIT":
            raise sqlcipher3.OperationalError("database or disk is full")
        return self._conn.execute(sql, *args)

    def close(self) -> None:
        self._conn.close()


def test_failed_commit_puts_the_previous_keyslots_back(
    known_vault: KnownVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figures: Figures
) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    session = known_vault.open(folder)
    before = paths.keyslots_path(folder).read_bytes()
    events = len(session.audit_events())
    real = session._vault.conn
    monkeypatch.setattr(session._vault, "conn", FailingCommit(real))
    with pytest.raises(StorageError, match="could not be written"):
        session.change_passphrase(NEW_PASSPHRASE, KdfParams.floor())
    monkeypatch.setattr(session._vault, "conn", real)
    assert paths.keyslots_path(folder).read_bytes() == before
    assert len(session.audit_events()) == events
    session.close()

    # And when putting it back fails too, the error says so (one line, names the way out).
    session = known_vault.open(folder)
    real = session._vault.conn
    monkeypatch.setattr(session._vault, "conn", FailingCommit(real))
    monkeypatch.setattr(atomic, "os", FaultyOs("write", 2))
    with pytest.raises(StorageError, match="could not be put back") as raised:
        session.change_passphrase(NEW_PASSPHRASE, KdfParams.floor())
    assert "\n" not in str(raised.value)
    assert "doctor" in str(raised.value)
    monkeypatch.setattr(session._vault, "conn", real)
    session.close()
    figures.record(
        "I/O faults (keyslots.json)", "failed COMMIT after the save", "previous file restored"
    )


# The CLI in its own process (main() hardens the process it runs in), every write refused.
FULL_DISK_CLI = textwrap.dedent(
    """
    import errno, os, sys
    from intsec_desktop.core.vault import atomic
    from intsec_desktop.cli.main import main

    class NoSpace:
        def __getattr__(self, name):
            return getattr(os, name)

        def write(self, fd, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    atomic.os = NoSpace()
    sys.exit(main(sys.argv[1:]))
    """
)


def test_cli_reports_a_write_fault_in_one_line(known_vault: KnownVault, tmp_path: Path) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    old = write_passphrase_file(tmp_path, PASSPHRASE, "old.txt")
    new = write_passphrase_file(tmp_path, NEW_PASSPHRASE, "new.txt")
    before = snapshot(folder)
    args = ["passwd", "--vault", str(folder), "--passphrase-file", str(old)]
    result = subprocess.run(
        [sys.executable, "-c", FULL_DISK_CLI, *args, "--new-passphrase-file", str(new)],
        capture_output=True,
        env=cli_env(tmp_path / "home"),
        timeout=60,
        check=False,
    )
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert err == (
        "intsec: error: could not write keyslots.json: No space left on device;"
        " the previous file is unchanged\n"
    )
    assert snapshot(folder) == before
