"""Removing a member who could read secrets makes those credentials due for rotation now:
their status, the JSON listing and the reminders all say so, until the next rotation."""

from __future__ import annotations

import json

from intsec_desktop.core import reminders
from intsec_desktop.core.model import Role, Status
from tests.unit.conftest import CREDENTIAL_PATH, VaultCopy
from tests.unit.test_members import invite


def test_removed_reader_makes_credentials_overdue_until_rotated(vault: VaultCopy) -> None:
    invite(vault, "eve", Role.EDITOR, "eve-one-time-passphrase")
    owner = vault.open_recovery()
    assert owner.get_credential(CREDENTIAL_PATH).status is not Status.OVERDUE
    change = owner.remove_member("eve")
    assert CREDENTIAL_PATH in change.rotation_required
    listing = owner.get_credential(CREDENTIAL_PATH)
    assert listing.status is Status.OVERDUE
    assert listing.credential.rotation_required_since is not None
    (summary,) = [
        json.loads(t) for t in owner.list_credentials_json() if CREDENTIAL_PATH.split("/")[-1] in t
    ]
    assert summary["status"] == "overdue"
    lines = reminders.report(owner.reminder_deadlines(), owner.clock_now())
    assert any(line.deadline.title == CREDENTIAL_PATH and line.state == "overdue" for line in lines)
    owner.rotate_credential(CREDENTIAL_PATH, b"rotated-after-eve-left-01")
    assert owner.get_credential(CREDENTIAL_PATH).status is not Status.OVERDUE
    owner.close()
