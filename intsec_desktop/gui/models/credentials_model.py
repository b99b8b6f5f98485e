"""CredentialsTableModel: one row per credential, metadata only. There is no secret to show:
the model never receives one."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor

from intsec_desktop.core.model import CredentialListing, Status
from intsec_desktop.core.timefmt import format_date
from intsec_desktop.gui.icons import status_icon
from intsec_desktop.gui.models.row_table import Index, RowTableModel


class Column(IntEnum):
    INTEGRATION = 0
    CUSTOMER = 1
    ENVIRONMENT = 2
    NAME = 3
    KIND = 4
    EXPIRES = 5
    STATUS = 6
    OWNER = 7


HEADERS = {
    Column.INTEGRATION: "Integration",
    Column.CUSTOMER: "Customer",
    Column.ENVIRONMENT: "Environment",
    Column.NAME: "Name",
    Column.KIND: "Kind",
    Column.EXPIRES: "Expires",
    Column.STATUS: "Status",
    Column.OWNER: "Owner",
}

STATUS_TEXT = {
    Status.OK: "OK",
    Status.DUE_SOON: "Due soon",
    Status.OVERDUE: "Overdue",
    Status.EXPIRED: "Expired",
}
# Text colours that stay readable on light and dark palettes; icon + text carry the meaning.
STATUS_COLOUR = {
    Status.OK: QColor("#2e7d32"),
    Status.DUE_SOON: QColor("#b26a00"),
    Status.OVERDUE: QColor("#c62828"),
    Status.EXPIRED: QColor("#8e24aa"),
}
STATUS_ORDER = {Status.EXPIRED: 0, Status.OVERDUE: 1, Status.DUE_SOON: 2, Status.OK: 3}

CredentialIdRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2
SearchTextRole = Qt.ItemDataRole.UserRole + 3
_ANSWERED_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.AccessibleTextRole,
        Qt.ItemDataRole.UserRole,
        CredentialIdRole,
        StatusRole,
        SearchTextRole,
    }
)


def _display(item: CredentialListing, column: Column) -> str:
    c = item.credential
    match column:
        case Column.INTEGRATION:
            return c.integration
        case Column.CUSTOMER:
            return c.customer or "(all customers)"
        case Column.ENVIRONMENT:
            return c.environment.value
        case Column.NAME:
            return c.name
        case Column.KIND:
            return c.kind.value.replace("_", " ")
        case Column.EXPIRES:
            return format_date(c.expires_at) or "never"
        case Column.STATUS:
            return STATUS_TEXT[item.status]
        case Column.OWNER:
            return c.owner
    return ""


def _sort_key(item: CredentialListing, column: Column) -> Any:
    c = item.credential
    if column is Column.EXPIRES:
        # Never-expiring sorts after every date.
        return (c.expires_at is None, c.expires_at.timestamp() if c.expires_at else 0.0)
    if column is Column.STATUS:
        return STATUS_ORDER[item.status]
    return _display(item, column).casefold()


def search_text(item: CredentialListing) -> str:
    c = item.credential
    return " ".join(
        (c.integration, c.customer or "", c.environment.value, c.name, c.kind.value, c.owner)
    ).casefold()


class CredentialsTableModel(RowTableModel[CredentialListing]):
    headers = tuple(HEADERS[c] for c in Column)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._search: list[str] = []
        self._sort: tuple[Column, Qt.SortOrder] | None = None
        # Bumped on every change to rows or their order: the filter proxy caches per-row answers
        # in a list and rebuilds it lazily when this moves, instead of listening to signals that
        # Qt's own proxy handlers would otherwise see first.
        self.revision = 0

    # --- reading ------------------------------------------------------------------------

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A view asks ~8 roles per painted cell and most get None: answer those first.
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        if not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        column = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return _display(item, column)
        if role == Qt.ItemDataRole.UserRole:
            return (
                _sort_key(item, column)
                if column not in (Column.EXPIRES, Column.STATUS)
                else _display(item, column)
            )
        if role == CredentialIdRole:
            return item.credential.id
        if role == StatusRole:
            return item.status.value
        if role == SearchTextRole:
            return self._search[index.row()]
        if column is Column.STATUS:
            if role == Qt.ItemDataRole.DecorationRole:
                return status_icon(item.status)
            if role == Qt.ItemDataRole.ForegroundRole:
                return STATUS_COLOUR[item.status]
        if role == Qt.ItemDataRole.ToolTipRole:
            c = item.credential
            return f"{c.integration} / {c.customer or 'all customers'} / {c.environment.value} / {c.name}"
        return None

    # --- what the page and proxy use ------------------------------------------------------

    def listing(self, row: int) -> CredentialListing:
        return self._rows[row]

    def row_of(self, credential_id: int) -> int | None:
        for row, item in enumerate(self._rows):
            if item.credential.id == credential_id:
                return row
        return None

    def search_texts(self) -> list[str]:
        return self._search

    def listings(self) -> Sequence[CredentialListing]:
        return self._rows

    # --- changing -----------------------------------------------------------------------

    def set_listings(self, items: Sequence[CredentialListing]) -> None:
        self.beginResetModel()
        self._rows = list(items)
        if self._sort is not None:
            column, order = self._sort
            self._rows.sort(
                key=lambda item: _sort_key(item, column),
                reverse=order == Qt.SortOrder.DescendingOrder,
            )
        self._search = [search_text(i) for i in self._rows]
        self.revision += 1
        self.endResetModel()

    def clear(self) -> None:
        self.set_listings([])

    def _sorted_position(self, item: CredentialListing, skip: int | None = None) -> int:
        """Where `item` belongs under the current sort (the end when unsorted), counted as if
        row `skip` (the item's own old row) were already gone."""
        if self._sort is None:
            return len(self._rows) - (skip is not None)
        column, order = self._sort
        key = _sort_key(item, column)
        descending = order == Qt.SortOrder.DescendingOrder
        position = 0
        for row, other in enumerate(self._rows):
            if row == skip:
                continue
            other_key = _sort_key(other, column)
            if (key > other_key) if descending else (key < other_key):
                return position
            position += 1
        return position

    def upsert(self, item: CredentialListing) -> None:
        """Insert or update one row, keeping the current sort order."""
        row = self.row_of(item.credential.id)
        if row is None:
            row = self._sorted_position(item)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, item)
            self._search.insert(row, search_text(item))
            self.revision += 1
            self.endInsertRows()
            return
        target = self._sorted_position(item, skip=row)
        self._rows[row] = item
        self._search[row] = search_text(item)
        self.revision += 1
        if target != row:
            # Qt numbers the destination before the move: moving down means "before target + 1".
            self.beginMoveRows(
                QModelIndex(), row, row, QModelIndex(), target + 1 if target > row else target
            )
            self._rows.insert(target, self._rows.pop(row))
            self._search.insert(target, self._search.pop(row))
            self.revision += 1
            self.endMoveRows()
            row = target
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def remove(self, credential_id: int) -> None:
        row = self.row_of(credential_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        del self._search[row]
        self.revision += 1
        self.endRemoveRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorted here in one Python pass: a proxy would call back into Python per comparison.
        The order is remembered, so reloads and inserted rows keep it."""
        if not 0 <= column < len(Column):
            self._sort = None
            return
        key_column = Column(column)
        self._sort = (key_column, order)
        self.layoutAboutToBeChanged.emit()
        old_ids = [i.credential.id for i in self._rows]
        paired = sorted(
            zip(self._rows, self._search, strict=True),
            key=lambda pair: _sort_key(pair[0], key_column),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self._rows = [p[0] for p in paired]
        self._search = [p[1] for p in paired]
        self.revision += 1
        new_row = {item.credential.id: row for row, item in enumerate(self._rows)}
        for index in self.persistentIndexList():
            moved = new_row[old_ids[index.row()]]
            self.changePersistentIndex(index, self.index(moved, index.column()))
        self.layoutChanged.emit()
