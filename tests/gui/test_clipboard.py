"""SecureClipboard: password-manager hints, timed clearing only of our own copy, no plaintext
kept, and a clear refusal for values that are not text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QMimeData
from PySide6.QtGui import QClipboard, QGuiApplication
from pytestqt.qtbot import QtBot

from intsec_desktop.gui.clipboard import SecretNotTextError, SecureClipboard, hint_formats

SECRET = b"sk_live_Q7f2ZpX9mW4tR8vL1nB6"


@pytest.fixture
def clipboard(qtbot: QtBot) -> Iterator[SecureClipboard]:
    QGuiApplication.clipboard().clear()
    yield SecureClipboard(30)
    # Never leave a Python-made QMimeData on the clipboard at exit: PySide6 6.12 crashes
    # deleting it during interpreter shutdown (the app clears on aboutToQuit; tests never quit).
    QGuiApplication.clipboard().clear()


def clipboard_text() -> str:
    return QGuiApplication.clipboard().text()


def test_copy_puts_text_and_the_klipper_hint(clipboard: SecureClipboard) -> None:
    clipboard.copy_secret(SECRET)
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.text() == SECRET.decode()
    assert bytes(mime.data("x-kde-passwordManagerHint").data()) == b"secret"
    assert clipboard.holds_copy()
    assert 29 <= clipboard.seconds_left() <= 30


def test_every_platform_gets_its_hints() -> None:
    windows = hint_formats("win32")
    names = {name.split('"')[1]: data for name, data in windows.items()}
    assert set(names) == {
        "ExcludeClipboardContentFromMonitorProcessing",
        "CanIncludeInClipboardHistory",
        "CanUploadToCloudClipboard",
    }
    assert names["CanIncludeInClipboardHistory"] == b"\x00\x00\x00\x00"  # DWORD 0
    assert names["CanUploadToCloudClipboard"] == b"\x00\x00\x00\x00"
    assert all(n.startswith("application/x-qt-windows-mime;value=") for n in windows)
    assert hint_formats("darwin") == {"application/x-nspasteboard-concealed-type": b"secret"}
    assert hint_formats("linux") == {"x-kde-passwordManagerHint": b"secret"}
    assert hint_formats("freebsd14") == hint_formats("linux")


def test_cleared_after_the_timeout(qtbot: QtBot, clipboard: SecureClipboard) -> None:
    clipboard.set_timeout_seconds(1)
    clipboard.copy_secret(SECRET)
    assert clipboard_text() == SECRET.decode()
    with qtbot.waitSignal(clipboard.cleared, timeout=5000):
        pass
    assert clipboard_text() == ""
    assert not clipboard.holds_copy()


def test_a_newer_copy_by_the_user_is_left_alone(qtbot: QtBot, clipboard: SecureClipboard) -> None:
    clipboard.set_timeout_seconds(1)
    clipboard.copy_secret(SECRET)
    QGuiApplication.clipboard().setText("the user's own text")
    with qtbot.waitSignal(clipboard.cleared, timeout=5000):
        pass
    assert clipboard_text() == "the user's own text"


def test_clear_now_and_quit_clear_at_once(clipboard: SecureClipboard) -> None:
    clipboard.copy_secret(SECRET)
    clipboard.clear_now()
    assert clipboard_text() == ""
    clipboard.clear_now()  # nothing of ours left: harmless

    clipboard.copy_secret(SECRET)
    app = QCoreApplication.instance()
    assert app is not None
    app.aboutToQuit.emit()
    assert clipboard_text() == ""


def test_plaintext_is_not_kept(clipboard: SecureClipboard) -> None:
    clipboard.copy_secret(SECRET)
    kept = [value for value in vars(clipboard).values() if isinstance(value, str | bytes)]
    assert not [v for v in kept if SECRET in (v if isinstance(v, bytes) else v.encode())]
    assert SECRET.decode() not in repr(clipboard)


def test_non_utf8_value_is_refused_and_nothing_copied(clipboard: SecureClipboard) -> None:
    QGuiApplication.clipboard().setText("before")
    with pytest.raises(SecretNotTextError, match="not UTF-8"):
        clipboard.copy_secret(b"\xff\xfe\x00binary\x80")
    assert clipboard_text() == "before"
    assert not clipboard.holds_copy()


def test_new_timeout_applies_to_the_next_copy(clipboard: SecureClipboard) -> None:
    clipboard.copy_secret(SECRET)
    clipboard.set_timeout_seconds(5)
    assert clipboard.seconds_left() > 5  # the copy already made keeps its deadline
    clipboard.copy_secret(SECRET)
    assert clipboard.seconds_left() <= 5
    clipboard.clear_now()


def test_unrelated_mime_data_survives_clear(clipboard: SecureClipboard) -> None:
    clipboard.copy_secret(SECRET)
    image_like = QMimeData()
    image_like.setData("application/octet-stream", b"\x89PNG")
    QGuiApplication.clipboard().setMimeData(image_like)
    clipboard.clear_now()
    assert QGuiApplication.clipboard().mimeData().hasFormat("application/octet-stream")


def test_x11_selection_holding_the_value_is_cleared_too(clipboard: SecureClipboard) -> None:
    system = QGuiApplication.clipboard()
    if not system.supportsSelection():
        pytest.skip("no primary selection on this platform (offscreen, Windows, macOS)")
    clipboard.copy_secret(SECRET)
    assert system.text(QClipboard.Mode.Selection) != SECRET.decode()  # never put there by us
    system.setText(SECRET.decode(), QClipboard.Mode.Selection)  # e.g. selected after a paste
    clipboard.clear_now()
    assert system.text(QClipboard.Mode.Selection) == ""
    assert system.text() == ""
