"""Secrets and keys never show up in reprs, error messages, the audit trail or files at rest."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.vault import opening
from intsec_desktop.core.vault.crypto import SecretKey
from intsec_desktop.core.vault.keyring_store import DeviceKeyEntry
from tests.unit.conftest import (
    CREDENTIAL_PATH,
    PASSPHRASE,
    SECRET,
    VaultCopy,
    read_keyslots,
)

BINARY_SECRET = b"\xff\xfe\x00binary\x80\x01\x02\x03"
SECRETS = [SECRET, b"whsec_Zq8Lm2Xv6Np4Rt0Y", BINARY_SECRET]


def encodings(value: bytes) -> list[bytes]:
    """The forms a leak usually takes: raw, base64 (std and url), hex (both cases)."""
    return [
        value,
        base64.b64encode(value),
        base64.urlsafe_b64encode(value),
        base64.b64encode(value).rstrip(b"="),
        value.hex().encode(),
        value.hex().upper().encode(),
    ]


def text_forms(value: bytes) -> list[str]:
    return [form.decode("latin-1") for form in encodings(value)] + [repr(value)]


def assert_absent(value: bytes, haystack: str | bytes, where: str) -> None:
    if isinstance(haystack, bytes):
        for form in encodings(value):
            assert form not in haystack, f"{where} holds the secret (as {form[:12]!r}...)"
    else:
        for text in text_forms(value):
            assert text not in haystack, f"{where} holds the secret"


# --- reprs ------------------------------------------------------------------------------


def test_secret_key_repr_hides_the_bytes() -> None:
    key = SecretKey(os.urandom(32))
    for shown in (repr(key), str(key), f"{key!r}", repr([key]), repr({"k": key})):
        assert_absent(key.raw, shown, "SecretKey repr")
        assert "hidden" in shown


def test_device_key_entry_repr_hides_the_key() -> None:
    entry = DeviceKeyEntry("s-1", os.urandom(32), 3)
    assert_absent(entry.device_key, repr(entry), "DeviceKeyEntry repr")
    assert "s-1" in repr(entry)


def test_open_vault_and_session_reprs_hide_keys(vault: VaultCopy) -> None:
    opened = opening.unlock_with_secret(vault.folder, vault.recovery_code)
    try:
        assert opened.keys.sealing_key is not None
        keys = [opened.keys.database_key.raw, opened.keys.sealing_key.raw]
        session = VaultSession(opened, vault.clock)
        for shown in (repr(opened), repr(session), repr(opened.keys), str(session)):
            for raw in keys:
                assert_absent(raw, shown, "repr")
            assert vault.recovery_code not in shown
    finally:
        opened.close()


def test_credential_repr_hides_notes_and_secret(session: VaultSession) -> None:
    created = session.add_credential(
        integration="bamboohr", name="noted", secret=SECRETS[1], notes="paste: whsec_Zq8Lm2Xv6N"
    )
    listing = session.get_credential(created.id)
    for shown in (repr(created), repr(listing), repr(session.list_credentials())):
        assert_absent(SECRETS[1], shown, "Credential repr")
        assert "whsec_" not in shown


# --- messages and the audit trail -------------------------------------------------------

BAD_CALLS: list[Callable[[VaultCopy], object]] = [
    lambda v: v.open_secret(PASSPHRASE[:-1]),
    lambda v: v.open_secret(v.recovery_code[:-1] + ("A" if v.recovery_code[-1] != "A" else "B")),
    lambda v: v.open_recovery().add_credential(integration="bamboohr", name="k", secret=SECRET[:7]),
    lambda v: v.open_recovery().add_credential(
        integration="bamboohr", name="k", secret=SECRET * 3000
    ),
    lambda v: v.open_recovery().add_credential(integration="nope", name="k", secret=SECRET),
    lambda v: v.open_recovery().add_credential(
        integration="bamboohr", customer="acme", name="api_key", secret=SECRET
    ),
    lambda v: v.open_recovery().rotate_credential(CREDENTIAL_PATH, SECRET[:5]),
    lambda v: v.open_recovery().reveal_secret(CREDENTIAL_PATH, purpose=SECRET.decode()),
    lambda v: v.open_recovery().change_passphrase(""),
]


@pytest.mark.parametrize("call", BAD_CALLS)
def test_error_messages_hold_no_secret(
    vault: VaultCopy, call: Callable[[VaultCopy], object]
) -> None:
    with pytest.raises(IntsecError) as raised:
        call(vault)
    message = f"{raised.value} {raised.value!r} {raised.value.args!r}"
    for secret in (SECRET, SECRET[:7], SECRET[:5]):
        assert_absent(secret, message, "error message")
    for secret_text in (PASSPHRASE, PASSPHRASE[:-1], vault.recovery_code):
        assert secret_text not in message


def test_audit_trail_holds_no_secret(session: VaultSession) -> None:
    created = session.add_credential(integration="bamboohr", name="second", secret=SECRETS[1])
    session.rotate_credential(created.id, BINARY_SECRET, note="routine")
    for purpose in ("reveal", "copy", "inject"):
        session.reveal_secret(created.id, purpose=purpose)
    trail = repr(session.audit_events())
    for secret in SECRETS:
        assert_absent(secret, trail, "audit trail")


# --- files at rest ----------------------------------------------------------------------


def vault_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_no_file_holds_a_secret_while_open_or_after_close(vault: VaultCopy) -> None:
    session = vault.open_recovery()
    for number, secret in enumerate(SECRETS[1:]):
        created = session.add_credential(integration="bamboohr", name=f"n{number}", secret=secret)
        session.rotate_credential(created.id, secret[::-1] + b"-next")
    assert session.reveal_secret(CREDENTIAL_PATH) == SECRET
    open_files = vault_files(vault.folder)
    assert {"vault.db", "vault.db-wal", "vault.db-shm", "keyslots.json"} <= open_files.keys()
    vault.close_all()
    for label, files in (("open", open_files), ("closed", vault_files(vault.folder))):
        for name, data in files.items():
            for secret in SECRETS + [s[::-1] + b"-next" for s in SECRETS[1:]]:
                assert_absent(secret, data, f"{name} ({label})")
            assert PASSPHRASE.encode() not in data
            assert vault.recovery_code.encode() not in data


def test_keyslots_hold_no_key_in_clear(vault: VaultCopy) -> None:
    opened = opening.unlock_with_secret(vault.folder, vault.recovery_code)
    try:
        assert opened.keys.sealing_key is not None
        raw_keys = [opened.keys.database_key.raw, opened.keys.sealing_key.raw]
    finally:
        opened.close()
    data = (vault.folder / "keyslots.json").read_bytes()
    for raw in raw_keys:
        assert_absent(raw, data, "keyslots.json")
    device_key = base64.b64decode(json.loads(next(iter(vault.keyring.entries.values())))["key"])
    assert_absent(device_key, data, "keyslots.json")
    assert all("wrapped" in slot for slot in read_keyslots(vault.folder)["slots"])
