"""Use cases: integrations, customers and credentials added, edited, listed, rotated, revealed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intsec_desktop.core.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
    VaultDamagedError,
)
from intsec_desktop.core.model import (
    Category,
    CredentialKind,
    Environment,
    Method,
    Region,
)
from intsec_desktop.core.services import REVEAL_PURPOSES, VaultSession
from tests.unit.conftest import CREDENTIAL_PATH, SECRET, START, VaultCopy

NEW_SECRET = b"sk_live_rotated_Hn3Kd9Qa2Wx7"


# --- integrations -------------------------------------------------------------------------


def test_integration_add_edit_list_remove(session: VaultSession) -> None:
    added = session.add_integration(
        "greenhouse",
        "Greenhouse",
        "ats",
        "file",
        vendor="Greenhouse Software",
        base_urls={"us": "https://harvest.greenhouse.io"},
    )
    assert added.id > 0
    assert (added.category, added.method) == (Category.ATS, Method.FILE)
    assert added.method.is_risky
    assert [i.slug for i in session.list_integrations()] == ["bamboohr", "greenhouse"]
    assert session.get_integration("greenhouse") == added

    edited = session.edit_integration(
        "greenhouse", name="Greenhouse Harvest", method="api", base_urls={}
    )
    assert (edited.name, edited.method, edited.base_urls) == ("Greenhouse Harvest", Method.API, {})
    assert edited.vendor == "Greenhouse Software"
    assert session.get_integration("greenhouse") == edited

    session.remove_integration("greenhouse")
    assert [i.slug for i in session.list_integrations()] == ["bamboohr"]
    with pytest.raises(NotFoundError):
        session.get_integration("greenhouse")


def test_duplicate_integration_is_a_conflict(session: VaultSession) -> None:
    with pytest.raises(ConflictError, match="bamboohr"):
        session.add_integration("bamboohr", "Another BambooHR", "hris", "api")
    assert session.get_integration("bamboohr").name == "BambooHR"


def test_integration_with_credentials_cannot_be_removed(session: VaultSession) -> None:
    with pytest.raises(ConflictError, match="1 credential"):
        session.remove_integration("bamboohr")
    session.remove_credential(CREDENTIAL_PATH)
    session.remove_integration("bamboohr")
    assert session.list_integrations() == []


# --- customers ----------------------------------------------------------------------------


def test_customer_add_edit_list_remove(session: VaultSession) -> None:
    added = session.add_customer("globex", "Globex Corp", "us")
    assert added.region is Region.US
    assert [c.slug for c in session.list_customers()] == ["acme", "globex"]
    edited = session.edit_customer("globex", region="eu")
    assert (edited.name, edited.region) == ("Globex Corp", Region.EU)
    assert session.get_customer("globex") == edited
    session.remove_customer("globex")
    assert [c.slug for c in session.list_customers()] == ["acme"]


def test_duplicate_customer_is_a_conflict(session: VaultSession) -> None:
    with pytest.raises(ConflictError):
        session.add_customer("acme", "Acme again", "us")
    assert session.get_customer("acme").region is Region.EU


def test_customer_with_credentials_cannot_be_removed(session: VaultSession) -> None:
    with pytest.raises(ConflictError):
        session.remove_customer("acme")
    assert [c.slug for c in session.list_customers()] == ["acme"]


# --- credentials --------------------------------------------------------------------------


def test_credential_add_list_get(session: VaultSession, vault: VaultCopy) -> None:
    expires = datetime(2027, 1, 31, tzinfo=UTC)
    created = session.add_credential(
        integration="bamboohr",
        name="webhook_secret",
        secret=b"whsec_Vt6yPq2Lm8Zr",
        environment="staging",
        kind="webhook_secret",
        owner="dana@example.com",
        expires_at=expires,
        rotate_every_days=90,
        reminder_days=(1, 30, 7, 30),
        notes="rotated by the platform team",
    )
    assert created.customer is None
    assert created.environment is Environment.STAGING
    assert created.kind is CredentialKind.WEBHOOK_SECRET
    assert (created.created_at, created.last_rotated_at) == (START, START)
    assert created.expires_at == expires
    assert created.reminder_days == (30, 7, 1)
    assert created.version == 1
    listed = {item.credential.id: item.credential for item in session.list_credentials()}
    assert listed == {vault.credential_id: listed[vault.credential_id], created.id: created}
    assert session.get_credential("bamboohr/-/staging/webhook_secret").credential == created
    assert session.get_credential(str(created.id)).credential == created
    assert session.resolve_credential(CREDENTIAL_PATH) == vault.credential_id


def test_same_name_in_another_environment_or_customer_is_allowed(session: VaultSession) -> None:
    session.add_credential(integration="bamboohr", name="api_key", secret=SECRET)
    session.add_credential(
        integration="bamboohr",
        customer="acme",
        environment="staging",
        name="api_key",
        secret=SECRET,
    )
    assert len(session.list_credentials()) == 3


@pytest.mark.parametrize("customer", ["acme", None])
def test_duplicate_credential_is_a_conflict(session: VaultSession, customer: str | None) -> None:
    if customer is None:
        session.add_credential(integration="bamboohr", name="api_key", secret=SECRET)
    count = len(session.list_credentials())
    with pytest.raises(ConflictError):
        session.add_credential(
            integration="bamboohr", customer=customer, name="api_key", secret=NEW_SECRET
        )
    assert len(session.list_credentials()) == count


def test_credential_edit_and_rename(session: VaultSession, vault: VaultCopy) -> None:
    session.add_credential(integration="bamboohr", customer="acme", name="old", secret=SECRET)
    edited = session.edit_credential(
        CREDENTIAL_PATH, owner="sam", rotate_every_days=30, expires_at=START + timedelta(days=365)
    )
    assert (edited.owner, edited.rotate_every_days) == ("sam", 30)
    assert edited.notes == ""
    cleared = session.edit_credential(vault.credential_id, expires_at=None, rotate_every_days=None)
    assert (cleared.expires_at, cleared.rotate_every_days, cleared.owner) == (None, None, "sam")
    with pytest.raises(ConflictError):
        session.edit_credential(vault.credential_id, name="old")
    renamed = session.edit_credential(vault.credential_id, name="api_key_v2")
    assert session.resolve_credential("bamboohr/acme/production/api_key_v2") == renamed.id
    assert session.reveal_secret(renamed.id) == SECRET


def test_remove_credential(session: VaultSession, vault: VaultCopy) -> None:
    session.remove_credential(CREDENTIAL_PATH)
    assert session.list_credentials() == []
    with pytest.raises(NotFoundError):
        session.reveal_secret(vault.credential_id)


@pytest.mark.parametrize("ref", ["nope/acme/production/api_key", "999", 999, "bamboohr/acme/x"])
def test_unknown_credential_reference(session: VaultSession, ref: str | int) -> None:
    with pytest.raises((NotFoundError, ValidationError)):
        session.reveal_secret(ref)


def test_unknown_integration_or_customer(session: VaultSession) -> None:
    with pytest.raises(NotFoundError, match="nope"):
        session.add_credential(integration="nope", name="api_key", secret=SECRET)
    with pytest.raises(NotFoundError, match="nope"):
        session.add_credential(integration="bamboohr", customer="nope", name="k", secret=SECRET)


# --- rotation and reveal ------------------------------------------------------------------


def test_rotate_keeps_the_old_version(session: VaultSession, vault: VaultCopy) -> None:
    vault.clock.advance(timedelta(days=10))
    rotated = session.rotate_credential(CREDENTIAL_PATH, NEW_SECRET, note="scheduled")
    assert rotated.version == 2
    assert rotated.last_rotated_at == START + timedelta(days=10)
    assert rotated.created_at == START
    assert session.reveal_secret(vault.credential_id) == NEW_SECRET
    assert session.reveal_secret(vault.credential_id, version=2) == NEW_SECRET
    assert session.reveal_secret(vault.credential_id, version=1) == SECRET
    versions = session.credential_versions(vault.credential_id)
    assert [(v.version, v.retired_at, v.has_value) for v in versions] == [
        (1, START + timedelta(days=10), True),
        (2, None, True),
    ]
    with pytest.raises(NotFoundError):
        session.reveal_secret(vault.credential_id, version=3)


@pytest.mark.parametrize("purpose", REVEAL_PURPOSES)
def test_reveal_purpose_is_audited(session: VaultSession, vault: VaultCopy, purpose: str) -> None:
    assert session.reveal_secret(vault.credential_id, purpose=purpose) == SECRET
    last = session.audit_events()[-1]
    assert last.action == {"reveal": "credential.revealed", "copy": "credential.copied"}.get(
        purpose, "credential.injected"
    )
    assert last.target.startswith(f"credential:{vault.credential_id}:")
    assert last.details == {"version": 1}


def test_unknown_reveal_purpose(session: VaultSession, vault: VaultCopy) -> None:
    with pytest.raises(ValidationError, match="purpose"):
        session.reveal_secret(vault.credential_id, purpose="print")


def test_reveal_survives_reopening(vault: VaultCopy) -> None:
    vault.open_recovery().rotate_credential(CREDENTIAL_PATH, NEW_SECRET)
    vault.close_all()
    session = vault.open_keyring()
    assert session.reveal_secret(CREDENTIAL_PATH, version=1) == SECRET
    assert session.reveal_secret(CREDENTIAL_PATH) == NEW_SECRET


def test_sealed_values_cannot_be_swapped_between_rows(
    session: VaultSession, vault: VaultCopy
) -> None:
    other = session.add_credential(integration="bamboohr", name="other", secret=NEW_SECRET)
    conn = session._conn
    sealed = conn.execute(
        "SELECT sealed FROM credential_versions WHERE credential_id = ?", (other.id,)
    ).fetchone()[0]
    conn.execute(
        "UPDATE credential_versions SET sealed = ? WHERE credential_id = ?",
        (sealed, vault.credential_id),
    )
    with pytest.raises(VaultDamagedError):
        session.reveal_secret(CREDENTIAL_PATH)


@pytest.mark.parametrize("expires_at", [datetime(2027, 1, 31), "2027-01-31"])
def test_expiry_must_be_an_aware_datetime(session: VaultSession, expires_at: object) -> None:
    count = len(session.audit_events())
    with pytest.raises(ValidationError) as raised:
        session.add_credential(
            integration="bamboohr",
            name="naive",
            secret=SECRET,
            expires_at=expires_at,  # type: ignore[arg-type]
        )
    assert raised.value.field == "expires_at"
    with pytest.raises(ValidationError):
        session.edit_credential(CREDENTIAL_PATH, expires_at=expires_at)
    assert [c.credential.name for c in session.list_credentials()] == ["api_key"]
    assert session.get_credential(CREDENTIAL_PATH).credential.expires_at is None
    assert len(session.audit_events()) == count
