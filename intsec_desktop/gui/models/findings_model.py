"""FindingsTableModel: where a stored secret (or a provider key) was found. Never a value: the
findings it is given do not hold one."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt

from intsec_desktop.core.scan.report import Finding
from intsec_desktop.gui.models.row_table import Index, RowTableModel


class FindingColumn(IntEnum):
    FILE = 0
    LINE = 1
    COMMIT = 2
    CREDENTIAL = 3
    ENCODING = 4


HEADERS = ("File", "Line", "Commit", "Credential", "Encoding")


class FindingsTableModel(RowTableModel[Finding]):
    headers = HEADERS

    def set_findings(self, findings: Sequence[Finding]) -> None:
        self._reset_rows(findings)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        finding = self.row_at(index)
        if finding is None:
            return None
        column = FindingColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return {
                FindingColumn.FILE: finding.path,
                FindingColumn.LINE: str(finding.line),
                FindingColumn.COMMIT: (finding.commit or "")[:12] or "working tree",
                FindingColumn.CREDENTIAL: finding.credential
                if finding.in_vault
                else f"{finding.credential.removeprefix('provider:')} (not in the vault)",
                FindingColumn.ENCODING: finding.encoding,
            }[column]
        if role == Qt.ItemDataRole.UserRole:
            return finding.line if column is FindingColumn.LINE else self.data(index)
        if role == Qt.ItemDataRole.ToolTipRole and column is FindingColumn.CREDENTIAL:
            if finding.in_vault:
                return f"version {finding.version} of this stored credential"
            return "matches a provider's key format; this value is not in the vault"
        return None
