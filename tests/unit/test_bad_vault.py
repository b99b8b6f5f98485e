"""Opening a vault that is wrong, missing or damaged: a named error, and nothing on disk changes."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from intsec_desktop.core import services
from intsec_desktop.core.errors import (
    AuthenticationError,
    IntsecError,
    ValidationError,
    VaultDamagedError,
    VaultExistsError,
    VaultMissingError,
)
from intsec_desktop.core.vault import crypto, keyslots
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore
from tests.unit.conftest import (
    PASSPHRASE,
    SECRET,
    WRONG_PASSPHRASE,
    MemoryKeyring,
    VaultCopy,
    assert_one_line,
    create_vault,
    edit_keyslots,
    slot_of,
    snapshot,
)


def refused(
    call: Callable[[], object], error: type[IntsecError], exit_code: int, folder: Path
) -> IntsecError:
    """Run `call`, expect `error`, and check that neither the folder nor its parent changed
    (the folder's own mtime included, so not even a temporary file came and went)."""

    def state() -> tuple[object, ...]:
        stamp = folder.stat().st_mtime_ns if folder.exists() else None
        return snapshot(folder), stamp, sorted(os.listdir(folder.parent))

    before = state()
    with pytest.raises(error) as raised:
        call()
    assert raised.value.exit_code == exit_code
    assert_one_line(raised.value)
    assert state() == before
    return raised.value


# --- wrong secret, missing or existing vault ----------------------------------------------


@pytest.mark.parametrize("attempt", [WRONG_PASSPHRASE, "", PASSPHRASE + " ", PASSPHRASE.upper()])
def test_wrong_or_empty_passphrase(vault: VaultCopy, attempt: str) -> None:
    error = refused(lambda: vault.open_secret(attempt), AuthenticationError, 3, vault.folder)
    if attempt:
        assert attempt not in str(error)


def test_missing_folder(tmp_path: Path) -> None:
    folder = tmp_path / "nowhere.intsec"
    refused(
        lambda: services.open_vault_with_secret(folder, PASSPHRASE), VaultMissingError, 4, folder
    )
    store = DeviceKeyStore(MemoryKeyring())
    refused(
        lambda: services.open_vault_with_keyring(folder, store_for=lambda _name: store),
        VaultMissingError,
        4,
        folder,
    )
    assert not folder.exists()


def test_empty_folder_is_not_a_vault(tmp_path: Path) -> None:
    empty = tmp_path / "empty.intsec"
    empty.mkdir()
    refused(lambda: services.open_vault_with_secret(empty, PASSPHRASE), VaultMissingError, 4, empty)


def test_create_over_an_existing_vault(vault: VaultCopy) -> None:
    keyring = MemoryKeyring()
    refused(lambda: create_vault(vault.folder, keyring=keyring), VaultExistsError, 4, vault.folder)
    assert keyring.entries == {}, "a device key was stored for a vault that was never made"


def test_create_in_a_non_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    refused(lambda: create_vault(folder), VaultExistsError, 4, folder)


def test_create_with_an_empty_passphrase(tmp_path: Path) -> None:
    folder = tmp_path / "new.intsec"
    refused(
        lambda: services.create_vault(folder, "", KdfParams.floor(), keyring_store=None),
        ValidationError,
        2,
        folder,
    )
    assert not folder.exists()


# --- vault.db damage ----------------------------------------------------------------------


def read_back(vault: VaultCopy) -> tuple[str, Any]:
    """("open" | "read", error) if refused, else ("ok", [(path, value), ...])."""
    stage = "open"
    try:
        session = vault.open_recovery()
        stage = "read"
        values = [
            (item.credential.name, session.reveal_secret(item.credential.id))
            for item in session.list_credentials()
        ]
    except IntsecError as exc:
        return stage, exc
    finally:
        vault.close_all()
    return "ok", values


def damaged(vault: VaultCopy, stages: tuple[str, ...] = ("open", "read")) -> VaultDamagedError:
    before = snapshot(vault.folder)
    stage, outcome = read_back(vault)
    assert stage in stages, f"damage not reported (got {stage}: {outcome!r})"
    assert isinstance(outcome, VaultDamagedError), repr(outcome)
    assert outcome.exit_code == 5
    assert_one_line(outcome)
    assert snapshot(vault.folder) == before
    return outcome


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


def layout(vault: VaultCopy) -> tuple[int, int, dict[str, int]]:
    """(page size, page count, {table: root page}) read through a healthy session."""
    session = vault.open_recovery()
    conn = session._conn
    size = int(conn.execute("PRAGMA page_size").fetchone()[0])
    count = int(conn.execute("PRAGMA page_count").fetchone()[0])
    roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_schema").fetchall())
    vault.close_all()
    return size, count, roots


def test_healthy_copy_reads_back(vault: VaultCopy) -> None:
    assert read_back(vault) == ("ok", [("api_key", SECRET)])


def test_truncated_to_half(vault: VaultCopy) -> None:
    db = vault.folder / "vault.db"
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    damaged(vault)


def test_replaced_by_random_bytes(vault: VaultCopy) -> None:
    db = vault.folder / "vault.db"
    db.write_bytes(os.urandom(db.stat().st_size))
    damaged(vault, stages=("open",))


@pytest.mark.parametrize("offset", [0, 15, 16, 100, 2048, -1])
def test_byte_flipped_in_page_one(vault: VaultCopy, offset: int) -> None:
    size, _, _ = layout(vault)
    flip(vault.folder / "vault.db", offset % size)
    damaged(vault, stages=("open",))


@pytest.mark.parametrize("table", ["credentials", "credential_versions"])
@pytest.mark.parametrize("where", [40, 2048, -1])
def test_byte_flipped_in_a_credential_page(vault: VaultCopy, table: str, where: int) -> None:
    size, _, roots = layout(vault)
    assert roots[table] > 1
    flip(vault.folder / "vault.db", (roots[table] - 1) * size + where % size)
    damaged(vault)


def doctor(vault: VaultCopy) -> list[str]:
    """What the full check (`intsec doctor`) reports; a refusal to open counts as a report."""
    try:
        return vault.open_recovery().integrity_problems() or []
    except VaultDamagedError as exc:
        return [str(exc)]
    finally:
        vault.close_all()


def test_no_flipped_page_ever_yields_a_wrong_value(vault: VaultCopy, tmp_path: Path) -> None:
    size, count, _ = layout(vault)
    assert doctor(vault) == []
    refused_on_read = 0
    for page in range(count):
        copy = dataclasses.replace(vault, folder=tmp_path / f"page{page}.intsec", _opened=[])
        shutil.copytree(vault.folder, copy.folder)
        flip(copy.folder / "vault.db", page * size + size // 2)
        # Pages the everyday paths never read are still caught by the full check.
        assert doctor(copy), f"page {page + 1}: the integrity check saw nothing"
        stage, outcome = read_back(copy)
        if stage == "ok":
            assert outcome == [("api_key", SECRET)], f"page {page + 1} changed a value"
        else:
            assert isinstance(outcome, VaultDamagedError), f"page {page + 1}: {outcome!r}"
            refused_on_read += stage == "read"
    assert refused_on_read >= 2


def test_vault_db_missing(vault: VaultCopy) -> None:
    (vault.folder / "vault.db").unlink()
    refused(vault.open_recovery, VaultDamagedError, 5, vault.folder)


def test_keyslots_from_another_vault(vault: VaultCopy, tmp_path: Path) -> None:
    other = tmp_path / "other.intsec"
    session, code = create_vault(other)
    session.close()
    (vault.folder / "keyslots.json").write_bytes((other / "keyslots.json").read_bytes())
    refused(lambda: vault.open_secret(code), VaultDamagedError, 5, vault.folder)


# --- keyslots.json damage -----------------------------------------------------------------


def test_keyslots_missing(vault: VaultCopy) -> None:
    (vault.folder / "keyslots.json").unlink()
    refused(vault.open_recovery, VaultDamagedError, 5, vault.folder)
    refused(vault.open_keyring, VaultDamagedError, 5, vault.folder)


@pytest.mark.parametrize("cut", [0, 1, 100, -2])
def test_keyslots_truncated(vault: VaultCopy, cut: int) -> None:
    path = vault.folder / "keyslots.json"
    path.write_bytes(path.read_bytes()[:cut])
    refused(vault.open_recovery, VaultDamagedError, 5, vault.folder)


def _set_created_at(document: dict[str, Any]) -> None:
    document["created_at"] = document["created_at"].replace("2026", "2025")


def _set_meta(document: dict[str, Any]) -> None:
    document["meta"] = {"generation": 0}


def _set_salt(document: dict[str, Any]) -> None:
    slot_of(document, keyslots.PASSPHRASE)["salt"] = "AAAAAAAAAAAAAAAAAAAAAA=="


def _set_wrapped(document: dict[str, Any]) -> None:
    slot = slot_of(document, keyslots.RECOVERY)
    slot["wrapped"] = ("B" if slot["wrapped"][0] == "A" else "A") + slot["wrapped"][1:]


@pytest.mark.parametrize("edit", [_set_created_at, _set_meta, _set_salt, _set_wrapped])
def test_keyslots_edited_without_checksum(vault: VaultCopy, edit: Any) -> None:
    edit_keyslots(vault.folder, edit, fix_checksum=False)
    error = refused(vault.open_recovery, VaultDamagedError, 5, vault.folder)
    assert "checksum" in str(error)


@pytest.mark.parametrize("edit", [_set_created_at, _set_meta])
def test_non_slot_field_edited_with_checksum_is_caught_by_the_mac(
    vault: VaultCopy, edit: Any
) -> None:
    edit_keyslots(vault.folder, edit, fix_checksum=True)
    error = refused(vault.open_recovery, VaultDamagedError, 5, vault.folder)
    assert "MAC" in str(error)
    refused(vault.open_keyring, VaultDamagedError, 5, vault.folder)


@pytest.mark.parametrize("edit", [_set_salt, _set_wrapped])
def test_slot_field_edited_with_checksum(vault: VaultCopy, edit: Any) -> None:
    edit_keyslots(vault.folder, edit, fix_checksum=True)
    for attempt in (vault.open_recovery, lambda: vault.open_secret(PASSPHRASE)):
        before = snapshot(vault.folder)
        with pytest.raises((AuthenticationError, VaultDamagedError)):
            attempt()
        assert snapshot(vault.folder) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("memory_kib", 64 * 1024 * 1024), ("iterations", 10**9), ("lanes", 0), ("memory_kib", "x")],
)
def test_absurd_kdf_parameters_refused_before_argon2(
    vault: VaultCopy, monkeypatch: pytest.MonkeyPatch, field: str, value: object
) -> None:
    def no_argon2(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("Argon2id ran with parameters from a tampered file")

    edit_keyslots(
        vault.folder,
        lambda d: slot_of(d, keyslots.PASSPHRASE)["kdf"].__setitem__(field, value),
        fix_checksum=True,
    )
    monkeypatch.setattr(crypto, "Argon2id", no_argon2)
    refused(lambda: vault.open_secret(PASSPHRASE), VaultDamagedError, 5, vault.folder)
    refused(vault.open_recovery, VaultDamagedError, 5, vault.folder)
