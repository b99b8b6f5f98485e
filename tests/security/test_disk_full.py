"""Disk full: the vault on a 2 MiB tmpfs filled to the last byte. Adding a credential and
changing the passphrase fail with a clear error, and the vault is as it was before."""

from __future__ import annotations

import ctypes
import errno
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from intsec_desktop.core import paths, services
from intsec_desktop.core.errors import AuthenticationError, IntsecError
from intsec_desktop.core.vault.crypto import KdfParams
from tests.security.conftest import Figures
from tests.security.helpers import IN_CI, KNOWN_SECRETS, PASSPHRASE, KnownVault, reveal_all

MNT_DETACH = 2


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs (mount(2) directly: no mount binary needed). Skips, saying why, only
    where mounting is impossible; as root under CI a failed mount is a failure."""
    target = tmp_path / "small-disk"
    target.mkdir()
    if os.geteuid() != 0 and not IN_CI:
        pytest.skip("mounting a tmpfs needs root (or CAP_SYS_ADMIN); run as root to cover this")
    result = _libc().mount(b"tmpfs", str(target).encode(), b"tmpfs", 0, b"size=2m,mode=0700")
    if result != 0:
        code = ctypes.get_errno()
        reason = f"mount -t tmpfs failed: {os.strerror(code)} (errno {code})"
        print(f"disk-full test: {reason}")
        if IN_CI and code not in (errno.EPERM, errno.EACCES, errno.ENOSYS, errno.ENODEV):
            pytest.fail(reason)
        pytest.skip(f"{reason}; this machine does not allow mounting a small filesystem")
    try:
        yield target
    finally:
        _libc().umount2(str(target).encode(), MNT_DETACH)


def fill(folder: Path) -> Path:
    """Take every free byte: big chunks first, then single bytes."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 16, 4096, 1):
            while True:
                try:
                    os.write(fd, b"\0" * size)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    return filler


def test_add_and_passphrase_change_on_a_full_disk(
    small_disk: Path, known_vault: KnownVault, figures: Figures
) -> None:
    folder = known_vault.copy_to(small_disk / "v.intsec")
    session = known_vault.open(folder)  # opened first: WAL and shared-memory files exist
    before_values = reveal_all(session)
    before_events = len(session.audit_events())
    before_slots = paths.keyslots_path(folder).read_bytes()
    filler = fill(small_disk)

    with pytest.raises(IntsecError) as added:
        session.add_credential(
            integration="bamboohr", name="full_disk", secret=b"sk_full_disk_0123456789"
        )
    with pytest.raises(IntsecError) as changed:
        session.change_passphrase("a passphrase that never lands", KdfParams.floor())
    for raised in (added, changed):
        message = str(raised.value)
        assert "\n" not in message, message
        assert "full" in message or "space" in message, message
    session.close()
    assert paths.keyslots_path(folder).read_bytes() == before_slots
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]

    # Opening needs room for the WAL index; with none, a clear error (or it opens read-only).
    try:
        with known_vault.open(folder) as reopened:
            assert not reopened.integrity_problems()
            assert len(reopened.audit_events()) == before_events
        open_when_full = "opens; integrity and audit trail verify"
    except IntsecError as exc:
        open_when_full = f"refused: {exc}"
    assert "\n" not in open_when_full
    # Room again: the state from before, the old passphrase opens, the new one does not.
    filler.unlink()
    with known_vault.open(folder) as reopened:
        assert not reopened.integrity_problems()
        assert len(reopened.audit_events()) == before_events
        assert reveal_all(reopened) == before_values == KNOWN_SECRETS
        reopened.add_credential(
            integration="bamboohr", name="after_full", secret=b"sk_after_full_0123456789"
        )
        assert not reopened.integrity_problems()
    services.open_vault_with_secret(folder, PASSPHRASE).close()
    with pytest.raises(AuthenticationError):
        services.open_vault_with_secret(folder, "a passphrase that never lands")
    check = "disk full (2 MiB tmpfs)"
    figures.record(check, "add credential", f"refused: {added.value}")
    figures.record(check, "passphrase change", f"refused: {changed.value}")
    figures.record(check, "open while still full", open_when_full)
    figures.record(check, "after freeing space", "same data, old passphrase opens, writes work")
