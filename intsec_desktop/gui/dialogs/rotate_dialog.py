"""Rotate a credential: store a new value as the next version (the old one is retired, kept for
rollback during the grace period) and record why in the audit trail."""

from __future__ import annotations

import hmac

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QWidget

from intsec_desktop.core.errors import ValidationError
from intsec_desktop.core.model import Credential, CredentialKind
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.dialogs.form_dialog import FormDialog
from intsec_desktop.gui.dialogs.secret_input import SecretInput

REVOKED_NOTE = "old key revoked at the vendor"


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
        self.revoked = QCheckBox("The &old key is revoked at the vendor")
        self.revoked.setToolTip(
            "Recorded in the audit trail with this rotation. Revoke it in the vendor's console; "
            "intsec cannot do that for you."
        )
        self.add_row("secret", "&New secret:", self.secret)
        self.add_row("repeat", "&Repeat:", self.repeat)
        self.add_row("note", "Note or &ticket:", self.note, "kept in the audit trail")
        self.add_row("revoked", "", self.revoked)
        self.secret.too_long.connect(lambda message: self.show_error(message, "secret"))
        self.repeat.too_long.connect(lambda message: self.show_error(message, "repeat"))
        self.secret.setFocus()

    def note_text(self) -> str:
        note = self.note.text().strip()
        if self.revoked.isChecked():
            note = f"{note}; {REVOKED_NOTE}" if note else REVOKED_NOTE
        return note

    def submit(self) -> None:
        if self.rotated is not None:
            return  # a late second click must not store the same value as version n + 2
        secret, repeat = self.secret.value(), self.repeat.value()
        try:
            if not hmac.compare_digest(secret, repeat):
                raise ValidationError("the two values differ; paste the new secret twice", "repeat")
            self.rotated = self._bridge.rotate_credential(
                self._credential.id, secret, note=self.note_text()
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
