"""The detail pane under the credentials table: every metadata field, the version history, and
the secret — masked until Reveal (which re-masks itself) or sent straight to the clipboard."""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.model import Credential, CredentialListing, Status
from intsec_desktop.core.reminders import clamp_leads
from intsec_desktop.core.rotation import next_deadline, rotation_due_at
from intsec_desktop.core.timefmt import format_date
from intsec_desktop.gui.bridge import VaultBridge, describe
from intsec_desktop.gui.clipboard import SecretNotTextError, SecureClipboard
from intsec_desktop.gui.icons import icon, status_icon
from intsec_desktop.gui.models.credentials_model import STATUS_COLOUR, STATUS_TEXT
from intsec_desktop.gui.models.versions_model import VersionsTableModel, format_moment

MASK = "••••••••"
BINARY_NOTE = "Binary value (not UTF-8 text): shown as hex bytes."


def presentable(value: bytes) -> tuple[str, str]:
    """(text to show, note): UTF-8 as is, anything else as hex so nothing prints as garbage."""
    try:
        return value.decode("utf-8"), ""
    except UnicodeDecodeError:
        return value.hex(" "), BINARY_NOTE


def _relative(moment: datetime, now: datetime) -> str:
    days = (moment.date() - now.date()).days
    named = {0: "today", 1: "tomorrow", -1: "yesterday"}
    if days in named:
        return named[days]
    return f"in {days} days" if days > 0 else f"{-days} days ago"


def status_reason(listing: CredentialListing, now: datetime) -> str:
    c = listing.credential
    due = rotation_due_at(c.last_rotated_at, c.rotate_every_days)
    if listing.status is Status.EXPIRED and c.expires_at is not None:
        return f"expired {format_date(c.expires_at)}"
    if listing.status is Status.OVERDUE and due is not None:
        return f"rotation was due {format_date(due)} ({_relative(due, now)})"
    deadline = next_deadline(c)
    if deadline is None:
        return "no expiry and no rotation policy"
    return f"next deadline {format_date(deadline)} ({_relative(deadline, now)})"


