"""The filter row above the credentials table: instant text filter plus status, environment,
integration and customer choices. It only builds a CredentialQuery; the proxy applies it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from intsec_desktop.core.model import Customer, Environment, Integration, Status
from intsec_desktop.gui.icons import icon, status_icon
from intsec_desktop.gui.models.credentials_filter import CredentialQuery
from intsec_desktop.gui.models.credentials_model import STATUS_TEXT

NEEDS_ATTENTION = frozenset({Status.DUE_SOON, Status.OVERDUE, Status.EXPIRED})


def _bounded_combo(accessible_name: str) -> QComboBox:
    combo = QComboBox()
    combo.setAccessibleName(accessible_name)
    combo.setToolTip(accessible_name)
    # As wide as the longest choice when there is room, but an explicit minimum lets the row
    # shrink (eliding) instead of pushing a 1000 px window wider.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    combo.setMinimumWidth(110)
    combo.setMaximumWidth(220)
    return combo


class CredentialsFilterBar(QWidget):
    query_changed = Signal(object)  # CredentialQuery

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLineEdit()
        self.text.setPlaceholderText("Filter (Ctrl+F)")
        self.text.setToolTip(
            "Words match integration, customer, environment, name, kind and owner; "
            "every word must match"
        )
        self.text.setAccessibleName("Filter credentials")
        self.text.setClearButtonEnabled(True)
        self.text.addAction(icon("scan"), QLineEdit.ActionPosition.LeadingPosition)
        self.text.setMinimumWidth(160)

        self.status = _bounded_combo("Status filter")
        self.status.addItem("Any status", frozenset())
        self.status.addItem(icon("reminders"), "Needs attention", NEEDS_ATTENTION)
        for status in Status:
            self.status.addItem(status_icon(status), STATUS_TEXT[status], frozenset({status}))

        self.environment = _bounded_combo("Environment filter")
        self.environment.addItem("All environments", None)
        for env in Environment:
            self.environment.addItem(env.value, env.value)

        self.integration = _bounded_combo("Integration filter")
        self.customer = _bounded_combo("Customer filter")
        self.set_integrations([])
        self.set_customers([])

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        for combo in (self.status, self.environment, self.integration, self.customer):
            layout.addWidget(combo)
            combo.currentIndexChanged.connect(self._emit)
        self.text.textChanged.connect(self._emit)

    def query(self) -> CredentialQuery:
        return CredentialQuery(
            text=self.text.text(),
            statuses=self.status.currentData() or frozenset(),
            environment=self.environment.currentData(),
            integration=self.integration.currentData(),
            customer=self.customer.currentData(),
        )

    def _emit(self) -> None:
        self.query_changed.emit(self.query())

    def _refill(self, combo: QComboBox, everything: str, items: Sequence[tuple[str, str]]) -> None:
        """Keeps the current choice if it still exists; one query_changed at most."""
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, None)
        for slug, name in items:
            combo.addItem(name, slug)
            combo.setItemData(combo.count() - 1, slug, Qt.ItemDataRole.ToolTipRole)
        found = combo.findData(current)
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(False)
        if combo.currentData() != current:
            self._emit()

    def set_integrations(self, items: Sequence[Integration]) -> None:
        self._refill(self.integration, "All integrations", [(i.slug, i.name) for i in items])

    def set_customers(self, items: Sequence[Customer]) -> None:
        self._refill(self.customer, "All customers", [(c.slug, c.name) for c in items])

    def reset(self) -> None:
        """Back to showing everything (after a lock, the next person starts clean)."""
        for widget in (self.text, self.status, self.environment, self.integration, self.customer):
            widget.blockSignals(True)
        self.text.clear()
        for combo in (self.status, self.environment, self.integration, self.customer):
            combo.setCurrentIndex(0)
        for widget in (self.text, self.status, self.environment, self.integration, self.customer):
            widget.blockSignals(False)
        self._emit()
