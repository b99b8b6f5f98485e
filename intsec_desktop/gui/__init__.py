"""The PySide6 desktop app. Talks to core only through bridge.py."""
