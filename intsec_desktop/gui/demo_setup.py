"""`intsec-desktop --demo`: a demo vault that opens without typing anything."""

from __future__ import annotations

from intsec_desktop.core import services
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore
from intsec_desktop.gui.bridge import VaultBridge

# The demo vault holds only generated sample data; its passphrase is printed on the unlock
# screen so anyone trying the app can get in.
DEMO_PASSPHRASE = "demo passphrase"  # noqa: S105 - sample data only, shown on screen


def create_demo_vault(bridge: VaultBridge, credentials: int = 100) -> None:
    from intsec_desktop.core import demo

    status = DeviceKeyStore.detect()
    store = DeviceKeyStore.default() if status.usable else None
    session, _ = services.create_vault(
        bridge.folder, DEMO_PASSPHRASE, KdfParams.floor(), keyring_store=store
    )
    with session:
        demo.populate(session, credentials=credentials)
