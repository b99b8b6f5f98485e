"""Who may do what. Services call `require` first; default deny."""

from __future__ import annotations

from enum import StrEnum

from intsec_desktop.core.errors import PermissionDeniedError
from intsec_desktop.core.model import Member, Role


class Action(StrEnum):
    VIEW_METADATA = "view metadata"
    REVEAL = "reveal secrets"
    WRITE = "add or change credentials"
    EDIT_SCOPES = "edit scopes"
    EXPORT = "export"
    MANAGE_MEMBERS = "manage members"
    VIEW_AUDIT = "view the audit trail"


_ALLOWED: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.ADMIN: frozenset(Action) - {Action.MANAGE_MEMBERS},
    Role.EDITOR: frozenset(Action) - {Action.MANAGE_MEMBERS, Action.VIEW_AUDIT},
    Role.AUDITOR: frozenset({Action.VIEW_METADATA, Action.VIEW_AUDIT}),
    Role.VIEWER: frozenset({Action.VIEW_METADATA, Action.EXPORT}),
}


def allows(role: Role, action: Action) -> bool:
    return action in _ALLOWED.get(role, frozenset())


def require(member: Member, action: Action) -> None:
    if not allows(member.role, action):
        raise PermissionDeniedError(f"role {member.role.value} may not {action.value}")
