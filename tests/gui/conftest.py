"""GUI test fixtures: offscreen unless a display is given, the fast KDF, never the real OS
keyring, and vaults made through core.services (one Argon2 run per session, copied per test)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtCore import QCoreApplication, QThreadPool
from pytestqt.qtbot import QtBot

from intsec_desktop.core import paths, services
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore, KeyringStatus
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.wizard import FirstRunWizard
from intsec_desktop.gui.wizard_create import FAST_KDF_ENV

# `make test` runs everything under Xvfb (xcb) and the e2e tests in the same process need that
# platform, so only a run without any display falls back to offscreen. QApplication is created
# later, by pytest-qt's qapp fixture, so setting this at import time is early enough.
if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).parent
# The offscreen platform cannot forward a window's minimum size to a window manager and says so
# whenever a top-level widget with a layout is shown; on xcb (under `make test`) it is silent.
OFFSCREEN_SIZE_HINTS = "This plugin does not support propagateSizeHints"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items; touch only the ones under tests/gui.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_SIZE_HINTS))


PASSPHRASE = "correct horse battery staple"
WRONG_PASSPHRASE = "incorrect horse battery staple"
UNUSABLE = KeyringStatus(
    False,
    "keyring.backends.fail.Keyring",
    "no usable OS keyring: found keyring.backends.fail.Keyring (priority 0); "
    "a passphrase is needed",
)


class MemoryKeyring:
    """A `keyring` backend kept in a dict: never touches D-Bus, disk or the developer's keyring.
    The dict is shared by every instance because the app instantiates backends by their dotted
    name (as it does for the real ones); the memory_keyring fixture empties it around a test."""

    priority = 1
    entries: ClassVar[dict[tuple[str, str], str]] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.entries[(service, username)]


TEST_BACKEND = f"{MemoryKeyring.__module__}.{MemoryKeyring.__qualname__}"
VaultFactory = Callable[..., tuple[Path, str]]


@pytest.fixture(autouse=True)
def fast_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """The wizard uses the KDF floor instead of calibrating Argon2id for ~1 s per vault."""
    monkeypatch.setenv(FAST_KDF_ENV, "1")


@pytest.fixture(autouse=True)
def no_os_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The real keyring may be the developer's own; tests/e2e covers the real Secret Service."""
    monkeypatch.setattr(DeviceKeyStore, "detect", classmethod(lambda cls: UNUSABLE))
    MemoryKeyring.entries.clear()
    yield
    MemoryKeyring.entries.clear()


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    """A usable "OS keyring" for this test. Only detection is patched: storing and unlocking
    instantiate the backend by name through the app's own code path."""
    monkeypatch.setattr(
        DeviceKeyStore, "detect", classmethod(lambda cls: KeyringStatus(True, TEST_BACKEND, "ok"))
    )
    return MemoryKeyring()


@pytest.fixture(scope="session")
def _vault_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gui-template") / "team.intsec"
    session, _ = services.create_vault(folder, PASSPHRASE, KdfParams.floor(), keyring_store=None)
    session.close()
    return folder


@pytest.fixture
def make_vault(_vault_template: Path, tmp_path: Path) -> VaultFactory:
    """`make_vault(name="team", keyring=None) -> (folder, passphrase)`. Without a keyring it is
    a copy of a session-wide template; with one, a fresh vault whose device key it holds."""

    def make(name: str = "team", keyring: MemoryKeyring | None = None) -> tuple[Path, str]:
        folder = tmp_path / f"{name}{paths.VAULT_SUFFIX}"
        if keyring is None:
            shutil.copytree(_vault_template, folder)
        else:
            session, _ = services.create_vault(
                folder,
                PASSPHRASE,
                KdfParams.floor(),
                keyring_store=DeviceKeyStore(keyring, TEST_BACKEND),
            )
            session.close()
        return folder, PASSPHRASE

    return make


def drain(bridge: VaultBridge) -> None:
    """Let every worker finish and deliver its result, so no job outlives its test."""
    for pool in (bridge.findChild(QThreadPool), QThreadPool.globalInstance()):
        if pool is not None:
            pool.waitForDone(30_000)
    QCoreApplication.processEvents()


@pytest.fixture
def bridge(qtbot: QtBot, make_vault: VaultFactory) -> Iterator[VaultBridge]:
    """A locked bridge on an existing vault (passphrase: PASSPHRASE)."""
    folder, _ = make_vault()
    bridge = VaultBridge(folder)
    yield bridge
    drain(bridge)
    bridge.lock()


@pytest.fixture
def new_vault_bridge(qtbot: QtBot) -> Iterator[VaultBridge]:
    """A bridge on the default vault folder, where no vault exists yet (first run)."""
    bridge = VaultBridge(paths.default_vault_dir())
    yield bridge
    drain(bridge)
    bridge.lock()


@pytest.fixture
def wizard(qtbot: QtBot, new_vault_bridge: VaultBridge) -> FirstRunWizard:
    """The first-run wizard, shown and active (key clicks reach it on xcb without a WM)."""
    wizard = FirstRunWizard(new_vault_bridge, AppSettings())
    qtbot.addWidget(wizard)
    wizard.resize(1000, 700)
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    qtbot.waitUntil(wizard.isActiveWindow)
    return wizard
