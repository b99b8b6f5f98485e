"""The wizard's create step: where the vault folder goes, the passphrase that opens it and whether
this device remembers it. The vault is made on the bridge's worker thread."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core import paths
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.opening import CreatedVault
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.setup_widgets import (
    StrengthMeter,
    busy_bar,
    centred_card,
    error_label,
    heading,
    passphrase_field,
    show_error,
)

# Tests set this so creating a vault takes milliseconds: the KDF floor instead of calibrating
# Argon2id to ~0.7 s on this machine.
FAST_KDF_ENV = "INTSEC_TEST_FAST_KDF"
DEFAULT_NAME = "default"
FOLDER_TAKEN_MESSAGE = "That folder already exists and is not empty: choose another name."
NO_PASSPHRASE_MESSAGE = "Enter a passphrase."  # noqa: S105 - a message, not a secret
MISMATCH_MESSAGE = "The passphrases do not match."


def kdf_params_for_new_vault() -> KdfParams | None:
    """None asks the bridge to calibrate on its worker thread."""
    return KdfParams.floor() if os.environ.get(FAST_KDF_ENV) == "1" else None


def name_problem(name: str) -> str:
    if not name:
        return "Enter a name for the vault."
    if "/" in name or "\\" in name or name.startswith(".") or not name.isprintable():
        return "Use a name without slashes that does not start with a dot."
    return ""


def folder_in_use(folder: Path) -> bool:
    return folder.exists() and (not folder.is_dir() or any(folder.iterdir()))


class CreateVaultStep(QWidget):
    back_requested = Signal()
    vault_created = Signal(str, bool)  # recovery code; whether the OS keyring remembers the vault

    def __init__(self, bridge: VaultBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._creating = False
        self._used_keyring = False

        self.name_edit = QLineEdit(DEFAULT_NAME)
        self.name_error = error_label("Vault name problem")
        self.location_edit = QLineEdit(str(paths.data_dir()))
        self.browse_button = QPushButton("Br&owse…")
        self.browse_button.setAccessibleName("Browse for a location")
        self.location_error = error_label("Location problem")
        self.folder_label = QLabel()
        self.folder_label.setWordWrap(True)
        self.folder_label.setAccessibleName("Vault folder")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.passphrase_edit = passphrase_field("Passphrase")
        self.passphrase_error = error_label("Passphrase problem")
        self.repeat_edit = passphrase_field("Repeat passphrase")
        self.repeat_error = error_label("Repeat passphrase problem")
        self.show_check = QCheckBox("S&how passphrase")
        self.meter = StrengthMeter()
        self.keyring_check = QCheckBox()
        self.keyring_reason = QLabel()
        self.keyring_reason.setAccessibleName("About remembering the vault on this device")
        style = self.keyring_check.style()
        self.keyring_reason.setIndent(  # line up with the check box's text, not its box
            style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth)
            + style.pixelMetric(QStyle.PixelMetric.PM_CheckBoxLabelSpacing)
        )
        self.error = error_label()
        self.busy = busy_bar("Creating the vault")
        self.busy_label = QLabel(
            "Creating the vault and tuning the key derivation to this computer…"
        )
        self.back_button = QPushButton("&Back")
        self.create_button = QPushButton("&Create vault")
        self.create_button.setDefault(True)

        self._build_layout()
        self._set_tab_order()
        self.name_edit.textChanged.connect(self._update_folder)
        self.location_edit.textChanged.connect(self._update_folder)
        self.browse_button.clicked.connect(self._browse)
        self.passphrase_edit.textChanged.connect(self.meter.show_estimate)
        self.passphrase_edit.textChanged.connect(lambda _text: self.passphrase_error.hide())
        self.repeat_edit.textChanged.connect(lambda _text: self.repeat_error.hide())
        self.passphrase_edit.returnPressed.connect(self.repeat_edit.setFocus)
        self.repeat_edit.returnPressed.connect(self.create_vault)
        self.show_check.toggled.connect(self._show_passphrase)
        self.back_button.clicked.connect(self.back_requested)
        self.create_button.clicked.connect(self.create_vault)
        bridge.vault_created.connect(self._on_created)
        bridge.create_failed.connect(self._on_failed)
        self._set_busy(False)
        self.reset()

    def _build_layout(self) -> None:
        location_row = QWidget()
        row = QHBoxLayout(location_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.location_edit, 1)
        row.addWidget(self.browse_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._add_row(form, "Vault &name:", self.name_edit, self.name_edit, self.name_error)
        self._add_row(form, "&Location:", self.location_edit, location_row, self.location_error)
        form.addRow("Folder:", self.folder_label)
        self._add_row(
            form, "&Passphrase:", self.passphrase_edit, self.passphrase_edit, self.passphrase_error
        )
        self._add_row(form, "&Repeat:", self.repeat_edit, self.repeat_edit, self.repeat_error)
        form.addRow("", self.show_check)
        form.addRow("", self.meter)
        keyring = QVBoxLayout()
        keyring.setSpacing(2)
        keyring.addWidget(self.keyring_check)
        keyring.addWidget(self.keyring_reason)
        form.addRow("", keyring)

        self.form_widget = QWidget()
        self.form_widget.setLayout(form)
        form.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.create_button)

        card = QWidget()
        layout = QVBoxLayout(card)
        layout.addWidget(heading("Create a new vault"))
        intro = QLabel(
            "A vault is a folder holding an encrypted database. Choose where it lives and the "
            "passphrase that opens it. A few unrelated words make a strong passphrase that is "
            "easy to remember; no digits or symbols are required."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addWidget(self.form_widget)
        layout.addWidget(self.error)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.busy)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(centred_card(card, 640))

    @staticmethod
    def _add_row(
        form: QFormLayout, text: str, buddy: QWidget, content: QWidget, error: QLabel
    ) -> None:
        """A labelled row with its error message right under the field it is about."""
        label = QLabel(text)
        label.setBuddy(buddy)
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(content)
        column.addWidget(error)
        form.addRow(label, column)

    def _set_tab_order(self) -> None:
        chain = [
            self.name_edit,
            self.location_edit,
            self.browse_button,
            self.passphrase_edit,
            self.repeat_edit,
            self.show_check,
            self.keyring_check,
            self.back_button,
            self.create_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- state ----------------------------------------------------------------------------

    def reset(self) -> None:
        """Fresh fields each time the step opens: no passphrase lingers from an earlier visit."""
        self.name_edit.setText(self._free_name())
        self.passphrase_edit.clear()
        self.repeat_edit.clear()
        self.show_check.setChecked(False)
        for label in (self.location_error, self.passphrase_error, self.repeat_error, self.error):
            label.hide()
        self._refresh_keyring()
        self._update_folder()

    def _free_name(self) -> str:
        location = Path(self.location_edit.text().strip() or paths.data_dir()).expanduser()
        name, number = DEFAULT_NAME, 1
        while folder_in_use(location / f"{name}{paths.VAULT_SUFFIX}"):
            number += 1
            name = f"{DEFAULT_NAME}-{number}"
        return name

    def _refresh_keyring(self) -> None:
        status = self._bridge.keyring_status()
        if status.usable:
            backend = status.backend_name.rsplit(".", 2)[-2]
            self.keyring_check.setText(f"Remember on this &device (OS keyring: {backend})")
            self.keyring_check.setToolTip(status.backend_name)
            self.keyring_reason.setText(
                "Unlock on this computer without typing the passphrase while you are logged in."
            )
        else:
            self.keyring_check.setText("Remember on this &device (OS keyring unavailable)")
            self.keyring_check.setToolTip(status.reason)
            self.keyring_reason.setText(status.reason[:1].upper() + status.reason[1:] + ".")
        # Only the refusal reason (which names backends) can be long; wrapping the short line
        # would leave a blank line under it (see StrengthMeter).
        self.keyring_reason.setWordWrap(not status.usable)
        self.keyring_check.setChecked(status.usable)
        self.keyring_check.setEnabled(status.usable)

    def is_creating(self) -> bool:
        return self._creating

    def folder(self) -> Path:
        name = self.name_edit.text().strip().removesuffix(paths.VAULT_SUFFIX)
        location = Path(self.location_edit.text().strip()).expanduser()
        return location / f"{name}{paths.VAULT_SUFFIX}"

    def _update_folder(self) -> None:
        """Say which folder will be created, live, and warn before Create if it is taken."""
        problem = name_problem(self.name_edit.text().strip())
        if problem or not self.location_edit.text().strip():
            self.folder_label.setText("-")
        else:
            self.folder_label.setText(str(self.folder()))
            if folder_in_use(self.folder()):
                problem = FOLDER_TAKEN_MESSAGE
        show_error(self.name_error, problem)
        self.location_error.hide()

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(
            self, "Where should the vault folder go?", self.location_edit.text()
        )
        if chosen:
            self.location_edit.setText(chosen)

    def _show_passphrase(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.passphrase_edit.setEchoMode(mode)
        self.repeat_edit.setEchoMode(mode)

    def _set_busy(self, busy: bool) -> None:
        self.form_widget.setEnabled(not busy)
        self.back_button.setEnabled(not busy)
        self.create_button.setEnabled(not busy)
        self.busy.setVisible(busy)
        self.busy_label.setVisible(busy)

    # --- creating -------------------------------------------------------------------------

    def create_vault(self) -> None:
        if self._creating:  # Enter and a click in quick succession create one vault
            return
        self.error.hide()
        problems = self._problems()
        for _field, label, message in problems:
            show_error(label, message)
        if problems:
            first = problems[0][0]
            first.setFocus()
            first.selectAll()
            return
        passphrase = self.passphrase_edit.text()
        self._creating = True
        self._used_keyring = self.keyring_check.isChecked()
        self._set_busy(True)
        self._bridge.create_vault(
            self.folder(), passphrase, kdf_params_for_new_vault(), self._used_keyring
        )

    def _problems(self) -> list[tuple[QLineEdit, QLabel, str]]:
        """(field, its error label, message) for each field that stops the vault being made."""
        name_message = name_problem(self.name_edit.text().strip())
        location_message = "" if self.location_edit.text().strip() else "Choose a location."
        if not name_message and not location_message and folder_in_use(self.folder()):
            name_message = FOLDER_TAKEN_MESSAGE
        passphrase, repeat = self.passphrase_edit.text(), self.repeat_edit.text()
        checks = [
            (self.name_edit, self.name_error, name_message),
            (self.location_edit, self.location_error, location_message),
            (
                self.passphrase_edit,
                self.passphrase_error,
                "" if passphrase else NO_PASSPHRASE_MESSAGE,
            ),
            (self.repeat_edit, self.repeat_error, MISMATCH_MESSAGE if repeat != passphrase else ""),
        ]
        if not passphrase:
            checks.pop()  # one message is enough while nothing is typed
        return [check for check in checks if check[2]]

    def _on_created(self, created: CreatedVault) -> None:
        if not self._creating:
            return
        self._creating = False
        self._set_busy(False)
        self.passphrase_edit.clear()
        self.repeat_edit.clear()
        self.vault_created.emit(created.recovery_code, self._used_keyring)

    def _on_failed(self, message: str) -> None:
        if not self._creating:
            return
        self._creating = False
        self._set_busy(False)
        show_error(self.error, message)
        self.create_button.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not event.spontaneous():  # switching to this step, not the window being restored
            self.name_edit.setFocus()
