"""Schema for members and the audit trail: one-time passphrases, rotation marks, audit indexes."""

from __future__ import annotations

_MEMBERS_SCHEMA = [
    # 1 while a member still holds the one-time passphrase the owner gave them.
    "ALTER TABLE members ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0",
    # Secrets someone who lost access could have read; cleared by the next rotation.
    """CREATE TABLE rotation_required (
        credential_id INTEGER PRIMARY KEY REFERENCES credentials(id) ON DELETE CASCADE,
        reason TEXT NOT NULL,
        since TEXT NOT NULL
    ) STRICT""",
    """CREATE TRIGGER rotation_required_cleared AFTER UPDATE OF version ON credentials
        BEGIN DELETE FROM rotation_required WHERE credential_id = NEW.id; END""",
    """CREATE TRIGGER rotation_required_gone AFTER DELETE ON credentials
        BEGIN DELETE FROM rotation_required WHERE credential_id = OLD.id; END""",
    # Filtered listings over 100,000 events stay fast (benchmarks/audit_bench.py).
    "CREATE INDEX audit_events_actor ON audit_events(actor, action, seq)",
    "CREATE INDEX audit_events_action ON audit_events(action, seq)",
    "CREATE INDEX audit_events_target ON audit_events(target, seq)",
    "CREATE INDEX audit_events_at ON audit_events(at)",
]
