"""Table models for the Integrations and Customers pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from intsec_desktop.core.model import Customer, Integration

T = TypeVar("T")
Index = QModelIndex | QPersistentModelIndex


class _ListTableModel(QAbstractTableModel, Generic[T]):
    """Rows of one dataclass type; columns are (header, text-of-row) pairs."""

    columns: Sequence[tuple[str, Callable[[Any], str]]] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.columns)
        ):
            return self.columns[section][0]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.UserRole,
        ):
            return self.columns[index.column()][1](self._rows[index.row()])
        return None

    def item(self, row: int) -> T:
        return self._rows[row]

    def set_items(self, items: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(items)
        self.endResetModel()


def _method(item: Integration) -> str:
    risk = " (riskier: bypasses vendor API controls)" if item.method.is_risky else ""
    return item.method.value + risk


class IntegrationsTableModel(_ListTableModel[Integration]):
    columns = (
        ("Slug", lambda i: i.slug),
        ("Name", lambda i: i.name),
        ("Category", lambda i: i.category.value.replace("_", " ")),
        ("Method", _method),
        ("Vendor", lambda i: i.vendor),
        ("Regions", lambda i: ", ".join(sorted(i.base_urls)) or "-"),
    )


class CustomersTableModel(_ListTableModel[Customer]):
    columns = (
        ("Slug", lambda c: c.slug),
        ("Name", lambda c: c.name),
        ("Region", lambda c: c.region.value.upper()),
    )
