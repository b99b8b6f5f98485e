"""Reminder schedule over two simulated years: each threshold fires exactly once, none missed,
none repeated after a restart, across DST changes, a clock set backwards and a 3-day sleep."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from intsec_desktop.core import reminder_store, reminders
from intsec_desktop.core.model import Credential, CredentialKind, Environment
from intsec_desktop.core.reminders import Deadline, ReminderState

BERLIN = ZoneInfo("Europe/Berlin")  # DST changes in late March and late October
START = datetime(2026, 1, 5, 8, 30, tzinfo=BERLIN)


def credential(
    cid: int, rotated: datetime, every: int | None, expires: datetime | None
) -> Credential:
    return Credential(
        id=cid,
        integration="bamboohr",
        customer="acme",
        environment=Environment.PRODUCTION,
        name=f"key_{cid}",
        kind=CredentialKind.API_KEY,
        owner="dana@example.com",
        created_at=rotated,
        expires_at=expires,
        last_rotated_at=rotated,
        rotate_every_days=every,
        reminder_days=(30, 7, 1),
        version=1,
    )


class Simulation:
    """What the GUI reminder service does, without Qt: wake at next_wakeup, notify what is due,
    persist, and sometimes restart (reload state from disk) or rotate a key."""

    def __init__(self, vault_id: str) -> None:
        self.vault_id = vault_id
        self.credentials = {
            1: credential(1, START - timedelta(days=10), 90, None),
            2: credential(2, START, None, datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)),  # DST night
            3: credential(
                3, START - timedelta(days=300), 365, datetime(2027, 10, 31, 2, 30, tzinfo=BERLIN)
            ),
            4: credential(4, START, 30, None),
        }
        self.state = ReminderState()
        self.fired: list[str] = []
        self.all_deadlines: dict[str, Deadline] = {}

    def deadlines(self) -> list[Deadline]:
        found = [
            d
            for c in self.credentials.values()
            for d in reminders.credential_deadlines(c, (30, 7, 1))
        ]
        for d in found:
            self.all_deadlines[d.key] = d
        return found

    def wake(self, now: datetime) -> None:
        due = reminders.due(self.deadlines(), self.state, now)
        self.fired += [t.key for t in due]
        self.state = self.state.with_notified(due)
        reminder_store.save_state(self.vault_id, self.state)

    def restart(self) -> None:
        self.state = reminder_store.load_state(self.vault_id)

    def rotate(self, cid: int, now: datetime) -> None:
        self.credentials[cid] = dataclasses.replace(
            self.credentials[cid], last_rotated_at=now.astimezone(UTC)
        )


def test_two_years_each_threshold_exactly_once() -> None:
    sim = Simulation("sim-vault")
    now = START
    end = START + timedelta(days=730)
    steps = 0
    backwards_done = sleep_done = False
    while now < end and steps < 10_000:
        steps += 1
        sim.wake(now)
        wakeup = reminders.next_wakeup(sim.deadlines(), sim.state, now)
        if wakeup is None:
            break
        assert wakeup > now  # the timer is always armed in the future
        if not sleep_done and wakeup > START + timedelta(days=200):
            now = wakeup + timedelta(days=3)  # laptop lid closed: the timer fires 3 days late
            sleep_done = True
            continue
        if not backwards_done and wakeup > START + timedelta(days=400):
            sim.wake(wakeup)
            now = wakeup - timedelta(days=20)  # clock set backwards (NTP fix, manual change)
            backwards_done = True
            continue
        now = wakeup
        if steps % 7 == 0:
            sim.restart()
        if steps % 11 == 0:
            sim.rotate(4, now)  # a new rotation deadline: a fresh set of thresholds
    assert sleep_done
    assert backwards_done
    assert len(sim.fired) == len(set(sim.fired)), "a threshold fired twice"
    expected = {
        t.key
        for d in sim.all_deadlines.values()
        for t in reminders.thresholds(d)
        if t.fire_at <= now
        and any(
            d.key == live.key for live in sim.deadlines()
        )  # rotated-away deadlines may never come due
    }
    assert expected <= set(sim.fired), f"missed: {sorted(expected - set(sim.fired))[:3]}"
    assert all(key.split("|")[2].endswith("Z") for key in sim.fired)  # stored moments are UTC


def test_restart_repeats_nothing() -> None:
    sim = Simulation("restart-vault")
    moment = START + timedelta(days=85)
    sim.wake(moment)
    assert sim.fired
    before = list(sim.fired)
    sim.state = ReminderState()  # a new process...
    sim.restart()  # ...that reloads what was shown
    sim.wake(moment + timedelta(minutes=1))
    assert sim.fired == before


def test_snooze_defers_and_then_fires_once() -> None:
    c = credential(9, START, None, START + timedelta(days=10))
    deadlines = reminders.credential_deadlines(c, (30, 7, 1))
    state = ReminderState()
    now = START + timedelta(days=3, hours=1)  # the 7-day threshold has passed
    assert [t.lead_days for t in reminders.due(deadlines, state, now)] == [30, 7]
    state = state.snooze("credential:9", now + timedelta(days=1))
    assert reminders.due(deadlines, state, now) == []
    assert reminders.next_wakeup(deadlines, state, now) == now + timedelta(days=1)
    later = now + timedelta(days=1, seconds=1)
    due = reminders.due(deadlines, state, later)
    assert [t.lead_days for t in due] == [30, 7]
    state = state.with_notified(due)
    assert reminders.due(deadlines, state, later) == []


def test_snooze_all_and_dismiss() -> None:
    c = credential(5, START, None, START + timedelta(days=2))
    deadlines = reminders.credential_deadlines(c, (30, 7, 1))
    now = START + timedelta(days=1, hours=12)
    state = ReminderState().snooze_all(now + timedelta(days=1))
    assert reminders.due(deadlines, state, now) == []
    assert reminders.next_wakeup(deadlines, state, now) == now + timedelta(days=1)
    state = ReminderState().dismiss(deadlines[0])
    assert reminders.due(deadlines, state, now + timedelta(days=5)) == []
    assert reminders.next_wakeup(deadlines, state, now) is None


@pytest.mark.parametrize(
    ("leads", "period", "kept"), [((30, 7, 1), 14, (7, 1)), ((30, 7, 1), 5, (1,)), ((3,), 1, (1,))]
)
def test_lead_longer_than_the_period_is_clamped_with_a_warning(leads, period, kept) -> None:  # type: ignore[no-untyped-def]
    chosen, warning = reminders.clamp_leads(leads, period)
    assert chosen == kept
    assert warning is not None
    assert str(period) in warning


def test_unreadable_state_file_means_nothing_shown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = reminder_store.state_path("broken")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    assert reminder_store.load_state("broken") == ReminderState()
