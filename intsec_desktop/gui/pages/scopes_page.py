"""Scopes page: the scope matrix editor for one integration, with undo/redo, field search,
presets and least-privilege findings. Every change goes through the bridge (audited)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core.scope_catalog import ALL, ScopeAction
from intsec_desktop.core.scopes import Preset
from intsec_desktop.core.services.scopes_admin import INHERIT
from intsec_desktop.gui.bridge import VaultBridge, describe
from intsec_desktop.gui.models.scope_tree_model import (
    FIRST_CELL,
    NAME,
    ScopeTreeModel,
    ToggleRequest,
    ViewMode,
)

DEFAULT_LABEL = "Default (every customer)"
LEGEND = (
    "<b>set here</b> (bold) = granted or denied at this level, (*) by the model-wide grant · "
    "<i>inherited</i> (italic) = from the default or the catalog; hover a cell for its source · "
    "⚠ = sensitive field · Space toggles, Delete makes a cell inherit"
)


class ScopeCellCommand(QUndoCommand):
    """One cell's grant changed from `before` to `after` (allow / deny / inherit)."""

    def __init__(self, page: ScopesPage, request: ToggleRequest, before: str, after: str) -> None:
        who = request.customer or "default"
        super().__init__(f"{request.model}.{request.field} {request.action.value} ({who})")
        self._page = page
        self._request = request
        self._before = before
        self._after = after
        self._done = True  # the change was made before the command was pushed

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._page.write_cell(self._request, self._after)

    def undo(self) -> None:
        self._page.write_cell(self._request, self._before)


