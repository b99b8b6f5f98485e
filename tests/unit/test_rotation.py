"""Expiry and rotation status against a FakeClock: ok, due soon, overdue, expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intsec_desktop.core import rotation
from intsec_desktop.core.clock import FakeClock
from intsec_desktop.core.model import Credential, CredentialKind, Environment, Status
from intsec_desktop.core.services import VaultSession
from tests.unit.conftest import CREDENTIAL_PATH, SECRET, START, VaultCopy

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def credential(
    *,
    expires_at: datetime | None = None,
    rotate_every_days: int | None = None,
    reminder_days: tuple[int, ...] = (30, 7, 1),
    last_rotated_at: datetime = START,
) -> Credential:
    return Credential(
        id=1,
        integration="bamboohr",
        customer=None,
        environment=Environment.PRODUCTION,
        name="api_key",
        kind=CredentialKind.API_KEY,
        owner="",
        created_at=START,
        expires_at=expires_at,
        last_rotated_at=last_rotated_at,
        rotate_every_days=rotate_every_days,
        reminder_days=reminder_days,
        version=1,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def test_no_deadline_is_always_ok(clock: FakeClock) -> None:
    item = credential()
    for jump in (timedelta(0), 400 * DAY, 4000 * DAY):
        clock.set(START + jump)
        assert rotation.status(item, clock.now()) is Status.OK
    assert rotation.next_deadline(item) is None


def test_expiry_walks_through_every_status(clock: FakeClock) -> None:
    expires = START + 100 * DAY
    item = credential(expires_at=expires, reminder_days=(30, 7))
    expected = [
        (START, Status.OK),
        (expires - 30 * DAY - SECOND, Status.OK),
        (expires - 30 * DAY, Status.DUE_SOON),  # the longest reminder lead opens the window
        (expires - SECOND, Status.DUE_SOON),
        (expires, Status.EXPIRED),
        (expires + 365 * DAY, Status.EXPIRED),
    ]
    for moment, status in expected:
        clock.set(moment)
        assert rotation.status(item, clock.now()) is status, moment


def test_rotation_policy_walks_to_overdue(clock: FakeClock) -> None:
    item = credential(rotate_every_days=90, reminder_days=(14,))
    due = START + 90 * DAY
    assert rotation.next_deadline(item) == due
    expected = [
        (due - 14 * DAY - SECOND, Status.OK),
        (due - 14 * DAY, Status.DUE_SOON),
        (due - SECOND, Status.DUE_SOON),
        (due, Status.OVERDUE),
        (due + 1000 * DAY, Status.OVERDUE),
    ]
    for moment, status in expected:
        clock.set(moment)
        assert rotation.status(item, clock.now()) is status, moment


def test_expired_wins_over_overdue(clock: FakeClock) -> None:
    item = credential(expires_at=START + 10 * DAY, rotate_every_days=5)
    clock.set(START + 7 * DAY)
    assert rotation.status(item, clock.now()) is Status.OVERDUE
    clock.set(START + 10 * DAY)
    assert rotation.status(item, clock.now()) is Status.EXPIRED


def test_earlier_deadline_drives_due_soon(clock: FakeClock) -> None:
    item = credential(expires_at=START + 365 * DAY, rotate_every_days=40, reminder_days=(7,))
    assert rotation.next_deadline(item) == START + 40 * DAY
    clock.set(START + 33 * DAY)
    assert rotation.status(item, clock.now()) is Status.DUE_SOON


def test_default_lead_when_no_reminders(clock: FakeClock) -> None:
    item = credential(expires_at=START + 60 * DAY, reminder_days=())
    lead = max(rotation.DEFAULT_REMINDER_DAYS)
    clock.set(START + (60 - lead) * DAY - SECOND)
    assert rotation.status(item, clock.now()) is Status.OK
    clock.set(START + (60 - lead) * DAY)
    assert rotation.status(item, clock.now()) is Status.DUE_SOON


# --- the same statuses through the services ---------------------------------------------


def statuses(session: VaultSession) -> dict[str, Status]:
    return {item.credential.name: item.status for item in session.list_credentials()}


def test_listing_follows_the_clock(session: VaultSession, vault: VaultCopy) -> None:
    session.add_credential(
        integration="bamboohr",
        name="rotating",
        secret=SECRET,
        rotate_every_days=30,
        reminder_days=(7,),
    )
    session.add_credential(
        integration="bamboohr",
        name="expiring",
        secret=SECRET,
        expires_at=START + 10 * DAY,
        reminder_days=(3,),
    )
    assert statuses(session) == {"api_key": "ok", "rotating": "ok", "expiring": "ok"}
    vault.clock.advance(7 * DAY)
    assert statuses(session) == {"api_key": "ok", "rotating": "ok", "expiring": "due_soon"}
    vault.clock.advance(16 * DAY)
    assert statuses(session) == {"api_key": "ok", "rotating": "due_soon", "expiring": "expired"}
    vault.clock.advance(7 * DAY)
    assert statuses(session) == {"api_key": "ok", "rotating": "overdue", "expiring": "expired"}
    session.rotate_credential("bamboohr/-/production/rotating", SECRET[::-1])
    assert statuses(session)["rotating"] is Status.OK
    assert session.get_credential(CREDENTIAL_PATH).status is Status.OK


def test_expiry_in_the_past_is_accepted_and_shows_expired(session: VaultSession) -> None:
    past = START - 30 * DAY
    created = session.add_credential(
        integration="bamboohr", name="stale", secret=SECRET, expires_at=past
    )
    assert created.expires_at == past
    assert session.get_credential(created.id).status is Status.EXPIRED
    assert statuses(session)["stale"] is Status.EXPIRED


def test_edited_policy_changes_status(session: VaultSession, vault: VaultCopy) -> None:
    vault.clock.advance(100 * DAY)
    assert session.get_credential(CREDENTIAL_PATH).status is Status.OK
    session.edit_credential(CREDENTIAL_PATH, rotate_every_days=90)
    assert session.get_credential(CREDENTIAL_PATH).status is Status.OVERDUE
    session.edit_credential(CREDENTIAL_PATH, expires_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert session.get_credential(CREDENTIAL_PATH).status is Status.EXPIRED


def test_fake_clock_refuses_naive_time() -> None:
    with pytest.raises(ValueError):
        FakeClock(datetime(2026, 1, 1))
