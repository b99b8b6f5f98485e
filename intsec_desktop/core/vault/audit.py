"""The audit chain: one HMAC-linked, append-only row per service call."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from intsec_desktop.core.model import AuditEvent
from intsec_desktop.core.timefmt import format_utc, parse_utc
from intsec_desktop.core.vault.crypto import SecretKey, mac_hex
from intsec_desktop.core.vault.database import Connection, rows

GENESIS = "0" * 64


@dataclass(frozen=True, slots=True)
class Origin:
    """Who and where: filled from the OS by the caller, so core stays testable."""

    os_user: str
    host: str


def _canonical(
    seq: int, at: str, actor: str, origin: Origin, action: str, target: str, details: str
) -> bytes:
    fields = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "os_user": origin.os_user,
        "host": origin.host,
        "action": action,
        "target": target,
        "details": details,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def append(
    conn: Connection,
    key: SecretKey,
    *,
    at: datetime,
    actor: str,
    origin: Origin,
    action: str,
    target: str,
    details: dict[str, object],
) -> int:
    """Must run inside the caller's write transaction, so the event and the change land together."""
    last = rows(conn, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
    seq, prev_hash = (last[0][0] + 1, last[0][1]) if last else (1, GENESIS)
    details_json = json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    stamp = format_utc(at)
    digest = mac_hex(
        key,
        prev_hash.encode() + _canonical(seq, stamp, actor, origin, action, target, details_json),
    )
    conn.execute(
        "INSERT INTO audit_events (seq, at, actor, os_user, host, action, target, details,"
        " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            seq,
            stamp,
            actor,
            origin.os_user,
            origin.host,
            action,
            target,
            details_json,
            prev_hash,
            digest,
        ),
    )
    return seq


def events(conn: Connection) -> list[AuditEvent]:
    return [
        AuditEvent(
            seq=r[0],
            at=parse_utc(r[1]),
            actor=r[2],
            os_user=r[3],
            host=r[4],
            action=r[5],
            target=r[6],
            details=json.loads(r[7]),
            prev_hash=r[8],
            hash=r[9],
        )
        for r in rows(
            conn,
            "SELECT seq, at, actor, os_user, host, action, target, details, prev_hash, hash"
            " FROM audit_events ORDER BY seq",
        )
    ]


def first_broken(conn: Connection, key: SecretKey) -> int | None:
    """The seq of the first event whose link or HMAC does not verify, or None."""
    prev_hash, expected_seq = GENESIS, 1
    for r in rows(
        conn,
        "SELECT seq, at, actor, os_user, host, action, target, details, prev_hash, hash"
        " FROM audit_events ORDER BY seq",
    ):
        seq, at, actor, os_user, host, action, target, details, stored_prev, stored_hash = r
        digest = mac_hex(
            key,
            prev_hash.encode()
            + _canonical(seq, at, actor, Origin(os_user, host), action, target, details),
        )
        if (
            seq != expected_seq
            or stored_prev != prev_hash
            # Bytes: compare_digest raises on non-ASCII str, and an edit may put any text here.
            or not secrets.compare_digest(
                digest.encode(), str(stored_hash).encode("utf-8", "surrogatepass")
            )
        ):
            return int(seq)
        prev_hash, expected_seq = stored_hash, expected_seq + 1
    return None
