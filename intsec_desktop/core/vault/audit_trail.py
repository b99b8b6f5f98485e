"""Reading the audit chain: filtered listings, the head kept in keyslots.json, verification."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from intsec_desktop.core.model import AuditEvent
from intsec_desktop.core.timefmt import format_utc, parse_utc
from intsec_desktop.core.vault import audit
from intsec_desktop.core.vault.crypto import SecretKey
from intsec_desktop.core.vault.database import Connection, rows
from intsec_desktop.core.vault.keyslots import KeySlotFile

HEAD_META_KEY = "audit_head"
_COLUMNS = "seq, at, actor, os_user, host, action, target, details, prev_hash, hash"


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Empty fields match everything. `action` and `target` match exactly, or as a prefix when
    they end with `*`; `text` is a case-insensitive substring of actor, action, target or
    details; `since` is inclusive and `until` exclusive."""

    actor: str = ""
    action: str = ""
    target: str = ""
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""
    limit: int | None = None
    newest_first: bool = False


@dataclass(frozen=True, slots=True)
class ChainHead:
    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class AuditVerdict:
    """`first_bad` is None when every event verifies and nothing after the recorded head is
    missing; otherwise it is the seq of the first event that was edited, removed or reordered."""

    events: int
    first_bad: int | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _match(
    column: str, value: str, clauses: list[str], params: list[object], *, broad: bool = False
) -> None:
    if value.endswith("*"):
        # A range the index can use (LIKE cannot: it is case-insensitive), then the exact test.
        # A `broad` prefix (credential.*) matches most of the table: walking the primary key
        # newest-first beats the index plus a sort, so the unary + keeps the planner off it.
        prefix = value[:-1]
        ranged = f"+{column}" if broad else column
        clauses.append(f"{ranged} >= ? AND {ranged} < ? AND substr({column}, 1, ?) = ?")
        params.extend([prefix, prefix + "\U0010ffff", len(prefix), prefix])
    else:
        clauses.append(f"{column} = ?")
        params.append(value)


def query(conn: Connection, where: AuditFilter) -> list[AuditEvent]:
    clauses: list[str] = []
    params: list[object] = []
    if where.actor:
        _match("actor", where.actor, clauses, params)
    if where.action:
        _match("action", where.action, clauses, params, broad=True)
    if where.target:
        _match("target", where.target, clauses, params)
    if where.since is not None:
        clauses.append("at >= ?")
        params.append(format_utc(where.since))
    if where.until is not None:
        clauses.append("at < ?")
        params.append(format_utc(where.until))
    if where.text:
        columns = ("actor", "action", "target", "details")
        clauses.append("(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns) + ")")
        params.extend(["%" + _like_escape(where.text) + "%"] * len(columns))
    sql = f"SELECT {_COLUMNS} FROM audit_events"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY seq DESC" if where.newest_first else " ORDER BY seq"
    if where.limit is not None:
        sql += f" LIMIT {int(where.limit)}"
    return [_event(r) for r in rows(conn, sql, tuple(params))]


def _event(r: Any) -> AuditEvent:
    return AuditEvent(
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


def last_activity(conn: Connection) -> dict[str, datetime]:
    return {
        str(actor): parse_utc(at)
        for actor, at in rows(conn, "SELECT actor, MAX(at) FROM audit_events GROUP BY actor")
    }


# --- the head outside the database --------------------------------------------------------


def current_head(conn: Connection) -> ChainHead:
    last = rows(conn, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
    return ChainHead(int(last[0][0]), str(last[0][1])) if last else ChainHead(0, audit.GENESIS)


def recorded_head(file: KeySlotFile) -> ChainHead | None:
    """The head last written to keyslots.json (MAC'd with the rest of the file), if any."""
    value = file.meta.get(HEAD_META_KEY)
    if not isinstance(value, dict):
        return None
    seq, digest = value.get("seq"), value.get("hash")
    if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(digest, str):
        return None
    return ChainHead(seq, digest)


def with_head(file: KeySlotFile, conn: Connection) -> KeySlotFile:
    """`file` carrying the database's head; never a lower one than it already records (a
    truncated trail must not be laundered by the next key-slot change)."""
    return with_recorded_head(file, current_head(conn))


def with_recorded_head(file: KeySlotFile, head: ChainHead) -> KeySlotFile:
    recorded = recorded_head(file)
    if recorded is not None and recorded.seq >= head.seq:
        return file
    meta = {**file.meta, HEAD_META_KEY: {"seq": head.seq, "hash": head.hash}}
    return replace(file, meta=meta)


def verify(conn: Connection, key: SecretKey, recorded: ChainHead | None) -> AuditVerdict:
    count = int(rows(conn, "SELECT count(*) FROM audit_events")[0][0])
    broken = audit.first_broken(conn, key)
    if broken is not None:
        return AuditVerdict(
            count,
            broken,
            f"audit event {broken} does not verify (edited, removed or reordered)",
        )
    if recorded is not None and recorded.seq > 0:
        head = current_head(conn)
        if head.seq < recorded.seq:
            missing = head.seq + 1
            return AuditVerdict(
                count,
                missing,
                f"audit event {missing} is missing: the trail ends at {head.seq} but"
                f" keyslots.json records {recorded.seq} (truncated)",
            )
        at_recorded = rows(conn, "SELECT hash FROM audit_events WHERE seq = ?", (recorded.seq,))
        if not at_recorded or at_recorded[0][0] != recorded.hash:
            return AuditVerdict(
                count,
                recorded.seq,
                f"audit event {recorded.seq} differs from the head recorded in keyslots.json",
            )
    return AuditVerdict(count, None, "")
