"""Forward-only schema migrations, each applied in its own transaction."""

from __future__ import annotations

from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.vault.database import Connection, storage_errors, write_transaction
from intsec_desktop.core.vault.schema_export import _CLEARANCE_SCHEMA, _EXPORT_SCHEMA
from intsec_desktop.core.vault.schema_keyslots import _KEYSLOTS_SCHEMA
from intsec_desktop.core.vault.schema_members import _MEMBERS_SCHEMA
from intsec_desktop.core.vault.schema_scopes import _SCOPES_SCHEMA

_V1 = [
    """CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT""",
    """CREATE TABLE members (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE integrations (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        category TEXT NOT NULL,
        method TEXT NOT NULL,
        vendor TEXT NOT NULL DEFAULT '',
        base_urls TEXT NOT NULL DEFAULT '{}',
        soc2_type2_expires TEXT,
        iso27001_expires TEXT,
        gdpr_dpa_expires TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        region TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT""",
    """CREATE TABLE credentials (
        id INTEGER PRIMARY KEY,
        integration_id INTEGER NOT NULL REFERENCES integrations(id),
        customer_id INTEGER REFERENCES customers(id),
        environment TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        owner TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        expires_at TEXT,
        last_rotated_at TEXT NOT NULL,
        rotate_every_days INTEGER,
        reminder_days TEXT NOT NULL DEFAULT '[]',
        version INTEGER NOT NULL,
        notes TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    ) STRICT""",
    # NULL customer means integration-wide; IFNULL makes it take part in uniqueness.
    """CREATE UNIQUE INDEX credentials_identity
        ON credentials(integration_id, IFNULL(customer_id, 0), environment, name)""",
    """CREATE INDEX credentials_expires ON credentials(expires_at)""",
    """CREATE TABLE credential_versions (
        credential_id INTEGER NOT NULL REFERENCES credentials(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        sealed BLOB,
        created_at TEXT NOT NULL,
        retired_at TEXT,
        PRIMARY KEY (credential_id, version)
    ) STRICT""",
    """CREATE TABLE audit_events (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        os_user TEXT NOT NULL,
        host TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    ) STRICT""",
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]

# Rotation workflow: per-integration manual checklist, what was said at each rotation, and
# alert channels (a webhook URL is a secret: sealed like a credential value).
_V2 = [
    "ALTER TABLE integrations ADD COLUMN rotation_steps TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE integrations ADD COLUMN console_url TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE credential_versions ADD COLUMN note TEXT NOT NULL DEFAULT ''",
    # NULL = not asked (created, imported); 0/1 = the answer given when this version was retired.
    "ALTER TABLE credential_versions ADD COLUMN revoked_at_vendor INTEGER",
    "ALTER TABLE credential_versions ADD COLUMN purged_at TEXT",
    """CREATE TABLE alert_channels (
        kind TEXT PRIMARY KEY,
        sealed BLOB NOT NULL,
        updated_at TEXT NOT NULL
    ) STRICT""",
]

# Named, applied in this order, each once. New capabilities append their own entry at the end;
# names (not numbers) let several be developed side by side without renumbering.
MIGRATIONS: list[tuple[str, list[str]]] = [
    ("0001_base", _V1),
    ("0002_rotation_workflow", _V2),
    ("0003_scopes", _SCOPES_SCHEMA),
    ("0004_members_audit", _MEMBERS_SCHEMA),
    ("0006_export_profiles", _EXPORT_SCHEMA),
    ("0008_export_clearances", _CLEARANCE_SCHEMA),
    ("0009_keyslots_record", _KEYSLOTS_SCHEMA),
]


def schema_version(conn: Connection) -> int:
    with storage_errors():
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _applied(conn: Connection) -> set[str]:
    with storage_errors():
        tracked = conn.execute(
            "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'"
        ).fetchone()
        if tracked:
            return {
                str(r[0]) for r in conn.execute("SELECT name FROM schema_migrations").fetchall()
            }
    # Vaults from before the names: user_version counted the migrations applied in order.
    return {name for name, _ in MIGRATIONS[: schema_version(conn)]}


def migrate(conn: Connection) -> int:
    """Apply every migration this vault has not had yet; returns how many ran."""
    known = {name for name, _ in MIGRATIONS}
    unknown = _applied(conn) - known
    if unknown:
        raise IntsecError(
            f"this vault was changed by a newer intsec ({', '.join(sorted(unknown))}); upgrade"
        )
    ran = 0
    for name, statements in MIGRATIONS:
        if name in _applied(conn):
            continue
        with write_transaction(conn), storage_errors():
            # Re-read inside the lock: another process may have migrated meanwhile.
            applied = _applied(conn)
            if name in applied:
                continue
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY) STRICT"
            )
            for earlier in applied:
                conn.execute(
                    "INSERT OR IGNORE INTO schema_migrations (name) VALUES (?)", (earlier,)
                )
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (name) VALUES (?)", (name,))
            conn.execute(f"PRAGMA user_version = {len(applied) + 1}")
        ran += 1
    return ran
