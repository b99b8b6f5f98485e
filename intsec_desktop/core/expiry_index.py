"""Opt-in expiry index: reminders while the vault is locked.

Names and deadlines only (no secret, no key), sealed with AES-256-GCM under a key derived from
this device's keyring device key. Whoever can use the unlocked login session (and so the
keyring) can read which credentials exist and when they are due; that is the trade-off the
setting explains, and why it is off by default."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from intsec_desktop.core import paths
from intsec_desktop.core.reminders import Deadline, DeadlineKind
from intsec_desktop.core.timefmt import format_utc, parse_utc
from intsec_desktop.core.vault.atomic import write_atomic
from intsec_desktop.core.vault.crypto import SealError, SecretKey, hkdf, open_sealed, seal

FORMAT = "intsec.expiry-index/v1"


def index_path(vault_id: str) -> Path:
    return paths.state_dir() / "expiry-index" / f"{vault_id}.sealed"


def _key(device_key: bytes, vault_id: str) -> SecretKey:
    return SecretKey(hkdf(device_key, info=f"intsec/expiry-index/{vault_id}".encode()))


def write_index(
    vault_id: str, device_key: bytes, deadlines: Sequence[Deadline], now: datetime
) -> None:
    document = {
        "format": FORMAT,
        "written_at": format_utc(now),
        "deadlines": [
            {
                "subject": d.subject,
                "kind": d.kind.value,
                "at": format_utc(d.at),
                "title": d.title,
                "lead_days": list(d.lead_days),
            }
            for d in deadlines
        ],
    }
    sealed = seal(
        _key(device_key, vault_id), json.dumps(document, sort_keys=True).encode(), vault_id.encode()
    )
    path = index_path(vault_id)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, sealed)


def read_index(vault_id: str, device_key: bytes) -> list[Deadline] | None:
    """The deadlines, or None when there is no index or it does not open (stale device key)."""
    try:
        sealed = index_path(vault_id).read_bytes()
        document = json.loads(open_sealed(_key(device_key, vault_id), sealed, vault_id.encode()))
        if document.get("format") != FORMAT:
            return None
        return [
            Deadline(
                subject=str(item["subject"]),
                kind=DeadlineKind(item["kind"]),
                at=parse_utc(item["at"]),
                title=str(item["title"]),
                lead_days=tuple(int(d) for d in item["lead_days"]),
            )
            for item in document["deadlines"]
        ]
    except (OSError, SealError, ValueError, KeyError, TypeError):
        return None


def remove_index(vault_id: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        index_path(vault_id).unlink()
