"""Add and edit dialogs for integrations and customers."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from intsec_desktop.core.errors import ValidationError
from intsec_desktop.core.model import (
    Category,
    ComplianceEvidence,
    Customer,
    Integration,
    Method,
    Region,
)
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.dialogs.credential_dialog import ExpiryInput
from intsec_desktop.gui.dialogs.form_dialog import FormDialog

RISK_HINT = (
    "File, script and assisted integrations bypass the vendor's API permissions and audit "
    "logs; they are flagged as riskier everywhere."
)


def _combo(values: list[str], current: str | None = None) -> QComboBox:
    combo = QComboBox()
    for value in values:
        combo.addItem(value.replace("_", " "), value)
    if current is not None:
        combo.setCurrentIndex(values.index(current))
    return combo


def _parse_urls(text: str) -> dict[str, str]:
    urls: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        region, sep, url = line.partition("=")
        if not sep:
            raise ValidationError(f"line {number}: write region=https://...", "base_urls")
        urls[region.strip()] = url.strip()
    return urls


class IntegrationDialog(FormDialog):
    def __init__(
        self,
        bridge: VaultBridge,
        existing: Integration | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Edit integration" if existing else "Add integration", parent)
        self._bridge = bridge
        self._existing = existing
        self.slug = QLineEdit(existing.slug if existing else "")
        self.slug.setPlaceholderText("e.g. bamboohr")
        self.slug.setReadOnly(existing is not None)
        self.name = QLineEdit(existing.name if existing else "")
        self.name.setMaxLength(200)
        self.category = _combo(
            [c.value for c in Category], existing.category.value if existing else None
        )
        self.method = _combo([m.value for m in Method], existing.method.value if existing else None)
        self.risk = QLabel(RISK_HINT)
        self.risk.setWordWrap(True)
        self.risk.setStyleSheet("color: #b26a00;")
        self.vendor = QLineEdit(existing.vendor if existing else "")
        self.vendor.setMaxLength(200)
        self.base_urls = QPlainTextEdit(
            "\n".join(f"{r}={u}" for r, u in existing.base_urls.items()) if existing else ""
        )
        self.base_urls.setPlaceholderText(
            "eu=https://api.example.com/eu\nus=https://api.example.com"
        )
        self.base_urls.setTabChangesFocus(True)
        self.base_urls.setFixedHeight(72)
        self.add_row("slug", "&Slug:", self.slug, "lower-case letters, digits, - and _")
        self.add_row("name", "&Name:", self.name)
        self.add_row("category", "&Category:", self.category)
        self.add_row("method", "&Method:", self.method)
        self.form.addRow("", self.risk)
        self.add_row("vendor", "&Vendor:", self.vendor)
        self.add_row("base_urls", "&Base URLs:", self.base_urls, "one region=URL per line")
        evidence = existing.compliance if existing else ComplianceEvidence()
        today = bridge.now()
        self.soc2 = ExpiryInput(evidence.soc2_type2_expires, today, "No report on file")
        self.iso27001 = ExpiryInput(evidence.iso27001_expires, today, "No certificate on file")
        self.gdpr_dpa = ExpiryInput(evidence.gdpr_dpa_expires, today, "No DPA on file")
        self.add_row("soc2", "SOC &2 Type II until:", self.soc2, "reminded like a credential")
        self.add_row("iso27001", "&ISO 27001 until:", self.iso27001)
        self.add_row("gdpr_dpa", "&GDPR DPA until:", self.gdpr_dpa)
        self.console_url = QLineEdit(existing.console_url if existing else "")
        self.console_url.setPlaceholderText("https://vendor.example.com/settings/api-keys")
        self.rotation_steps = QPlainTextEdit(existing.rotation_steps if existing else "")
        self.rotation_steps.setPlaceholderText("one step per line, shown while rotating")
        self.rotation_steps.setTabChangesFocus(True)
        self.rotation_steps.setFixedHeight(72)
        self.add_row("console_url", "Co&nsole URL:", self.console_url)
        self.add_row("rotation_steps", "Rotation s&teps:", self.rotation_steps)
        self.method.currentIndexChanged.connect(self._update_risk)
        self._update_risk()

    def _update_risk(self) -> None:
        self.risk.setVisible(Method(self.method.currentData()).is_risky)

    def submit(self) -> None:
        values = {
            "name": self.name.text(),
            "category": self.category.currentData(),
            "method": self.method.currentData(),
            "vendor": self.vendor.text(),
            "base_urls": _parse_urls(self.base_urls.toPlainText()),
            "compliance": ComplianceEvidence(
                self.soc2.value(), self.iso27001.value(), self.gdpr_dpa.value()
            ),
            "rotation_steps": self.rotation_steps.toPlainText(),
            "console_url": self.console_url.text(),
        }
        if self._existing is None:
            self._bridge.add_integration(slug=self.slug.text().strip(), **values)
        else:
            self._bridge.edit_integration(self._existing.slug, **values)


class CustomerDialog(FormDialog):
    def __init__(
        self, bridge: VaultBridge, existing: Customer | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__("Edit customer" if existing else "Add customer", parent)
        self._bridge = bridge
        self._existing = existing
        self.slug = QLineEdit(existing.slug if existing else "")
        self.slug.setPlaceholderText("e.g. acme")
        self.slug.setReadOnly(existing is not None)
        self.name = QLineEdit(existing.name if existing else "")
        self.name.setMaxLength(200)
        self.region = _combo([r.value for r in Region], existing.region.value if existing else None)
        self.add_row("slug", "&Slug:", self.slug, "lower-case letters, digits, - and _")
        self.add_row("name", "&Name:", self.name)
        self.add_row("region", "&Region:", self.region, "where this customer's data must stay")

    def submit(self) -> None:
        if self._existing is None:
            self._bridge.add_customer(
                slug=self.slug.text().strip(),
                name=self.name.text(),
                region=self.region.currentData(),
            )
        else:
            self._bridge.edit_customer(
                self._existing.slug, name=self.name.text(), region=self.region.currentData()
            )
