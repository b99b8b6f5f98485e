"""The OS keyring adapter: picks a trustworthy `keyring` backend or says which one it refused."""

from __future__ import annotations

import base64
import importlib
import json
from dataclasses import dataclass
from typing import Any

from intsec_desktop.core.errors import KeyringUnavailableError

SERVICE = "intsec-desktop"

# Backends that keep secrets in the clear, or keep nothing at all, never hold a device key.
_REFUSED_NAME_PARTS = ("fail", "null", "plaintext", "chainer", "file")


def _qualified_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _priority(backend: object) -> float:
    try:
        return float(getattr(type(backend), "priority", getattr(backend, "priority", 0)))
    except Exception:  # noqa: BLE001 - a backend's priority probe may raise anything when unusable
        return -1.0


def _is_trusted(backend: object) -> bool:
    name = _qualified_name(backend).lower()
    return _priority(backend) >= 1 and not any(part in name for part in _REFUSED_NAME_PARTS)


@dataclass(frozen=True, slots=True)
class KeyringStatus:
    usable: bool
    backend_name: str  # e.g. "keyring.backends.SecretService.Keyring"
    reason: str  # one line for the user


@dataclass(frozen=True, slots=True)
class DeviceKeyEntry:
    """What the keyring holds for one vault: the device key of a slot and the last generation seen."""

    slot_id: str
    device_key: bytes
    generation: int

    def __repr__(self) -> str:
        return f"DeviceKeyEntry(slot_id={self.slot_id!r}, generation={self.generation})"


FREEDESKTOP_BACKEND = "keyring.backends.SecretService.Keyring"


class DeviceKeyStore:
    """Stores one device key per vault (service `intsec-desktop`, user = vault id)."""

    def __init__(self, backend: Any | None, backend_name: str | None = None) -> None:
        self._backend = backend
        self._backend_name = backend_name or _qualified_name(backend)

    @property
    def backend_name(self) -> str:
        return self._backend_name

    @property
    def _live_backend(self) -> Any:
        if self._backend is None:
            self._backend = _instantiate(self._backend_name)
        return self._backend

    @classmethod
    def detect(cls) -> KeyringStatus:
        """Which backend `keyring` would use, and whether we accept it."""
        try:
            import keyring
            from keyring.backends.chainer import ChainerBackend

            chosen = keyring.get_keyring()
        except Exception as exc:  # noqa: BLE001 - keyring's own initialisation may fail arbitrarily
            return KeyringStatus(
                False, "none", f"the keyring library failed to load ({type(exc).__name__})"
            )
        candidates = list(chosen.backends) if isinstance(chosen, ChainerBackend) else [chosen]
        for backend in candidates:
            if _is_trusted(backend):
                return KeyringStatus(True, _qualified_name(backend), "ok")
        found = ", ".join(
            f"{_qualified_name(b)} (priority {_priority(b):g})" for b in candidates
        ) or _qualified_name(chosen)
        return KeyringStatus(
            False,
            _qualified_name(chosen),
            f"no usable OS keyring: found {found}; a passphrase is needed",
        )

    @classmethod
    def default(cls) -> DeviceKeyStore:
        status = cls.detect()
        if not status.usable:
            raise KeyringUnavailableError(status.reason)
        return cls(_instantiate(status.backend_name))

    @classmethod
    def for_backend(cls, qualified_name: str) -> DeviceKeyStore:
        """The exact backend a slot was stored with, created on first use. Reads from the Secret
        Service skip the `keyring` import (about 40 ms of start-up) by asking it directly."""
        return cls(None, qualified_name)

    def _call(self, what: str, *args: str) -> Any:
        backend = self._live_backend
        try:
            return getattr(backend, what)(SERVICE, *args)
        except Exception as exc:
            raise KeyringUnavailableError(
                f"the OS keyring ({self.backend_name}) refused to {what.split('_')[0]} the device key"
                f" ({type(exc).__name__})"
            ) from exc

    def load(self, vault_id: str) -> DeviceKeyEntry | None:
        stored: str | None = None
        fast = self._backend is None and self._backend_name == FREEDESKTOP_BACKEND
        if fast:
            stored = _read_secret_service(vault_id)
        if not fast or stored is _UNAVAILABLE:
            stored = self._call("get_password", vault_id)
        if stored is None:
            return None
        try:
            data = json.loads(stored)
            return DeviceKeyEntry(
                slot_id=str(data["slot"]),
                device_key=base64.b64decode(data["key"], validate=True),
                generation=int(data.get("generation", 0)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            # The vault is fine; only this device's shortcut is broken: the passphrase still works.
            raise KeyringUnavailableError(
                "the OS keyring entry for this vault is malformed; unlock with the passphrase"
            ) from exc

    def save(self, vault_id: str, entry: DeviceKeyEntry) -> None:
        payload = json.dumps(
            {
                "slot": entry.slot_id,
                "key": base64.b64encode(entry.device_key).decode(),
                "generation": entry.generation,
            },
            sort_keys=True,
        )
        self._call("set_password", vault_id, payload)

    def delete(self, vault_id: str) -> None:
        if self._call("get_password", vault_id) is not None:
            self._call("delete_password", vault_id)


def _instantiate(qualified_name: str) -> Any:
    module_name, _, class_name = qualified_name.rpartition(".")
    try:
        backend = getattr(importlib.import_module(module_name), class_name)()
    except Exception as exc:
        raise KeyringUnavailableError(
            f"keyring backend {qualified_name} is not available here ({type(exc).__name__})"
        ) from exc
    if not _is_trusted(backend):
        raise KeyringUnavailableError(
            f"keyring backend {qualified_name} is not usable here (priority {_priority(backend):g})"
        )
    return backend


_UNAVAILABLE: Any = object()


def _read_secret_service(vault_id: str) -> Any:
    """The item keyring's SecretService backend wrote (same attributes), read with secretstorage.
    Returns _UNAVAILABLE whenever anything is off, so the caller takes the full keyring path."""
    try:
        import secretstorage

        connection = secretstorage.dbus_init()
        try:
            collection = secretstorage.get_default_collection(connection)
            if collection.is_locked():
                return _UNAVAILABLE
            for item in collection.search_items({"service": SERVICE, "username": vault_id}):
                if item.is_locked():
                    return _UNAVAILABLE
                return item.get_secret().decode("utf-8")
            return None
        finally:
            connection.close()
    except Exception:  # noqa: BLE001 - any failure falls back to the keyring library
        return _UNAVAILABLE
