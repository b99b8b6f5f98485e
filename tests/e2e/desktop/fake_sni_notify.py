#!/usr/bin/env python3
"""Tiny D-Bus test double (jeepney only, no GUI), for machines without the SNI tray or dunst:
  * org.kde.StatusNotifierWatcher  -> makes Qt use its D-Bus tray (QDBusTrayIcon),
    reports IsStatusNotifierHostRegistered=true, records RegisterStatusNotifierItem.
  * org.freedesktop.Notifications  (only with --notify) -> records every Notify()
    call as one JSON line in $NOTIFY_LOG (default /tmp/notifications.jsonl).
Usage: python fake_sni_notify.py [--watcher] [--notify]   (default: both)
"""

import json
import os
import sys
from typing import Any

from jeepney import Message, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

ARGS = set(sys.argv[1:]) or {"--watcher", "--notify"}
LOG = os.environ.get("NOTIFY_LOG", "/tmp/notifications.jsonl")
W_IF, W_PATH = "org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher"
N_IF, N_PATH = "org.freedesktop.Notifications", "/org/freedesktop/Notifications"
PROPS_IF = "org.freedesktop.DBus.Properties"
DO_NOT_QUEUE = 4
items: list[str] = []
next_id = [0]

W_XML = f"""<node><interface name="{W_IF}">
 <method name="RegisterStatusNotifierItem"><arg type="s" direction="in"/></method>
 <method name="RegisterStatusNotifierHost"><arg type="s" direction="in"/></method>
 <property name="RegisteredStatusNotifierItems" type="as" access="read"/>
 <property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
 <property name="ProtocolVersion" type="i" access="read"/>
 <signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
</interface><interface name="{PROPS_IF}">
 <method name="Get"><arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="v" direction="out"/></method>
 <method name="GetAll"><arg type="s" direction="in"/><arg type="a{{sv}}" direction="out"/></method>
</interface></node>"""
N_XML = f"""<node><interface name="{N_IF}">
 <method name="Notify"><arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/><arg type="a{{sv}}" direction="in"/><arg type="i" direction="in"/><arg type="u" direction="out"/></method>
 <method name="GetCapabilities"><arg type="as" direction="out"/></method>
 <method name="GetServerInformation"><arg type="s" direction="out"/><arg type="s" direction="out"/><arg type="s" direction="out"/><arg type="s" direction="out"/></method>
 <method name="CloseNotification"><arg type="u" direction="in"/></method>
</interface></node>"""


def watcher_props() -> dict[str, tuple[str, Any]]:
    return {
        "RegisteredStatusNotifierItems": ("as", list(items)),
        "IsStatusNotifierHostRegistered": ("b", True),
        "ProtocolVersion": ("i", 0),
    }


def append_json(path: str, record: dict[str, Any]) -> None:
    with open(path, "a") as fh:
        fh.write(json.dumps(record) + "\n")


def plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) else repr(value)[:80]


def handle_watcher(msg: Message, iface: str, member: str) -> Message:
    body = msg.body
    sender = msg.header.fields.get(7)
    if iface == PROPS_IF and member == "Get":
        prop = watcher_props().get(body[1])
        if prop is None:
            return new_error(msg, "org.freedesktop.DBus.Error.UnknownProperty")
        return new_method_return(msg, "v", (prop,))
    if iface == PROPS_IF and member == "GetAll":
        return new_method_return(msg, "a{sv}", (watcher_props(),))
    if member == "RegisterStatusNotifierItem":
        # Qt passes its unique bus name or an object path; a path means "the sender's name".
        items.append(body[0] if body[0].startswith(":") or "." in body[0] else str(sender))
        append_json(LOG + ".sni", {"RegisterStatusNotifierItem": body[0], "sender": sender})
        return new_method_return(msg)
    if member == "RegisterStatusNotifierHost":
        return new_method_return(msg)
    return unknown(msg, iface, member)


def handle_notifications(msg: Message, iface: str, member: str) -> Message:
    if member == "Notify":
        app_name, replaces_id, icon, summary, text, actions, hints, timeout = msg.body
        next_id[0] += 1
        append_json(
            LOG,
            {
                "id": next_id[0],
                "appname": app_name,
                "replaces_id": replaces_id,
                "icon": icon,
                "summary": summary,
                "body": text,
                "actions": list(actions),
                "hints": {k: plain(v[1]) for k, v in hints.items()},
                "timeout": timeout,
                "sender": msg.header.fields.get(7),
            },
        )
        return new_method_return(msg, "u", (next_id[0],))
    if member == "GetCapabilities":
        return new_method_return(msg, "as", (["body", "actions", "icon-static"],))
    if member == "GetServerInformation":
        return new_method_return(msg, "ssss", ("fake-notifyd", "test", "1.0", "1.2"))
    if member == "CloseNotification":
        return new_method_return(msg)
    return unknown(msg, iface, member)


def unknown(msg: Message, iface: str, member: str) -> Message:
    path = msg.header.fields.get(1)
    return new_error(
        msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (f"{iface}.{member} at {path}",)
    )


def main() -> None:
    conn = open_dbus_connection(bus="SESSION")
    names = [n for flag, n in (("--watcher", W_IF), ("--notify", N_IF)) if flag in ARGS]
    for name in names:
        reply = conn.send_and_get_reply(message_bus.RequestName(name, DO_NOT_QUEUE))
        if reply.body[0] != 1:
            sys.exit(f"could not own {name}: {reply.body}")
    print("owning", names, flush=True)
    while True:
        msg = conn.receive()
        if msg.header.message_type != MessageType.method_call:
            continue
        fields = msg.header.fields
        path, iface, member = fields.get(1), str(fields.get(2)), str(fields.get(3))
        if member == "Introspect":
            xml = W_XML if path == W_PATH else N_XML if path == N_PATH else "<node/>"
            reply = new_method_return(msg, "s", (xml,))
        elif path == W_PATH:
            reply = handle_watcher(msg, iface, member)
        elif path == N_PATH:
            reply = handle_notifications(msg, iface, member)
        else:
            reply = unknown(msg, iface, member)
        conn.send(reply)


if __name__ == "__main__":
    main()
