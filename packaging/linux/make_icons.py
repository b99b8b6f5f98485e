"""Render the app icon (intsec_desktop/resources/icons/app.svg) into the hicolor theme tree.

Run after changing app.svg:  .venv/bin/python packaging/linux/make_icons.py
Each PNG records the SHA-256 of the SVG it was drawn from (PNG text chunk `Source-SHA256`),
so tests/packaging can tell a stale PNG from a current one without redrawing it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "intsec_desktop" / "resources" / "icons" / "app.svg"
THEME = Path(__file__).resolve().parent / "icons" / "hicolor"
ICON_NAME = "io.intsec.desktop"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
HASH_KEY = "Source-SHA256"


def source_digest() -> str:
    return hashlib.sha256(SOURCE.read_bytes()).hexdigest()


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"cannot read {SOURCE}", file=sys.stderr)
        return 1
    digest = source_digest()
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        image.setText(HASH_KEY, digest)
        target = THEME / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target), "PNG"):
            print(f"cannot write {target}", file=sys.stderr)
            return 1
    scalable = THEME / "scalable" / "apps" / f"{ICON_NAME}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SOURCE, scalable)
    del app
    print(f"wrote {len(SIZES)} PNGs and the SVG under {THEME.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
