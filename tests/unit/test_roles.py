"""Role checks in the service layer, and the reveal right enforced by the key slot itself."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from intsec_desktop.core import roles
from intsec_desktop.core.errors import PermissionDeniedError
from intsec_desktop.core.model import Member, Role
from intsec_desktop.core.roles import Action
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.vault.crypto import KdfParams
from tests.unit.conftest import (
    CREDENTIAL_PATH,
    PASSPHRASE,
    SECRET,
    MemoryKeyring,
    VaultCopy,
    add_slot_without_reveal,
    assert_one_line,
    set_role,
)

Call = Callable[[VaultSession], object]

WRITES: dict[str, Call] = {
    "add_integration": lambda s: s.add_integration("workday", "Workday", "hris", "api"),
    "edit_integration": lambda s: s.edit_integration("bamboohr", name="X"),
    "remove_integration": lambda s: s.remove_integration("bamboohr"),
    "add_customer": lambda s: s.add_customer("globex", "Globex", "us"),
    "edit_customer": lambda s: s.edit_customer("acme", name="X"),
    "remove_customer": lambda s: s.remove_customer("acme"),
    "add_credential": lambda s: s.add_credential(integration="bamboohr", name="k", secret=SECRET),
    "edit_credential": lambda s: s.edit_credential(CREDENTIAL_PATH, owner="x"),
    "rotate_credential": lambda s: s.rotate_credential(CREDENTIAL_PATH, SECRET[::-1]),
    "remove_credential": lambda s: s.remove_credential(CREDENTIAL_PATH),
}
REVEALS: dict[str, Call] = {
    purpose: (lambda s, p=purpose: s.reveal_secret(CREDENTIAL_PATH, p))  # type: ignore[misc]
    for purpose in ("reveal", "copy", "inject")
}


def open_as(vault: VaultCopy, role: Role) -> VaultSession:
    set_role(vault, role)
    session = vault.open_recovery()
    assert session.member.role is role
    return session


def audit_rows(session: VaultSession) -> int:
    # Raw count: the role under test may not be allowed to read the trail through a service.
    return int(session._conn.execute("SELECT count(*) FROM audit_events").fetchone()[0])


def denied(session: VaultSession, call: Call, message: str) -> None:
    before = audit_rows(session)
    with pytest.raises(PermissionDeniedError) as raised:
        call(session)
    assert raised.value.exit_code == 3
    assert str(raised.value) == message
    assert_one_line(raised.value)
    assert audit_rows(session) == before


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
@pytest.mark.parametrize("name", sorted(WRITES))
def test_viewer_and_auditor_may_not_write(vault: VaultCopy, role: Role, name: str) -> None:
    session = open_as(vault, role)
    denied(session, WRITES[name], f"role {role.value} may not add or change credentials")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
@pytest.mark.parametrize("purpose", sorted(REVEALS))
def test_viewer_and_auditor_may_not_reveal(vault: VaultCopy, role: Role, purpose: str) -> None:
    session = open_as(vault, role)
    assert session.can_reveal, "the slot holds SK: the refusal must come from the role check"
    denied(session, REVEALS[purpose], f"role {role.value} may not reveal secrets")


@pytest.mark.parametrize("role", list(Role))
def test_everyone_sees_metadata(vault: VaultCopy, role: Role) -> None:
    session = open_as(vault, role)
    assert [i.slug for i in session.list_integrations()] == ["bamboohr"]
    assert [c.credential.name for c in session.list_credentials()] == ["api_key"]
    assert session.list_keyslots()


def test_only_auditor_admin_owner_read_the_audit_trail(vault: VaultCopy) -> None:
    for role in Role:
        session = open_as(vault, role)
        if role in (Role.OWNER, Role.ADMIN, Role.AUDITOR):
            assert session.first_broken_audit_event() is None
            assert session.audit_events()
        else:
            denied(
                session,
                VaultSession.audit_events,
                f"role {role.value} may not view the audit trail",
            )
        vault.close_all()


def test_editor_writes_and_reveals(vault: VaultCopy) -> None:
    session = open_as(vault, Role.EDITOR)
    session.rotate_credential(CREDENTIAL_PATH, SECRET[::-1])
    assert session.reveal_secret(CREDENTIAL_PATH, version=1) == SECRET


def test_role_table_matches_the_design() -> None:
    grid = {role: {a for a in Action if roles.allows(role, a)} for role in Role}
    assert grid[Role.OWNER] == set(Action)
    assert grid[Role.ADMIN] == set(Action) - {Action.MANAGE_MEMBERS}
    assert grid[Role.EDITOR] == set(Action) - {Action.MANAGE_MEMBERS, Action.VIEW_AUDIT}
    assert grid[Role.AUDITOR] == {Action.VIEW_METADATA, Action.VIEW_AUDIT}
    assert grid[Role.VIEWER] == {Action.VIEW_METADATA, Action.EXPORT}
    with pytest.raises(PermissionDeniedError, match="role viewer may not manage members") as raised:
        roles.require(Member("v", Role.VIEWER), Action.MANAGE_MEMBERS)
    assert raised.value.exit_code == 3


# --- the reveal right lives in the key slot ----------------------------------------------


@pytest.fixture
def without_sk(vault: VaultCopy) -> VaultSession:
    device = MemoryKeyring()
    slot_id = add_slot_without_reveal(vault, device)
    session = vault.open_keyring(device)
    assert session.slot_id == slot_id
    assert session.member.role is Role.OWNER
    assert not session.can_reveal
    return session


@pytest.mark.parametrize("purpose", sorted(REVEALS))
def test_slot_without_sk_cannot_reveal(without_sk: VaultSession, purpose: str) -> None:
    before = audit_rows(without_sk)
    with pytest.raises(PermissionDeniedError) as raised:
        REVEALS[purpose](without_sk)
    assert raised.value.exit_code == 3
    assert audit_rows(without_sk) == before


@pytest.mark.parametrize("name", ["add_credential", "rotate_credential"])
def test_slot_without_sk_cannot_seal(without_sk: VaultSession, name: str) -> None:
    with pytest.raises(PermissionDeniedError):
        WRITES[name](without_sk)


def test_slot_without_sk_still_manages_metadata(without_sk: VaultSession) -> None:
    without_sk.add_customer("globex", "Globex", "us")
    assert [c.credential.name for c in without_sk.list_credentials()] == ["api_key"]
    assert without_sk.first_broken_audit_event() is None


def test_slot_without_sk_adds_only_slots_without_sk(
    vault: VaultCopy, without_sk: VaultSession
) -> None:
    info = without_sk.add_passphrase_slot("limited passphrase", KdfParams.floor())
    assert not info.can_reveal
    vault.close_all()
    assert not vault.open_secret("limited passphrase").can_reveal


def test_slot_without_sk_cannot_break_a_slot_that_has_it(
    vault: VaultCopy, without_sk: VaultSession
) -> None:
    # Re-wrapping the owner's passphrase slot needs SK; without it the slot would be ruined.
    before = audit_rows(without_sk)
    with pytest.raises(PermissionDeniedError):
        without_sk.change_passphrase("hijacked passphrase")
    assert audit_rows(without_sk) == before
    vault.close_all()
    assert vault.open_secret(PASSPHRASE).reveal_secret(CREDENTIAL_PATH) == SECRET
