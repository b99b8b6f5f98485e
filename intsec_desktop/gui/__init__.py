"""The PySide6 desktop app. Talks to core only through bridge.py."""

from intsec_desktop.gui.qt_workarounds import keep_singletons_alive

keep_singletons_alive()  # before any other Qt call: see qt_workarounds.py
