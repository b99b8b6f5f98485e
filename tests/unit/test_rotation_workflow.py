"""Rotation workflow: notes and the revoked-at-vendor answer recorded, old values purged after
the grace period (metadata kept), compliance deadlines, the webhook URL sealed, the fast scan
agreeing with the one status rule."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from intsec_desktop.core import rotation
from intsec_desktop.core.errors import NotFoundError, ValidationError
from intsec_desktop.core.model import ComplianceEvidence, Credential, CredentialKind, Environment
from intsec_desktop.core.reminders import DeadlineKind
from intsec_desktop.core.services import VaultSession
from tests.unit.conftest import CREDENTIAL_PATH, SECRET, START, VaultCopy

NEW_SECRET = b"rotated-value-0123456789"


def test_rotation_records_note_and_vendor_revocation(session: VaultSession) -> None:
    session.rotate_credential(CREDENTIAL_PATH, NEW_SECRET, note="JIRA-42", old_revoked=True)
    first, second = session.credential_versions(CREDENTIAL_PATH)
    assert first.revoked_at_vendor is True
    assert first.retired_at is not None
    assert second.note == "JIRA-42"
    assert second.revoked_at_vendor is None
    event = session.audit_events()[-1]
    assert event.action == "credential.rotated"
    assert event.details["old_revoked_at_vendor"] is True


def test_old_value_purged_after_grace_period_metadata_kept(
    session: VaultSession, vault: VaultCopy
) -> None:
    session.rotate_credential(CREDENTIAL_PATH, NEW_SECRET)
    assert session.purge_retired_values(grace_days=7) == 0  # still inside the grace period
    assert session.reveal_secret(CREDENTIAL_PATH, version=1) == SECRET
    vault.clock.advance(timedelta(days=8))
    events = len(session.audit_events())
    assert session.purge_retired_values(grace_days=7) == 1
    assert len(session.audit_events()) == events + 1
    versions = session.credential_versions(CREDENTIAL_PATH)
    assert [v.has_value for v in versions] == [False, True]
    with pytest.raises(NotFoundError):
        session.reveal_secret(CREDENTIAL_PATH, version=1)
    assert session.reveal_secret(CREDENTIAL_PATH) == NEW_SECRET
    assert session.purge_retired_values(grace_days=7) == 0  # idempotent


def test_compliance_evidence_is_a_deadline(session: VaultSession) -> None:
    evidence = ComplianceEvidence(soc2_type2_expires=START + timedelta(days=20))
    session.edit_integration(
        "bamboohr", compliance=evidence, console_url="https://example.com/keys"
    )
    deadlines = [d for d in session.reminder_deadlines() if d.kind is DeadlineKind.COMPLIANCE]
    assert [d.subject for d in deadlines] == ["integration:bamboohr:soc2_type2"]
    assert session.get_integration("bamboohr").console_url == "https://example.com/keys"
    with pytest.raises(ValidationError) as caught:
        session.edit_integration("bamboohr", console_url="ftp://nope")
    assert caught.value.field == "console_url"


def test_webhook_url_is_sealed_and_audited(session: VaultSession, vault: VaultCopy) -> None:
    url = "https://hooks.example.com/services/T000/B000/abcdefghijklmnop"
    session.set_webhook_url(url)
    assert session.has_webhook()
    assert session.webhook_url() == url
    session.close()
    for path in vault.folder.iterdir():
        assert b"abcdefghijklmnop" not in path.read_bytes()


def test_scan_agrees_with_status_for_random_credentials() -> None:
    rng = random.Random(11)
    now = START
    credentials = []
    for i in range(2000):
        rotated = now - timedelta(days=rng.randint(0, 500), hours=rng.randint(0, 23))
        expires = rng.choice(
            [None, now + timedelta(days=rng.randint(-40, 400), minutes=rng.randint(0, 999))]
        )
        credentials.append(
            Credential(
                id=i,
                integration="x",
                customer=None,
                environment=Environment.PRODUCTION,
                name=f"k{i}",
                kind=CredentialKind.API_KEY,
                owner="",
                created_at=rotated,
                expires_at=expires,
                last_rotated_at=rotated,
                rotate_every_days=rng.choice([None, 30, 90, 365]),
                reminder_days=rng.choice([(30, 7, 1), (14,), ()]),
                version=1,
            )
        )
    result = rotation.scan(credentials, now)
    assert result.statuses == [rotation.status(c, now) for c in credentials]
    assert result.next_change is not None
    assert result.next_change > now
