"""`intsec cred ...`: add, list, show, reveal, rotate, edit, rm."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from intsec_desktop.cli import output, prompts
from intsec_desktop.cli.context import Context, Subcommands, note
from intsec_desktop.core.errors import UsageError
from intsec_desktop.core.lazy import lazy_import
from intsec_desktop.core.model import (
    Credential,
    CredentialFilter,
    CredentialKind,
    Environment,
    Status,
)
from intsec_desktop.core.rotation import DEFAULT_REMINDER_DAYS
from intsec_desktop.core.timefmt import format_date, format_utc, parse_date

if TYPE_CHECKING:
    from intsec_desktop.cli.cmd_scan import refresh_if_installed
    from intsec_desktop.core.reminders import clamp_leads
else:  # for the commands that change secrets or reminders, not for `cred list` and `cred show`
    lazy_import(globals(), "intsec_desktop.cli.cmd_scan", "refresh_if_installed")
    lazy_import(globals(), "intsec_desktop.core.reminders", "clamp_leads")


def _optional_days(text: str | None) -> int | object | None:
    """`none` clears a setting; absent keeps it; a number sets it."""
    if text is None:
        return ...
    if text.lower() == "none":
        return None
    try:
        return int(text)
    except ValueError:
        raise UsageError(f"expected a number of days or 'none', not {text!r}") from None


def _reminders(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise UsageError(f"--remind takes days like 30,7,1, not {text!r}") from None


def cred_add(ctx: Context) -> int:
    a = ctx.args
    reminders = _reminders(a.remind)
    expires = parse_date(a.expires, "expires") if a.expires else None
    with ctx.open_session() as s:
        secret = prompts.read_secret_value()
        created = s.add_credential(
            integration=a.integration,
            customer=a.customer,
            environment=a.env,
            name=a.name,
            kind=a.kind,
            owner=a.owner or "",
            expires_at=expires,
            rotate_every_days=a.rotate_every,
            secret=secret,
            notes=a.notes or "",
            reminder_days=reminders if reminders is not None else DEFAULT_REMINDER_DAYS,
        )
        listing = s.get_credential(created.id)
        summary = s.credential_summary(created.id) if ctx.as_json else {}
        refresh_if_installed(s)
    if ctx.as_json:
        output.emit_json(summary)
    else:
        note = " (already expired)" if listing.status is Status.EXPIRED else ""
        print(
            f"added credential {created.id}: {a.integration}/{a.customer or '-'}/{a.env}/{a.name}{note}"
        )
    _warn_about_leads(created)
    return 0


def _warn_about_leads(credential: Credential) -> None:
    _, warning = clamp_leads(credential.reminder_days, credential.rotate_every_days)
    if warning:
        note(warning)


def cred_list(ctx: Context) -> int:
    a = ctx.args
    where = CredentialFilter(
        integration=a.integration,
        customer=a.customer,
        environment=a.env,
        status=Status(a.status) if a.status else None,
        expiring_within_days=a.expiring_within,
    )
    with ctx.open_session() as s:
        if ctx.as_json:
            output.emit_json_lines(s.list_credentials_json(where))
            return 0
        items = s.list_credentials(where)
    output.emit_table(output.CREDENTIAL_HEADERS, [output.credential_row(i) for i in items])
    return 0


def cred_show(ctx: Context) -> int:
    with ctx.open_session() as s:
        listing = s.get_credential(ctx.args.credential)
        versions = s.credential_versions(listing.credential.id)
        data = s.credential_summary(listing.credential.id) if ctx.as_json else {}
    c = listing.credential
    if ctx.as_json:
        data["notes"] = c.notes
        data["versions"] = [
            {
                "version": v.version,
                "created_at": format_utc(v.created_at),
                "retired_at": format_utc(v.retired_at) if v.retired_at else None,
                "value_kept": v.has_value,
            }
            for v in versions
        ]
        output.emit_json(data)
        return 0
    fields = [
        ("id", str(c.id)),
        ("integration", c.integration),
        ("customer", c.customer or "- (integration-wide)"),
        ("environment", c.environment.value),
        ("name", c.name),
        ("kind", c.kind.value),
        ("owner", c.owner or "-"),
        ("status", listing.status.value.replace("_", " ")),
        ("expires", format_date(c.expires_at) or "never"),
        ("rotate every", f"{c.rotate_every_days} days" if c.rotate_every_days else "no policy"),
        ("last rotated", format_utc(c.last_rotated_at)),
        ("reminders", ", ".join(f"{d}d" for d in c.reminder_days) or "-"),
        ("version", str(c.version)),
        ("secret", "******** (use `intsec cred reveal`)"),
    ]
    if c.notes:
        fields.append(("notes", c.notes))
    for label, value in fields:
        print(f"{label:>13}: {value}")
    for v in versions:
        state = "current" if v.retired_at is None else f"retired {format_utc(v.retired_at)}"
        kept = "" if v.has_value else ", value purged"
        print(f"{'v' + str(v.version):>13}: created {format_utc(v.created_at)}, {state}{kept}")
    return 0


def cred_reveal(ctx: Context) -> int:
    with ctx.open_session() as s:
        value = s.reveal_secret(ctx.args.credential, purpose="reveal", version=ctx.args.version)
    out = sys.stdout.buffer
    out.write(value)
    if sys.stdout.isatty():
        out.write(b"\n")
    out.flush()
    return 0


def cred_rotate(ctx: Context) -> int:
    with ctx.open_session() as s:
        secret = prompts.read_secret_value()
        revoked = {"yes": True, "no": False, None: None}[ctx.args.old_revoked]
        rotated = s.rotate_credential(
            ctx.args.credential, secret, note=ctx.args.note or "", old_revoked=revoked
        )
        refresh_if_installed(s)
    print(
        f"rotated credential {rotated.id} to version {rotated.version}; version {rotated.version - 1} kept"
    )
    return 0


def cred_edit(ctx: Context) -> int:
    a = ctx.args
    expires: object = ...
    if a.expires is not None:
        expires = None if a.expires.lower() == "none" else parse_date(a.expires, "expires")
    with ctx.open_session() as s:
        item = s.edit_credential(
            a.credential,
            name=a.name,
            kind=a.kind,
            owner=a.owner,
            expires_at=expires,
            rotate_every_days=_optional_days(a.rotate_every),
            reminder_days=_reminders(a.remind),
            notes=a.notes,
        )
        refresh_if_installed(s)  # the fingerprints carry credential names
    print(f"updated credential {item.id}")
    _warn_about_leads(item)
    return 0


def cred_rm(ctx: Context) -> int:
    with ctx.open_session() as s:
        listing = s.get_credential(ctx.args.credential)
        c = listing.credential
        label = f"{c.id} ({c.integration}/{c.customer or '-'}/{c.environment.value}/{c.name})"
        if not ctx.args.yes and not prompts.confirm(
            f"Delete credential {label} and all its versions?"
        ):
            raise UsageError("not deleted: confirm on a terminal or pass --yes")
        s.remove_credential(c.id)
        refresh_if_installed(s)
    print(f"removed credential {label}")
    return 0


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    cred = sub.add_parser("cred", help="credentials (secret values are sealed in the vault)")
    csub = cred.add_subparsers(dest="action", required=True, metavar="ACTION")

    p = csub.add_parser(
        "add",
        parents=[common],
        help="add a credential; the secret comes from stdin or a hidden prompt",
    )
    p.add_argument("--integration", required=True, metavar="SLUG")
    p.add_argument("--customer", metavar="SLUG", help="omit for an integration-wide credential")
    p.add_argument(
        "--env", default=Environment.PRODUCTION.value, choices=[e.value for e in Environment]
    )
    p.add_argument("--name", required=True, help="e.g. api_key, client_secret")
    p.add_argument(
        "--kind", default=CredentialKind.API_KEY.value, choices=[k.value for k in CredentialKind]
    )
    p.add_argument("--owner", help="who rotates it, e.g. dana@example.com")
    p.add_argument("--expires", metavar="YYYY-MM-DD")
    p.add_argument("--rotate-every", type=int, metavar="DAYS")
    p.add_argument("--remind", metavar="DAYS,DAYS", help="reminder lead times (default 30,7,1)")
    p.add_argument("--notes")
    p.set_defaults(handler=cred_add)

    p = csub.add_parser("list", parents=[common], help="list credentials (never their values)")
    p.add_argument("--integration", metavar="SLUG")
    p.add_argument("--customer", metavar="SLUG")
    p.add_argument("--env", choices=[e.value for e in Environment])
    p.add_argument("--status", choices=[st.value for st in Status])
    p.add_argument("--expiring-within", type=int, metavar="DAYS")
    p.set_defaults(handler=cred_list)

    for name, handler, text in (
        ("show", cred_show, "metadata and version history"),
        ("reveal", cred_reveal, "print the secret value (audited)"),
        ("rotate", cred_rotate, "store a new value from stdin; the old version is kept"),
        ("edit", cred_edit, "change metadata"),
        ("rm", cred_rm, "delete a credential and all its versions"),
    ):
        p = csub.add_parser(name, parents=[common], help=text)
        p.add_argument(
            "credential", metavar="ID", help="numeric id or integration/customer/env/name"
        )
        p.set_defaults(handler=handler)
        if name == "reveal":
            p.add_argument("--version", type=int, help="an earlier version still kept")
        elif name == "rotate":
            p.add_argument("--note", help="ticket link or reason, kept in the audit trail")
            p.add_argument(
                "--old-revoked",
                choices=["yes", "no"],
                help="whether the previous key is already revoked at the vendor (recorded)",
            )
        elif name == "rm":
            p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        elif name == "edit":
            p.add_argument("--name")
            p.add_argument("--kind", choices=[k.value for k in CredentialKind])
            p.add_argument("--owner")
            p.add_argument("--expires", metavar="YYYY-MM-DD|none")
            p.add_argument("--rotate-every", metavar="DAYS|none")
            p.add_argument("--remind", metavar="DAYS,DAYS")
            p.add_argument("--notes")
