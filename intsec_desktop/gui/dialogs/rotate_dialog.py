"""Rotate a credential: store a new value as the next version (the old one is retired, kept for
rollback during the grace period) and record why in the audit trail."""

from __future__ import annotations

import hmac
import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QWidget

from intsec_desktop.core.errors import IntsecError, ValidationError
from intsec_desktop.core.model import Credential, CredentialKind, Integration
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.dialogs.form_dialog import FormDialog
from intsec_desktop.gui.dialogs.secret_input import SecretInput

REVOKED_CHOICES = (
    ("Not yet: I will revoke it once the new key is deployed", False),
    ("Yes: the old key is already revoked at the vendor", True),
)


def checklist_html(integration: Integration) -> str:
    """The integration's manual rotation steps and console link, or '' when it has none."""
    steps = [line.strip() for line in integration.rotation_steps.splitlines() if line.strip()]
    parts = []
    if steps:
        parts.append("<ol>" + "".join(f"<li>{html.escape(step)}</li>" for step in steps) + "</ol>")
    if integration.console_url:
        url = html.escape(integration.console_url, quote=True)
        parts.append(f'Vendor console: <a href="{url}">{url}</a>')
    return "".join(parts)


def credential_path(c: Credential) -> str:
    return f"{c.integration} / {c.customer or '(all customers)'} / {c.environment.value} / {c.name}"


class RotateDialog(FormDialog):
    def __init__(
        self, bridge: VaultBridge, credential: Credential, parent: QWidget | None = None
    ) -> None:
        super().__init__("Rotate credential", parent)
        self._bridge = bridge
        self._credential = credential
        self.rotated: Credential | None = None
        what = QLabel(
            f"<b>{credential_path(credential)}</b><br>version {credential.version} → "
            f"{credential.version + 1}; version {credential.version} is kept for rollback."
        )
        what.setWordWrap(True)
        what.setAccessibleName("Credential")
        self.form.addRow("Credential:", what)
        try:
            steps = checklist_html(bridge.integration(credential.integration))
        except IntsecError:
            steps = ""
        if steps:
            self.checklist = QLabel(steps)
            self.checklist.setWordWrap(True)
            self.checklist.setOpenExternalLinks(True)
            self.checklist.setTextFormat(Qt.TextFormat.RichText)
            self.checklist.setAccessibleName("Rotation checklist")
            self.form.addRow("Checklist:", self.checklist)

        self.secret = SecretInput("paste the new key or token")
        self.repeat = SecretInput("paste it again")
        # Both fields switch together; one "Multi-line" box is enough to think about.
        self.repeat.multi_box.hide()
        self.secret.multi_box.toggled.connect(self.repeat.set_multi_line)
        self.secret.show_box.toggled.connect(self.repeat.show_box.setChecked)
        self.repeat.show_box.hide()
        if credential.kind is CredentialKind.PRIVATE_KEY:
            self.secret.set_multi_line(True)
        self.note = QLineEdit()
        self.note.setPlaceholderText("why, or a ticket link: e.g. SEC-142 or https://...")
        self.revoked = QComboBox()
        for text, answer in REVOKED_CHOICES:
            self.revoked.addItem(text, answer)
        self.revoked.setToolTip(
            "Recorded with this rotation and in the audit trail. Revoke it in the vendor's "
            "console; intsec cannot do that for you."
        )
        self.add_row("secret", "&New secret:", self.secret)
        self.add_row("repeat", "&Repeat:", self.repeat)
        self.add_row("note", "Note or &ticket:", self.note, "kept in the audit trail")
        self.add_row("revoked", "Old key &revoked?", self.revoked)
        self.secret.too_long.connect(lambda message: self.show_error(message, "secret"))
        self.repeat.too_long.connect(lambda message: self.show_error(message, "repeat"))
        self.secret.setFocus()

    def old_revoked(self) -> bool:
        return bool(self.revoked.currentData())

    def submit(self) -> None:
        if self.rotated is not None:
            return  # a late second click must not store the same value as version n + 2
        secret, repeat = self.secret.value(), self.repeat.value()
        try:
            if not hmac.compare_digest(secret, repeat):
                raise ValidationError("the two values differ; paste the new secret twice", "repeat")
            self.rotated = self._bridge.rotate_credential(
                self._credential.id,
                secret,
                note=self.note.text().strip(),
                old_revoked=self.old_revoked(),
            )
        except ValidationError as exc:
            if exc.field in ("secret", "repeat"):
                self.secret.clear()
                self.repeat.clear()
            raise
        finally:
            del secret, repeat
        self.secret.clear()
        self.repeat.clear()

    def done(self, result: int) -> None:
        self.secret.clear()
        self.repeat.clear()
        super().done(result)
