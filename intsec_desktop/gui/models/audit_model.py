"""Table model for the Audit page: one row per audit event; details as compact JSON text."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt

from intsec_desktop.core.model import AuditEvent
from intsec_desktop.core.timefmt import format_utc
from intsec_desktop.gui.models.row_table import Index, RowTableModel


def _details(event: AuditEvent) -> str:
    return json.dumps(event.details, sort_keys=True, ensure_ascii=False)


class AuditTableModel(RowTableModel[AuditEvent]):
    SEQ, TIME, ACTOR, HOST, ACTION, TARGET, DETAILS = range(7)
    _columns: Sequence[tuple[str, Callable[[AuditEvent], str], Callable[[AuditEvent], Any]]] = (
        ("#", lambda e: str(e.seq), lambda e: e.seq),
        ("Time (UTC)", lambda e: format_utc(e.at), lambda e: format_utc(e.at)),
        ("Actor", lambda e: e.actor, lambda e: e.actor),
        ("Host", lambda e: f"{e.os_user}@{e.host}", lambda e: f"{e.os_user}@{e.host}"),
        ("Action", lambda e: e.action, lambda e: e.action),
        ("Target", lambda e: e.target, lambda e: e.target),
        ("Details", _details, _details),
    )
    headers = tuple(c[0] for c in _columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        event = self.row_at(index)
        if event is None or not 0 <= index.column() < len(self._columns):
            return None
        _, text, raw = self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return text(event)
        if role == Qt.ItemDataRole.UserRole:
            return raw(event)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == self.DETAILS:
            return text(event)
        return None

    def audit_event(self, row: int) -> AuditEvent:
        return self._rows[row]

    def set_events(self, events: Sequence[AuditEvent]) -> None:
        self._reset_rows(events)
