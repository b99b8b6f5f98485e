"""Members: invite with a one-time passphrase, change roles, remove; each keeps their own slot."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from intsec_desktop.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from intsec_desktop.core.model import Member, Role
from intsec_desktop.core.roles import Action, allows, require
from intsec_desktop.core.services.keyslot_admin import KeySlotServices, _SlotChange
from intsec_desktop.core.timefmt import format_utc, parse_utc
from intsec_desktop.core.vault import audit_trail, keyslots
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.database import Connection, rows, storage_errors

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$")


@dataclass(frozen=True, slots=True)
class MemberInfo:
    name: str
    role: Role
    created_at: datetime
    can_reveal: bool  # what their key slots hold, not only what the role says
    must_change: bool  # still on the one-time passphrase from the invitation
    last_activity: datetime | None  # None: never, or the viewer may not read the trail


@dataclass(frozen=True, slots=True)
class MemberChange:
    """What add/role/remove did. `one_time_passphrase` is shown once, then dropped;
    `rotation_required` lists the credentials the member could have read."""

    name: str
    role: Role | None
    one_time_passphrase: str | None = None
    rotation_required: tuple[str, ...] = ()


_ONE_TIME_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_one_time_passphrase() -> str:
    """Five groups of five (~140 bits): typed once, then replaced by the member's own."""
    return "-".join("".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(5)) for _ in range(5))


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        names = ", ".join(r.value for r in Role)
        raise ValidationError(f"unknown role {value!r} (one of {names})", "role") from None


def _check_name(name: str) -> str:
    name = name.strip()
    if not _NAME.match(name):
        raise ValidationError(
            "a member name is 1-64 letters, digits or . _ @ + - (starting with a letter or digit)",
            "name",
        )
    return name


