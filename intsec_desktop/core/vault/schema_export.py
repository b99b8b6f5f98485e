"""Schema of export profiles (migration 0006_export_profiles) and clearances (0008)."""

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

# Migration 0008_export_clearances: exports a member who can open values guarded and found
# clean, so members whose slot cannot open values (viewers) may write that exact content.
_CLEARANCE_SCHEMA = [
    """CREATE TABLE export_clearances (
        content_sha256 TEXT NOT NULL,
        values_stamp TEXT NOT NULL,
        cleared_by TEXT NOT NULL,
        cleared_at TEXT NOT NULL,
        PRIMARY KEY (content_sha256, values_stamp)
    ) STRICT""",
]
