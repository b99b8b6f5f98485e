"""Schema of export profiles (migration 0006_export_profiles)."""

from __future__ import annotations

_EXPORT_SCHEMA = [
    """CREATE TABLE export_profiles (
        name TEXT PRIMARY KEY,
        environment TEXT NOT NULL,
        regions TEXT NOT NULL,
        integrations TEXT NOT NULL DEFAULT '[]',
        format TEXT NOT NULL,
        dialect TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    ) STRICT""",
]
