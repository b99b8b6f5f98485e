"""Reminders page: everything expired, overdue or due soon, with rotate, snooze, dismiss, open."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core import reminders
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.icons import icon
from intsec_desktop.gui.models.reminders_model import RemindersTableModel
from intsec_desktop.gui.reminder_service import ReminderService


class RemindersPage(QWidget):
    open_credential_requested = Signal(int)
    rotate_credential_requested = Signal(int)

    def __init__(
        self, bridge: VaultBridge, service: ReminderService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._service = service
        self.model = RemindersTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("Reminders")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.summary = QLabel()
        self.notifier_label = QLabel()
        self.notifier_label.setEnabled(False)
        self.rotate_button = QPushButton(icon("rotate"), "&Rotate…")
        self.open_button = QPushButton(icon("credentials"), "&Open")
        self.snooze_button = QPushButton(icon("reminders"), "S&nooze a day")
        self.dismiss_button = QPushButton("&Dismiss")
        self.snooze_all_button = QPushButton("Snooze &all for a day")
        self.rotate_button.clicked.connect(self.rotate_selected)
        self.open_button.clicked.connect(self.open_selected)
        self.snooze_button.clicked.connect(self.snooze_selected)
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.snooze_all_button.clicked.connect(lambda: service.snooze_all())
        QShortcut(QKeySequence("Ctrl+R"), self, self.rotate_selected)

        top = QHBoxLayout()
        top.addWidget(QLabel("<h2>Reminders</h2>"))
        top.addStretch(1)
        top.addWidget(self.snooze_all_button)
        actions = QHBoxLayout()
        for button in (
            self.rotate_button,
            self.open_button,
            self.snooze_button,
            self.dismiss_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.notifier_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

        service.due_count_changed.connect(lambda _n: self.reload())
        service.armed.connect(lambda _when: self.reload())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.reload()

    def reload(self) -> None:
        now = self._bridge.now()
        lines = reminders.report(self._service.deadlines(), now)
        selected = self._selected_subject()
        self.model.set_lines(lines)
        urgent = sum(1 for line in lines if line.state != "due")
        self.summary.setText(
            "Nothing needs attention."
            if not lines
            else f"{urgent} overdue or expired, {len(lines) - urgent} due soon."
        )
        self.notifier_label.setText(f"Notifications: {self._service.notifier.name}")
        if selected is not None:
            for row in range(self.model.rowCount()):
                if self.model.line(row).deadline.subject == selected:
                    self.table.selectRow(row)
                    break
        self._update_buttons()

    def _selected_line(self) -> reminders.ReportLine | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.line(rows[0].row()) if rows else None

    def _selected_subject(self) -> str | None:
        line = self._selected_line()
        return line.deadline.subject if line else None

    def _credential_id(self) -> int | None:
        subject = self._selected_subject()
        if subject and subject.startswith("credential:"):
            return int(subject.split(":", 1)[1])
        return None

    def _update_buttons(self) -> None:
        line = self._selected_line()
        is_credential = self._credential_id() is not None
        unlocked = self._bridge.is_unlocked
        self.rotate_button.setEnabled(is_credential and unlocked)
        self.open_button.setEnabled(is_credential and unlocked)
        self.snooze_button.setEnabled(line is not None)
        self.dismiss_button.setEnabled(line is not None)

    def rotate_selected(self) -> None:
        credential_id = self._credential_id()
        if credential_id is not None and self._bridge.is_unlocked:
            self.rotate_credential_requested.emit(credential_id)

    def open_selected(self) -> None:
        credential_id = self._credential_id()
        if credential_id is not None:
            self.open_credential_requested.emit(credential_id)

    def snooze_selected(self) -> None:
        subject = self._selected_subject()
        if subject is not None:
            self._service.snooze(subject)

    def dismiss_selected(self) -> None:
        line = self._selected_line()
        if line is not None:
            self._service.dismiss(line.deadline)
