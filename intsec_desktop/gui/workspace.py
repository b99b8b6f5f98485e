"""The unlocked workspace: sidebar navigation and one page per area."""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.clipboard import SecureClipboard
from intsec_desktop.gui.icons import icon
from intsec_desktop.gui.pages.audit_page import AuditPage
from intsec_desktop.gui.pages.catalog_pages import CustomersPage, IntegrationsPage
from intsec_desktop.gui.pages.credentials_page import CredentialsPage
from intsec_desktop.gui.pages.export_page import ExportPage
from intsec_desktop.gui.pages.members_page import MembersPage
from intsec_desktop.gui.pages.placeholder_page import PLACEHOLDERS, PlaceholderPage
from intsec_desktop.gui.pages.reminders_page import RemindersPage
from intsec_desktop.gui.pages.scan_page import ScanPage
from intsec_desktop.gui.pages.scopes_page import ScopesPage
from intsec_desktop.gui.reminder_service import ReminderService
from intsec_desktop.gui.settings_dialog import SettingsDialog

SECTIONS = [
    "Credentials",
    "Integrations",
    "Customers",
    "Scopes",
    "Reminders",
    "Audit",
    "Members",
    "Export",
    "Scan",
]


class Workspace(QWidget):
    settings_changed = Signal(object)  # AppSettings

    def __init__(
        self,
        bridge: VaultBridge,
        clipboard: SecureClipboard,
        settings: AppSettings,
        reminders: ReminderService,
    ) -> None:
        super().__init__()
        self._bridge = bridge
        self._settings = settings
        self.credentials_page = CredentialsPage(bridge, clipboard, settings)
        self.integrations_page = IntegrationsPage(bridge)
        self.customers_page = CustomersPage(bridge)
        self.reminders_page = RemindersPage(bridge, reminders)
        self.scopes_page = ScopesPage(bridge)
        self.scan_page = ScanPage(bridge)
        self.export_page = ExportPage(bridge)
        self.audit_page = AuditPage(bridge)
        self.members_page = MembersPage(bridge)
        self._notifier_name = reminders.notifier.name
        self.reminders_page.rotate_credential_requested.connect(self._rotate)
        pages: dict[str, QWidget] = {
            "Credentials": self.credentials_page,
            "Integrations": self.integrations_page,
            "Customers": self.customers_page,
            "Scopes": self.scopes_page,
            "Reminders": self.reminders_page,
            "Scan": self.scan_page,
            "Export": self.export_page,
            "Audit": self.audit_page,
            "Members": self.members_page,
        }
        for name, promise in PLACEHOLDERS.items():
            pages.setdefault(name, PlaceholderPage(name, promise))

        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName("Sections")
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setFixedWidth(180)
        self.stack = QStackedWidget()
        for name in SECTIONS:
            QListWidgetItem(icon(name.lower()), name, self.sidebar)
            self.stack.addWidget(pages[name])
        self.sidebar.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.sidebar.setCurrentRow(0)

        settings_button = QToolButton()
        settings_button.setIcon(icon("settings"))
        settings_button.setText("Settings")
        settings_button.setToolButtonStyle(
            settings_button.toolButtonStyle().ToolButtonTextBesideIcon
        )
        settings_button.setAccessibleName("Settings")
        settings_button.clicked.connect(self.open_settings)

        left = QVBoxLayout()
        left.addWidget(self.sidebar, 1)
        left.addWidget(settings_button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(left)
        layout.addWidget(self.stack, 1)

    def show_section(self, name: str) -> None:
        self.sidebar.setCurrentRow(SECTIONS.index(name))

    def _rotate(self, credential_id: int) -> None:
        self.show_section("Credentials")
        if self.credentials_page.select_credential(credential_id):
            self.credentials_page.rotate_selected()

    def open_settings(self) -> None:
        dialog = SettingsDialog(self._settings, self, notifier_name=self._notifier_name)
        if dialog.exec():
            self._settings = dialog.result_settings()
            self.settings_changed.emit(self._settings)