class ScopesPage(QWidget):
    def __init__(self, bridge: VaultBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._writing = False
        self.undo_stack = QUndoStack(self)
        # Findings look at every customer (tens of ms at 1,000): coalesced, off the click path.
        self._findings_timer = QTimer(self)
        self._findings_timer.setSingleShot(True)
        self._findings_timer.setInterval(200)
        self._findings_timer.timeout.connect(self._update_findings)
        self.model = ScopeTreeModel(self)
        self.model.toggle_requested.connect(self.toggle)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setRecursiveFilteringEnabled(True)
        self.proxy.setFilterKeyColumn(NAME)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        self.integration_box = QComboBox()
        self.integration_box.setAccessibleName("Integration")
        self.mode_box = QComboBox()
        self.mode_box.setAccessibleName("Layout")
        for mode in ViewMode:
            self.mode_box.addItem(mode.value, mode)
        self.customer_box = QComboBox()
        self.customer_box.setAccessibleName("Customer")
        self.action_box = QComboBox()
        self.action_box.setAccessibleName("Action")
        for action in ScopeAction:
            self.action_box.addItem(action.value.capitalize(), action)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search fields…")
        self.search.setAccessibleName("Search fields")
        self.search.setClearButtonEnabled(True)

        self.tree = QTreeView()
        self.tree.setModel(self.proxy)
        self.tree.setAccessibleName("Scope matrix")
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)

        self.undo_button = QToolButton()
        self.redo_button = QToolButton()
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        for button, qaction in ((self.undo_button, undo), (self.redo_button, redo)):
            self.addAction(qaction)
            button.setDefaultAction(qaction)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.inherit_button = QPushButton("&Inherit")
        self.inherit_button.setToolTip("Remove the grant set here on the current cell (Delete)")
        self.inherit_button.setShortcut(QKeySequence(Qt.Key.Key_Delete))
        self.inherit_button.clicked.connect(self.inherit_current)
        self.preset_button = QToolButton()
        self.preset_button.setText("&Preset")
        self.preset_button.setToolTip("Replace this level's grants with a preset")
        self.preset_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.preset_button)
        for preset in Preset:
            act = QAction(preset.value.capitalize(), menu)
            act.triggered.connect(lambda _=False, p=preset: self.apply_preset(p))
            menu.addAction(act)
        self.preset_button.setMenu(menu)
        self.reset_button = QPushButton("&Reset to default")
        self.reset_button.setToolTip("Drop this customer's overrides")
        self.reset_button.clicked.connect(self.reset_customer)
        self.findings = QLabel()
        self.findings.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setAccessibleName("Scope editor status")
        legend = QLabel(LEGEND)
        legend.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("<h2>Scopes</h2>"))
        top.addStretch(1)
        choices = QHBoxLayout()
        for row, text, box in (
            (top, "In&tegration", self.integration_box),
            (top, "&Layout", self.mode_box),
            (choices, "&Customer", self.customer_box),
            (choices, "&Action", self.action_box),
        ):
            label = QLabel(text)
            label.setBuddy(box)
            row.addWidget(label)
            row.addWidget(box)
        self.integration_box.setMinimumContentsLength(22)
        self.customer_box.setMinimumContentsLength(22)
        tools = QHBoxLayout()
        tools.addLayout(choices)
        tools.addWidget(self.search, 1)
        for widget in (
            self.undo_button,
            self.redo_button,
            self.inherit_button,
            self.preset_button,
            self.reset_button,
        ):
            tools.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(tools)
        layout.addWidget(legend)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.findings)
        layout.addWidget(self.message)

        self.integration_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.mode_box.currentIndexChanged.connect(lambda _i: self._relayout())
        self.customer_box.currentIndexChanged.connect(lambda _i: self._relayout())
        self.action_box.currentIndexChanged.connect(lambda _i: self._relayout())
        self.search.textChanged.connect(self._filter)
        bridge.vault_unlocked.connect(self.refresh_choices)
        bridge.integrations_changed.connect(self.refresh_choices)
        bridge.customers_changed.connect(self.refresh_choices)
        bridge.scopes_changed.connect(self._changed_elsewhere)
        bridge.vault_locked.connect(self._clear)
        self.setAccessibleName("Scopes")

    # --- choices ------------------------------------------------------------------------------

    @property
    def integration(self) -> str | None:
        slug = self.integration_box.currentData()
        return str(slug) if slug else None

    @property
    def customer(self) -> str | None:
        slug = self.customer_box.currentData()
        return str(slug) if slug else None

    def refresh_choices(self) -> None:
        if not self._bridge.is_unlocked:
            return
        keep_i, keep_c = self.integration, self.customer
        for box in (self.integration_box, self.customer_box):
            box.blockSignals(True)
            box.clear()
        for item in self._bridge.list_integrations():
            self.integration_box.addItem(f"{item.name} ({item.category.value})", item.slug)
        self.customer_box.addItem(DEFAULT_LABEL, None)
        for c in self._bridge.list_customers():
            self.customer_box.addItem(c.name, c.slug)
        for box, keep in ((self.integration_box, keep_i), (self.customer_box, keep_c)):
            found = box.findData(keep)
            box.setCurrentIndex(max(found, 0))
            box.blockSignals(False)
        self.reload()

    def _clear(self) -> None:
        self.undo_stack.clear()
        self.model.configure(None, ViewMode.ONE_CUSTOMER, None, ScopeAction.READ)
        self.integration_box.clear()
        self.customer_box.clear()

    # --- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        """A new integration (or a bulk change): fresh view, empty undo history."""
        self.undo_stack.clear()
        self._relayout()

    def _relayout(self) -> None:
        mode = self.mode_box.currentData()
        per_customer = mode is ViewMode.PER_CUSTOMER
        self.customer_box.setEnabled(not per_customer)
        self.action_box.setEnabled(per_customer)
        self.reset_button.setEnabled(not per_customer and self.customer is not None)
        slug = self.integration
        try:
            view = self._bridge.scope_view(slug) if slug and self._bridge.is_unlocked else None
        except Exception as exc:  # noqa: BLE001 - shown as one line, never data
            self.message.setText(describe(exc))
            view = None
        # currentData() hands a StrEnum back as plain str
        action = ScopeAction(self.action_box.currentData() or ScopeAction.READ)
        self.model.configure(view, mode, self.customer, action)
        header = self.tree.header()
        # One default size instead of a resize per column: 1,000 customer columns stay cheap.
        header.setDefaultSectionSize(140 if per_customer else 200)
        header.resizeSection(NAME, 240)
        header.resizeSection(FIRST_CELL - 1, 120)
        self.tree.expandAll()
        self._findings_timer.start()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self.tree.expandAll()

    def _update_findings(self) -> None:
        slug = self.integration
        if not slug or not self._bridge.is_unlocked:
            self.findings.clear()
            return
        found = self._bridge.scope_findings(slug)
        if not found:
            self.findings.setText("No least-privilege findings.")
            self.findings.setToolTip("")
            return
        self.findings.setText(f"⚠ {len(found)} least-privilege finding(s) — hover for details")
        self.findings.setToolTip("\n".join(f.describe() for f in found))

    def _changed_elsewhere(self, slug: str) -> None:
        if not self._writing and slug == self.integration:
            self.reload()

    # --- changes ------------------------------------------------------------------------------

    def toggle(self, request: ToggleRequest) -> None:
        before = self.write_cell(request, request.effect)
        if before is not None and before != request.effect:
            self.undo_stack.push(ScopeCellCommand(self, request, before, request.effect))

    def write_cell(self, request: ToggleRequest, effect: str) -> str | None:
        """Save one grant through the bridge and repaint what it changed; returns the grant
        that was there before (None when refused; the reason is shown)."""
        view = self.model.view
        if view is None:
            return None
        self._writing = True
        try:
            before, _after = self._bridge.set_scope(
                view.integration.slug,
                request.customer,
                request.model,
                request.field,
                request.action.value,
                effect,
            )
        except Exception as exc:  # noqa: BLE001 - one line, never data
            self.message.setText(describe(exc))
            return None
        finally:
            self._writing = False
        who = request.customer or "default"
        self.message.setText(
            f"{request.model}.{request.field} {request.action.value} ({who}): {before} → {effect}"
        )
        new_view = view.with_grant(
            request.customer, request.model, request.field, request.action, effect
        )
        self.model.update_view(new_view, request.customer, request.model, request.field)
        self._findings_timer.start()
        return before

    def current_cell(self) -> tuple[ToggleRequest, QModelIndex] | None:
        index = self.proxy.mapToSource(self.tree.currentIndex())
        if not index.isValid() or index.column() < FIRST_CELL:
            return None
        view = self.model.view
        if view is None:
            return None
        col = self.model.columns[index.column() - FIRST_CELL]
        parent = index.parent()
        model = view.catalog.models[parent.row() if parent.isValid() else index.row()]
        field = model.fields[index.row()].name if parent.isValid() else ALL
        return ToggleRequest(col.customer, model.name, field, col.action, INHERIT), index

    def inherit_current(self) -> None:
        found = self.current_cell()
        if found is None:
            self.message.setText("Pick a cell first.")
            return
        request, _index = found
        before = self.write_cell(request, INHERIT)
        if before is not None and before != INHERIT:
            self.undo_stack.push(ScopeCellCommand(self, request, before, INHERIT))

    def apply_preset(self, preset: Preset) -> None:
        slug = self.integration
        if not slug:
            return
        level = self.customer if self.mode_box.currentData() is ViewMode.ONE_CUSTOMER else None
        try:
            self._bridge.apply_scope_preset(slug, preset.value, [level])
        except Exception as exc:  # noqa: BLE001
            self.message.setText(describe(exc))
            return
        self.message.setText(f"Preset {preset.value} applied to {level or 'the default'}.")

    def reset_customer(self) -> None:
        slug, customer = self.integration, self.customer
        if not slug or customer is None:
            return
        try:
            self._bridge.reset_scopes(slug, [customer])
        except Exception as exc:  # noqa: BLE001
            self.message.setText(describe(exc))
            return
        self.message.setText(f"{customer} inherits the default again.")
