"""The scope matrix as one checkable tree: data models → fields as rows, and either Read/Write
for one customer or one column per customer for one action. Values come resolved from core."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont

from intsec_desktop.core.scope_catalog import ALL, ScopeAction
from intsec_desktop.core.scopes import Cell, Source
from intsec_desktop.core.services.scopes_admin import ScopeView

AnyIndex = QModelIndex | QPersistentModelIndex
NAME, TAGS = 0, 1
FIRST_CELL = 2
SENSITIVE_MARK = "⚠ "
INHERITED = "inherited"
SET_HERE = "set here"


class ViewMode(Enum):
    ONE_CUSTOMER = "Read and write for one customer"
    PER_CUSTOMER = "One column per customer"


@dataclass(frozen=True, slots=True)
class Column:
    customer: str | None  # None: the integration default
    action: ScopeAction

    def title(self, mode: ViewMode) -> str:
        if mode is ViewMode.ONE_CUSTOMER:
            return self.action.value.capitalize()
        return self.customer or "Default"


@dataclass(frozen=True, slots=True)
class ToggleRequest:
    """What a click asks for; the page performs it through the bridge (and the undo stack)."""

    customer: str | None
    model: str
    field: str  # ALL for a model row
    action: ScopeAction
    effect: str  # allow | deny


class ScopeTreeModel(QAbstractItemModel):
    toggle_requested = Signal(object)  # ToggleRequest

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view: ScopeView | None = None
        self._mode = ViewMode.ONE_CUSTOMER
        self._customer: str | None = None
        self._action = ScopeAction.READ
        self._columns: list[Column] = []
        # Tri-state of a model row per (model, level, action); painting asks for it a lot.
        self._states: dict[tuple[str, str | None, ScopeAction], Any] = {}

    # --- configuration ----------------------------------------------------------------------

    @property
    def view(self) -> ScopeView | None:
        return self._view

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    def _make_columns(self) -> list[Column]:
        if self._view is None:
            return []
        if self._mode is ViewMode.ONE_CUSTOMER:
            return [Column(self._customer, a) for a in ScopeAction]
        levels: list[str | None] = [None, *self._view.customers]
        return [Column(c, self._action) for c in levels]

    def configure(
        self,
        view: ScopeView | None,
        mode: ViewMode,
        customer: str | None,
        action: ScopeAction,
    ) -> None:
        """A different integration or layout: a reset is the honest signal for that."""
        self.beginResetModel()
        self._view, self._mode, self._customer, self._action = view, mode, customer, action
        self._states.clear()
        self._columns = self._make_columns()
        self.endResetModel()

    def update_view(self, view: ScopeView, customer: str | None, model: str, field: str) -> None:
        """Same layout, new values after one change (customer None: the default, which every
        customer inherits; field ALL: the whole model). dataChanged covers only what the change
        can reach, so the view repaints those cells and nothing else."""
        self._view = view
        if customer is None:
            self._states.clear()
        else:
            for key in [k for k in self._states if k[1] == customer]:
                del self._states[key]
        hit = [i for i, c in enumerate(self._columns) if customer is None or c.customer == customer]
        if not hit:
            return
        first, last = FIRST_CELL + min(hit), FIRST_CELL + max(hit)
        roles = [
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.CheckStateRole,
            Qt.ItemDataRole.FontRole,
            Qt.ItemDataRole.ToolTipRole,
        ]
        model_row = self.index_of(model, None, first)
        self.dataChanged.emit(model_row, model_row.siblingAtColumn(last), roles)
        if field == ALL:
            children = self.rowCount(model_row.siblingAtColumn(0))
            top = self.index(0, first, model_row.siblingAtColumn(0))
            self.dataChanged.emit(top, top.sibling(children - 1, last), roles)
        else:
            cell = self.index_of(model, field, first)
            self.dataChanged.emit(cell, cell.siblingAtColumn(last), roles)

    # --- structure ----------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, child: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not child.isValid():
            return QModelIndex()
        model_row = int(child.internalId())
        if model_row == 0:
            return QModelIndex()
        return self.createIndex(model_row - 1, 0, 0)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        if self._view is None:
            return 0
        if not parent.isValid():
            return len(self._view.catalog.models)
        if parent.column() != 0 or parent.internalId() != 0:
            return 0
        return len(self._view.catalog.models[parent.row()].fields)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return FIRST_CELL + len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == NAME:
                return "Model / field"
            if section == TAGS:
                return "Sensitivity"
            return self._columns[section - FIRST_CELL].title(self._mode)
        if role == Qt.ItemDataRole.ToolTipRole and section >= FIRST_CELL:
            col = self._columns[section - FIRST_CELL]
            who = col.customer or "the integration default (every customer inherits it)"
            return f"{col.action.value} for {who}"
        return None

    # --- cells --------------------------------------------------------------------------------

    def _locate(self, index: AnyIndex) -> tuple[str, str | None]:
        """(model name, field name or None for a model row)."""
        assert self._view is not None
        model_row = int(index.internalId())
        if model_row == 0:
            return self._view.catalog.models[index.row()].name, None
        spec = self._view.catalog.models[model_row - 1]
        return spec.name, spec.fields[index.row()].name

    def cell(self, index: AnyIndex) -> Cell | None:
        """The resolved cell behind a field row's matrix column (None where not applicable)."""
        if self._view is None or index.column() < FIRST_CELL:
            return None
        model, field = self._locate(index)
        if field is None:
            return None
        col = self._columns[index.column() - FIRST_CELL]
        return self._view.matrix(col.customer).get((model, field, col.action))

    def _here(self, col: Column) -> Source:
        return Source.DEFAULT if col.customer is None else Source.OVERRIDE

    def _model_state(self, model: str, col: Column) -> tuple[Qt.CheckState, int, int] | None:
        key = (model, col.customer, col.action)
        if key not in self._states:
            self._states[key] = self._compute_state(model, col)
        state: tuple[Qt.CheckState, int, int] | None = self._states[key]
        return state

    def _compute_state(self, model: str, col: Column) -> tuple[Qt.CheckState, int, int] | None:
        assert self._view is not None
        spec = self._view.catalog.model(model)
        if col.action not in spec.actions:
            return None
        matrix = self._view.matrix(col.customer)
        allowed = sum(matrix[(model, f.name, col.action)].allowed for f in spec.fields)
        total = len(spec.fields)
        if allowed == 0:
            state = Qt.CheckState.Unchecked
        elif allowed == total:
            state = Qt.CheckState.Checked
        else:
            state = Qt.CheckState.PartiallyChecked
        return state, allowed, total

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._view is None:
            return None
        model, field = self._locate(index)
        column = index.column()
        if column == NAME:
            return self._name_data(model, field, role)
        if column == TAGS:
            if field is None:
                return None
            tags = sorted(t.value for t in self._view.catalog.model(model).field(field).tags)
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole):
                return ", ".join(tags)
            return None
        col = self._columns[column - FIRST_CELL]
        if field is None:
            return self._model_row_data(model, col, role)
        cell = self._view.matrix(col.customer).get((model, field, col.action))
        return self._cell_data(cell, col, role)

    def _name_data(self, model: str, field: str | None, role: int) -> Any:
        assert self._view is not None
        if field is None:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.UserRole):
                return model
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if role == Qt.ItemDataRole.ToolTipRole:
                actions = ", ".join(
                    sorted(a.value for a in self._view.catalog.model(model).actions)
                )
                return f"{model}: supports {actions}"
            return None
        spec = self._view.catalog.model(model).field(field)
        if role == Qt.ItemDataRole.DisplayRole:
            mark = SENSITIVE_MARK if spec.is_sensitive else ""
            custom = " (custom)" if spec.custom else ""
            return f"{mark}{field}{custom}"
        if role == Qt.ItemDataRole.UserRole:
            return field
        if role == Qt.ItemDataRole.ToolTipRole and spec.is_sensitive:
            return f"{model}.{field} is sensitive: {', '.join(sorted(t.value for t in spec.tags))}"
        if role == Qt.ItemDataRole.AccessibleDescriptionRole and spec.is_sensitive:
            return "sensitive field"
        return None

    def _cell_data(self, cell: Cell | None, col: Column, role: int) -> Any:
        if cell is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return "n/a"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"this model does not support {col.action.value}"
            return None
        here = cell.source is self._here(col)
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if cell.allowed else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.DisplayRole:
            if cell.source is Source.CATALOG:
                return ""
            if not here:
                return INHERITED
            # "(*)": decided by the Model.* grant at this level, not by the field's own grant.
            return f"{SET_HERE} (*)" if cell.grant.endswith(f".{ALL}") else SET_HERE
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setItalic(not here)
            font.setBold(here)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell.explain()
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "allowed" if cell.allowed else "not allowed"
            return f"{state}, {'set here' if here else 'inherited'}"
        if role == Qt.ItemDataRole.UserRole:
            return cell
        return None

    def _model_row_data(self, model: str, col: Column, role: int) -> Any:
        assert self._view is not None
        state = self._model_state(model, col)
        if state is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return "n/a"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{model} does not support {col.action.value}"
            return None
        check, allowed, total = state
        explicit = self._view.explicit(col.customer, model, ALL, col.action)
        if role == Qt.ItemDataRole.CheckStateRole:
            return check
        if role == Qt.ItemDataRole.DisplayRole:
            count = f"{allowed}/{total}"
            return f"{count} · {SET_HERE} (*)" if explicit != "inherit" else count
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{allowed} of {total} fields allowed. Clicking sets {model}.* at this level; "
                "field grants still win over it."
            )
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(explicit != "inherit")
            return font
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or self._view is None:
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() < FIRST_CELL:
            return base
        model, _field = self._locate(index)
        col = self._columns[index.column() - FIRST_CELL]
        if col.action not in self._view.catalog.model(model).actions:
            return Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsUserCheckable

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """A click or Space asks for the opposite of what is shown; the page decides."""
        if role != Qt.ItemDataRole.CheckStateRole or self._view is None:
            return False
        if not self.flags(index) & Qt.ItemFlag.ItemIsUserCheckable:
            return False
        model, field = self._locate(index)
        col = self._columns[index.column() - FIRST_CELL]
        if field is None:
            state = self._model_state(model, col)
            allow = state is not None and state[0] != Qt.CheckState.Checked
            target = ALL
        else:
            cell = self._view.matrix(col.customer)[(model, field, col.action)]
            allow = not cell.allowed
            target = field
        self.toggle_requested.emit(
            ToggleRequest(col.customer, model, target, col.action, "allow" if allow else "deny")
        )
        return True

    def index_of(self, model: str, field: str | None, column: int) -> QModelIndex:
        """For tests and keyboard focus: the index of a model row or field row."""
        if self._view is None:
            return QModelIndex()
        names = [m.name for m in self._view.catalog.models]
        model_index = self.index(names.index(model), 0)
        if field is None:
            return self.index(model_index.row(), column)
        fields = [f.name for f in self._view.catalog.models[model_index.row()].fields]
        return self.index(fields.index(field), column, model_index)
