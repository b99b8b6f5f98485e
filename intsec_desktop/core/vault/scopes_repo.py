"""Storage of scope grants and custom catalog fields; callers hold the transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from intsec_desktop.core.scope_catalog import ScopeAction, Tag
from intsec_desktop.core.scopes import Effect, Grant
from intsec_desktop.core.vault.database import Connection


def grants(conn: Connection, integration_id: int) -> list[Grant]:
    rows = conn.execute(
        """SELECT c.slug, g.model, g.field, g.action, g.effect
           FROM scope_grants g LEFT JOIN customers c ON c.id = g.customer_id
           WHERE g.integration_id = ?
           ORDER BY IFNULL(c.slug, ''), g.model, g.field, g.action""",
        (integration_id,),
    ).fetchall()
    return [Grant(r[0], r[1], r[2], ScopeAction(r[3]), Effect(r[4])) for r in rows]


def _customer_clause(customer_id: int | None) -> tuple[str, tuple[int, ...]]:
    if customer_id is None:
        return "customer_id IS NULL", ()
    return "customer_id = ?", (customer_id,)


def effect_of(
    conn: Connection,
    integration_id: int,
    customer_id: int | None,
    model: str,
    field: str,
    action: ScopeAction,
) -> Effect | None:
    clause, extra = _customer_clause(customer_id)
    row = conn.execute(
        f"SELECT effect FROM scope_grants WHERE integration_id = ? AND {clause} "
        "AND model = ? AND field = ? AND action = ?",
        (integration_id, *extra, model, field, action.value),
    ).fetchone()
    return Effect(row[0]) if row else None


def set_effect(
    conn: Connection,
    integration_id: int,
    customer_id: int | None,
    model: str,
    field: str,
    action: ScopeAction,
    effect: Effect | None,
    now: datetime,
) -> None:
    """Set one grant; None removes it (the cell inherits again)."""
    clause, extra = _customer_clause(customer_id)
    conn.execute(
        f"DELETE FROM scope_grants WHERE integration_id = ? AND {clause} "
        "AND model = ? AND field = ? AND action = ?",
        (integration_id, *extra, model, field, action.value),
    )
    if effect is not None:
        conn.execute(
            "INSERT INTO scope_grants (integration_id, customer_id, model, field, action, effect,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                integration_id,
                customer_id,
                model,
                field,
                action.value,
                effect.value,
                now.isoformat(),
            ),
        )


def delete_level(conn: Connection, integration_id: int, customer_id: int | None) -> int:
    clause, extra = _customer_clause(customer_id)
    conn.execute(
        f"DELETE FROM scope_grants WHERE integration_id = ? AND {clause}",
        (integration_id, *extra),
    )
    return int(conn.execute("SELECT changes()").fetchone()[0])


def delete_all(conn: Connection, integration_id: int) -> int:
    conn.execute("DELETE FROM scope_grants WHERE integration_id = ?", (integration_id,))
    return int(conn.execute("SELECT changes()").fetchone()[0])


def insert_many(
    conn: Connection,
    integration_id: int,
    rows: Iterable[tuple[int | None, Grant]],
    now: datetime,
) -> None:
    """(customer_id, grant) pairs; a later duplicate of the same cell keeps deny over allow."""
    stamp = now.isoformat()
    # The Connection protocol lists only execute(); sqlcipher3 has executemany as sqlite3 does.
    cast(Any, conn).executemany(
        "INSERT INTO scope_grants (integration_id, customer_id, model, field, action, effect,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT DO UPDATE SET effect = CASE WHEN excluded.effect = 'deny'"
        " THEN 'deny' ELSE scope_grants.effect END",
        [
            (integration_id, cid, g.model, g.field, g.action.value, g.effect.value, stamp)
            for cid, g in rows
        ],
    )


def custom_fields(conn: Connection, integration_id: int) -> list[tuple[str, str, frozenset[Tag]]]:
    rows = conn.execute(
        "SELECT model, field, tags FROM scope_custom_fields WHERE integration_id = ?"
        " ORDER BY model, field",
        (integration_id,),
    ).fetchall()
    return [(r[0], r[1], frozenset(Tag(t) for t in json.loads(r[2]))) for r in rows]


def add_custom_field(
    conn: Connection, integration_id: int, model: str, field: str, tags: frozenset[Tag]
) -> None:
    conn.execute(
        "INSERT INTO scope_custom_fields (integration_id, model, field, tags) VALUES (?, ?, ?, ?)",
        (integration_id, model, field, json.dumps(sorted(t.value for t in tags))),
    )
