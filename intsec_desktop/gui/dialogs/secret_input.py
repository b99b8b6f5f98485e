"""A secret entry field: masked single line by default, a multi-line mode for PEM keys, and a
hard stop for oversized pastes (QLineEdit would otherwise truncate silently at 32,767)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core.validation import MAX_SECRET_BYTES

TOO_LONG = (
    f"That value is longer than {MAX_SECRET_BYTES:,} characters, the most a secret can be; "
    "nothing was kept. Paste the key itself, not a file of them."
)


class SecretInput(QWidget):
    too_long = Signal(str)  # a paste was refused; the message says why

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.line = QLineEdit()
        self.line.setEchoMode(QLineEdit.EchoMode.Password)
        self.line.setPlaceholderText(placeholder)
        # One character past the limit tells "too long" apart from "exactly at the limit".
        self.line.setMaxLength(MAX_SECRET_BYTES + 1)
        self.line.textChanged.connect(self._check_line)
        self.block = QPlainTextEdit()
        self.block.setPlaceholderText("-----BEGIN PRIVATE KEY-----\n...")
        self.block.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.block.setTabChangesFocus(True)
        self.block.setFixedHeight(96)
        self.block.textChanged.connect(self._check_block)
        self.block.hide()

        self.show_box = QCheckBox("S&how")
        self.show_box.setToolTip("Show the value while typing")
        self.show_box.toggled.connect(self._apply_echo)
        self.multi_box = QCheckBox("&Multi-line (private keys, certificates)")
        self.multi_box.toggled.connect(self.set_multi_line)
        self.note = QLabel("Multi-line values are not masked while you type.")
        self.note.setEnabled(False)
        self.note.hide()

        toggles = QHBoxLayout()
        toggles.setContentsMargins(0, 0, 0, 0)
        toggles.addWidget(self.show_box)
        toggles.addWidget(self.multi_box)
        toggles.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.line)
        layout.addWidget(self.block)
        layout.addLayout(toggles)
        layout.addWidget(self.note)
        self.setFocusProxy(self.line)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # so a label mnemonic can reach it

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self.line.setAccessibleName(name)
        self.block.setAccessibleName(name)

    def is_multi_line(self) -> bool:
        return self.multi_box.isChecked()

    def set_multi_line(self, multi: bool) -> None:
        """Moves what was typed across, so switching mode never loses or duplicates input."""
        if multi == self.block.isVisible() and multi == self.multi_box.isChecked():
            return
        self.multi_box.setChecked(multi)
        if multi:
            self.block.setPlainText(self.line.text())
            self.line.clear()
        else:
            self.line.setText(self.block.toPlainText())
            self.block.clear()
        self.line.setVisible(not multi)
        self.block.setVisible(multi)
        self.show_box.setEnabled(not multi)
        self.note.setVisible(multi)
        self.setFocusProxy(self.block if multi else self.line)

    def _apply_echo(self, show: bool) -> None:
        self.line.setEchoMode(QLineEdit.EchoMode.Normal if show else QLineEdit.EchoMode.Password)

    def _check_line(self, text: str) -> None:
        if len(text) > MAX_SECRET_BYTES:
            self.line.clear()
            self.too_long.emit(TOO_LONG)

    def _check_block(self) -> None:
        # characterCount is O(1) and counts one extra paragraph separator.
        if self.block.document().characterCount() - 1 > MAX_SECRET_BYTES:
            self.block.clear()
            self.too_long.emit(TOO_LONG)

    def value(self) -> bytes:
        """UTF-8 bytes of exactly what was entered: a vault must not "tidy" a secret."""
        text = self.block.toPlainText() if self.is_multi_line() else self.line.text()
        return text.encode("utf-8")

    def is_empty(self) -> bool:
        return not (self.line.text() or self.block.toPlainText())

    def clear(self) -> None:
        self.line.clear()
        self.block.clear()