class MemberServices(KeySlotServices):
    def list_members(self) -> list[MemberInfo]:
        require(self.member, Action.VIEW_METADATA)
        file = self._current_slots()
        sees_activity = allows(self.member.role, Action.VIEW_AUDIT) or allows(
            self.member.role, Action.MANAGE_MEMBERS
        )
        with storage_errors():
            activity = audit_trail.last_activity(self._conn) if sees_activity else {}
            found = rows(
                self._conn, "SELECT name, role, created_at, must_change FROM members ORDER BY name"
            )
        return [
            MemberInfo(
                name=str(name),
                role=Role(role),
                created_at=parse_utc(created),
                can_reveal=any(s.can_reveal for s in file.slots if s.member == name),
                must_change=bool(must_change),
                last_activity=activity.get(str(name)),
            )
            for name, role, created, must_change in found
        ]

    @property
    def must_change_passphrase(self) -> bool:
        """True while this member still uses the one-time passphrase they were invited with."""
        with storage_errors():
            found = rows(
                self._conn, "SELECT must_change FROM members WHERE name = ?", (self.member.name,)
            )
        return bool(found and found[0][0])

    def rotation_required(self) -> list[str]:
        """Credentials marked for rotation because someone who could read them left."""
        require(self.member, Action.VIEW_METADATA)
        with storage_errors():
            return [
                r[0]
                for r in rows(
                    self._conn,
                    f"SELECT {_PATH_SQL} FROM rotation_required r"
                    f" JOIN credentials c ON c.id = r.credential_id {_PATH_JOINS} ORDER BY 1",
                )
            ]

    def add_member(
        self,
        name: str,
        role: Role | str,
        passphrase: str | None = None,
        params: KdfParams | None = None,
    ) -> MemberChange:
        """A passphrase slot of their own; it holds the secret-sealing key only if the role may
        reveal. The member must change the passphrase before anything else."""
        require(self.member, Action.MANAGE_MEMBERS)
        name, role = _check_name(name), _role(role)
        one_time = passphrase or generate_one_time_passphrase()
        with self._slot_change() as change:
            if rows(change.conn, "SELECT 1 FROM members WHERE name = ?", (name,)) or any(
                s.member == name for s in change.before.slots
            ):
                raise ConflictError(f"a member named {name!r} already exists")
            slot = self._new_member_slot(change, name, role, one_time, params)
            change.conn.execute(
                "INSERT INTO members (name, role, created_at, must_change) VALUES (?,?,?,1)",
                (name, role.value, format_utc(self._clock.now())),
            )
            self._audit(
                change.conn,
                "member.added",
                f"member:{name}",
                {"role": role.value, "can_reveal": slot.can_reveal, "slot": slot.id},
            )
            self._save_slots(change, change.before.with_slot(slot))
        return MemberChange(name, role, one_time)

    def change_member_role(
        self, name: str, role: Role | str, params: KdfParams | None = None
    ) -> MemberChange:
        """When the reveal right changes, the member's slots must hold a different key set; only
        their passphrase could re-wrap them, so they get a new one-time passphrase instead."""
        require(self.member, Action.MANAGE_MEMBERS)
        new = _role(role)
        with self._slot_change() as change:
            old = self._role_of(change.conn, name)
            if old is new:
                return MemberChange(name, new)
            if old is Role.OWNER and self._owner_count(change.conn) == 1:
                raise ConflictError(f"{name} is the last owner and cannot be demoted")
            old_reveal, new_reveal = allows(old, Action.REVEAL), allows(new, Action.REVEAL)
            file, one_time = change.before, None
            marked: tuple[str, ...] = ()
            if old_reveal != new_reveal:
                one_time = generate_one_time_passphrase()
                slot = self._new_member_slot(change, name, new, one_time, params)
                file = keyslots.KeySlotFile(
                    file.vault_id,
                    file.created_at,
                    (*(s for s in file.slots if s.member != name), slot),
                    file.meta,
                )
                if old_reveal:
                    marked = self._mark_for_rotation(change.conn, f"{name} lost the reveal right")
            change.conn.execute(
                "UPDATE members SET role = ?, must_change = ? WHERE name = ?",
                (new.value, 1 if one_time else self._must_change(change.conn, name), name),
            )
            self._audit(
                change.conn,
                "member.role_changed",
                f"member:{name}",
                {
                    "role": [old.value, new.value],
                    "slots_replaced": one_time is not None,
                    "rotation_required": len(marked),
                },
            )
            if file is not change.before:
                self._save_slots(change, file)
        if name == self.member.name:
            self._vault.member = Member(name, new)
        return MemberChange(name, new, one_time, marked)

    def remove_member(self, name: str) -> MemberChange:
        require(self.member, Action.MANAGE_MEMBERS)
        with self._slot_change() as change:
            role = self._role_of(change.conn, name)
            if role is Role.OWNER and self._owner_count(change.conn) == 1:
                raise ConflictError(f"{name} is the last owner and cannot be removed")
            theirs = [s for s in change.before.slots if s.member == name]
            could_reveal = allows(role, Action.REVEAL) or any(s.can_reveal for s in theirs)
            change.conn.execute("DELETE FROM members WHERE name = ?", (name,))
            marked: tuple[str, ...] = ()
            if could_reveal:
                marked = self._mark_for_rotation(change.conn, f"{name} was removed")
            self._audit(
                change.conn,
                "member.removed",
                f"member:{name}",
                {
                    "role": role.value,
                    "slots_removed": [s.id for s in theirs],
                    "rotation_required": len(marked),
                },
            )
            file = change.before
            for s in theirs:
                file = file.without_slot(s.id)
            self._save_slots(change, file)
        return MemberChange(name, None, None, marked)

    # --- helpers ---------------------------------------------------------------------------

    def _new_member_slot(
        self,
        change: _SlotChange,
        name: str,
        role: Role,
        passphrase: str,
        params: KdfParams | None,
    ) -> keyslots.Slot:
        if not passphrase:
            raise ValidationError("the passphrase must not be empty", "passphrase")
        can_reveal = allows(role, Action.REVEAL)
        if can_reveal and not self.can_reveal:
            raise PermissionDeniedError("a member who cannot reveal cannot grant the reveal right")
        chosen = (params or self._default_params(change.before)).checked()
        slot, kek = keyslots.make_passphrase_slot(
            passphrase, chosen, name, can_reveal, self._clock.now()
        )
        return keyslots.wrap(slot, kek, self._vault.keys, self.vault_id)

    def _default_params(self, file: keyslots.KeySlotFile) -> KdfParams:
        """The acting member's passphrase slot was calibrated for this team's machines."""
        mine = [
            s for s in file.slots if s.kind == keyslots.PASSPHRASE and s.member == self.member.name
        ]
        return mine[0].kdf_params() if mine else KdfParams.floor()

    @staticmethod
    def _role_of(conn: Connection, name: str) -> Role:
        found = rows(conn, "SELECT role FROM members WHERE name = ?", (name,))
        if not found:
            raise NotFoundError(f"no member named {name!r}")
        return Role(found[0][0])

    @staticmethod
    def _must_change(conn: Connection, name: str) -> int:
        return int(rows(conn, "SELECT must_change FROM members WHERE name = ?", (name,))[0][0])

    @staticmethod
    def _owner_count(conn: Connection) -> int:
        return int(rows(conn, "SELECT count(*) FROM members WHERE role = 'owner'")[0][0])

    def _mark_for_rotation(self, conn: Connection, reason: str) -> tuple[str, ...]:
        """Every credential with a value: a member holding SK could have unsealed all of them."""
        conn.execute(
            "INSERT OR IGNORE INTO rotation_required (credential_id, reason, since)"
            " SELECT id, ?, ? FROM credentials",
            (reason, format_utc(self._clock.now())),
        )
        return tuple(
            r[0]
            for r in rows(conn, f"SELECT {_PATH_SQL} FROM credentials c {_PATH_JOINS} ORDER BY 1")
        )


_PATH_SQL = "i.slug || '/' || COALESCE(cu.slug, '-') || '/' || c.environment || '/' || c.name"
_PATH_JOINS = (
    "JOIN integrations i ON i.id = c.integration_id LEFT JOIN customers cu ON cu.id = c.customer_id"
)
