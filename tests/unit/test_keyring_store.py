"""DeviceKeyStore: which keyring backends are trusted with a device key, and the entry format."""

from __future__ import annotations

import os

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest

from intsec_desktop.core.errors import KeyringUnavailableError
from intsec_desktop.core.vault import keyring_store
from intsec_desktop.core.vault.keyring_store import SERVICE, DeviceKeyEntry, DeviceKeyStore
from tests.unit.conftest import MemoryKeyring


class PlaintextKeyring:
    """Looks like a good backend (priority 1) but keeps secrets in the clear."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise AssertionError("a plaintext keyring must never be asked for a device key")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("a plaintext keyring must never be given a device key")


class LowPriorityKeyring(MemoryKeyring):
    priority = 0


class BrokenPriorityKeyring:
    """keyring's own backends compute priority on access, and raise when not viable."""

    @property
    def priority(self) -> float:
        raise RuntimeError("backend not viable")


def _qualified(backend: object) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


@pytest.fixture
def chosen(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What `keyring.get_keyring()` returns in the test (never the machine's real keyring)."""
    holder: list[object] = []
    monkeypatch.setattr(keyring, "get_keyring", lambda: holder[0])
    return holder


@pytest.mark.parametrize(
    "backend",
    [
        keyring.backends.fail.Keyring(),  # type: ignore[no-untyped-call]
        keyring.backends.null.Keyring(),  # type: ignore[no-untyped-call]
        PlaintextKeyring(),
        LowPriorityKeyring(),
        BrokenPriorityKeyring(),
    ],
    ids=["fail", "null", "plaintext", "priority-0", "priority-raises"],
)
def test_untrusted_backends_are_refused_and_named(chosen: list[object], backend: object) -> None:
    chosen.append(backend)
    assert not keyring_store._is_trusted(backend)
    status = DeviceKeyStore.detect()
    assert not status.usable
    assert _qualified(backend) in status.reason
    assert "passphrase" in status.reason
    assert "\n" not in status.reason
    with pytest.raises(KeyringUnavailableError) as raised:
        DeviceKeyStore.default()
    assert _qualified(backend) in str(raised.value)


def test_a_priority_one_backend_is_trusted(chosen: list[object]) -> None:
    backend = MemoryKeyring()
    chosen.append(backend)
    status = DeviceKeyStore.detect()
    assert status.usable
    assert status.backend_name == _qualified(backend)


def test_keyring_library_failure_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode() -> object:
        raise RuntimeError("no backend at all")

    monkeypatch.setattr(keyring, "get_keyring", explode)
    status = DeviceKeyStore.detect()
    assert not status.usable
    assert "RuntimeError" in status.reason


@pytest.mark.parametrize(
    "name",
    [
        "keyring.backends.fail.Keyring",
        "keyring.backends.null.Keyring",
        f"{__name__}.PlaintextKeyring",
        f"{__name__}.LowPriorityKeyring",
        "no.such.module.Keyring",
    ],
)
def test_for_backend_refuses_untrusted_or_missing_backends(name: str) -> None:
    # Refused at construction or, if the store is built lazily, at the first use.
    with pytest.raises(KeyringUnavailableError) as raised:
        DeviceKeyStore.for_backend(name).load("vault-1")
    assert name in str(raised.value)


def test_for_backend_uses_the_named_backend() -> None:
    name = f"{MemoryKeyring.__module__}.MemoryKeyring"
    store = DeviceKeyStore.for_backend(name)
    assert store.backend_name == name
    assert store.load("vault-1") is None


# --- the stored entry -----------------------------------------------------------------------


def test_entry_roundtrip_and_delete() -> None:
    backend = MemoryKeyring()
    store = DeviceKeyStore(backend)
    entry = DeviceKeyEntry("s-12345678", os.urandom(32), 7)
    store.save("vault-1", entry)
    assert list(backend.entries) == [(SERVICE, "vault-1")]
    assert store.load("vault-1") == entry
    assert store.load("vault-2") is None
    store.delete("vault-1")
    assert store.load("vault-1") is None
    store.delete("vault-1")  # deleting what is not there is not an error


@pytest.mark.parametrize(
    "stored",
    ["not json", '{"slot": "s-1"}', '{"slot": "s-1", "key": "!!!"}', "[]"],
)
def test_malformed_entry_means_unlock_another_way(stored: str) -> None:
    # The vault itself is fine: the keyring entry is unusable, so the passphrase is needed.
    store = DeviceKeyStore(MemoryKeyring({(SERVICE, "vault-1"): stored}))
    with pytest.raises(KeyringUnavailableError) as raised:
        store.load("vault-1")
    assert raised.value.exit_code == 1
    assert "passphrase" in str(raised.value)
    assert stored not in str(raised.value)


def test_backend_errors_become_keyring_unavailable() -> None:
    class LockedKeyring(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise PermissionError("collection is locked")

    with pytest.raises(KeyringUnavailableError, match="LockedKeyring"):
        DeviceKeyStore(LockedKeyring()).load("vault-1")
