"""VersionsTableModel: the version history of one credential (dates only, never a value)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt

from intsec_desktop.core.model import CredentialVersion
from intsec_desktop.gui.models.row_table import Index, RowTableModel


class VersionColumn(IntEnum):
    VERSION = 0
    CREATED = 1
    RETIRED = 2
    VALUE = 3


VERSION_HEADERS = {
    VersionColumn.VERSION: "Version",
    VersionColumn.CREATED: "Stored (UTC)",
    VersionColumn.RETIRED: "Retired (UTC)",
    VersionColumn.VALUE: "Value kept",
}


def format_moment(moment: datetime | None, zone: bool = True) -> str:
    """Minutes are enough to tell versions apart; UTC like everything the vault stores."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") + (" UTC" if zone else "")


def _display(item: CredentialVersion, column: VersionColumn) -> str:
    match column:
        case VersionColumn.VERSION:
            return str(item.version)
        case VersionColumn.CREATED:
            return format_moment(item.created_at, zone=False)
        case VersionColumn.RETIRED:
            return format_moment(item.retired_at, zone=False) or "current"
        case VersionColumn.VALUE:
            return "yes" if item.has_value else "purged"
    return ""


def _raw(item: CredentialVersion, column: VersionColumn) -> Any:
    match column:
        case VersionColumn.VERSION:
            return item.version
        case VersionColumn.CREATED:
            return item.created_at.timestamp()
        case VersionColumn.RETIRED:
            return item.retired_at.timestamp() if item.retired_at else float("inf")
        case VersionColumn.VALUE:
            return item.has_value
    return None


class VersionsTableModel(RowTableModel[CredentialVersion]):
    headers = tuple(VERSION_HEADERS[c] for c in VersionColumn)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.row_at(index)
        if item is None:
            return None
        column = VersionColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _display(item, column)
        if role == Qt.ItemDataRole.UserRole:
            return _raw(item, column)
        return None

    def set_versions(self, items: Sequence[CredentialVersion]) -> None:
        """Newest first: the current version is what people look for."""
        self.beginResetModel()
        self._rows = sorted(items, key=lambda v: v.version, reverse=True)
        self.endResetModel()
