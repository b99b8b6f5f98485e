"""`init`, `keyslot`, `passwd`, `demo`, `doctor`, `--version` and `--help` end to end."""

from __future__ import annotations

import json
import re
import stat
from dataclasses import replace
from pathlib import Path

from tests.cli.conftest import (
    CREDENTIAL_JSON_KEYS,
    FAST_KDF,
    PASSPHRASE,
    CliVault,
    assert_one_line_error,
    run_intsec,
    write_passphrase,
)

RECOVERY_CODE = re.compile(r"^[A-Z2-9]{4}(-[A-Z2-9]{4}){7}$")


def test_init_json_and_files(tmp_path: Path) -> None:
    pw = write_passphrase(tmp_path / "pw", PASSPHRASE)
    folder = tmp_path / "new.intsec"
    unlock = ["--vault", str(folder), "--passphrase-file", str(pw)]
    result = run_intsec("--json", "init", *FAST_KDF, "--no-keyring", *unlock, home=tmp_path)
    assert result.code == 0, result
    data = json.loads(result.stdout)
    assert set(data) == {"vault", "vault_id", "kdf", "keyring", "recovery_code"}
    assert data["vault"] == str(folder)
    assert data["kdf"] == "argon2id m=64MiB t=3 p=4"
    assert "--no-keyring" in data["keyring"]
    assert RECOVERY_CODE.match(data["recovery_code"])
    assert result.stderr == b""
    assert sorted(p.name for p in folder.iterdir()) == ["keyslots.json", "vault.db"]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for child in folder.iterdir():
        assert stat.S_IMODE(child.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.intsec", "pw"]  # no staging left


def test_init_text_output_and_default_location(tmp_path: Path) -> None:
    pw = write_passphrase(tmp_path / "pw", PASSPHRASE)
    result = run_intsec(
        "init", "--no-keyring", *FAST_KDF, "--passphrase-file", str(pw), home=tmp_path
    )
    assert result.code == 0, result
    folder = tmp_path / "data" / "default.intsec"
    assert f"created vault {folder}" in result.out
    assert "recovery code (shown once, keep it offline):" in result.out
    listed = run_intsec("cred", "list", "--json", "--passphrase-file", str(pw), home=tmp_path)
    assert (listed.code, json.loads(listed.stdout)) == (0, [])


def test_recovery_code_from_init_unlocks(populated: CliVault, tmp_path: Path) -> None:
    recovery = write_passphrase(tmp_path / "recovery", populated.recovery_code)
    as_recovery = replace(populated, passphrase_file=recovery)
    assert len(as_recovery.json("cred", "list")) == len(populated.secrets)
    path = "greenhouse/acme/production/binary"
    assert as_recovery.ok("cred", "reveal", path).stdout == populated.secrets[path]


def test_passwd(fresh: CliVault) -> None:
    new = write_passphrase(fresh.home / "new-pass", "a brand new passphrase")
    result = fresh.ok("passwd", "--new-passphrase-file", str(new))
    assert "old passphrase no longer opens the vault" in result.out
    assert_one_line_error(fresh.run("cred", "list"), 3)
    assert len(replace(fresh, passphrase_file=new).json("cred", "list")) == 4
    # the recovery slot is untouched
    recovery = write_passphrase(fresh.home / "recovery", fresh.recovery_code)
    assert len(replace(fresh, passphrase_file=recovery).json("cred", "list")) == 4


def test_keyslot_add_list_remove_and_last_slot_refused(fresh: CliVault) -> None:
    original = {s["kind"]: s["id"] for s in fresh.json("keyslot", "list")}
    second = write_passphrase(fresh.home / "second", "second member passphrase")
    added = fresh.ok("keyslot", "add-passphrase", "--new-passphrase-file", str(second), *FAST_KDF)
    slots = fresh.json("keyslot", "list")
    assert len(slots) == 3
    (new_id,) = {s["id"] for s in slots} - set(original.values())
    assert new_id in added.out
    as_second = replace(fresh, passphrase_file=second)
    assert len(as_second.json("cred", "list")) == 4

    fresh.ok("keyslot", "remove", new_id)
    assert {s["id"] for s in fresh.json("keyslot", "list")} == set(original.values())
    assert_one_line_error(as_second.run("cred", "list"), 3)

    # With the passphrase slot gone only the recovery slot is left, and it cannot be removed.
    fresh.ok("keyslot", "remove", original["passphrase"])
    as_recovery = replace(
        fresh, passphrase_file=write_passphrase(fresh.home / "rc", fresh.recovery_code)
    )
    refused = as_recovery.run("keyslot", "remove", original["recovery"])
    assert_one_line_error(refused, 1, contains="last passphrase or recovery slot")
    assert [s["id"] for s in as_recovery.json("keyslot", "list")] == [original["recovery"]]


def test_demo_creates_the_vault_with_init_options(tmp_path: Path) -> None:
    pw = write_passphrase(tmp_path / "pw", PASSPHRASE)
    vault = CliVault(tmp_path, tmp_path / "demo.intsec", pw, "", "", {})
    result = vault.ok("demo", "--credentials", "30", "--no-keyring", *FAST_KDF)
    assert "recovery code" in result.out
    assert "30 credentials" in result.out
    slots = vault.json("keyslot", "list")
    assert sorted(s["kind"] for s in slots) == ["passphrase", "recovery"]
    assert "argon2id m=64MiB t=3 p=4" in {s["detail"] for s in slots}
    listing = vault.json("cred", "list")
    assert len(listing) == 30
    assert all(set(c) >= CREDENTIAL_JSON_KEYS for c in listing)
    assert len({c["status"] for c in listing}) >= 3
    assert len({c["integration"] for c in listing}) > 5
    # A second demo run on the same vault opens it instead of creating one, and refuses.
    assert_one_line_error(vault.run("demo", "--credentials", "5"), 1, contains="demo")


def test_doctor_ok_then_damaged(fresh: CliVault) -> None:
    assert "vault ok" in fresh.ok("doctor").out
    db = fresh.folder / "vault.db"
    data = bytearray(db.read_bytes())
    data[len(data) // 2] ^= 0x01
    db.write_bytes(bytes(data))
    result = fresh.run("doctor")
    assert result.code == 5, result
    assert b"Traceback" not in result.stdout + result.stderr
    assert len(result.stderr.splitlines()) == 1, result


def test_version_and_help(tmp_path: Path) -> None:
    version = run_intsec("--version", home=tmp_path)
    assert version.code == 0, version
    assert re.fullmatch(r"intsec \d+\.\d+\.\d+\S*\n", version.out)
    helped = run_intsec("--help", home=tmp_path)
    assert helped.code == 0, helped
    for line in (
        "0 ok",
        "1 other error",
        "2 usage or invalid input",
        "3 authentication",
        "4 vault missing, already exists, or busy",
        "5 vault damaged or tampered",
        "6 leak",
        "7 drift",
        "8 overdue",
    ):
        assert line in helped.out
    for command in (
        "init",
        "demo",
        "passwd",
        "doctor",
        "keyslot",
        "integration",
        "customer",
        "cred",
    ):
        assert command in helped.out
    assert "--passphrase-file" in run_intsec("cred", "add", "--help", home=tmp_path).out
    assert list(tmp_path.iterdir()) == []
