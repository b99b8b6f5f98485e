"""Import a .env / JSON / YAML file: preview which keys become credentials (never their values),
let the user keep any of them in the file, store the rest, and write references back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.importers.envfile import PlanItem
from intsec_desktop.core.importers.import_file import TEMPLATE_SUFFIX, ImportPlan
from intsec_desktop.core.model import Environment
from intsec_desktop.gui.bridge import VaultBridge, describe
from intsec_desktop.gui.dialogs.form_dialog import ERROR_STYLE
from intsec_desktop.gui.models.row_table import Index, RowTableModel


class ImportPreviewTableModel(RowTableModel[PlanItem]):
    """Key, secret? (checkable for keys detected as secrets), target credential, why."""

    headers = ("Key", "Import as secret", "Credential", "Why")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._kept: set[str] = set()  # secrets the user chose to leave in the file

    def set_items(self, items: list[PlanItem]) -> None:
        self._kept = set()
        self._reset_rows(items)

    def kept_keys(self) -> set[str]:
        return set(self._kept)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.row_at(index)
        if item is None:
            return None
        column = index.column()
        chosen = item.secret and item.key not in self._kept
        if role == Qt.ItemDataRole.CheckStateRole and column == 1 and item.secret:
            return Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == 0:
                return item.key
            if column == 1:
                return "yes" if chosen else "no"
            if column == 2:
                return item.credential if chosen else "-"
            return item.reason
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        item = self.row_at(index)
        if item is not None and index.column() == 1 and item.secret:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        item = self.row_at(index)
        if item is None or role != Qt.ItemDataRole.CheckStateRole or index.column() != 1:
            return False
        if not item.secret:
            return False
        if Qt.CheckState(value) == Qt.CheckState.Checked:
            self._kept.discard(item.key)
        else:
            self._kept.add(item.key)
        self.dataChanged.emit(self.index(index.row(), 1), self.index(index.row(), 2))
        return True


class ImportDialog(QDialog):
    def __init__(self, bridge: VaultBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a config file")
        self.setMinimumSize(720, 480)
        self._bridge = bridge
        self._plan: ImportPlan | None = None
        self.result_text = ""

        self.path = QLineEdit()
        self.path.setPlaceholderText(".env, .json or .yaml file")
        self.path.setAccessibleName("File to import")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.integration = QComboBox()
        for item in bridge.list_integrations():
            self.integration.addItem(f"{item.name} ({item.slug})", item.slug)
        self.customer = QComboBox()
        self.customer.addItem("(all customers)", None)
        for customer in bridge.list_customers():
            self.customer.addItem(f"{customer.name} ({customer.slug})", customer.slug)
        self.environment = QComboBox()
        for env in Environment:
            self.environment.addItem(env.value, env.value)
        form = QFormLayout()
        form.addRow("&File:", file_row)
        form.addRow("&Integration:", self.integration)
        form.addRow("C&ustomer:", self.customer)
        form.addRow("&Environment:", self.environment)
        for combo, name in (
            (self.integration, "Integration"),
            (self.customer, "Customer"),
            (self.environment, "Environment"),
        ):
            combo.setAccessibleName(name)
            combo.currentIndexChanged.connect(self._invalidate)
        self.path.textChanged.connect(self._invalidate)

        self.preview_button = QPushButton("&Preview")
        self.preview_button.clicked.connect(self.preview)
        self.model = ImportPreviewTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Import preview")
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.rewrite = QCheckBox(
            f"&Replace the file in place (otherwise write FILE{TEMPLATE_SUFFIX})"
        )
        self.backup = QCheckBox("Keep the original as FILE.bak (0600; it holds the secrets)")
        self.backup.setEnabled(False)
        self.rewrite.toggled.connect(self.backup.setEnabled)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(
            "I&mport", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.rewrite)
        layout.addWidget(self.backup)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Import a config file", str(Path.home()))
        if chosen:
            self.path.setText(chosen)
            self.preview()

    def _invalidate(self) -> None:
        self._plan = None
        self.model.set_items([])
        self.import_button.setEnabled(False)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)

    def preview(self) -> None:
        if not self.path.text().strip() or self.integration.currentData() is None:
            self._say("Choose a file and the integration its keys belong to.", error=True)
            return
        try:
            self._plan = self._bridge.import_preview(
                Path(self.path.text().strip()),
                self.integration.currentData(),
                self.customer.currentData(),
            )
        except IntsecError as exc:
            self._invalidate()
            self._say(describe(exc), error=True)
            return
        self.model.set_items(self._plan.items)
        found = len(self._plan.secrets)
        self._say(
            f"{found} secret(s) found in {len(self._plan.items)} entries. Untick any to leave it in the file."
        )
        self.import_button.setEnabled(found > 0)

    def apply(self) -> None:
        if self._plan is None:
            return
        chosen = self._plan.without(self.model.kept_keys())
        self.import_button.setEnabled(False)  # a second click must not import twice
        try:
            added, unchanged, target = self._bridge.import_apply(
                chosen,
                integration=self.integration.currentData(),
                customer=self.customer.currentData(),
                environment=self.environment.currentData(),
                rewrite=self.rewrite.isChecked(),
                backup=self.backup.isChecked(),
            )
        except IntsecError as exc:
            self._say(describe(exc), error=True)
            self.import_button.setEnabled(True)
            return
        self.result_text = f"Stored {added}, already stored {unchanged}; wrote {target}"
        self.accept()
