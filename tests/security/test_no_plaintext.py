"""No plaintext fallback: the vault file is never a plain SQLite file, temp_store is memory, and
VACUUM writes no temp file to the vault folder or the temp dir."""

from __future__ import annotations

import ctypes
import os
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from intsec_desktop.core import paths, services
from intsec_desktop.core.vault.crypto import KdfParams
from tests.security.conftest import Figures
from tests.security.helpers import PASSPHRASE, KnownVault

SQLITE_MAGIC = b"SQLite format 3\x00"
IN_MOVED_TO, IN_CREATE = 0x80, 0x100


def plain_sqlite_files(folder: Path) -> list[str]:
    """Files that start with, or (WAL) contain, the plaintext SQLite header."""
    found = []
    for p in sorted(folder.iterdir()):
        data = p.read_bytes()
        if data.startswith(SQLITE_MAGIC) or (p.name.endswith("-wal") and SQLITE_MAGIC in data):
            found.append(p.name)
    return found


def test_vault_file_never_starts_with_the_sqlite_header(
    known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    session, _ = services.create_vault(
        tmp_path / "new.intsec", PASSPHRASE, KdfParams.floor(), keyring_store=None
    )
    with session:
        assert plain_sqlite_files(session.folder) == []
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    checked = 0
    with known_vault.open(folder) as session:
        for i in range(20):
            session.add_customer(f"c{i}", f"Customer {i}", "eu")
            assert plain_sqlite_files(folder) == []  # vault.db and the WAL, while open
            checked += 1
        session._vault.conn.execute("VACUUM")
        assert plain_sqlite_files(folder) == []
        assert session._vault.conn.execute("PRAGMA temp_store").fetchone()[0] == 2
    assert plain_sqlite_files(folder) == []
    assert paths.db_path(folder).read_bytes()[:16] != SQLITE_MAGIC
    figures.record(
        "no plaintext fallback",
        "vault.db / WAL checked after create, 20 writes, VACUUM, close",
        "never plain SQLite; PRAGMA temp_store = 2 (memory)",
    )


class Inotify:
    """File creations in watched folders (Linux inotify through ctypes)."""

    def __init__(self) -> None:
        self._libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self._libc.inotify_init1(os.O_NONBLOCK)
        if self.fd < 0:
            pytest.skip(f"inotify unavailable: {os.strerror(ctypes.get_errno())}")
        self.names: dict[int, Path] = {}

    def watch(self, folder: Path) -> None:
        wd = self._libc.inotify_add_watch(self.fd, str(folder).encode(), IN_CREATE | IN_MOVED_TO)
        assert wd >= 0, os.strerror(ctypes.get_errno())
        self.names[wd] = folder

    def created(self) -> list[str]:
        """Everything created since the last call (the events are queued by the kernel)."""
        found = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return found
            i = 0
            while i < len(data):
                wd, _mask, _cookie, length = struct.unpack_from("iIII", data, i)
                name = data[i + 16 : i + 16 + length].rstrip(b"\0").decode()
                found.append(str(self.names[wd] / name))
                i += 16 + length

    def close(self) -> None:
        os.close(self.fd)


VACUUM_CHILD = """
import sys
from pathlib import Path
from intsec_desktop.core import services
session = services.open_vault_with_secret(Path(sys.argv[1]), sys.stdin.readline().strip())
conn = session._vault.conn
if sys.argv[2] == "file":
    conn.execute("PRAGMA temp_store = FILE")  # the control: what the pragma protects from
conn.execute("PRAGMA cache_size = 2")  # so VACUUM's scratch copy cannot stay in the page cache
print("opened", flush=True)
sys.stdin.readline()
conn.execute("VACUUM")
print("vacuumed", flush=True)
session.close()
"""


@pytest.fixture
def inotify() -> Iterator[Inotify]:
    if not sys.platform.startswith("linux"):
        pytest.skip("inotify is Linux only")
    watcher = Inotify()
    yield watcher
    watcher.close()


def vacuum_in_child(
    known_vault: KnownVault, folder: Path, tmpdir: Path, temp_store: str, watcher: Inotify
) -> list[str]:
    """Files created while a separate process runs VACUUM (SQLite reads TMPDIR at start-up)."""
    env = dict(os.environ, TMPDIR=str(tmpdir), SQLITE_TMPDIR=str(tmpdir))
    with subprocess.Popen(
        [sys.executable, "-c", VACUUM_CHILD, str(folder), temp_store],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    ) as child:
        assert child.stdin is not None
        assert child.stdout is not None
        child.stdin.write(known_vault.recovery_code + "\n")
        child.stdin.flush()
        assert child.stdout.readline() == "opened\n"
        watcher.created()  # the WAL and shared-memory files of the open: expected, dropped
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline() == "vacuumed\n"
        created = watcher.created()
        child.stdin.close()
        assert child.wait(timeout=30) == 0
    return created


def test_vacuum_creates_no_temp_file(
    known_vault: KnownVault, tmp_path: Path, inotify: Inotify, figures: Figures
) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    inotify.watch(tmpdir)
    inotify.watch(folder)

    created = vacuum_in_child(known_vault, folder, tmpdir, "memory", inotify)
    assert created == []
    # The control shows the watcher sees SQLite's temp files when temp_store allows them.
    control = vacuum_in_child(known_vault, folder, tmpdir, "file", inotify)
    assert any(Path(p).parent == tmpdir for p in control), control
    figures.record(
        "no plaintext fallback",
        "files created during VACUUM (vault folder + TMPDIR, inotify)",
        f"0 (control with temp_store=FILE: {len(control)} in TMPDIR)",
    )
