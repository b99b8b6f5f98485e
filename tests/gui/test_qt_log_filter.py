"""Qt's own debug output (which prints drawn and typed strings when enabled) never passes the
app's message handler; warnings still do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import (
    QLoggingCategory,
    QMessageLogContext,
    QtMsgType,
    qCDebug,
    qCWarning,
    qInstallMessageHandler,
)

from intsec_desktop.gui import qt_log_filter


@pytest.fixture
def recorded() -> Iterator[list[tuple[QtMsgType, str]]]:
    seen: list[tuple[QtMsgType, str]] = []

    def record(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        seen.append((kind, message))

    original = qInstallMessageHandler(record)
    qt_log_filter.install()  # chains to `record`
    try:
        yield seen
    finally:
        qInstallMessageHandler(original)


def test_qt_debug_is_dropped_and_warnings_pass(recorded: list[tuple[QtMsgType, str]]) -> None:
    text = QLoggingCategory("qt.text.layout")
    text.setEnabled(QtMsgType.QtDebugMsg, True)
    qCDebug(text, "shaping 'sk_live_a_revealed_secret'")
    qCWarning(text, "a warning without a value")
    ours = QLoggingCategory("intsec.test")
    ours.setEnabled(QtMsgType.QtDebugMsg, True)
    qCDebug(ours, "not a Qt category")
    messages = [message for _kind, message in recorded]
    assert "shaping 'sk_live_a_revealed_secret'" not in messages
    assert "a warning without a value" in messages
    assert "not a Qt category" in messages


@pytest.mark.parametrize(
    ("kind", "category", "dropped"),
    [
        (QtMsgType.QtDebugMsg, "qt.text.font.db", True),
        (QtMsgType.QtInfoMsg, "qt.accessibility.core", True),
        (QtMsgType.QtDebugMsg, "qt.qpa.input.events", True),
        (QtMsgType.QtWarningMsg, "qt.qpa.xcb", False),
        (QtMsgType.QtCriticalMsg, "qt.text", False),
        (QtMsgType.QtDebugMsg, "default", False),
        (QtMsgType.QtDebugMsg, None, False),
    ],
)
def test_what_is_dropped(kind: QtMsgType, category: str | None, dropped: bool) -> None:
    assert qt_log_filter.is_dropped(kind, category) is dropped
