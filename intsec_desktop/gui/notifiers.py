"""Desktop notifications with an ordered fallback: the tray icon's balloon (Qt sends it to the
notification daemon on SNI trays), else org.freedesktop.Notifications over D-Bus, else nothing.
The app shows which one is active."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from intsec_desktop.gui.icons import icon

NOTIFY_SERVICE = "org.freedesktop.Notifications"
NOTIFY_PATH = "/org/freedesktop/Notifications"


class Notifier(QObject):
    """Shows one message; `activated` carries the subject of a clicked message."""

    activated = Signal(str)
    name = "none"

    def notify(self, summary: str, body: str, subject: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class NullNotifier(Notifier):
    name = "none (no tray and no notification service)"

    def notify(self, summary: str, body: str, subject: str) -> None:
        pass


class TrayNotifier(Notifier):
    name = "system tray"

    def __init__(self, tray: QSystemTrayIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray = tray
        self._last_subject = ""
        tray.messageClicked.connect(lambda: self.activated.emit(self._last_subject))

    def notify(self, summary: str, body: str, subject: str) -> None:
        self._last_subject = subject
        self._tray.showMessage(summary, body, icon("app"), 15_000)


class DBusNotifier(Notifier):
    """Talks to the notification daemon directly (jeepney, pure Python). A listener thread turns
    ActionInvoked signals into `activated` (delivered on the UI thread by the queued signal)."""

    name = "desktop notifications (D-Bus)"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._subjects: dict[int, str] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener = threading.Thread(target=self._listen, name="notify-actions", daemon=True)
        self._listener.start()

    @staticmethod
    def available() -> bool:
        try:
            from jeepney.bus_messages import message_bus
            from jeepney.io.blocking import open_dbus_connection

            with open_dbus_connection(bus="SESSION") as connection:
                reply = connection.send_and_get_reply(
                    message_bus.NameHasOwner(NOTIFY_SERVICE), timeout=2
                )
                return bool(reply.body[0])
        except Exception:  # noqa: BLE001 - no bus, no library: simply not available
            return False

    def notify(self, summary: str, body: str, subject: str) -> None:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        address = DBusAddress(NOTIFY_PATH, bus_name=NOTIFY_SERVICE, interface=NOTIFY_SERVICE)
        message = new_method_call(
            address,
            "Notify",
            "susssasa{sv}i",
            ("intsec-desktop", 0, "dialog-warning", summary, body, ["default", "Open"], {}, 15_000),
        )
        try:
            with open_dbus_connection(bus="SESSION") as connection:
                reply = connection.send_and_get_reply(message, timeout=5)
        except Exception:  # noqa: BLE001 - the daemon went away; nothing else to do
            return
        with self._lock:
            self._subjects[int(reply.body[0])] = subject

    def _listen(self) -> None:
        try:
            from jeepney import MatchRule
            from jeepney.bus_messages import message_bus
            from jeepney.io.blocking import open_dbus_connection

            rule = MatchRule(
                type="signal", interface=NOTIFY_SERVICE, member="ActionInvoked", path=NOTIFY_PATH
            )
            with open_dbus_connection(bus="SESSION") as connection:
                connection.send_and_get_reply(message_bus.AddMatch(rule), timeout=5)
                with connection.filter(rule) as queue:
                    while not self._stop.is_set():
                        try:
                            signal: Any = connection.recv_until_filtered(queue, timeout=1.0)
                        except TimeoutError:
                            continue
                        notification_id, _action = signal.body
                        with self._lock:
                            subject = self._subjects.pop(int(notification_id), None)
                        if subject is not None:
                            self.activated.emit(subject)
        except Exception:  # noqa: BLE001 - clicks are a convenience; losing them is not fatal
            return

    def close(self) -> None:
        self._stop.set()


def choose_notifier(tray: QSystemTrayIcon | None, parent: QObject | None = None) -> Notifier:
    if (
        tray is not None
        and QSystemTrayIcon.isSystemTrayAvailable()
        and QSystemTrayIcon.supportsMessages()
    ):
        return TrayNotifier(tray, parent)
    if DBusNotifier.available():
        return DBusNotifier(parent)
    return NullNotifier(parent)
