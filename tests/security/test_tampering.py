"""Tampering: one byte flipped at random offsets of vault.db and of keyslots.json (seeded, each on
a fresh copy) is refused at open or caught by `intsec doctor`'s check, and never reveals a wrong
value. Sealed ciphertexts moved between rows or versions fail to open."""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from pathlib import Path

import pytest

from intsec_desktop.core import paths
from intsec_desktop.core.errors import IntsecError, VaultDamagedError
from tests.security.conftest import Figures, env_count
from tests.security.helpers import KNOWN_SECRETS, KnownVault

SEED = int(os.environ.get("INTSEC_TAMPER_SEED", "20260101"))


def flip_and_check(
    known_vault: KnownVault, folder: Path, filename: str, offset: int, mask: int
) -> str:
    """One flipped byte on a fresh copy; returns how it ended. Any wrong value fails the test."""
    known_vault.copy_to(folder)
    target = folder / filename
    data = bytearray(target.read_bytes())
    original = bytes(data)
    data[offset] ^= mask
    target.write_bytes(bytes(data))
    try:
        session = known_vault.open(folder)
    except IntsecError:
        return "refused at open"
    with session:
        try:
            problems = session.integrity_problems()
        except IntsecError:
            problems = ["the check itself stopped on damage"]
        wrong = []
        for path, secret in KNOWN_SECRETS.items():
            try:
                value = session.reveal_secret(path)
            except IntsecError:
                continue
            if value != secret:
                wrong.append(path)
    assert not wrong, f"{filename} byte {offset} ^ {mask:#x}: WRONG VALUE revealed for {wrong}"
    if problems:
        return "caught by doctor"
    if filename == "keyslots.json" and _same_document(original, bytes(data)):
        return "harmless (same JSON)"
    return "undetected"


def _same_document(a: bytes, b: bytes) -> bool:
    """A flip that only turns one JSON whitespace character into another changes no value."""
    try:
        return bool(json.loads(a) == json.loads(b))
    except ValueError:
        return False


def flip_many(
    known_vault: KnownVault, tmp_path: Path, filename: str, flips: int, seed: int
) -> Counter[str]:
    rng = random.Random(seed)
    size = (known_vault.folder / filename).stat().st_size
    outcomes: Counter[str] = Counter()
    for i in range(flips):
        offset, mask = rng.randrange(size), rng.randrange(1, 256)
        folder = tmp_path / f"{i}.intsec"
        outcomes[flip_and_check(known_vault, folder, filename, offset, mask)] += 1
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()
    return outcomes


def report(
    figures: Figures, label: str, filename: str, flips: int, seed: int, out: Counter[str]
) -> None:
    detected = out["refused at open"] + out["caught by doctor"]
    meaningful = flips - out["harmless (same JSON)"]
    figures.record(
        label,
        f"{filename}: {flips} one-byte flips (INTSEC_TAMPER_SEED={seed})",
        f"{out['refused at open']} refused at open, {out['caught by doctor']} caught by doctor,"
        f" {out['harmless (same JSON)']} same JSON (whitespace), {out['undetected']} undetected;"
        f" detection {100 * detected / meaningful:.1f}% of {meaningful}; 0 wrong values",
    )


@pytest.mark.parametrize("filename", ["vault.db", "keyslots.json"])
def test_one_byte_flips(
    filename: str, known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    flips = env_count("INTSEC_TAMPER_FLIPS", 500)
    outcomes = flip_many(known_vault, tmp_path, filename, flips, SEED)
    report(figures, "tampering", filename, flips, SEED, outcomes)
    assert outcomes["undetected"] == 0, outcomes
    if filename == "vault.db":
        assert outcomes["harmless (same JSON)"] == 0
        assert outcomes["refused at open"] > 0, outcomes
        assert outcomes["caught by doctor"] > 0, outcomes


@pytest.mark.soak
@pytest.mark.parametrize("filename", ["vault.db", "keyslots.json"])
def test_one_byte_flips_soak(
    filename: str, known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    flips = env_count("INTSEC_SOAK_FLIPS", 5000)
    outcomes = flip_many(known_vault, tmp_path, filename, flips, SEED + 1)
    report(figures, "tampering (soak)", filename, flips, SEED + 1, outcomes)
    assert outcomes["undetected"] == 0, outcomes


def _sealed(conn: object, credential_id: int, version: int) -> bytes:
    row = conn.execute(  # type: ignore[attr-defined]
        "SELECT sealed FROM credential_versions WHERE credential_id = ? AND version = ?",
        (credential_id, version),
    ).fetchone()
    return bytes(row[0])


def test_sealed_values_swapped_between_rows_and_versions(
    known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    first, second, *_ = KNOWN_SECRETS
    with known_vault.open(folder) as session:
        a, b = session.resolve_credential(first), session.resolve_credential(second)
        session.rotate_credential(a, b"sk_live_SEC_rotated_value_000000")
        conn = session._vault.conn  # raw SQL, as an attacker holding the database key would
        a1, a2, b1 = _sealed(conn, a, 1), _sealed(conn, a, 2), _sealed(conn, b, 1)
        update = "UPDATE credential_versions SET sealed = ? WHERE credential_id = ? AND version = ?"
        conn.execute(update, (b1, a, 2))  # b's value moved into a's current row
        conn.execute(update, (a2, b, 1))  # and a's into b's
        conn.execute(update, (a2, a, 1))  # a's current value into its own older version
        for ref, version in ((a, None), (b, None), (a, 1)):
            with pytest.raises(VaultDamagedError, match="failed authentication"):
                session.reveal_secret(ref, version=version)
        conn.execute(update, (a1, a, 1))  # put one back: it opens again, so the check is real
        assert session.reveal_secret(a, version=1) == KNOWN_SECRETS[first]
    figures.record(
        "tampering",
        "sealed values swapped between rows / versions (raw SQL)",
        "3 of 3 refused (VaultDamagedError); restored value opens",
    )


def test_doctor_check_reads_the_pages_open_does_not(
    known_vault: KnownVault, tmp_path: Path
) -> None:
    """The suite's 'caught by doctor' category is real: a flip deep in the file opens, and only
    the full page check finds it. Pages are tried from the last one back, far from the schema,
    until one that opening does not read (opening reads the key-slot record, for one)."""
    size = paths.db_path(known_vault.folder).stat().st_size
    for n, offset in enumerate(range(size - 100, size // 2, -4096)):  # SQLCipher's page size
        folder = known_vault.copy_to(tmp_path / f"v{n}.intsec")
        db = paths.db_path(folder)
        data = bytearray(db.read_bytes())
        data[offset] ^= 0x01
        db.write_bytes(bytes(data))
        try:
            session = known_vault.open(folder)
        except VaultDamagedError:
            continue
        break
    else:
        pytest.fail("every page in the second half of the file is read at open")
    with session:
        try:
            found = session.integrity_problems()
        except VaultDamagedError:
            found = ["raised"]  # what `intsec doctor` reports with exit code 5
        assert found
