"""`make screenshots`: refresh docs/screenshots/*.png from the real widgets on a demo vault.

Runs offscreen with a throwaway INTSEC_HOME; nothing touches the user's vaults or keyring.
No screenshot ever shows a revealed secret."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["INTSEC_HOME"] = tempfile.mkdtemp(prefix="intsec-screens-")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"  # never the real keyring
os.environ["INTSEC_TEST_FAST_KDF"] = "1"

from PySide6.QtCore import QCoreApplication, QEventLoop, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from intsec_desktop.core import demo, paths, services
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.dialogs.credential_dialog import CredentialDialog
from intsec_desktop.gui.main_window import MainWindow
from intsec_desktop.gui.theme import apply_theme

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
SIZE = (1200, 760)
PASSPHRASE = "demo passphrase"  # noqa: S105 - the demo vault shows it on screen


def settle(ms: int = 150) -> None:
    """Let layouts, timers and worker results land before grabbing."""
    for pool in (QThreadPool.globalInstance(),):
        pool.waitForDone(10_000)
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    QCoreApplication.processEvents()


def save(widget: object, name: str) -> None:
    settle()
    path = OUT / f"{name}.png"
    if not widget.grab().save(str(path)):  # type: ignore[attr-defined]
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path}")


def window_for(folder: Path) -> MainWindow:
    window = MainWindow(VaultBridge(folder), AppSettings(close_to_tray=False))
    window.resize(*SIZE)
    window.show()
    return window


def scan_demo(window: MainWindow) -> None:
    """The Scan page after a scan of a small repository-like folder with two planted leaks."""
    import base64

    bridge = window.bridge
    slug = bridge.list_integrations()[0].slug
    leaked = b"demo_live_9QmZ4tR8vL1nB6xK"
    bridge.add_credential(integration=slug, name="leaked_demo_key", secret=leaked)
    tree = Path(os.environ["INTSEC_HOME"]) / "payroll-sync"
    (tree / "config").mkdir(parents=True)
    (tree / "config" / "settings.py").write_bytes(b"TIMEOUT = 30\nAPI_KEY = '" + leaked + b"'\n")
    (tree / "deploy.yaml").write_bytes(b"env:\n  TOKEN_B64: " + base64.b64encode(leaked) + b"\n")
    (tree / "notes.md").write_bytes(b"aws: AKIAIOSFODNN7EXAMPLE\n")
    window.workspace.show_section("Scan")
    page = window.workspace.scan_page
    page.add_folder(tree)
    page.start_scan()
    page.wait_for_scan()
    settle(300)
    save(window, "scan")


def export_demo(window: MainWindow) -> None:
    """The Export page: an EU profile saved, previewed, guarded and written into a git repo."""
    import subprocess

    from intsec_desktop.core.model import Region

    repo = Path(os.environ["INTSEC_HOME"]) / "deploy-config"
    repo.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=False)
    window.workspace.show_section("Export")
    page = window.workspace.export_page
    page.reload()
    page.name_edit.setText("eu-production")
    for region, box in page.region_boxes.items():
        box.setChecked(region is Region.EU)
    page.target_edit.setText(str(repo / "integrations.eu.yaml"))
    page.save_profile()
    page.write()
    page.wait_for_guard()
    settle(200)
    window.bridge.edit_customer(window.bridge.list_customers()[0].slug, name="Renamed GmbH")
    page.refresh_preview()
    page.check_leaks()
    page.wait_for_guard()
    settle(200)
    page.tabs.setCurrentIndex(1)
    settle(300)
    save(window, "export")


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setApplicationName("intsec-desktop")
    apply_theme(app)
    OUT.mkdir(parents=True, exist_ok=True)

    # First run: the create step with a passphrase typed, strength shown.
    first = window_for(paths.default_vault_dir())
    first.wizard.welcome.create_button.click()
    create = first.wizard.create_step
    create.passphrase_edit.setText("orbit lantern cactus violin")
    create.repeat_edit.setText("orbit lantern cactus violin")
    save(first, "wizard")
    first.shutdown()
    first.close()

    # A demo vault for everything else.
    folder = paths.data_dir() / "demo.intsec"
    session, _ = services.create_vault(folder, PASSPHRASE, KdfParams.floor(), keyring_store=None)
    with session:
        demo.populate(session, credentials=100)
    window = window_for(folder)
    save(window, "unlock")

    bridge = window.bridge
    done = QEventLoop()
    bridge.vault_unlocked.connect(done.quit)
    bridge.unlock_with_passphrase(PASSPHRASE)
    done.exec()
    settle(300)
    page = window.workspace.credentials_page
    page.table.selectRow(3)
    save(window, "credentials")

    dialog = CredentialDialog(bridge, parent=window)
    dialog.name.setText("client_secret")
    dialog.show()
    save(dialog, "add-credential")
    dialog.reject()

    window.workspace.show_section("Reminders")
    window.workspace.reminders_page.table.selectRow(0)
    save(window, "reminders")

    window.workspace.show_section("Integrations")
    save(window, "integrations")

    window.workspace.show_section("Scopes")
    settle(300)
    save(window, "scopes")

    window.workspace.show_section("Audit")
    settle(300)
    window.workspace.audit_page.table.selectRow(0)
    save(window, "audit")

    export_demo(window)
    scan_demo(window)
    window.shutdown()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
