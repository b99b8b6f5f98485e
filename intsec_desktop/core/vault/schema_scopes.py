"""Schema of scope grants and per-integration custom catalog fields (migration 0003_scopes)."""

from __future__ import annotations

_SCOPES_SCHEMA = [
    # customer_id NULL = the integration default; field '*' = every field of the model.
    """CREATE TABLE scope_grants (
        integration_id INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
        customer_id INTEGER REFERENCES customers(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        field TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('read', 'write')),
        effect TEXT NOT NULL CHECK (effect IN ('allow', 'deny')),
        updated_at TEXT NOT NULL
    ) STRICT""",
    """CREATE UNIQUE INDEX scope_grants_cell
        ON scope_grants(integration_id, IFNULL(customer_id, 0), model, field, action)""",
    """CREATE TABLE scope_custom_fields (
        integration_id INTEGER NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
        model TEXT NOT NULL,
        field TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (integration_id, model, field)
    ) STRICT""",
]
