"""The Audit page: filters, the event table, a detail pane, verify and CSV export."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.roles import Action
from intsec_desktop.core.services import AuditFilter
from intsec_desktop.core.timefmt import format_utc
from intsec_desktop.gui.bridge import VaultBridge, describe
from intsec_desktop.gui.models.audit_model import AuditTableModel

SHOWN_LIMIT = 2000  # newest first; the filters narrow it, export writes every match
OK_STYLE, BAD_STYLE = "color: #2e7d32;", "color: #c62828;"


def _day_start(day: QDate) -> datetime:
    return datetime.combine(day.toPython(), time(0, 0), tzinfo=UTC)  # type: ignore[arg-type]


class AuditPage(QWidget):
    def __init__(self, bridge: VaultBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self.model = AuditTableModel(self)
        self.actor = QLineEdit()
        self.action = QLineEdit()
        self.target = QLineEdit()
        self.text = QLineEdit()
        self.since_on = QCheckBox("From")
        self.since = QDateEdit()
        self.until_on = QCheckBox("to")
        self.until = QDateEdit()
        for date_edit in (self.since, self.until):
            date_edit.setCalendarPopup(True)
            date_edit.setDisplayFormat("yyyy-MM-dd")
        today = QDate.currentDate()
        self.since.setDate(today.addDays(-30))
        self.until.setDate(today)
        for edit, name, hint in (
            (self.actor, "Actor filter", "actor"),
            (self.action, "Action filter", "action (credential.* for a prefix)"),
            (self.target, "Target filter", "target (prefix*)"),
            (self.text, "Text filter", "text in any field"),
        ):
            edit.setAccessibleName(name)
            edit.setPlaceholderText(hint)
            edit.setClearButtonEnabled(True)
        self.verify_button = QPushButton("Verify chain")
        self.export_button = QPushButton("Export CSV…")
        self.verify_result = QLabel()
        self.verify_result.setWordWrap(True)
        self.verify_result.setAccessibleName("Verify result")
        self.count = QLabel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setAccessibleName("Audit events")
        self.table.setWordWrap(False)
        for column, width in enumerate((60, 160, 100, 130, 170, 300)):
            self.table.setColumnWidth(column, width)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setAccessibleName("Event detail")
        self.denied = QLabel()
        self.denied.setWordWrap(True)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(200)
        self._reload_timer.timeout.connect(self.reload)
        for edit in (self.actor, self.action, self.target, self.text):
            edit.textChanged.connect(self._reload_timer.start)
        for box in (self.since_on, self.until_on):
            box.toggled.connect(self._reload_timer.start)
        for date in (self.since, self.until):
            date.dateChanged.connect(self._reload_timer.start)
        self.verify_button.clicked.connect(self.verify)
        self.export_button.clicked.connect(self._export_clicked)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())

        filters = QHBoxLayout()
        for widget in (self.actor, self.action, self.target, self.text):
            filters.addWidget(widget, 1)
        dates = QHBoxLayout()
        for date_widget in (self.since_on, self.since, self.until_on, self.until):
            dates.addWidget(date_widget)
        dates.addStretch(1)
        dates.addWidget(self.count)
        dates.addWidget(self.verify_button)
        dates.addWidget(self.export_button)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([420, 140])
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Audit trail</h2>"))
        layout.addWidget(self.denied)
        layout.addLayout(filters)
        layout.addLayout(dates)
        layout.addWidget(self.verify_result)
        layout.addWidget(splitter, 1)

        bridge.vault_unlocked.connect(self.reload)
        bridge.vault_locked.connect(self._clear)
        bridge.credentials_reloaded.connect(self._reload_timer.start)
        for signal in (
            bridge.credential_added,
            bridge.credential_updated,
            bridge.credential_removed,
        ):
            signal.connect(self._reload_timer.start)
        bridge.members_changed.connect(self._reload_timer.start)
        self._apply_role()

    # --- state ------------------------------------------------------------------------------

    def current_filter(self, limit: int | None = SHOWN_LIMIT) -> AuditFilter:
        until = (
            _day_start(self.until.date()) + timedelta(days=1) if self.until_on.isChecked() else None
        )
        return AuditFilter(
            actor=self.actor.text().strip(),
            action=self.action.text().strip(),
            target=self.target.text().strip(),
            since=_day_start(self.since.date()) if self.since_on.isChecked() else None,
            until=until,
            text=self.text.text().strip(),
            limit=limit,
            newest_first=True,
        )

    def _allowed(self) -> bool:
        return self._bridge.allows(Action.VIEW_AUDIT)

    def _apply_role(self) -> None:
        member = self._bridge.member
        allowed = self._allowed()
        why = (
            ""
            if allowed
            else f"Your role ({member.role.value if member else 'locked'}) may not view the"
            " audit trail; owners, admins and auditors can."
        )
        self.denied.setText(why)
        self.denied.setVisible(not allowed)
        widgets: list[QWidget] = [
            self.actor,
            self.action,
            self.target,
            self.text,
            self.since_on,
            self.since,
            self.until_on,
            self.until,
            self.verify_button,
            self.export_button,
            self.table,
        ]
        for widget in widgets:
            widget.setEnabled(allowed)
            widget.setToolTip(why)
        if allowed:
            self.verify_button.setToolTip(
                "Recompute every HMAC link and compare the head kept in keyslots.json"
            )
            self.export_button.setToolTip("Every event matching the filters, as CSV")

    def reload(self) -> None:
        self._apply_role()
        if not self._bridge.is_unlocked or not self._allowed():
            self.model.set_events([])
            self.count.setText("")
            return
        try:
            events = self._bridge.list_audit(self.current_filter())
        except IntsecError as exc:
            self.verify_result.setStyleSheet(BAD_STYLE)
            self.verify_result.setText(describe(exc))
            return
        self.model.set_events(events)
        shown = f"{len(events)} events" + (" (newest shown)" if len(events) >= SHOWN_LIMIT else "")
        self.count.setText(shown)
        self._show_detail()

    def _clear(self) -> None:
        self.model.set_events([])
        self.detail.clear()
        self.verify_result.clear()
        self.count.clear()
        self._apply_role()

    def _show_detail(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid():
            self.detail.clear()
            return
        e = self.model.audit_event(index.row())
        lines = [
            f"#{e.seq}  {format_utc(e.at)}",
            f"actor: {e.actor}   os user: {e.os_user}   host: {e.host}",
            f"action: {e.action}   target: {e.target}",
            "details: " + json.dumps(e.details, indent=2, sort_keys=True, ensure_ascii=False),
            f"prev_hash: {e.prev_hash}",
            f"hash: {e.hash}",
        ]
        self.detail.setPlainText("\n".join(lines))

    # --- actions ----------------------------------------------------------------------------

    def verify(self) -> None:
        try:
            verdict = self._bridge.verify_audit()
        except IntsecError as exc:
            self.verify_result.setStyleSheet(BAD_STYLE)
            self.verify_result.setText(describe(exc))
            return
        if verdict.ok:
            self.verify_result.setStyleSheet(OK_STYLE)
            self.verify_result.setText(
                f"Chain verified: all {verdict.events} events and the recorded head check out."
            )
        else:
            self.verify_result.setStyleSheet(BAD_STYLE)
            self.verify_result.setText(f"Chain broken: {verdict.problem}.")

    def export_csv(self, path: Path) -> int:
        """Write every event matching the filters (not only those shown); returns the count."""
        where = self.current_filter(limit=None)
        text = self._bridge.audit_csv(where)
        path.write_text(text, encoding="utf-8", newline="")
        return max(text.count("\n") - 1, 0)

    def _export_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export audit events", "intsec-audit.csv", "CSV (*.csv)"
        )
        if not name:
            return
        try:
            written = self.export_csv(Path(name))
        except (IntsecError, OSError) as exc:
            self.verify_result.setStyleSheet(BAD_STYLE)
            self.verify_result.setText(f"Export failed: {describe(exc)}")
            return
        self.verify_result.setStyleSheet("")
        self.verify_result.setText(f"Exported {written} events to {name}.")
