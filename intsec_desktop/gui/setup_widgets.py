"""Widgets shared by the first-run wizard and the unlock screen: a centred card, a capped
passphrase field and a live strength meter."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from intsec_desktop.core.passphrase_strength import PassphraseStrength, estimate

# Nobody types 1024 characters; a longer value is a paste mistake (a file, a log), and capping
# it keeps the field responsive and the KDF input sane.
PASSPHRASE_MAX_LENGTH = 1024
# Dark red on light backgrounds, light red on dark ones: both keep about 4.5:1 contrast.
ERROR_COLOURS = {"light": "#c62828", "dark": "#ff8a80"}

# Red to green; the verdict is also spelled out, so colour is never the only signal.
SCORE_COLOURS = ("#c62828", "#ef6c00", "#f9a825", "#2e7d32", "#1b5e20")


class StrengthMeter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, len(SCORE_COLOURS))
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(10)
        self.bar.setAccessibleName("Passphrase strength")
        self.verdict = QLabel()
        self.verdict.setAccessibleName("Strength")
        # No word wrap: the messages are short and fixed, and QFormLayout sizes wrapped labels
        # for a narrower width than they get, leaving blank lines under them.
        self.feedback = QLabel()
        self.feedback.setAccessibleName("Strength advice")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.bar)
        layout.addWidget(self.verdict)
        layout.addWidget(self.feedback)
        self.show_estimate("")

    def show_estimate(self, passphrase: str) -> PassphraseStrength:
        strength = estimate(passphrase)
        # An empty bar for "nothing typed yet"; a sliver of red for "very weak".
        self.bar.setValue(strength.score + 1 if passphrase else 0)
        palette = self.bar.palette()
        palette.setColor(QPalette.ColorRole.Highlight, QColor(SCORE_COLOURS[strength.score]))
        self.bar.setPalette(palette)
        if passphrase:
            bits = f"about {strength.bits:.0f}" if strength.bits < 128 else "over 128"
            self.verdict.setText(f"Strength: <b>{strength.label}</b> ({bits} bits)")
        else:
            self.verdict.setText("Strength: -")
        self.feedback.setText(strength.feedback)
        self.feedback.setVisible(bool(passphrase))
        self.bar.setAccessibleDescription(f"{strength.label}. {strength.feedback}")
        return strength


def busy_bar(accessible_name: str) -> QProgressBar:
    """An indeterminate bar: Argon2 and calibration give no progress to report."""
    bar = QProgressBar()
    bar.setRange(0, 0)
    bar.setFixedHeight(8)
    bar.setTextVisible(False)
    bar.setAccessibleName(accessible_name)
    bar.hide()
    return bar


def passphrase_field(accessible_name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(PASSPHRASE_MAX_LENGTH)
    field.setAccessibleName(accessible_name)
    return field


def error_label(accessible_name: str = "Error") -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    dark = label.palette().color(QPalette.ColorRole.Window).lightness() < 128
    label.setStyleSheet(f"color: {ERROR_COLOURS['dark' if dark else 'light']};")
    label.setAccessibleName(accessible_name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def show_error(label: QLabel, message: str) -> None:
    """Core messages start lower case (they also end up in CLI output); a label starts upper."""
    label.setText(message[:1].upper() + message[1:])
    label.setVisible(bool(message))


def heading(text: str, scale: float = 1.6) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def centred_card(card: QWidget, width: int) -> QScrollArea:
    """`card` at a readable width in the middle of the screen; scrolls instead of clipping when
    the window is small."""
    card.setObjectName("card")
    card.setMaximumWidth(width)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card, 100)
    row.addStretch(1)
    page = QWidget()
    column = QVBoxLayout(page)
    column.addStretch(1)
    column.addLayout(row)
    column.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidget(page)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    return scroll
