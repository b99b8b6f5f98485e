"""Table model for the Members page: name, role, reveal right, last activity."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt

from intsec_desktop.core.services import MemberInfo
from intsec_desktop.core.timefmt import format_utc
from intsec_desktop.gui.models.row_table import Index, RowTableModel


def _activity(member: MemberInfo) -> str:
    return format_utc(member.last_activity) if member.last_activity else "-"


def _note(member: MemberInfo) -> str:
    return "must change one-time passphrase" if member.must_change else ""


class MembersTableModel(RowTableModel[MemberInfo]):
    NAME, ROLE, REVEAL, ACTIVITY, NOTE = range(5)
    _columns: Sequence[tuple[str, Callable[[MemberInfo], str]]] = (
        ("Name", lambda m: m.name),
        ("Role", lambda m: m.role.value),
        ("Can reveal secrets", lambda m: "yes" if m.can_reveal else "no"),
        ("Last activity (UTC)", _activity),
        ("Note", _note),
    )
    headers = tuple(c[0] for c in _columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        member = self.row_at(index)
        if member is None or not 0 <= index.column() < len(self._columns):
            return None
        if role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.AccessibleTextRole,
            Qt.ItemDataRole.UserRole,
        ):
            return self._columns[index.column()][1](member)
        return None

    def member(self, row: int) -> MemberInfo:
        return self._rows[row]

    def set_members(self, members: Sequence[MemberInfo]) -> None:
        self._reset_rows(members)
