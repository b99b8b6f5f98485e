"""`intsec-desktop`: start the Qt application on the default (or given) vault."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from intsec_desktop import __version__
from intsec_desktop.core import paths
from intsec_desktop.core.hardening import harden_process
from intsec_desktop.core.settings import AppSettings, load_settings

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from intsec_desktop.gui.bridge import VaultBridge


def _parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="intsec-desktop", description="intsec-desktop vault app")
    parser.add_argument("--vault", metavar="DIR", help="vault folder to open")
    parser.add_argument(
        "--demo", action="store_true", help="open (creating if needed) the demo vault"
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="create a vault in a temp dir, show the main window, exit 0 (packaging check)",
    )
    parser.add_argument(
        "--background",
        action="store_true",
        help="start in the tray without showing the window (used by start-at-login)",
    )
    parser.add_argument("--version", action="version", version=f"intsec-desktop {__version__}")
    return parser.parse_args(argv)


def demo_vault_dir() -> Path:
    return paths.data_dir() / "demo.intsec"


def main(argv: Sequence[str] | None = None) -> int:
    harden_process()  # before any vault is opened: no core dumps, not dumpable
    args = _parse(list(sys.argv[1:] if argv is None else argv))
    if args.smoke_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ["INTSEC_HOME"] = tempfile.mkdtemp(prefix="intsec-smoke-")

    from PySide6.QtWidgets import QApplication

    from intsec_desktop.gui import qt_log_filter
    from intsec_desktop.gui.bridge import VaultBridge
    from intsec_desktop.gui.main_window import MainWindow
    from intsec_desktop.gui.single_instance import SingleInstance
    from intsec_desktop.gui.theme import apply_theme

    qt_log_filter.install()  # before Qt draws or reads anything
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("intsec-desktop")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("io.intsec.desktop")
    apply_theme(app)

    settings = load_settings()
    if args.vault:
        folder = Path(args.vault).expanduser()
    elif args.demo:
        folder = demo_vault_dir()
    else:
        folder = Path(settings.last_vault) if settings.last_vault else paths.default_vault_dir()

    instance = SingleInstance(folder)
    if not args.smoke_test and instance.notify_running_instance():
        print("intsec-desktop is already running for this vault; raised its window.")
        return 0

    bridge = VaultBridge(folder)
    if args.smoke_test:
        return _smoke_test(app, bridge, settings)
    if args.demo and not bridge.vault_exists():
        from intsec_desktop.gui.demo_setup import create_demo_vault

        create_demo_vault(bridge)

    window = MainWindow(bridge, settings)
    instance.listen()
    instance.raise_requested.connect(window.raise_window)
    if not (args.background and window.background.tray is not None):
        window.show()
    # With a tray the app outlives its window; Background.quit ends it.
    app.setQuitOnLastWindowClosed(window.background.tray is None)
    return int(app.exec())


def _smoke_test(app: QApplication, bridge: VaultBridge, settings: AppSettings) -> int:
    """Create a vault, unlock it, show the main window with its data, then quit."""
    from PySide6.QtCore import QTimer

    from intsec_desktop.core import services
    from intsec_desktop.core.vault.crypto import KdfParams
    from intsec_desktop.gui.main_window import MainWindow

    session, _ = services.create_vault(
        bridge.folder, "smoke test passphrase", KdfParams.floor(), keyring_store=None
    )
    session.close()
    window = MainWindow(bridge, settings)
    window.show()
    result = {"ok": False}

    def unlocked() -> None:
        result["ok"] = window.workspace.isVisible()
        app.quit()

    bridge.vault_unlocked.connect(lambda: QTimer.singleShot(0, unlocked))
    bridge.unlock_failed.connect(lambda _msg: app.quit())
    bridge.unlock_with_passphrase("smoke test passphrase")
    app.exec()
    window.close()
    print("smoke test:", "ok" if result["ok"] else "FAILED")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
