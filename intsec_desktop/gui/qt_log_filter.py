"""Qt's debug and info messages are dropped before they reach stderr or a log.

With QT_LOGGING_RULES="*.debug=true" (which overrides any rules an application sets), Qt's
text, accessibility and input categories print the strings they shape, describe or receive:
a revealed secret, a typed passphrase. Warnings and errors still pass to the handler that was
installed before (Qt's own, or a test harness's)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

Handler = Callable[[QtMsgType, QMessageLogContext, str], None]

_QUIET = (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg)


def is_dropped(kind: QtMsgType, category: str | None) -> bool:
    """Debug and info output of Qt's own categories (qt.*); the app writes none of its own."""
    return kind in _QUIET and (category or "").startswith("qt.")


def install() -> None:
    previous: Handler | None = None

    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if is_dropped(kind, context.category):
            return
        if previous is not None:
            previous(kind, context, message)
        else:
            import sys

            sys.stderr.write(message + "\n")

    previous = qInstallMessageHandler(handler)
