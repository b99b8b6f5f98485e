"""Rows of export profiles."""

from __future__ import annotations

import json
from datetime import datetime

from intsec_desktop.core.errors import NotFoundError
from intsec_desktop.core.export.profile import ExportProfile, make_profile
from intsec_desktop.core.vault.database import Connection

_SELECT = (
    "SELECT name, environment, regions, integrations, format, dialect, target FROM export_profiles"
)


def _profile(row: tuple[str, ...]) -> ExportProfile:
    name, env, regions, integrations, fmt, dialect, target = row
    return make_profile(
        name, env, json.loads(regions), json.loads(integrations), fmt, dialect, target
    )


def profiles(conn: Connection) -> list[ExportProfile]:
    return [_profile(tuple(r)) for r in conn.execute(_SELECT + " ORDER BY name").fetchall()]


def profile(conn: Connection, name: str) -> ExportProfile:
    row = conn.execute(_SELECT + " WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise NotFoundError(f"no export profile named {name!r}")
    return _profile(tuple(row))


def exists(conn: Connection, name: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM export_profiles WHERE name = ?", (name,)).fetchone() is not None
    )


def save(conn: Connection, item: ExportProfile, now: datetime) -> None:
    conn.execute(
        "INSERT INTO export_profiles"
        " (name, environment, regions, integrations, format, dialect, target, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(name) DO UPDATE SET environment = excluded.environment,"
        " regions = excluded.regions, integrations = excluded.integrations,"
        " format = excluded.format, dialect = excluded.dialect, target = excluded.target,"
        " updated_at = excluded.updated_at",
        (
            item.name,
            item.environment.value,
            json.dumps([r.value for r in item.regions]),
            json.dumps(list(item.integrations)),
            item.format.value,
            item.dialect.value,
            item.target,
            now.isoformat(),
        ),
    )


def delete(conn: Connection, name: str) -> None:
    conn.execute("DELETE FROM export_profiles WHERE name = ?", (name,))


def kept_sealed_values(conn: Connection) -> list[tuple[int, int, bytes, str]]:
    """(credential id, version, sealed value, credential path) of every version whose value is
    still kept, in one query: the leak guard reads all of them on every export."""
    return conn.execute(
        "SELECT v.credential_id, v.version, v.sealed,"
        " i.slug || '/' || IFNULL(cu.slug, '-') || '/' || c.environment || '/' || c.name"
        " FROM credential_versions v JOIN credentials c ON c.id = v.credential_id"
        " JOIN integrations i ON i.id = c.integration_id"
        " LEFT JOIN customers cu ON cu.id = c.customer_id"
        " WHERE v.sealed IS NOT NULL ORDER BY v.credential_id, v.version"
    ).fetchall()
