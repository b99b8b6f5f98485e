"""Add and edit a credential. Adding takes the secret; editing changes metadata only (a new
value is a rotation, which keeps the old version for rollback)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from intsec_desktop.core.errors import ValidationError
from intsec_desktop.core.model import Credential, CredentialKind, Environment
from intsec_desktop.core.rotation import DEFAULT_REMINDER_DAYS
from intsec_desktop.core.validation import MAX_DAYS
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.dialogs.form_dialog import FormDialog
from intsec_desktop.gui.dialogs.secret_input import SecretInput

ALL_CUSTOMERS = "(all customers)"


def parse_reminder_days(text: str) -> tuple[int, ...]:
    """Reads "30, 7, 1" as (30, 7, 1); range checks are core's, this only reads numbers."""
    parts = [p for p in re.split(r"[,\s;]+", text.strip()) if p]
    if not all(p.isdigit() for p in parts):
        raise ValidationError(
            "reminder days must be whole numbers separated by commas, e.g. 30, 7, 1",
            "reminder days",
        )
    return tuple(int(p) for p in parts)


class ExpiryInput(QWidget):
    """A calendar date, or "No expiry". A date means that day at 00:00 UTC, as in the CLI."""

    def __init__(
        self, current: datetime | None, today: datetime, never_text: str = "No ex&piry"
    ) -> None:
        super().__init__()
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        shown = current or today + timedelta(days=365)
        self.date.setDate(QDate(shown.year, shown.month, shown.day))
        self.never = QCheckBox(never_text)
        self.never.toggled.connect(lambda never: self.date.setEnabled(not never))
        self.never.setChecked(current is None)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.date)
        layout.addWidget(self.never)
        layout.addStretch(1)
        self.setFocusProxy(self.date)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # so a label mnemonic can reach it

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self.date.setAccessibleName(name)

    def value(self) -> datetime | None:
        if self.never.isChecked():
            return None
        day = self.date.date().toPython()
        return datetime.combine(day, time(0, 0), tzinfo=UTC)  # type: ignore[arg-type]


def _rotation_spin(current: int | None) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(0, MAX_DAYS)
    spin.setSpecialValueText("no policy")  # shown for 0
    spin.setSuffix(" days")
    spin.setValue(current or 0)
    return spin


def _enum_combo(values: list[str], current: str) -> QComboBox:
    combo = QComboBox()
    for value in values:
        combo.addItem(value.replace("_", " "), value)
    combo.setCurrentIndex(values.index(current))
    return combo


