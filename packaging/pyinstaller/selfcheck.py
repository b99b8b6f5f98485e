"""`intsec-selfcheck`: what a bundle actually contains, as one JSON object, exit 1 if incomplete.

Each check covers a way a frozen app breaks silently: keyring falls back to `fail.Keyring`
without its entry-point metadata, Qt draws nothing without its SVG plugins, and package data
that was not collected only fails when a screen first needs it.
"""

from __future__ import annotations

import json
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

# Pixel (10, 20) of app.svg drawn at 64 px lies in the blue tile, clear of the padlock.
ICON_PROBE = (10, 20)
ICON_BLUE = (0x1F, 0x4E, 0x79)


def _qualified_name(obj: object) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def keyring_facts() -> dict[str, Any]:
    import keyring

    from intsec_desktop.core.vault.keyring_store import DeviceKeyStore

    status = DeviceKeyStore.detect()
    entry_points = metadata.entry_points(group="keyring.backends")
    return {
        "keyring_backend": _qualified_name(keyring.get_keyring()),
        "keyring_entry_points": sorted(ep.name for ep in entry_points),
        "device_key_store": {"usable": status.usable, "backend": status.backend_name},
    }


def storage_facts() -> dict[str, Any]:
    import sqlcipher3

    from intsec_desktop.core import paths

    conn = sqlcipher3.connect(":memory:")
    try:
        conn.execute("PRAGMA key = \"x'" + "00" * 32 + "'\"")
        row = conn.execute("PRAGMA cipher_version").fetchone()
    finally:
        conn.close()
    resources = paths.resources_dir()
    return {
        "sqlcipher_version": row[0] if row else None,
        "resources": {
            name: (resources / name).is_file() for name in ("icons/app.svg", "common-passwords.txt")
        },
    }


def qt_facts() -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QLibraryInfo
    from PySide6.QtGui import QGuiApplication, QIcon, QImageReader

    from intsec_desktop.core import paths

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    svg_plugins = sorted(
        f"{kind}/{path.name}"
        for kind in ("imageformats", "iconengines")
        for path in (plugins / kind).glob("*svg*")
    )
    image = QIcon(str(paths.resources_dir() / "icons" / "app.svg")).pixmap(64, 64).toImage()
    color = image.pixelColor(*ICON_PROBE) if not image.isNull() else None
    formats = {bytes(f.data()) for f in QImageReader.supportedImageFormats()}
    del app
    return {
        "svg_plugins": svg_plugins,
        "svg_image_format": b"svg" in formats,
        "icon_pixel": [color.red(), color.green(), color.blue()] if color else None,
    }


def main() -> int:
    facts: dict[str, Any] = {"frozen": bool(getattr(sys, "frozen", False))}
    facts.update(keyring_facts())
    facts.update(storage_facts())
    facts.update(qt_facts())
    pixel = facts["icon_pixel"]
    facts["ok"] = bool(
        "SecretService" in facts["keyring_entry_points"]
        and facts["sqlcipher_version"]
        and all(facts["resources"].values())
        and len(facts["svg_plugins"]) == 2
        and facts["svg_image_format"]
        and pixel
        and all(abs(a - b) <= 8 for a, b in zip(pixel, ICON_BLUE, strict=True))
    )
    print(json.dumps(facts, indent=2, sort_keys=True))
    return 0 if facts["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
