"""The keyring key slot against the real gnome-keyring Secret Service of the desktop session.

libsecret's `secret-tool` is used as an independent second client: what it sees is what any
other program on the machine would see in the OS keyring.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from intsec_desktop.core import services
from intsec_desktop.core.errors import AuthenticationError, KeyringUnavailableError
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import SERVICE, DeviceKeyStore

SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"
PASSPHRASE = "correct horse battery staple"
SECRET = b"sk_live_e2e-0123456789"

pytestmark = pytest.mark.usefixtures("real_keyring")

VaultFactory = Callable[..., tuple[services.VaultSession, Any]]


def secret_tool(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["secret-tool", *args], input=stdin, capture_output=True, text=True, timeout=20
    )


def lookup_entry(vault_id: str) -> dict[str, Any] | None:
    """The device key entry as another Secret Service client reads it; None when absent."""
    out = secret_tool("lookup", "service", SERVICE, "username", vault_id)
    if out.returncode != 0 or not out.stdout:
        return None
    entry: dict[str, Any] = json.loads(out.stdout)
    return entry


def keyring_slot_ids(session: services.VaultSession) -> list[str]:
    return [s.id for s in session.list_keyslots() if s.kind == "keyring"]


@pytest.fixture
def sessions() -> Iterator[list[services.VaultSession]]:
    """Sessions opened by a test; closed even when it fails, so no connection leaks."""
    opened: list[services.VaultSession] = []
    yield opened
    for session in opened:
        session.close()


@pytest.fixture
def make_vault(tmp_path: Path, sessions: list[services.VaultSession]) -> VaultFactory:
    def make(*, keyring: bool = True) -> tuple[services.VaultSession, Any]:
        store = DeviceKeyStore.default() if keyring else None
        session, created = services.create_vault(
            tmp_path / "x.intsec", PASSPHRASE, KdfParams.floor(), keyring_store=store
        )
        sessions.append(session)
        return session, created

    return make


def add_secret(session: services.VaultSession) -> int:
    session.add_integration("acme-hr", "Acme HR", "hris", "api")
    return session.add_credential(integration="acme-hr", name="api_key", secret=SECRET).id


def test_detect_reports_the_secret_service_backend() -> None:
    status = DeviceKeyStore.detect()

    assert status.usable, status.reason
    assert status.backend_name == SECRET_SERVICE_BACKEND


def test_create_with_keyring_stores_entry_and_unlocks(
    make_vault: VaultFactory, sessions: list[services.VaultSession]
) -> None:
    session, created = make_vault()
    credential_id = add_secret(session)
    (slot_id,) = keyring_slot_ids(session)
    folder = session.folder
    session.close()

    entry = lookup_entry(session.vault_id)
    assert entry is not None, "secret-tool finds no device key entry for the vault"
    assert set(entry) == {"slot", "key", "generation"}
    assert entry["slot"] == slot_id
    assert len(base64.b64decode(entry["key"], validate=True)) == 32
    assert SECRET_SERVICE_BACKEND in created.keyring_note

    reopened = services.open_vault_with_keyring(folder)
    sessions.append(reopened)
    assert reopened.slot_id == slot_id
    assert reopened.reveal_secret(credential_id) == SECRET


def test_direct_secret_service_read_matches_keyring_library(make_vault: VaultFactory) -> None:
    # for_backend() reads the Secret Service directly (start-up time); default() goes through
    # the keyring library. Both must see the same entry as secret-tool.
    session, _ = make_vault()
    entry = lookup_entry(session.vault_id)
    assert entry is not None

    direct = DeviceKeyStore.for_backend(SECRET_SERVICE_BACKEND).load(session.vault_id)
    via_library = DeviceKeyStore.default().load(session.vault_id)

    assert direct == via_library
    assert direct is not None
    assert (direct.slot_id, direct.generation) == (entry["slot"], entry["generation"])
    assert direct.device_key == base64.b64decode(entry["key"])


def test_keyring_slot_added_later_unlocks(
    make_vault: VaultFactory, sessions: list[services.VaultSession]
) -> None:
    session, _ = make_vault(keyring=False)
    credential_id = add_secret(session)
    assert lookup_entry(session.vault_id) is None

    slot = session.add_keyring_slot(DeviceKeyStore.default())
    session.close()

    entry = lookup_entry(session.vault_id)
    assert entry is not None
    assert entry["slot"] == slot.id
    reopened = services.open_vault_with_keyring(session.folder)
    sessions.append(reopened)
    assert reopened.reveal_secret(credential_id) == SECRET


def test_removing_keyring_slot_deletes_entry(make_vault: VaultFactory) -> None:
    session, _ = make_vault()
    (slot_id,) = keyring_slot_ids(session)

    session.remove_keyslot(slot_id)
    session.close()

    assert lookup_entry(session.vault_id) is None
    assert not services.vault_has_keyring_slot(session.folder)
    with pytest.raises(KeyringUnavailableError):
        services.open_vault_with_keyring(session.folder)


def test_wrong_device_key_in_keyring_is_refused(
    make_vault: VaultFactory, sessions: list[services.VaultSession]
) -> None:
    session, _ = make_vault()
    session.close()
    entry = lookup_entry(session.vault_id)
    assert entry is not None
    forged = {**entry, "key": base64.b64encode(os.urandom(32)).decode()}
    # Clear first: secret-tool adds its own schema attribute, so a plain store would leave the
    # original item next to the forged one instead of replacing it.
    assert secret_tool("clear", "service", SERVICE, "username", session.vault_id).returncode == 0
    stored = secret_tool(
        "store",
        "--label=forged device key",
        "service",
        SERVICE,
        "username",
        session.vault_id,
        stdin=json.dumps(forged),
    )
    assert stored.returncode == 0, stored.stderr
    assert lookup_entry(session.vault_id) == forged

    with pytest.raises(AuthenticationError):
        services.open_vault_with_keyring(session.folder)
    # The passphrase still opens the vault: a bad keyring entry locks nobody out.
    sessions.append(services.open_vault_with_secret(session.folder, PASSPHRASE))


def test_vault_folder_never_holds_the_device_key(
    make_vault: VaultFactory, sessions: list[services.VaultSession], tmp_path: Path
) -> None:
    session, _ = make_vault()
    credential_id = add_secret(session)
    entry = lookup_entry(session.vault_id)
    assert entry is not None
    raw = base64.b64decode(entry["key"])
    needles = {
        "base64": entry["key"].encode(),
        "raw": raw,
        "hex": raw.hex().encode(),
        "urlsafe base64": base64.urlsafe_b64encode(raw),
    }

    def leaks() -> list[str]:
        return [
            f"{path.relative_to(tmp_path)} holds the device key ({form})"
            for path in sorted(tmp_path.rglob("*"))
            if path.is_file()
            for form, needle in needles.items()
            if needle in path.read_bytes()
        ]

    # Checked while open (WAL and journal files exist) and after unlocking via the keyring.
    assert leaks() == []
    session.close()
    reopened = services.open_vault_with_keyring(session.folder)
    sessions.append(reopened)
    assert reopened.reveal_secret(credential_id) == SECRET
    assert leaks() == []
    reopened.close()
    assert leaks() == []