class CredentialDialog(FormDialog):
    """`existing` None adds (secret required); otherwise edits that credential's metadata."""

    def __init__(
        self,
        bridge: VaultBridge,
        existing: Credential | None = None,
        parent: QWidget | None = None,
        *,
        integration: str | None = None,
        customer: str | None = None,
        environment: str | None = None,
    ) -> None:
        super().__init__("Edit credential" if existing else "Add credential", parent)
        self._bridge = bridge
        self._existing = existing
        self.added: Credential | None = None
        self._saved = False
        today = bridge.now()

        if existing is None:
            self.integration = QComboBox()
            for item in bridge.list_integrations():
                self.integration.addItem(f"{item.name} ({item.slug})", item.slug)
            self.customer = QComboBox()
            self.customer.addItem(ALL_CUSTOMERS, None)
            for c in bridge.list_customers():
                self.customer.addItem(f"{c.name} ({c.slug})", c.slug)
            self.environment = _enum_combo(
                [e.value for e in Environment], environment or Environment.PRODUCTION.value
            )
            for combo, wanted in ((self.integration, integration), (self.customer, customer)):
                found = combo.findData(wanted)
                if wanted is not None and found >= 0:
                    combo.setCurrentIndex(found)
            self.add_row("integration", "&Integration:", self.integration)
            self.add_row(
                "customer",
                "C&ustomer:",
                self.customer,
                "a key for one customer, or one shared by all",
            )
            self.add_row("environment", "En&vironment:", self.environment)
        else:
            where = QLabel(
                f"{existing.integration} / {existing.customer or ALL_CUSTOMERS} / "
                f"{existing.environment.value}"
            )
            where.setAccessibleName("Belongs to")
            self.form.addRow("Belongs to:", where)

        self.name = QLineEdit(existing.name if existing else "")
        self.name.setPlaceholderText("e.g. api_key")
        self.kind = _enum_combo(
            [k.value for k in CredentialKind],
            existing.kind.value if existing else CredentialKind.API_KEY.value,
        )
        # No maxLength: a silent cut would store something other than what was pasted; the
        # service's limit comes back as a message beside the field instead.
        self.owner = QLineEdit(existing.owner if existing else "")
        self.owner.setPlaceholderText("who renews it, e.g. dana@example.com")
        self.expires = ExpiryInput(existing.expires_at if existing else None, today)
        self.rotate_every = _rotation_spin(existing.rotate_every_days if existing else 90)
        self.reminders = QLineEdit(
            ", ".join(
                str(d) for d in (existing.reminder_days if existing else DEFAULT_REMINDER_DAYS)
            )
        )
        self.notes = QPlainTextEdit(existing.notes if existing else "")
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(60)

        self.add_row("name", "&Name:", self.name, "lower-case letters, digits, _ . -")
        self.add_row("kind", "&Kind:", self.kind)
        self.secret: SecretInput | None = None
        if existing is None:
            self.secret = SecretInput("paste the key or token")
            self.add_row(
                "secret", "&Secret:", self.secret, "stored encrypted; never shown in lists"
            )
            self.secret.too_long.connect(lambda message: self.show_error(message, "secret"))
            self.kind.currentIndexChanged.connect(self._suggest_multi_line)
        self.add_row("owner", "&Owner:", self.owner)
        self.add_row("expires_at", "E&xpires:", self.expires, "the vendor's hard expiry date (UTC)")
        self.add_row("rotation period", "&Rotate every:", self.rotate_every)
        self.add_row(
            "reminder days", "Remin&d:", self.reminders, "days before a deadline, e.g. 30, 7, 1"
        )
        self.add_row("notes", "No&tes:", self.notes)
        if existing is None and self.integration.count() == 0:
            self.show_error("Add an integration first (Integrations page).")
            self.buttons.button(self.buttons.StandardButton.Ok).setEnabled(False)
        self.name.setFocus()

    def _suggest_multi_line(self) -> None:
        if self.secret is not None and self.kind.currentData() == CredentialKind.PRIVATE_KEY.value:
            self.secret.set_multi_line(True)

    def _metadata(self) -> dict[str, object]:
        every = self.rotate_every.value()
        return {
            "name": self.name.text().strip(),
            "kind": self.kind.currentData(),
            "owner": self.owner.text(),
            "expires_at": self.expires.value(),
            "rotate_every_days": every or None,
            "reminder_days": parse_reminder_days(self.reminders.text()),
            "notes": self.notes.toPlainText(),
        }

    def submit(self) -> None:
        if self._saved:
            return  # a second click that arrived after the first one succeeded
        fields = self._metadata()
        if self._existing is not None or self.secret is None:
            assert self._existing is not None
            self._bridge.edit_credential(self._existing.id, **fields)
            self._saved = True
            return
        secret = self.secret.value()
        try:
            self.added = self._bridge.add_credential(
                integration=self.integration.currentData(),
                customer=self.customer.currentData(),
                environment=self.environment.currentData(),
                secret=secret,
                **fields,
            )
            self._saved = True
        except ValidationError as exc:
            if exc.field == "secret":
                self.secret.clear()
            raise
        finally:
            del secret  # the bytes live no longer than the call
        self.secret.clear()

    def done(self, result: int) -> None:
        if self.secret is not None:
            self.secret.clear()  # cancelled or accepted: the field never outlives the dialog
        super().done(result)
