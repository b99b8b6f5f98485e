"""Every bad input: one line on stderr, the documented exit code, no traceback, and nothing
changed on disk."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import (
    FAST_KDF,
    PASSPHRASE,
    CliVault,
    Result,
    assert_one_line_error,
    run_intsec,
    snapshot,
    write_passphrase,
)

GOOD_SECRET = b"a-perfectly-fine-secret-value"
ADD = ("cred", "add", "--integration", "bamboohr", "--name", "new_key")
EXISTING = "bamboohr/acme/production/api_key"


def _run(vault: CliVault, unlock: str, args: tuple[str, ...], stdin: bytes = b"") -> Result:
    """unlock: good | wrong | empty | missing (no such file) | none (no --passphrase-file)."""
    opts = ["--vault", str(vault.folder)]
    if unlock != "none":
        path = vault.home / f"pass-{unlock}"
        if unlock == "good":
            path = vault.passphrase_file
        elif unlock == "wrong":
            path.write_text("not the passphrase\n")
        elif unlock == "empty":
            path.write_bytes(b"")
        opts += ["--passphrase-file", str(path)]
    return run_intsec(*args, *opts, home=vault.home, stdin=stdin)


@pytest.mark.parametrize(
    ("unlock", "args", "stdin", "code", "contains"),
    [
        ("wrong", ("cred", "list"), b"", 3, "wrong or empty passphrase"),
        ("wrong", ADD, GOOD_SECRET, 3, "passphrase"),
        ("empty", ("cred", "list"), b"", 3, "passphrase"),
        ("missing", ("cred", "list"), b"", 2, "cannot read passphrase file"),
        ("none", ("cred", "list"), b"", 3, "--passphrase-file"),
        ("good", ("cred", "list", "--bogus"), b"", 2, "--bogus"),
        ("good", ("--bogus", "cred", "list"), b"", 2, "--bogus"),
        ("good", ("cred", "frobnicate"), b"", 2, "invalid choice"),
        ("good", ("keyslot",), b"", 2, None),
        ("good", (), b"", 2, None),
        ("good", ("cred", "list", "--status", "bogus"), b"", 2, "--status"),
        ("good", ("cred", "list", "--expiring-within", "soon"), b"", 2, "--expiring-within"),
        ("good", ("cred", "show", "999"), b"", 1, "no credential 999"),
        ("good", ("cred", "reveal", "999"), b"", 1, "999"),
        ("good", ("cred", "rm", "999", "--yes"), b"", 1, "999"),
        ("good", ("cred", "show", "not a reference"), b"", 2, None),
        ("good", ("cred", "reveal", EXISTING, "--version", "7"), b"", 1, "version 7"),
        ("good", ("cred", "rm", EXISTING), b"", 2, "--yes"),
        ("good", ("cred", "rotate", EXISTING), b"short", 2, "5 bytes"),
        ("good", ("integration", "add", "bamboohr", "--name", "Dup", "--category", "hris", "--method", "api"), b"", 1, "already exists"),
        ("good", ("integration", "add", "Bad Slug", "--name", "X", "--category", "hris", "--method", "api"), b"", 2, "slug"),
        ("good", ("integration", "add", "x", "--name", "X", "--category", "hris", "--method", "fax"), b"", 2, "--method"),
        ("good", ("integration", "add", "x", "--name", "X", "--category", "hris", "--method", "api", "--base-url", "nowhere"), b"", 2, "--base-url"),
        ("good", ("integration", "rm", "bamboohr"), b"", 1, "credential"),
        ("good", ("cred", "edit", EXISTING, "--rotate-every", "often"), b"", 2, "days"),
        ("good", ("customer", "add", "acme", "--name", "Again", "--region", "eu"), b"", 1, "already exists"),
        ("good", ("customer", "rm", "nobody"), b"", 1, "nobody"),
        ("good", ADD, b"1234567", 2, "7 bytes"),
        ("good", ADD, b"", 2, "no secret"),
        ("good", (*ADD, "--customer", "nobody"), GOOD_SECRET, 1, "nobody"),
        ("good", (*ADD, "--expires", "2027-02-30"), GOOD_SECRET, 2, "date"),
        ("good", (*ADD, "--remind", "soon"), GOOD_SECRET, 2, "--remind"),
        ("good", ("cred", "add", "--integration", "bamboohr", "--customer", "acme", "--name", "api_key"), GOOD_SECRET, 1, "already exists"),
        ("good", ("keyslot", "remove", "s-00000000"), b"", 1, "s-00000000"),
        ("good", ("passwd",), b"", 2, "--new-passphrase-file"),
        ("good", ("passwd", "--new-passphrase-file", "/nonexistent/pw"), b"", 2, "passphrase file"),
        ("good", ("passwd", "--new-passphrase-file", os.devnull), b"", 2, "empty"),
        ("good", ("keyslot", "add-passphrase", *FAST_KDF), b"", 2, "--new-passphrase-file"),
        ("good", ("keyslot", "add-passphrase", "--kdf-memory-mib", "65536"), b"", 2, "ceiling"),
    ],
)  # fmt: skip
def test_bad_input_changes_nothing(
    populated: CliVault,
    unlock: str,
    args: tuple[str, ...],
    stdin: bytes,
    code: int,
    contains: str | None,
) -> None:
    before = snapshot(populated.folder)
    assert_one_line_error(_run(populated, unlock, args, stdin), code, contains)
    assert snapshot(populated.folder) == before


def test_huge_secret_is_refused_and_nothing_added(populated: CliVault) -> None:
    count = len(populated.json("cred", "list"))
    before = snapshot(populated.folder)
    result = populated.run(*ADD, stdin=os.urandom(10 * 1024 * 1024))
    assert_one_line_error(result, 2, contains="at most")
    assert snapshot(populated.folder) == before
    assert len(populated.json("cred", "list")) == count


def test_debug_shows_the_traceback(populated: CliVault) -> None:
    result = populated.run("cred", "show", "999", "--debug")
    assert result.code != 0
    assert b"Traceback (most recent call last)" in result.stderr
    assert b"NotFoundError" in result.stderr


def test_vault_folder_missing(tmp_path: Path) -> None:
    pw = write_passphrase(tmp_path / "pw", PASSPHRASE)
    for folder in (tmp_path / "missing.intsec", tmp_path / "empty.intsec"):
        if folder.name.startswith("empty"):
            folder.mkdir()
        args = ("cred", "list", "--vault", str(folder), "--passphrase-file", str(pw))
        assert_one_line_error(run_intsec(*args, home=tmp_path), 4, contains="vault")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.intsec", "pw"]
    assert list((tmp_path / "empty.intsec").iterdir()) == []


def test_init_over_an_existing_vault(populated: CliVault) -> None:
    before = snapshot(populated.folder)
    result = populated.run("init", "--no-keyring", *FAST_KDF)
    assert_one_line_error(result, 4, contains="already exists")
    assert snapshot(populated.folder) == before


@pytest.mark.parametrize(
    ("options", "passphrase", "contains"),
    [
        (("--kdf-memory-mib", "65536", "--kdf-iterations", "3"), "pw", "ceiling"),
        (("--kdf-memory-mib", "32", "--kdf-iterations", "3"), "pw", "floor"),
        (("--kdf-memory-mib", "64", "--kdf-iterations", "100000"), "pw", "ceiling"),
        (FAST_KDF, "empty", "empty"),
        (FAST_KDF, "missing", "passphrase file"),
        (FAST_KDF, "none", "use --passphrase-file"),
    ],
)
def test_init_failures_create_nothing(
    tmp_path: Path, options: tuple[str, ...], passphrase: str, contains: str
) -> None:
    write_passphrase(tmp_path / "pw", PASSPHRASE)
    (tmp_path / "empty").write_bytes(b"")
    folder = tmp_path / "new.intsec"
    unlock = [] if passphrase == "none" else ["--passphrase-file", str(tmp_path / passphrase)]
    args = ("init", "--no-keyring", *options, "--vault", str(folder), *unlock)
    # An address-space limit far below 64 GiB: the refusal must come before any allocation.
    started = time.monotonic()
    result = run_intsec(*args, home=tmp_path, limit_memory=True)
    assert_one_line_error(result, 2, contains=contains)
    assert time.monotonic() - started < 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "pw"]


def _truncate(folder: Path) -> None:
    db = folder / "vault.db"
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])


def _randomise(folder: Path) -> None:
    db = folder / "vault.db"
    db.write_bytes(os.urandom(db.stat().st_size))


def _flip_middle_byte(folder: Path) -> None:
    db = folder / "vault.db"
    data = bytearray(db.read_bytes())
    data[len(data) // 2] ^= 0x01
    db.write_bytes(bytes(data))


def _edit_created_at(folder: Path) -> None:
    path = folder / "keyslots.json"
    text = path.read_text()
    document = json.loads(text)
    old = document["created_at"]
    new = old[:3] + ("7" if old[3] != "7" else "8") + old[4:]  # change the year's last digit
    path.write_text(text.replace(f'"created_at": "{old}"', f'"created_at": "{new}"', 1))
    assert json.loads(path.read_text())["created_at"] == new


def _remove_keyslots(folder: Path) -> None:
    (folder / "keyslots.json").unlink()


def _absurd_kdf_memory(folder: Path) -> None:
    """A crafted slot asking Argon2id for 64 GiB, with a checksum that matches again."""
    path = folder / "keyslots.json"
    document = json.loads(path.read_text())
    for slot in document["slots"]:
        if slot["kind"] == "passphrase":
            slot["kdf"]["memory_kib"] = 64 * 1024 * 1024
    body = {k: v for k, v in document.items() if k not in ("checksum", "mac")}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    document["checksum"] = "sha256:" + hashlib.sha256(canonical).hexdigest()
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


@pytest.mark.parametrize(
    ("damage", "args", "contains"),
    [
        (_truncate, ("cred", "list"), "damaged"),
        (_randomise, ("cred", "list"), "damaged"),
        (_flip_middle_byte, ("doctor",), "damaged"),
        (_edit_created_at, ("cred", "list"), "keyslots.json"),
        (_remove_keyslots, ("cred", "list"), "keyslots.json"),
        (_absurd_kdf_memory, ("cred", "list"), "ceiling"),
    ],
)
def test_damaged_vault(
    fresh: CliVault, damage: Callable[[Path], None], args: tuple[str, ...], contains: str
) -> None:
    damage(fresh.folder)
    before = snapshot(fresh.folder)
    started = time.monotonic()
    result = fresh.run(*args, limit_memory=True)
    assert_one_line_error(result, 5, contains=contains)
    assert time.monotonic() - started < 10
    assert snapshot(fresh.folder) == before


def _snapshot_from_another_process(folder: Path) -> object:
    """Closing any descriptor of a file drops every POSIX lock this process holds on it, so while
    the test holds SQLite's write lock the files must be read by another process."""
    code = (
        "import hashlib, json, sys, pathlib\n"
        "root = pathlib.Path(sys.argv[1])\n"
        "print(json.dumps({str(p.relative_to(root)): [hashlib.sha256(p.read_bytes()).hexdigest(),"
        " p.stat().st_mtime_ns] for p in sorted(root.rglob('*')) if p.is_file()}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(folder)], capture_output=True, check=True, timeout=30
    )
    return json.loads(done.stdout)


def test_second_writer_hears_vault_busy(fresh: CliVault) -> None:
    from intsec_desktop.core import services

    session = services.open_vault_with_secret(fresh.folder, PASSPHRASE)
    try:
        with session.batch():
            session.add_customer("held", "Held While Writing", "eu")
            before = _snapshot_from_another_process(fresh.folder)
            started = time.monotonic()
            result = fresh.run("customer", "add", "other", "--name", "Other", "--region", "us")
            elapsed = time.monotonic() - started
            assert _snapshot_from_another_process(fresh.folder) == before
    finally:
        session.close()
    assert_one_line_error(result, 4, contains="vault busy")
    assert elapsed < 10
    slugs = {c["slug"] for c in fresh.json("customer", "list")}
    assert slugs == {"acme", "globex", "held"}
