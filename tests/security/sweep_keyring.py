"""A `keyring` backend for the canary sweep: entries kept in a JSON document at the path in
$CANARY_KEYRING_STORE, inside the swept tree, so whatever the app hands the OS keyring is searched
too. Selected in the CLI children by PYTHON_KEYRING_BACKEND; stdlib only, so it loads fast."""

from __future__ import annotations

import json
import os
from pathlib import Path

from jaraco.classes import properties
from keyring.backend import KeyringBackend

STORE_ENV = "CANARY_KEYRING_STORE"
BACKEND_NAME = f"{__name__}.SweepKeyring"


class SweepKeyring(KeyringBackend):
    """Priority 1 inside the sweep, so the app accepts it as a usable keyring (it refuses lower
    ones); anywhere else not viable at all, so `keyring`'s own detection never picks it."""

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - a class property
        cls._store()
        return 1

    @staticmethod
    def _store() -> Path:
        value = os.environ.get(STORE_ENV)
        if not value:  # keyring reads a RuntimeError from priority as "not viable here"
            raise RuntimeError(f"{STORE_ENV} is not set: this backend is for the canary sweep only")
        return Path(value)

    def _entries(self) -> dict[str, str]:
        try:
            data = json.loads(self._store().read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {str(k): str(v) for k, v in data.items()}

    def _save(self, entries: dict[str, str]) -> None:
        store = self._store()
        store.parent.mkdir(parents=True, exist_ok=True)
        partial = store.with_name(store.name + ".partial")
        partial.write_text(json.dumps(entries, sort_keys=True), encoding="utf-8")
        partial.replace(store)

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._entries()
        entries[f"{service}/{username}"] = password
        self._save(entries)

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        del entries[f"{service}/{username}"]
        self._save(entries)
