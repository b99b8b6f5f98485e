"""Members and roles: the RBAC table through the services, invitations, role changes, removal,
and the reveal right held (or not) by each member's own key slot."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest

from intsec_desktop.core import paths, roles, services
from intsec_desktop.core.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    StorageError,
    ValidationError,
    VaultDamagedError,
)
from intsec_desktop.core.model import Role
from intsec_desktop.core.roles import Action
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.vault import keyslots
from intsec_desktop.core.vault.crypto import SealError, SecretKey, open_sealed
from tests.unit.conftest import (
    CREDENTIAL_PATH,
    MEMBER,
    ORIGIN,
    SECRET,
    VaultCopy,
    edit_keyslots,
    set_role,
)

# ARCHITECTURE.md, "RBAC", copied by hand: the test must not read the table it checks.
TABLE: dict[Role, dict[Action, bool]] = {
    Role.OWNER: dict.fromkeys(Action, True),
    Role.ADMIN: {**dict.fromkeys(Action, True), Action.MANAGE_MEMBERS: False},
    Role.EDITOR: {
        **dict.fromkeys(Action, True),
        Action.MANAGE_MEMBERS: False,
        Action.VIEW_AUDIT: False,
    },
    Role.AUDITOR: {
        **dict.fromkeys(Action, False),
        Action.VIEW_METADATA: True,
        Action.VIEW_AUDIT: True,
    },
    Role.VIEWER: {**dict.fromkeys(Action, False), Action.VIEW_METADATA: True, Action.EXPORT: True},
}

# One service call per action that has a service today (export has none yet).
CALLS: dict[Action, Callable[[VaultSession], object]] = {
    Action.VIEW_METADATA: lambda s: s.list_credentials(),
    Action.REVEAL: lambda s: s.reveal_secret(CREDENTIAL_PATH, "reveal"),
    Action.WRITE: lambda s: s.add_integration("workday", "Workday", "hris", "api"),
    Action.EDIT_SCOPES: lambda s: s.set_scope(
        "bamboohr", None, "Employee", "first_name", "read", "allow"
    ),
    Action.MANAGE_MEMBERS: lambda s: s.add_member("newbie", Role.VIEWER, "one-time-pass"),
    Action.VIEW_AUDIT: lambda s: s.list_audit(),
}


def audit_rows(session: VaultSession) -> int:
    return int(session._conn.execute("SELECT count(*) FROM audit_events").fetchone()[0])


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_the_role_table_is_the_architecture_table(role: Role, action: Action) -> None:
    assert roles.allows(role, action) is TABLE[role][action]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(CALLS))
def test_every_role_and_action_through_the_services(
    vault: VaultCopy, role: Role, action: Action
) -> None:
    set_role(vault, role)
    session = vault.open_recovery()
    before = audit_rows(session)
    if TABLE[role][action]:
        CALLS[action](session)
    else:
        with pytest.raises(PermissionDeniedError, match=f"role {role.value} may not"):
            CALLS[action](session)
        assert audit_rows(session) == before, "a refused call wrote an audit event"


def invite(vault: VaultCopy, name: str, role: Role, passphrase: str) -> None:
    owner = vault.open_recovery()
    change = owner.add_member(name, role, passphrase)
    assert change.one_time_passphrase == passphrase
    owner.close()


def open_member(vault: VaultCopy, name: str, passphrase: str) -> VaultSession:
    return vault._track(
        services.open_vault_with_secret(
            vault.folder, passphrase, clock=vault.clock, origin=ORIGIN, member=name
        )
    )


@pytest.mark.parametrize("role", list(Role))
def test_an_invited_member_holds_the_sealing_key_only_if_the_role_may_reveal(
    vault: VaultCopy, role: Role
) -> None:
    invite(vault, "bob", role, "bob-one-time")
    bob = open_member(vault, "bob", "bob-one-time")
    assert bob.member.role is role
    assert bob.can_reveal is TABLE[role][Action.REVEAL]
    assert bob.must_change_passphrase


def test_a_viewer_with_raw_sql_and_their_own_slot_cannot_decrypt_any_secret(
    vault: VaultCopy,
) -> None:
    invite(vault, "vera", Role.VIEWER, "vera-one-time")
    opened = services.opening.unlock_with_secret(vault.folder, "vera-one-time", "vera")
    try:
        assert opened.keys.sealing_key is None
        sealed = opened.conn.execute(
            "SELECT credential_id, version, sealed FROM credential_versions"
        ).fetchall()
        assert sealed
        # Everything the viewer holds: DK, its sub-keys, and the raw bytes of their slot.
        document = json.loads(paths.keyslots_path(vault.folder).read_bytes())
        slot = next(s for s in document["slots"] if s["member"] == "vera")
        dk = opened.keys.database_key
        candidates = [dk, *(dk.derive(p) for p in ("audit", "keyslots-mac", "seal", "secrets"))]
        candidates.append(SecretKey(base64.b64decode(slot["wrapped"])[-32:]))
        for credential_id, version, blob in sealed:
            aad = f"intsec/credential/{credential_id}/v{version}".encode()
            for key in candidates:
                with pytest.raises(SealError):
                    open_sealed(key, blob, aad)
            assert SECRET not in blob
    finally:
        opened.close()
    viewer = open_member(vault, "vera", "vera-one-time")
    with pytest.raises(PermissionDeniedError):
        viewer.reveal_secret(CREDENTIAL_PATH, "reveal")


def test_a_viewer_promoted_in_the_database_still_cannot_reveal(vault: VaultCopy) -> None:
    """Reveal is cryptographic: raw SQL can change the role, not the key the slot holds."""
    invite(vault, "vera", Role.VIEWER, "vera-one-time")
    opened = services.opening.unlock_with_secret(vault.folder, "vera-one-time", "vera")
    opened.conn.execute("UPDATE members SET role = 'owner' WHERE name = 'vera'")
    opened.close()
    vera = open_member(vault, "vera", "vera-one-time")
    assert vera.member.role is Role.OWNER
    with pytest.raises(PermissionDeniedError, match="no key that can reveal"):
        vera.reveal_secret(CREDENTIAL_PATH, "reveal")


def test_member_must_change_the_one_time_passphrase(vault: VaultCopy) -> None:
    invite(vault, "bob", Role.EDITOR, "bob-one-time")
    bob = open_member(vault, "bob", "bob-one-time")
    bob.change_passphrase("bob's own passphrase")
    assert not bob.must_change_passphrase
    bob.close()
    with pytest.raises(AuthenticationError):
        open_member(vault, "bob", "bob-one-time")
    again = open_member(vault, "bob", "bob's own passphrase")
    assert again.reveal_secret(CREDENTIAL_PATH, "reveal") == SECRET


def test_member_option_picks_that_members_slot(vault: VaultCopy) -> None:
    invite(vault, "bob", Role.VIEWER, "shared-passphrase")
    invite(vault, "carol", Role.EDITOR, "shared-passphrase")
    assert open_member(vault, "carol", "shared-passphrase").member.name == "carol"
    assert open_member(vault, "bob", "shared-passphrase").member.name == "bob"
    with pytest.raises(AuthenticationError, match="member 'dave'"):
        open_member(vault, "dave", "shared-passphrase")


def test_duplicate_member_names_are_refused(session: VaultSession) -> None:
    session.add_member("bob", Role.VIEWER, "one-time-pass")
    before = audit_rows(session)
    with pytest.raises(ConflictError, match="already exists"):
        session.add_member("bob", Role.ADMIN, "other-pass")
    with pytest.raises(ConflictError, match="already exists"):
        session.add_member(MEMBER, Role.ADMIN, "other-pass")
    assert audit_rows(session) == before


@pytest.mark.parametrize("name", ["", " ", "a b", "-flag", "x" * 65, "evil\nname"])
def test_bad_member_names_are_refused(session: VaultSession, name: str) -> None:
    with pytest.raises(ValidationError):
        session.add_member(name, Role.VIEWER, "one-time-pass")


def test_the_last_owner_cannot_remove_or_demote_themselves(session: VaultSession) -> None:
    with pytest.raises(ConflictError, match="last owner"):
        session.remove_member(MEMBER)
    with pytest.raises(ConflictError, match="last owner"):
        session.change_member_role(MEMBER, Role.ADMIN)
    session.add_member("second", Role.OWNER, "one-time-pass")
    session.change_member_role(MEMBER, Role.ADMIN)
    assert session.member.role is Role.ADMIN
    with pytest.raises(PermissionDeniedError):
        session.remove_member("second")


def test_removing_a_member_who_could_reveal_marks_every_secret_for_rotation(
    session: VaultSession,
) -> None:
    session.add_member("bob", Role.EDITOR, "one-time-pass")
    assert session.rotation_required() == []
    change = session.remove_member("bob")
    assert change.rotation_required == (CREDENTIAL_PATH,)
    assert session.rotation_required() == [CREDENTIAL_PATH]
    assert not any(s.member == "bob" for s in session.list_keyslots())
    event = session.list_audit()[-1]
    assert (event.action, event.target) == ("member.removed", "member:bob")
    assert event.details["rotation_required"] == 1
    session.rotate_credential(CREDENTIAL_PATH, SECRET[::-1])
    assert session.rotation_required() == []


def test_removing_a_viewer_marks_nothing(session: VaultSession) -> None:
    session.add_member("vera", Role.VIEWER, "one-time-pass")
    assert session.remove_member("vera").rotation_required == ()
    assert session.rotation_required() == []


def test_a_reveal_change_replaces_the_slot_with_a_new_one_time_passphrase(
    vault: VaultCopy,
) -> None:
    invite(vault, "bob", Role.VIEWER, "bob-one-time")
    owner = vault.open_recovery()
    same = owner.change_member_role("bob", Role.VIEWER)
    assert same.one_time_passphrase is None
    up = owner.change_member_role("bob", Role.EDITOR)
    assert up.one_time_passphrase
    assert up.rotation_required == ()
    lateral = owner.change_member_role("bob", Role.ADMIN)
    assert lateral.one_time_passphrase is None
    down = owner.change_member_role("bob", Role.AUDITOR)
    assert down.one_time_passphrase
    assert down.rotation_required == (CREDENTIAL_PATH,)
    owner.close()
    with pytest.raises(AuthenticationError):
        open_member(vault, "bob", "bob-one-time")
    bob = open_member(vault, "bob", down.one_time_passphrase)
    assert bob.member.role is Role.AUDITOR
    assert not bob.can_reveal


def test_list_members_shows_roles_reveal_and_last_activity(vault: VaultCopy) -> None:
    invite(vault, "vera", Role.VIEWER, "vera-one-time")
    owner = vault.open_recovery()
    listed = {m.name: m for m in owner.list_members()}
    assert listed["vera"].role is Role.VIEWER
    assert not listed["vera"].can_reveal
    assert listed["vera"].must_change
    assert listed["vera"].last_activity is None
    assert listed[MEMBER].can_reveal
    assert listed[MEMBER].last_activity is not None
    owner.close()
    vera = open_member(vault, "vera", "vera-one-time")
    assert all(m.last_activity is None for m in vera.list_members())  # no audit right


def test_unknown_member_and_role(session: VaultSession) -> None:
    with pytest.raises(NotFoundError):
        session.remove_member("ghost")
    with pytest.raises(ValidationError, match="unknown role"):
        session.add_member("bob", "superuser", "one-time-pass")


@pytest.mark.parametrize(
    "edit",
    [
        lambda s: s.update(member=MEMBER),
        lambda s: s.update(can_reveal=not s["can_reveal"]),
    ],
)
def test_edited_role_data_in_keyslots_json_is_detected(
    vault: VaultCopy, edit: Callable[[dict[str, object]], None]
) -> None:
    invite(vault, "bob", Role.VIEWER, "bob-one-time")

    def tamper(document: dict[str, object]) -> None:
        slots = document["slots"]
        assert isinstance(slots, list)
        edit(next(s for s in slots if s["member"] == "bob"))

    edit_keyslots(vault.folder, tamper, fix_checksum=True)
    with pytest.raises((VaultDamagedError, AuthenticationError)):
        services.open_vault_with_secret(vault.folder, "bob-one-time", member="bob")
    with pytest.raises(VaultDamagedError, match="MAC"):
        vault.open_recovery()


def test_a_member_edit_failing_half_way_leaves_keyslots_and_trail_unchanged(
    vault: VaultCopy, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = vault.open_recovery()
    before_file = paths.keyslots_path(vault.folder).read_bytes()
    before = audit_rows(owner)

    def broken_commit(*_args: object, **_kwargs: object) -> None:
        raise StorageError("disk full")

    monkeypatch.setattr(
        "intsec_desktop.core.services.keyslot_admin.KeySlotServices._save_slots",
        lambda self, change, file: (
            self._write_slots(change.conn, file),
            setattr(change, "saved", True),
            broken_commit(),
        ),
    )
    with pytest.raises(StorageError):
        owner.add_member("bob", Role.VIEWER, "one-time-pass")
    assert audit_rows(owner) == before
    assert paths.keyslots_path(vault.folder).read_bytes() == before_file
    assert keyslots.load(paths.keyslots_path(vault.folder)).file.slots
