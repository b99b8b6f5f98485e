"""Child process for test_memory_after_lock: unlock, reveal 20 secrets, copy 5 to the clipboard,
lock the way the app does, then wait (parent dumps this process with gcore).

argv: vault folder, passphrase file, secrets file (one hex-encoded secret per line)."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from intsec_desktop.core import services
from intsec_desktop.core.hardening import harden_process
from intsec_desktop.gui.clipboard import SecureClipboard


def main() -> int:
    harden_process()
    folder, passphrase_file = Path(sys.argv[1]), Path(sys.argv[2])
    app = QApplication(sys.argv[:1])
    clipboard = SecureClipboard(30)
    session = services.open_vault_with_secret(folder, passphrase_file.read_text().strip())
    ids = [item.credential.id for item in session.list_credentials()]
    for n, credential_id in enumerate(ids):
        value = session.reveal_secret(credential_id, purpose="copy" if n < 5 else "reveal")
        if n < 5:
            clipboard.copy_secret(value)
        del value
    # What locking does in the app: clear what we put on the clipboard, close the database,
    # drop the session (and with it the keys).
    clipboard.clear_now()
    session.close()
    del session
    gc.collect()
    app.processEvents()
    sys.stdout.write("LOCKED\n")
    sys.stdout.flush()
    sys.stdin.readline()  # the parent dumps us now, then closes stdin
    return 0


if __name__ == "__main__":
    sys.exit(main())
