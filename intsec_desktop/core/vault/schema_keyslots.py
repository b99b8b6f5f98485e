"""Schema of the key-slot record (migration 0009_keyslots_record): what keyslots.json must be."""

from __future__ import annotations

_KEYSLOTS_SCHEMA = [
    # One row: the generation and body of the newest keyslots.json, written in the same
    # transaction as the key-slot change, so an older copy of the file is told from a newer one.
    """CREATE TABLE keyslots_record (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        generation INTEGER NOT NULL CHECK (generation >= 0),
        content TEXT NOT NULL
    ) STRICT""",
]
