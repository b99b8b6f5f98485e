"""Desktop notifications from the CLI (cron, systemd timer) via org.freedesktop.Notifications."""

from __future__ import annotations


def notify(summary: str, body: str) -> str | None:
    """Send one notification; returns None on success or a one-line reason it was not shown."""
    try:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:
        return "no D-Bus library (jeepney) available"
    address = DBusAddress(
        "/org/freedesktop/Notifications",
        bus_name="org.freedesktop.Notifications",
        interface="org.freedesktop.Notifications",
    )
    try:
        with open_dbus_connection(bus="SESSION") as connection:
            message = new_method_call(
                address,
                "Notify",
                "susssasa{sv}i",
                ("intsec-desktop", 0, "dialog-warning", summary, body, [], {}, -1),
            )
            connection.send_and_get_reply(message, timeout=5)
    except Exception as exc:  # noqa: BLE001 - no session bus, no daemon, timeout: all one answer
        return f"no desktop notification service ({type(exc).__name__})"
    return None
