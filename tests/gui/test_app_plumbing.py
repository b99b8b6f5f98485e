"""App plumbing: changes by another process appear without a restart, a deleted vault folder
locks the app, idle auto-lock, and a second launch raises the first instance."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from intsec_desktop.core import services
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.idle_lock import IdleLock
from intsec_desktop.gui.single_instance import SingleInstance
from intsec_desktop.gui.vault_watcher import VaultWatcher
from tests.gui.conftest import VaultFactory, drain


@pytest.fixture
def unlocked(qtbot: QtBot, make_vault: VaultFactory) -> Iterator[tuple[VaultBridge, str]]:
    folder, passphrase = make_vault()
    bridge = VaultBridge(folder)
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=30_000):
        bridge.unlock_with_passphrase(passphrase)
    yield bridge, passphrase
    drain(bridge)
    bridge.lock()


def test_a_commit_by_another_process_reloads_the_app(
    qtbot: QtBot, unlocked: tuple[VaultBridge, str]
) -> None:
    bridge, passphrase = unlocked
    watcher = VaultWatcher(bridge)
    watcher._watch()  # the bridge was unlocked before the watcher existed
    other = services.open_vault_with_secret(bridge.folder, passphrase)  # as the CLI would
    with qtbot.waitSignal(bridge.credentials_reloaded, timeout=10_000):
        other.add_customer("globex", "Globex", "us")
        other.close()
    assert [c.slug for c in bridge.list_customers()] == ["globex"]


def test_own_changes_do_not_trigger_a_reload(
    qtbot: QtBot, unlocked: tuple[VaultBridge, str]
) -> None:
    bridge, _ = unlocked
    bridge.add_customer(slug="acme", name="Acme", region="eu")
    assert bridge.check_external_changes() is False


def test_deleted_vault_folder_locks_the_app(
    qtbot: QtBot, unlocked: tuple[VaultBridge, str]
) -> None:
    bridge, _ = unlocked
    watcher = VaultWatcher(bridge)
    watcher._watch()
    with qtbot.waitSignal(bridge.vault_locked, timeout=10_000):
        shutil.rmtree(bridge.folder)
    assert not bridge.is_unlocked


def test_idle_lock_fires_only_without_input(qtbot: QtBot) -> None:
    idle = IdleLock(5)
    idle.set_interval_ms(100)
    idle.start()
    with qtbot.waitSignal(idle.idle_timeout, timeout=2_000):
        pass
    assert not idle.active


def test_second_launch_raises_the_first(qtbot: QtBot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = SingleInstance(tmp_path / "team.intsec")
    first.listen()
    second = SingleInstance(tmp_path / "team.intsec")
    with qtbot.waitSignal(first.raise_requested, timeout=5_000):
        assert second.notify_running_instance()
    other_vault = SingleInstance(tmp_path / "other.intsec")
    assert not other_vault.notify_running_instance()
