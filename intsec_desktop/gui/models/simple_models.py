"""Table models for the Integrations and Customers pages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import Qt

from intsec_desktop.core.model import Customer, Integration
from intsec_desktop.gui.models.row_table import Index, RowTableModel

T = TypeVar("T")


class _ListTableModel(RowTableModel[T]):
    """Rows of one dataclass type; columns are (header, text-of-row) pairs."""

    columns: Sequence[tuple[str, Callable[[Any], str]]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.headers = tuple(header for header, _ in cls.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.UserRole,
        ):
            return self.columns[index.column()][1](row)
        return None

    def item(self, row: int) -> T:
        return self._rows[row]

    def set_items(self, items: Sequence[T]) -> None:
        self._reset_rows(items)


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
