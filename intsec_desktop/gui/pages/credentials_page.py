"""The credentials page: filter bar, one table (model → filter proxy → view), actions, and the
detail pane. Everything it knows comes from the bridge's signals; it never reads storage."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.model import CredentialListing, Role
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.bridge import VaultBridge, describe
from intsec_desktop.gui.clipboard import SecureClipboard
from intsec_desktop.gui.dialogs.credential_dialog import CredentialDialog
from intsec_desktop.gui.dialogs.import_dialog import ImportDialog
from intsec_desktop.gui.dialogs.rotate_dialog import RotateDialog, credential_path
from intsec_desktop.gui.icons import icon
from intsec_desktop.gui.models.credentials_filter import CredentialQuery, CredentialsFilterProxy
from intsec_desktop.gui.models.credentials_model import Column, CredentialsTableModel
from intsec_desktop.gui.pages.credential_detail import CredentialDetail
from intsec_desktop.gui.pages.credentials_filter_bar import CredentialsFilterBar

# The roles the service layer lets add, edit, rotate and delete (ARCHITECTURE.md, RBAC). The
# buttons only mirror that; the service still refuses on its own.
WRITER_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR})
STATUS_MESSAGE_MS = 5000


class CredentialsPage(QWidget):
    def __init__(
        self,
        bridge: VaultBridge,
        clipboard: SecureClipboard,
        settings: AppSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._clipboard = clipboard
        self._settings = settings
        self._watching_stack = False
        self._columns_sized = False
        self.setAccessibleName("Credentials")

        self.model = CredentialsTableModel(self)
        self.proxy = CredentialsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = self._build_table()
        self.filter_bar = CredentialsFilterBar()
        self.filter_bar.query_changed.connect(self.set_query)
        self.filter_bar.text.returnPressed.connect(self._focus_table)
        clear_filter = QAction(self.filter_bar.text)
        clear_filter.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        clear_filter.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        clear_filter.triggered.connect(self.filter_bar.text.clear)
        self.filter_bar.text.addAction(clear_filter)
        self.count = QLabel()
        self.count.setAccessibleName("Credential count")
        self.detail = CredentialDetail(bridge, clipboard, settings.reveal_seconds)
        self.detail.message.connect(self._status_message)
        self._build_actions()

        toolbar = QToolBar("Credential actions")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.add_action, self.edit_action, self.rotate_action, self.delete_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.reveal_action)
        toolbar.addAction(self.copy_action)
        toolbar.addSeparator()
        toolbar.addAction(self.import_action)
        header = QHBoxLayout()
        header.addWidget(QLabel("<h2>Credentials</h2>"))
        header.addWidget(toolbar, 1)
        header.addWidget(self.count)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        # The details keep the height they need (long notes scroll inside their tab); the
        # table gets the rest.
        self.splitter.setSizes([10_000, self.detail.minimumSizeHint().height()])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.filter_bar)
        layout.addWidget(self.splitter, 1)

        bridge.vault_unlocked.connect(self._on_unlocked)
        bridge.vault_locked.connect(self._on_locked)
        bridge.credential_added.connect(self._on_added)
        bridge.credential_updated.connect(self._on_updated)
        bridge.credential_removed.connect(self.model.remove)
        bridge.credentials_reloaded.connect(self.reload)
        bridge.integrations_changed.connect(self._refill_integrations)
        bridge.customers_changed.connect(self._refill_customers)
        for signal in (
            self.proxy.modelReset,
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.layoutChanged,
        ):
            signal.connect(self._update_count)
        self._update_count()
        self._update_actions()
        if bridge.is_unlocked:
            self._on_unlocked()

    # --- building ---------------------------------------------------------------------------

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setAccessibleName("Credentials table")
        table.setSortingEnabled(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        # Fixed row heights and sampled column widths: no per-row size hints on 10,000 rows.
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setResizeContentsPrecision(200)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(Column.INTEGRATION, Qt.SortOrder.AscendingOrder)
        table.doubleClicked.connect(lambda _index: self.edit_selected())
        table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        return table

    def _action(self, name: str, text: str, keys: list[str], slot: object, tip: str) -> QAction:
        action = QAction(icon(name), text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shown = QKeySequence(keys[0]).toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({shown})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.add_action = self._action("add", "&Add", ["Ctrl+N"], self.add, "Add a credential")
        self.edit_action = self._action(
            "edit", "&Edit", ["F2"], self.edit_selected, "Edit the selected credential"
        )
        self.rotate_action = self._action(
            "rotate", "&Rotate", ["Ctrl+R"], self.rotate_selected, "Store a new value"
        )
        self.reveal_action = self._action(
            "eye", "Re&veal", ["Ctrl+Shift+R"], self.detail.toggle_reveal, "Show the secret"
        )
        # Keys that mean something else in a text field act only while the table has focus:
        # Delete and Ctrl+C keep editing the filter text, Enter in the filter jumps here.
        self.delete_action = self._action(
            "delete", "&Delete", ["Delete"], self.delete_selected, "Delete the selected credential"
        )
        self.copy_action = self._action(
            "copy", "&Copy", ["Ctrl+C"], self.detail.copy_secret, "Copy the secret"
        )
        self.open_action = self._action(
            "edit", "Open", ["Return", "Enter"], self.edit_selected, "Edit"
        )
        for action in (self.delete_action, self.copy_action, self.open_action):
            self.removeAction(action)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self.table.addAction(action)
        self.find_action = self._action(
            "scan", "Find", ["Ctrl+F"], self.focus_filter, "Filter credentials"
        )
        self.import_action = self._action(
            "export", "&Import…", ["Ctrl+I"], self.import_file, "Import a .env, JSON or YAML file"
        )

    # --- state ------------------------------------------------------------------------------

    def selected_listing(self) -> CredentialListing | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.listing(self.proxy.mapToSource(rows[0]).row())

    def select_credential(self, credential_id: int) -> bool:
        row = self.model.row_of(credential_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False  # filtered out
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def _can_write(self) -> bool:
        member = self._bridge.member
        return member is not None and member.role in WRITER_ROLES

    def _update_actions(self) -> None:
        unlocked = self._bridge.is_unlocked
        selected = self.selected_listing() is not None
        writer = unlocked and self._can_write()
        self.add_action.setEnabled(writer)
        self.import_action.setEnabled(writer and self._bridge.can_reveal)  # sealing needs SK
        for action in (self.edit_action, self.rotate_action, self.delete_action, self.open_action):
            action.setEnabled(writer and selected)
        can_reveal = unlocked and self._bridge.can_reveal
        self.reveal_action.setEnabled(can_reveal and selected)
        self.copy_action.setEnabled(can_reveal and selected)
        self.detail.set_can_reveal(can_reveal)
        if unlocked and not writer:
            why = "Your role may view credentials but not change them."
            for action in (
                self.add_action,
                self.edit_action,
                self.rotate_action,
                self.import_action,
            ):
                action.setToolTip(why)

    def _update_count(self, *_: object) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        noun = "credential" if total == 1 else "credentials"
        self.count.setText(f"{shown:,} of {total:,} {noun}")
        if not self._bridge.is_unlocked:
            hint = "The vault is locked."
        elif total == 0:
            hint = "No credentials yet: add one with Ctrl+N."
        elif shown == 0:
            hint = "No credential matches the filter (Esc in the filter box clears it)."
        else:
            hint = "Select a credential to see its details."
        self.detail.empty.setText(hint)

    def _status_message(self, text: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, STATUS_MESSAGE_MS)

    def apply_settings(self, settings: AppSettings) -> None:
        self._settings = settings
        self.detail.set_reveal_seconds(settings.reveal_seconds)

    # --- reacting to the bridge -------------------------------------------------------------

    def _on_unlocked(self) -> None:
        self._refill_integrations()
        self._refill_customers()
        self.reload()

    def _on_locked(self) -> None:
        # The main window clears the clipboard on lock too; the page that copied does not rely
        # on being hosted by it.
        self._clipboard.clear_now()
        self.detail.clear()
        self.model.clear()
        self.filter_bar.reset()
        self._update_actions()

    def reload(self) -> None:
        """Everything again (another process changed the vault), keeping the selection."""
        if not self._bridge.is_unlocked:
            return
        keep = self.detail.credential_id
        try:
            listings = self._bridge.list_credentials()
        except IntsecError as exc:
            self._status_message(describe(exc))
            return
        self.model.set_listings(listings)
        if listings and not self._columns_sized:
            # Once, from a sample of rows (resize precision): later the user's widths stay.
            self.table.resizeColumnsToContents()
            self._columns_sized = True
        if keep is None or not self.select_credential(keep):
            self.detail.clear()
        self._update_actions()

    def _refill_integrations(self) -> None:
        if self._bridge.is_unlocked:
            self.filter_bar.set_integrations(self._bridge.list_integrations())

    def _refill_customers(self) -> None:
        if self._bridge.is_unlocked:
            self.filter_bar.set_customers(self._bridge.list_customers())

    def _on_added(self, credential_id: int) -> None:
        self.model.upsert(self._bridge.get_credential(credential_id))

    def _on_updated(self, credential_id: int) -> None:
        listing = self._bridge.get_credential(credential_id)
        self.model.upsert(listing)
        if self.detail.credential_id == credential_id:
            self.detail.show_listing(listing)

    def _on_selection_changed(self, *_: object) -> None:
        self.detail.show_listing(self.selected_listing())
        self._update_actions()

    def set_query(self, query: CredentialQuery) -> None:
        self.proxy.set_query(query)
        self._update_count()

    # --- actions ----------------------------------------------------------------------------

    def focus_filter(self) -> None:
        self.filter_bar.text.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_bar.text.selectAll()

    def _focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.selected_listing() is None and self.proxy.rowCount() > 0:
            self.table.selectRow(0)

    def add(self) -> None:
        if not self._can_write():
            return
        query = self.proxy.query
        dialog = CredentialDialog(
            self._bridge,
            parent=self,
            integration=query.integration,
            customer=query.customer,
            environment=query.environment,
        )
        added = dialog.added if dialog.exec() else None
        if added is not None and not self.select_credential(added.id):
            # Filtered out: show everything rather than hide what was just added.
            self.filter_bar.reset()
            self.select_credential(added.id)

    def import_file(self) -> None:
        if not self._can_write():
            return
        dialog = ImportDialog(self._bridge, self)
        if dialog.exec():
            self._status_message(dialog.result_text)

    def edit_selected(self) -> None:
        listing = self.selected_listing()
        if listing is not None and self._can_write():
            CredentialDialog(self._bridge, listing.credential, parent=self).exec()

    def rotate_selected(self) -> None:
        listing = self.selected_listing()
        if listing is not None and self._can_write():
            RotateDialog(self._bridge, listing.credential, parent=self).exec()

    def delete_selected(self) -> None:
        listing = self.selected_listing()
        if listing is None or not self._can_write():
            return
        c = listing.credential
        answer = QMessageBox.question(
            self,
            "Delete credential",
            f"Delete {credential_path(c)}?\n\nAll {c.version} stored version(s) are removed "
            "from the vault; this cannot be undone. Revoke the key at the vendor as well.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self._bridge.remove_credential(c.id)
        except IntsecError as exc:
            QMessageBox.warning(self, "Delete credential", describe(exc))
            return
        self._status_message(f"Deleted {credential_path(c)}")

    def showEvent(self, event: QShowEvent) -> None:
        # Switching section must not leave a value on screen. Watching the parent stack beats
        # overriding hideEvent, which Qt also calls while tearing the window down at exit.
        stack = self.parentWidget()
        if isinstance(stack, QStackedWidget) and not self._watching_stack:
            stack.currentChanged.connect(self._on_section_changed)
            self._watching_stack = True
        super().showEvent(event)

    def _on_section_changed(self, _index: int) -> None:
        stack = self.parentWidget()
        if isinstance(stack, QStackedWidget) and stack.currentWidget() is not self:
            self.detail.hide_secret()
