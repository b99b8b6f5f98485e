"""ReminderService with a real vault, a fake clock and a recording notifier: one timer armed for
the next threshold, each threshold notified once (also across restarts), snooze, and reminders
while locked from the sealed index."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from intsec_desktop.core.clock import FakeClock
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.notifiers import Notifier
from intsec_desktop.gui.reminder_service import MAX_INTERVAL_MS, ReminderService
from tests.gui.conftest import MemoryKeyring, VaultFactory, drain

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


class RecordingNotifier(Notifier):
    name = "recording"

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[tuple[str, str, str]] = []

    def notify(self, summary: str, body: str, subject: str) -> None:
        self.shown.append((summary, body, subject))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


def unlocked_bridge(qtbot: QtBot, folder, passphrase: str, clock: FakeClock) -> VaultBridge:  # type: ignore[no-untyped-def]
    bridge = VaultBridge(folder, clock=clock)
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=30_000):
        bridge.unlock_with_passphrase(passphrase)
    return bridge


@pytest.fixture
def bridge_with_due_key(
    qtbot: QtBot, make_vault: VaultFactory, clock: FakeClock
) -> Iterator[VaultBridge]:
    folder, passphrase = make_vault()
    bridge = unlocked_bridge(qtbot, folder, passphrase, clock)
    bridge.add_integration(slug="bamboohr", name="BambooHR", category="hris", method="api")
    bridge.add_credential(
        integration="bamboohr",
        name="api_key",
        secret=b"due-in-two-days-0001",
        expires_at=NOW + timedelta(days=2),
    )
    yield bridge
    drain(bridge)
    bridge.lock()


def test_due_threshold_notified_once_and_next_one_armed(
    qtbot: QtBot, bridge_with_due_key: VaultBridge, clock: FakeClock
) -> None:
    notifier = RecordingNotifier()
    service = ReminderService(bridge_with_due_key, notifier, AppSettings())
    service.refresh()
    assert len(notifier.shown) == 1  # the 30- and 7-day thresholds passed: one message
    _summary, body, subject = notifier.shown[0]
    assert "bamboohr/-/production/api_key" in body
    assert subject.startswith("credential:")
    assert service.next_wakeup == NOW + timedelta(days=1)  # the 1-day threshold
    assert service._timer.isActive()
    assert service._timer.interval() == MAX_INTERVAL_MS  # a day away: capped at an hour
    service.check()
    assert len(notifier.shown) == 1  # nothing new until the clock moves
    clock.advance(timedelta(days=1, minutes=1))
    service.check()
    assert len(notifier.shown) == 2
    assert service.next_wakeup == NOW + timedelta(days=2)


def test_restart_does_not_repeat(qtbot: QtBot, bridge_with_due_key: VaultBridge) -> None:
    first = RecordingNotifier()
    ReminderService(bridge_with_due_key, first, AppSettings()).refresh()
    second = RecordingNotifier()
    ReminderService(bridge_with_due_key, second, AppSettings()).refresh()
    assert len(first.shown) == 1
    assert second.shown == []


def test_snooze_all_holds_everything_for_a_day(
    qtbot: QtBot, bridge_with_due_key: VaultBridge, clock: FakeClock
) -> None:
    notifier = RecordingNotifier()
    service = ReminderService(bridge_with_due_key, notifier, AppSettings())
    service.snooze_all(hours=24)
    service.refresh()
    assert notifier.shown == []
    assert service.next_wakeup == NOW + timedelta(days=1)
    clock.advance(timedelta(days=1, seconds=1))
    service.check()
    assert len(notifier.shown) == 1


def test_due_count_signal(qtbot: QtBot, bridge_with_due_key: VaultBridge) -> None:
    service = ReminderService(bridge_with_due_key, RecordingNotifier(), AppSettings())
    with qtbot.waitSignal(service.due_count_changed) as blocker:
        service.refresh()
    assert blocker.args == [1]


def test_reminders_while_locked_from_the_sealed_index(
    qtbot: QtBot, make_vault: VaultFactory, memory_keyring: MemoryKeyring, clock: FakeClock
) -> None:
    folder, passphrase = make_vault("locked", keyring=memory_keyring)
    bridge = unlocked_bridge(qtbot, folder, passphrase, clock)
    bridge.add_integration(slug="xero", name="Xero", category="accounting", method="api")
    bridge.add_credential(
        integration="xero",
        name="api_key",
        secret=b"expires-soon-000001",
        expires_at=NOW + timedelta(days=3),
    )
    settings = AppSettings(reminders_while_locked=True)
    notifier = RecordingNotifier()
    service = ReminderService(bridge, notifier, settings)
    service.snooze_all(hours=1)  # nothing shown while unlocked...
    service.refresh()
    bridge.lock()  # ...the service re-reads from the index
    assert [d.title for d in service.deadlines()] == ["xero/-/production/api_key"]
    clock.advance(timedelta(hours=2))
    service.check()
    assert len(notifier.shown) == 1
    off = ReminderService(bridge, RecordingNotifier(), AppSettings(reminders_while_locked=False))
    off.refresh()
    assert off.deadlines() == []
    drain(bridge)


def test_many_due_at_once_make_one_summary(
    qtbot: QtBot, bridge_with_due_key: VaultBridge, clock: FakeClock
) -> None:
    for n in range(5):
        bridge_with_due_key.add_credential(
            integration="bamboohr", name=f"key_{n}", secret=f"overdue-value-{n:04d}".encode(),
            expires_at=NOW - timedelta(days=1) if n % 2 else NOW + timedelta(days=3),
        )  # fmt: skip
    notifier = RecordingNotifier()
    service = ReminderService(bridge_with_due_key, notifier, AppSettings())
    with qtbot.waitSignal(service.notified) as shown:
        service.refresh()
    assert shown.args == [1]
    assert len(notifier.shown) == 1
    _summary, body, subject = notifier.shown[0]
    assert body == "6 deadlines need attention (2 expired or overdue, 4 coming up): open Reminders"
    assert subject == "reminders"  # a click opens the Reminders page
