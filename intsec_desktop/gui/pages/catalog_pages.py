"""Integrations and Customers pages: a table each, with add and edit."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSortFilterProxyModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.dialogs.catalog_dialogs import CustomerDialog, IntegrationDialog
from intsec_desktop.gui.icons import icon
from intsec_desktop.gui.models.simple_models import CustomersTableModel, IntegrationsTableModel


class _CatalogPage(QWidget):
    title = ""
    noun = ""

    def __init__(self, bridge: VaultBridge, model: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self.model = model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(model)
        self.proxy.setSortRole(0x0100)  # UserRole: raw text
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.setAccessibleName(self.title)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.add_button = QPushButton(icon("add"), f"&Add {self.noun}")
        self.edit_button = QPushButton(icon("edit"), "&Edit")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel(f"<h2>{self.title}</h2>"))
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        bridge.vault_unlocked.connect(self.reload)
        bridge.vault_locked.connect(lambda: self.model.set_items([]))

    def selected_item(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.item(self.proxy.mapToSource(rows[0]).row())

    def reload(self) -> None:
        raise NotImplementedError

    def add(self) -> None:
        raise NotImplementedError

    def edit_selected(self) -> None:
        raise NotImplementedError


class IntegrationsPage(_CatalogPage):
    title = "Integrations"
    noun = "integration"

    def __init__(self, bridge: VaultBridge, parent: QWidget | None = None) -> None:
        super().__init__(bridge, IntegrationsTableModel(), parent)
        bridge.integrations_changed.connect(self.reload)

    def reload(self) -> None:
        if self._bridge.is_unlocked:
            self.model.set_items(self._bridge.list_integrations())

    def add(self) -> None:
        IntegrationDialog(self._bridge, parent=self).exec()

    def edit_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            IntegrationDialog(self._bridge, item, parent=self).exec()


class CustomersPage(_CatalogPage):
    title = "Customers"
    noun = "customer"

    def __init__(self, bridge: VaultBridge, parent: QWidget | None = None) -> None:
        super().__init__(bridge, CustomersTableModel(), parent)
        bridge.customers_changed.connect(self.reload)

    def reload(self) -> None:
        if self._bridge.is_unlocked:
            self.model.set_items(self._bridge.list_customers())

    def add(self) -> None:
        CustomerDialog(self._bridge, parent=self).exec()

    def edit_selected(self) -> None:
        item = self.selected_item()
        if item is not None:
            CustomerDialog(self._bridge, item, parent=self).exec()
