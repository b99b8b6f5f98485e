"""The Members page: who shares this vault, their roles and last activity; owners manage them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.model import Role
from intsec_desktop.core.roles import Action
from intsec_desktop.core.services import MemberChange
from intsec_desktop.gui.bridge import VaultBridge, describe
from intsec_desktop.gui.dialogs.form_dialog import FormDialog
from intsec_desktop.gui.models.members_model import MembersTableModel

ROLE_NOTE = (
    "Reveal is enforced by cryptography: a member whose role may not reveal gets a key slot "
    "without the secret-sealing key. The other rights are enforced by the service layer."
)


class AddMemberDialog(FormDialog):
    def __init__(self, bridge: VaultBridge, parent: QWidget | None = None) -> None:
        super().__init__("Add member", parent)
        self._bridge = bridge
        self.name = QLineEdit()
        self.role = QComboBox()
        self.role.addItems([r.value for r in Role])
        self.role.setCurrentText(Role.VIEWER.value)
        self.add_row("name", "Name", self.name, "Letters, digits and . _ @ + -")
        self.add_row("role", "Role", self.role, ROLE_NOTE)
        self.change: MemberChange | None = None

    def submit(self) -> None:
        self.change = self._bridge.add_member(self.name.text(), self.role.currentText())


class MembersPage(QWidget):
    def __init__(self, bridge: VaultBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self.model = MembersTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Members")
        self.add_button = QPushButton("Add member…")
        self.role_button = QPushButton("Change role…")
        self.remove_button = QPushButton("Remove")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(
            self.message.textInteractionFlags().TextSelectableByMouse
        )
        self.message.setAccessibleName("Members message")
        self.rotation_note = QLabel()
        self.rotation_note.setWordWrap(True)
        self.rotation_note.setStyleSheet("color: #b26a00;")
        self.rotation_note.setAccessibleName("Rotation due")
        self.rotation_note.hide()
        note = QLabel(ROLE_NOTE)
        note.setWordWrap(True)
        note.setEnabled(False)

        self.add_button.clicked.connect(self._add_clicked)
        self.role_button.clicked.connect(self._role_clicked)
        self.remove_button.clicked.connect(self._remove_clicked)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._apply_role())

        buttons = QHBoxLayout()
        for button in (self.add_button, self.role_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Members</h2>"))
        layout.addWidget(note)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.rotation_note)
        layout.addWidget(self.table, 1)

        bridge.vault_unlocked.connect(self.reload)
        bridge.vault_locked.connect(self._clear)
        bridge.members_changed.connect(self.reload)
        self._apply_role()

    def _selected(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.member(index.row()).name if index.isValid() else None

    def _apply_role(self) -> None:
        member = self._bridge.member
        allowed = self._bridge.allows(Action.MANAGE_MEMBERS)
        why = (
            ""
            if allowed
            else f"Your role ({member.role.value if member else 'locked'}) may not manage"
            " members; only owners can."
        )
        selected = self._selected() is not None
        for button, needs_selection, tip in (
            (self.add_button, False, "Invite someone with a one-time passphrase"),
            (self.role_button, True, "Change the selected member's role"),
            (self.remove_button, True, "Remove the selected member and their key slots"),
        ):
            button.setEnabled(allowed and (selected or not needs_selection))
            button.setToolTip(tip if allowed else why)

    def reload(self) -> None:
        if not self._bridge.is_unlocked:
            self._clear()
            return
        try:
            self.model.set_members(self._bridge.list_members())
            due = self._bridge.rotation_required()
        except IntsecError as exc:
            self.message.setText(describe(exc))
            due = []
        self.rotation_note.setText(
            f"{len(due)} credential(s) are due for rotation because a member who could read them"
            " left or lost the reveal right: " + ", ".join(due)
            if due
            else ""
        )
        self.rotation_note.setVisible(bool(due))
        self._apply_role()

    def _clear(self) -> None:
        self.model.set_members([])
        self.message.clear()  # a one-time passphrase shown here must not outlive the session
        self._apply_role()

    # --- actions (the dialogs call these; tests call them directly) ---------------------------

    def show_change(self, change: MemberChange, headline: str) -> None:
        lines = [headline]
        if change.one_time_passphrase:
            lines.append(
                f"One-time passphrase for {change.name} (shown once; they must replace it"
                f" with `intsec passwd --member {change.name}`): {change.one_time_passphrase}"
            )
        if change.rotation_required:
            lines.append(
                f"{len(change.rotation_required)} credential(s) are now due for rotation because"
                f" {change.name} could read their values: " + ", ".join(change.rotation_required)
            )
        self.message.setText("\n".join(lines))

    def change_role(self, name: str, role: str) -> MemberChange:
        change = self._bridge.change_member_role(name, role)
        self.show_change(change, f"{name} is now {role}.")
        return change

    def remove(self, name: str) -> MemberChange:
        change = self._bridge.remove_member(name)
        self.show_change(change, f"Removed {name} and their key slots.")
        return change

    def _add_clicked(self) -> None:
        dialog = AddMemberDialog(self._bridge, self)
        if dialog.exec() and dialog.change is not None:
            role = dialog.change.role.value if dialog.change.role else ""
            self.show_change(dialog.change, f"Added {dialog.change.name} ({role}).")

    def _role_clicked(self) -> None:
        name = self._selected()
        if name is None:
            return
        roles = [r.value for r in Role]
        role, ok = QInputDialog.getItem(
            self, "Change role", f"New role for {name}:", roles, 0, False
        )
        if ok:
            self._run(lambda: self.change_role(name, role))

    def _remove_clicked(self) -> None:
        name = self._selected()
        if name is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove member",
            f"Remove {name} and every key slot they hold? If they could reveal secrets, every"
            " credential is marked due for rotation.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._run(lambda: self.remove(name))

    def _run(self, action: object) -> None:
        try:
            action()  # type: ignore[operator]
        except IntsecError as exc:
            self.message.setText(describe(exc))
