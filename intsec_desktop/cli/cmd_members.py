"""`intsec member add|list|role|remove`: who shares this vault, and with which role."""

from __future__ import annotations

import argparse
from pathlib import Path

from intsec_desktop.cli import output, prompts
from intsec_desktop.cli.context import Context, Subcommands, note
from intsec_desktop.core.errors import UsageError
from intsec_desktop.core.model import Role
from intsec_desktop.core.services import MemberChange
from intsec_desktop.core.timefmt import format_utc

_ROLES = [r.value for r in Role]


def _print_change(ctx: Context, change: MemberChange, headline: str) -> None:
    if ctx.as_json:
        output.emit_json(
            {
                "name": change.name,
                "role": change.role.value if change.role else None,
                "one_time_passphrase": change.one_time_passphrase,
                "rotation_required": list(change.rotation_required),
            }
        )
        return
    print(headline)
    if change.one_time_passphrase:
        print(
            f"  one-time passphrase (shown once; {change.name} must replace it with"
            f" `intsec passwd --member {change.name}`): {change.one_time_passphrase}"
        )
    if change.rotation_required:
        print(
            f"  {len(change.rotation_required)} credential(s) are now due for rotation because"
            f" {change.name} could read their values:"
        )
        for path in change.rotation_required:
            print(f"    {path}")


def member_add(ctx: Context) -> int:
    path = ctx.args.member_passphrase_file
    given = prompts.read_passphrase_file(Path(path)) if path else None
    if path and not given:
        raise UsageError("the member passphrase file is empty")
    with ctx.open_session() as s:
        change = s.add_member(ctx.args.name, ctx.args.role, given)
    if given:
        change = MemberChange(change.name, change.role, None, change.rotation_required)
    role = change.role.value if change.role else "?"
    _print_change(ctx, change, f"added member {change.name} ({role})")
    return 0


def member_list(ctx: Context) -> int:
    with ctx.open_session() as s:
        members = s.list_members()
        due = s.rotation_required()
    if due:
        note(
            f"{len(due)} credential(s) are due for rotation because a member who could read"
            " them left or lost the reveal right; rotating each clears its mark"
        )
    if ctx.as_json:
        output.emit_json(
            [
                {
                    "name": m.name,
                    "role": m.role.value,
                    "can_reveal": m.can_reveal,
                    "must_change_passphrase": m.must_change,
                    "created_at": format_utc(m.created_at),
                    "last_activity": format_utc(m.last_activity) if m.last_activity else None,
                }
                for m in members
            ]
        )
        return 0
    output.emit_table(
        ["name", "role", "reveal", "last activity", "note"],
        [
            [
                m.name,
                m.role.value,
                "yes" if m.can_reveal else "no",
                format_utc(m.last_activity) if m.last_activity else "-",
                "must change one-time passphrase" if m.must_change else "",
            ]
            for m in members
        ],
    )
    return 0


def member_role(ctx: Context) -> int:
    with ctx.open_session() as s:
        change = s.change_member_role(ctx.args.name, ctx.args.role)
    _print_change(ctx, change, f"{change.name} is now {ctx.args.role}")
    return 0


def member_remove(ctx: Context) -> int:
    with ctx.open_session() as s:
        change = s.remove_member(ctx.args.name)
    _print_change(ctx, change, f"removed member {change.name} and their key slots")
    return 0


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    m = sub.add_parser("member", help="members of this vault and their roles")
    msub = m.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = msub.add_parser("add", parents=[common], help="invite a member (one-time passphrase)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--role", required=True, choices=_ROLES)
    p.add_argument(
        "--member-passphrase-file",
        metavar="F",
        help="their one-time passphrase (default: generate one and print it once)",
    )
    p.set_defaults(handler=member_add)
    p = msub.add_parser("list", parents=[common], help="members, roles and last activity")
    p.set_defaults(handler=member_list)
    p = msub.add_parser("role", parents=[common], help="change a member's role")
    p.add_argument("name", metavar="NAME")
    p.add_argument("role", choices=_ROLES, metavar="ROLE")
    p.set_defaults(handler=member_role)
    p = msub.add_parser("remove", parents=[common], help="remove a member and their key slots")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=member_remove)
