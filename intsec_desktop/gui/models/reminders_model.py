"""RemindersTableModel: what is expired, overdue or due soon, most urgent first."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from intsec_desktop.core.model import Status
from intsec_desktop.core.reminders import ReportLine
from intsec_desktop.core.timefmt import format_date
from intsec_desktop.gui.icons import status_icon
from intsec_desktop.gui.models.row_table import Index, RowTableModel


class ReminderColumn(IntEnum):
    STATE = 0
    DUE = 1
    DAYS = 2
    KIND = 3
    WHAT = 4


HEADERS = ("State", "Due", "Days left", "Deadline", "What")
_STATE = {
    "expired": ("Expired", Status.EXPIRED, QColor("#8e24aa")),
    "overdue": ("Overdue", Status.OVERDUE, QColor("#c62828")),
    "due": ("Due soon", Status.DUE_SOON, QColor("#b26a00")),
}
_KIND = {"expiry": "expiry", "rotation": "rotation", "compliance": "vendor compliance"}
SubjectRole = Qt.ItemDataRole.UserRole + 1


class RemindersTableModel(RowTableModel[ReportLine]):
    headers = HEADERS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self.row_at(index)
        if line is None:
            return None
        column = ReminderColumn(index.column())
        label, status, colour = _STATE[line.state]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return {
                ReminderColumn.STATE: label,
                ReminderColumn.DUE: format_date(line.deadline.at),
                ReminderColumn.DAYS: str(line.days_left),
                ReminderColumn.KIND: _KIND[line.deadline.kind.value],
                ReminderColumn.WHAT: line.deadline.title,
            }[column]
        if role == Qt.ItemDataRole.UserRole:
            return (
                line.deadline.at.timestamp() if column is ReminderColumn.DUE else self.data(index)
            )
        if role == SubjectRole:
            return line.deadline.subject
        if column is ReminderColumn.STATE and role == Qt.ItemDataRole.DecorationRole:
            return status_icon(status)
        if column is ReminderColumn.STATE and role == Qt.ItemDataRole.ForegroundRole:
            return colour
        return None

    def line(self, row: int) -> ReportLine:
        return self._rows[row]

    def set_lines(self, lines: Sequence[ReportLine]) -> None:
        self._reset_rows(lines)
