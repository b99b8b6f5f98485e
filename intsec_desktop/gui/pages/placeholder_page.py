"""A page whose feature has not landed yet: says what will be there, never shows fake data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class PlaceholderPage(QWidget):
    def __init__(self, title: str, promise: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel(f"<h2>{title}</h2>")
        body = QLabel(promise)
        body.setWordWrap(True)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QLabel("<i>This part of intsec-desktop is not built yet.</i>")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        for widget in (heading, body, note):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.setAccessibleName(f"{title} (not available yet)")


# Section name -> what it will hold; empty while every section has its page.
PLACEHOLDERS: dict[str, str] = {}
