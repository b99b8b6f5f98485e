"""Fixtures for the credentials page tests: a real demo vault (built once, copied per test),
unlocked through a real VaultBridge, plus two credentials whose values the tests know."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from intsec_desktop.core import demo, services
from intsec_desktop.core.clock import FakeClock
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.clipboard import SecureClipboard
from intsec_desktop.gui.pages.credentials_page import CredentialsPage

PASSPHRASE = "correct horse battery staple"
START = datetime(2026, 1, 1, 9, 0, 0, tzinfo=UTC)
DEMO_CREDENTIALS = 40
# Distinctive values: a search for them in any text the UI produces cannot hit by accident.
KNOWN_SECRET = b"sk_live_Q7f2ZpX9mW4tR8vL1nB6"
BINARY_SECRET = b"\xff\xfe\x00\x01binary\x80\x81"
KNOWN_PATH = ("bamboohr", "acme", "staging", "known_key")
BINARY_PATH = ("bamboohr", None, "development", "binary_key")


@dataclass(frozen=True)
class DemoVault:
    folder: Path
    known_id: int
    binary_id: int


def build_demo_vault(folder: Path, credentials: int = DEMO_CREDENTIALS) -> DemoVault:
    session, _ = services.create_vault(
        folder, PASSPHRASE, KdfParams.floor(), keyring_store=None, clock=FakeClock(START)
    )
    with session:
        demo.populate(session, credentials=credentials)
        integration, customer, environment, name = KNOWN_PATH
        known = session.add_credential(
            integration=integration,
            customer=customer,
            environment=environment,
            name=name,
            secret=KNOWN_SECRET,
            owner="tester@example.com",
        )
        integration, customer, environment, name = BINARY_PATH
        binary = session.add_credential(
            integration=integration,
            customer=customer,
            environment=environment,
            name=name,
            secret=BINARY_SECRET,
        )
    return DemoVault(folder, known.id, binary.id)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> DemoVault:
    return build_demo_vault(tmp_path_factory.mktemp("template") / "demo.intsec")


@pytest.fixture
def demo_vault(demo_template: DemoVault, tmp_path: Path) -> DemoVault:
    folder = tmp_path / "demo.intsec"
    shutil.copytree(demo_template.folder, folder)
    return DemoVault(folder, demo_template.known_id, demo_template.binary_id)


def unlocked_bridge(qtbot: QtBot, folder: Path) -> VaultBridge:
    bridge = VaultBridge(folder, clock=FakeClock(START))
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=30_000):
        bridge.unlock_with_passphrase(PASSPHRASE)
    return bridge


@pytest.fixture
def demo_bridge(qtbot: QtBot, demo_vault: DemoVault) -> Iterator[VaultBridge]:
    bridge = unlocked_bridge(qtbot, demo_vault.folder)
    yield bridge
    bridge.lock()  # closes the connection before the temp folder goes


def all_cell_texts(model: object, roles: tuple[int, ...]) -> list[str]:
    """Every string a model hands out for every cell and the given roles."""
    from PySide6.QtCore import QAbstractItemModel

    assert isinstance(model, QAbstractItemModel)
    texts = []
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            for role in roles:
                value = model.data(index, role)
                if value is not None:
                    texts.append(str(value))
    return texts


# --- the page, shown and active -------------------------------------------------------------


@pytest.fixture
def clipboard(qtbot: QtBot) -> Iterator[SecureClipboard]:
    QGuiApplication.clipboard().clear()
    clipboard = SecureClipboard(30)
    yield clipboard
    clipboard.clear_now()
    QGuiApplication.clipboard().clear()  # see tests/gui/test_clipboard.py: clipboard fixture


@pytest.fixture
def page(qtbot: QtBot, demo_bridge: VaultBridge, clipboard: SecureClipboard) -> CredentialsPage:
    page = CredentialsPage(demo_bridge, clipboard, AppSettings(reveal_seconds=30))
    qtbot.addWidget(page)
    page.resize(1000, 640)
    show_active(qtbot, page)
    return page


def show_active(qtbot: QtBot, widget: QWidget) -> None:
    """Shortcuts only fire in the active window; under Xvfb without a window manager nothing
    activates a window by itself."""
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=5000)


def select(page: CredentialsPage, credential_id: int) -> None:
    assert page.select_credential(credential_id)
    assert page.detail.credential_id == credential_id
    page.table.setFocus()