def _value_label() -> QLabel:
    label = QLabel()
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class CredentialDetail(QWidget):
    message = Signal(str)  # one line for the status bar as well

    def __init__(
        self,
        bridge: VaultBridge,
        clipboard: SecureClipboard,
        reveal_seconds: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._clipboard = clipboard
        self._reveal_seconds = reveal_seconds
        self._listing: CredentialListing | None = None
        self._revealed_until: float | None = None
        self._tick = QTimer(self)
        self._tick.setInterval(250)  # a countdown that does not skip seconds
        self._tick.timeout.connect(self._count_down)
        self.setAccessibleName("Credential details")

        self.empty = QLabel("Select a credential to see its details.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self._build_content())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        clipboard.cleared.connect(self._on_clipboard_cleared)

    # --- building ---------------------------------------------------------------------------

    def _build_content(self) -> QWidget:
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_icon = QLabel()
        self.status = QLabel()

        self.fields: dict[str, QLabel] = {}
        left, right = QFormLayout(), QFormLayout()
        for form, names in (
            (left, ("Kind", "Owner", "Version", "Created")),
            (right, ("Expires", "Last rotated", "Rotation policy", "Rotation due", "Reminders")),
        ):
            form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
            for name in names:
                label = _value_label()
                label.setAccessibleName(name)
                self.fields[name] = label
                form.addRow(f"{name}:", label)
        for name in ("Kind", "Version", "Created", "Expires", "Last rotated", "Rotation due"):
            self.fields[name].setWordWrap(False)  # a date broken over two lines reads badly

        heading = QHBoxLayout()
        heading.addWidget(self.title)
        heading.addSpacing(12)
        heading.addWidget(self.status_icon)
        heading.addWidget(self.status, 1)
        meta = QGridLayout()
        meta.addLayout(left, 0, 0)
        meta.addLayout(right, 0, 1)
        meta.setRowStretch(1, 1)
        details = QWidget()
        columns = QHBoxLayout(details)
        columns.addLayout(meta, 3)
        columns.addWidget(self._build_secret_box(), 2)

        # Versions get their own tab: the details tab stays short enough to leave the table
        # most of a 700 px window.
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.notes = QPlainTextEdit()
        self.notes.setReadOnly(True)
        self.notes.setAccessibleName("Notes")
        self.notes.setPlaceholderText("No notes.")
        self.tabs.addTab(details, "&Details")
        self.tabs.addTab(self.notes, "&Notes")
        self.tabs.addTab(self._build_versions_table(), "Versi&ons")
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(heading)
        layout.addWidget(self.tabs, 1)
        return content

    def _build_secret_box(self) -> QGroupBox:
        box = QGroupBox("Secret")
        self.secret_view = QPlainTextEdit(MASK)
        self.secret_view.setReadOnly(True)
        # No selecting: on X11 a selection becomes the PRIMARY clipboard, unmarked and uncleared.
        self.secret_view.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.secret_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.secret_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.secret_view.setAccessibleName("Secret value")
        self.secret_view.setAccessibleDescription("hidden until Reveal")
        line = self.secret_view.fontMetrics().lineSpacing()
        self.secret_view.setFixedHeight(2 * line + 14)  # a token fits; a PEM key scrolls
        self.reveal_button = QPushButton(icon("eye"), "Re&veal")
        self.reveal_button.setToolTip("Show the value for a few seconds (Ctrl+Shift+R)")
        self.reveal_button.clicked.connect(self.toggle_reveal)
        self.copy_button = QPushButton(icon("copy"), "&Copy")
        self.copy_button.clicked.connect(self.copy_secret)
        self.countdown = QLabel()
        self.countdown.setAccessibleName("Reveal countdown")
        self.secret_note = QLabel()
        self.secret_note.setWordWrap(True)
        self.secret_note.hide()
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setAccessibleName("Secret status")
        buttons = QHBoxLayout()
        buttons.addWidget(self.reveal_button)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.countdown, 1)
        layout = QVBoxLayout(box)
        layout.addWidget(self.secret_view)
        layout.addWidget(self.secret_note)
        layout.addLayout(buttons)
        layout.addWidget(self.feedback)
        layout.addStretch(1)
        return box

    def _build_versions_table(self) -> QTableView:
        self.versions = VersionsTableModel(self)
        self.versions_table = QTableView()
        self.versions_table.setModel(self.versions)
        self.versions_table.setAccessibleName("Version history")
        self.versions_table.verticalHeader().hide()
        self.versions_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.versions_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.versions_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.versions_table.horizontalHeader().setStretchLastSection(True)
        return self.versions_table

    # --- showing ----------------------------------------------------------------------------

    @property
    def credential_id(self) -> int | None:
        return self._listing.credential.id if self._listing else None

    def set_reveal_seconds(self, seconds: int) -> None:
        self._reveal_seconds = seconds

    def set_can_reveal(self, allowed: bool) -> None:
        member = self._bridge.member
        why = (
            ""
            if allowed
            else f"Your role ({member.role.value if member else 'none'}) cannot reveal or copy "
            "secrets: your key slot holds no key that decrypts them."
        )
        for button, tip in (
            (self.reveal_button, "Show the value for a few seconds (Ctrl+Shift+R)"),
            (self.copy_button, "Copy the value; the clipboard is cleared later (Ctrl+C)"),
        ):
            button.setEnabled(allowed)
            button.setToolTip(tip if allowed else why)

    def show_listing(self, listing: CredentialListing | None) -> None:
        if listing is None:
            self.clear()
            return
        if self._listing is None or listing.credential.id != self._listing.credential.id:
            self.hide_secret()
            self.feedback.clear()
        elif listing.credential.version != self._listing.credential.version:
            self.hide_secret()  # rotated: what is shown is no longer the current value
        self._listing = listing
        c = listing.credential
        now = self._bridge.now()
        self.title.setText(
            f"{c.integration} / {c.customer or '(all customers)'} / {c.environment.value} / {c.name}"
        )
        self.status_icon.setPixmap(status_icon(listing.status).pixmap(16))
        self.status.setText(f"{STATUS_TEXT[listing.status]}: {status_reason(listing, now)}")
        self.status.setStyleSheet(f"color: {STATUS_COLOUR[listing.status].name()};")
        due = rotation_due_at(c.last_rotated_at, c.rotate_every_days)
        values = {
            "Kind": c.kind.value.replace("_", " "),
            "Owner": c.owner or "-",
            "Version": str(c.version),
            "Created": format_moment(c.created_at),
            "Expires": f"{format_date(c.expires_at)} ({_relative(c.expires_at, now)})"
            if c.expires_at
            else "never",
            "Last rotated": format_moment(c.last_rotated_at),
            "Rotation policy": f"every {c.rotate_every_days} days"
            if c.rotate_every_days
            else "no policy",
            "Rotation due": f"{format_date(due)} ({_relative(due, now)})" if due else "-",
            "Reminders": _reminder_text(c),
        }
        for name, text in values.items():
            self.fields[name].setText(text)
        self.notes.setPlainText(c.notes)
        self.tabs.setTabText(1, "&Notes" if c.notes else "&Notes (none)")
        try:
            self.versions.set_versions(self._bridge.credential_versions(c.id))
        except IntsecError as exc:
            self.versions.set_versions([])
            self._say(describe(exc))
        self.tabs.setTabText(2, f"Versi&ons ({self.versions.rowCount()})")
        self.stack.setCurrentIndex(1)

    def clear(self) -> None:
        self.hide_secret()
        self._listing = None
        self.versions.set_versions([])
        self.notes.clear()
        self.feedback.clear()
        self.stack.setCurrentIndex(0)

    # --- the secret -------------------------------------------------------------------------

    @property
    def is_revealed(self) -> bool:
        return self._revealed_until is not None

    def hide_secret(self) -> None:
        self._tick.stop()
        self._revealed_until = None
        self.secret_view.setPlainText(MASK)
        self.secret_view.setAccessibleDescription("hidden until Reveal")
        self.secret_note.hide()
        self.countdown.clear()
        self.reveal_button.setText("Re&veal")

    def toggle_reveal(self) -> None:
        if self.is_revealed:
            self.hide_secret()
        else:
            self.reveal()

    def reveal(self) -> None:
        if self._listing is None or not self._bridge.can_reveal:
            return
        try:
            value = self._bridge.reveal_secret(self._listing.credential.id, "reveal")
        except IntsecError as exc:
            self._say(describe(exc))
            return
        text, note = presentable(value)
        del value
        self.secret_view.setPlainText(text)
        del text
        self.secret_view.setAccessibleDescription("shown")
        self.secret_note.setText(note)
        self.secret_note.setVisible(bool(note))
        self.reveal_button.setText("&Hide")
        self._revealed_until = time.monotonic() + self._reveal_seconds
        self._count_down()
        self._tick.start()

    def _count_down(self) -> None:
        if self._revealed_until is None:
            return
        left = self._revealed_until - time.monotonic()
        if left <= 0:
            self.hide_secret()
            return
        self.countdown.setText(f"Hides in {int(left) + 1} s")

    def copy_secret(self) -> None:
        if self._listing is None or not self._bridge.can_reveal:
            return
        try:
            value = self._bridge.reveal_secret(self._listing.credential.id, "copy")
            self._clipboard.copy_secret(value)
        except SecretNotTextError as exc:
            self._say(str(exc))
            return
        except IntsecError as exc:
            self._say(describe(exc))
            return
        del value
        self._say(f"Copied; clears in {self._clipboard.timeout_seconds} s")

    def _on_clipboard_cleared(self) -> None:
        if self.feedback.text().startswith("Copied"):
            self._say("Clipboard cleared")

    def _say(self, text: str) -> None:
        self.feedback.setText(text)
        self.message.emit(text)


def _reminder_text(credential: Credential) -> str:
    if not credential.reminder_days:
        return "default"
    used, warning = clamp_leads(credential.reminder_days, credential.rotate_every_days)
    text = ", ".join(str(d) for d in used) + " days before"
    # Lead times past the rotation period would fire before the key was even due; say so.
    return f"{text} (clamped to the rotation period)" if warning else text
