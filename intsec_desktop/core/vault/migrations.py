"""Forward-only schema migrations, each applied in its own transaction."""

from __future__ import annotations

from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.vault.database import Connection, storage_errors, write_transaction

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

MIGRATIONS: list[list[str]] = [_V1, _V2]
LATEST = len(MIGRATIONS)


def schema_version(conn: Connection) -> int:
    with storage_errors():
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: Connection) -> int:
    """Bring the schema to LATEST; returns how many migrations ran."""
    current = schema_version(conn)
    if current > LATEST:
        raise IntsecError(
            f"this vault uses schema {current}, newer than this intsec supports ({LATEST}); upgrade"
        )
    ran = 0
    for number in range(current + 1, LATEST + 1):
        with write_transaction(conn), storage_errors():
            # Re-read inside the lock: another process may have migrated meanwhile.
            if schema_version(conn) >= number:
                continue
            for statement in MIGRATIONS[number - 1]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        ran += 1
    return ran
