"""Rows of export clearances, and the stamp of the stored values they were guarded against."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from intsec_desktop.core.timefmt import format_utc, parse_utc
from intsec_desktop.core.vault.database import Connection

KEEP = 500  # clearances of the current values kept; older ones go first


@dataclass(frozen=True, slots=True)
class Clearance:
    content_sha256: str
    cleared_by: str
    cleared_at: datetime


def values_stamp(conn: Connection) -> str:
    """Changes whenever the set of kept values does: every seal has a fresh random nonce, so
    (credential, version, nonce) names a value without revealing anything about it."""
    return stamp_of(
        (credential_id, version, bytes.fromhex(nonce))
        for credential_id, version, nonce in conn.execute(
            "SELECT credential_id, version, hex(substr(sealed, 1, 12)) FROM credential_versions"
            " WHERE sealed IS NOT NULL ORDER BY credential_id, version"
        ).fetchall()
    )


def stamp_of(kept: Iterable[tuple[int, int, bytes]]) -> str:
    """values_stamp from (credential id, version, nonce) in (credential id, version) order, for
    a caller that reads the sealed values anyway."""
    digest = hashlib.sha256()
    for credential_id, version, nonce in kept:
        digest.update(f"{credential_id}:{version}:{nonce.hex()};".encode())
    return "sha256:" + digest.hexdigest()


def find(conn: Connection, content_sha256: str, stamp: str) -> Clearance | None:
    row = conn.execute(
        "SELECT content_sha256, cleared_by, cleared_at FROM export_clearances"
        " WHERE content_sha256 = ? AND values_stamp = ?",
        (content_sha256, stamp),
    ).fetchone()
    return None if row is None else Clearance(row[0], row[1], parse_utc(row[2]))


def record(conn: Connection, content_sha256: str, stamp: str, member: str, now: datetime) -> None:
    """Insert (or refresh) one clearance; drop those of other value sets and the oldest."""
    conn.execute("DELETE FROM export_clearances WHERE values_stamp != ?", (stamp,))
    conn.execute(
        "INSERT INTO export_clearances (content_sha256, values_stamp, cleared_by, cleared_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (content_sha256, values_stamp)"
        " DO UPDATE SET cleared_by = excluded.cleared_by, cleared_at = excluded.cleared_at",
        (content_sha256, stamp, member, format_utc(now)),
    )
    conn.execute(
        "DELETE FROM export_clearances WHERE rowid NOT IN"
        " (SELECT rowid FROM export_clearances ORDER BY cleared_at DESC, rowid DESC LIMIT ?)",
        (KEEP,),
    )
