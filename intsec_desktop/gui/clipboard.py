"""Copying secrets to the system clipboard: marked for clipboard managers, cleared on a timer,
on lock and on quit, but only while the clipboard still holds what we put there."""

from __future__ import annotations

import hashlib
import secrets
import sys

from PySide6.QtCore import QCoreApplication, QMimeData, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

# Windows reads these registered formats as DWORDs; 0 means "no" for the two Can* formats and
# the mere presence of the Exclude* format keeps monitors (and Win+V history) away.
_DWORD_ZERO = b"\x00\x00\x00\x00"
_WINDOWS_FORMAT = 'application/x-qt-windows-mime;value="{}"'  # Qt maps this to the native name

MODES = (QClipboard.Mode.Clipboard, QClipboard.Mode.Selection)


class SecretNotTextError(ValueError):
    """The value is not UTF-8, and the clipboard carries text: a lossy copy would paste garbage."""


def hint_formats(platform: str = sys.platform) -> dict[str, bytes]:
    """The "this is a password" markers clipboard managers and OS histories honour."""
    if platform == "win32":
        return {
            _WINDOWS_FORMAT.format("ExcludeClipboardContentFromMonitorProcessing"): _DWORD_ZERO,
            _WINDOWS_FORMAT.format("CanIncludeInClipboardHistory"): _DWORD_ZERO,
            _WINDOWS_FORMAT.format("CanUploadToCloudClipboard"): _DWORD_ZERO,
        }
    if platform == "darwin":
        # nspasteboard.org: a concealed type tells Maccy, Alfred, Paste & co. not to record it.
        return {"application/x-nspasteboard-concealed-type": b"secret"}
    # KDE Klipper, wl-clip-persist, CopyQ and GPaste's password mode all look for this one.
    return {"x-kde-passwordManagerHint": b"secret"}


def secret_text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise SecretNotTextError(
            "This secret is binary (not UTF-8 text), so it cannot be copied as text; "
            "Reveal shows it as hex"
        ) from None


class SecureClipboard(QObject):
    cleared = Signal()  # we removed our copy (timer, lock or quit)

    def __init__(self, timeout_seconds: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timeout = timeout_seconds
        # A keyed digest: enough to recognise our copy later without keeping the plaintext,
        # and worthless as an offline guessing target if memory is dumped.
        self._key = secrets.token_bytes(32)
        self._digest: bytes | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # Coarse timers may fire 5 % late; "clears in 30 s" should mean 30 s.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.clear_now)
        app = QCoreApplication.instance()
        if app is not None:
            # Also load-bearing for PySide6 6.12: a QMimeData made in Python that the clipboard
            # still owns when QApplication is destroyed crashes the interpreter's shutdown.
            app.aboutToQuit.connect(self.clear_now)

    @property
    def timeout_seconds(self) -> int:
        return self._timeout

    def set_timeout_seconds(self, seconds: int) -> None:
        """Applies to the next copy; one already on the clipboard keeps its deadline."""
        self._timeout = seconds

    def holds_copy(self) -> bool:
        """True while a copy of ours may still be on the clipboard and a clear is pending."""
        return self._digest is not None

    def seconds_left(self) -> int:
        return max(0, -(-self._timer.remainingTime() // 1000)) if self._timer.isActive() else 0

    def _fingerprint(self, text: str) -> bytes:
        return hashlib.blake2b(text.encode("utf-8"), key=self._key, digest_size=32).digest()

    def copy_secret(self, value: bytes) -> None:
        """Raises SecretNotTextError for non-UTF-8 values (nothing is copied then)."""
        text = secret_text(value)
        mime = QMimeData()
        mime.setText(text)
        for name, data in hint_formats().items():
            mime.setData(name, data)
        # Deliberately not the X11 primary selection: a middle-click anywhere would paste the
        # secret, and nothing marks it there. clear_now() still wipes it if it holds our value.
        QGuiApplication.clipboard().setMimeData(mime, QClipboard.Mode.Clipboard)
        self._digest = self._fingerprint(text)
        del text
        self._timer.start(self._timeout * 1000)

    def clear_now(self) -> None:
        """Remove our copy if it is still there; a newer copy by the user is left alone."""
        self._timer.stop()
        digest, self._digest = self._digest, None
        if digest is None:
            return
        clipboard = QGuiApplication.clipboard()
        for mode in MODES:
            if mode is QClipboard.Mode.Selection and not clipboard.supportsSelection():
                continue
            if self._fingerprint(clipboard.text(mode)) == digest:
                clipboard.clear(mode)
        self.cleared.emit()
