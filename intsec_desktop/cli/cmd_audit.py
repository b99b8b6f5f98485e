"""`intsec audit list` and `intsec audit verify`: the tamper-evident trail."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta

from intsec_desktop.cli import output
from intsec_desktop.cli.context import Context, Subcommands
from intsec_desktop.core import audit_csv
from intsec_desktop.core.errors import UsageError, ValidationError, VaultDamagedError
from intsec_desktop.core.services import AuditFilter
from intsec_desktop.core.timefmt import format_utc, parse_date, parse_utc


def _moment(text: str, option: str, *, end_of_day: bool) -> object:
    """YYYY-MM-DD (a whole day: --until includes it) or a full UTC time like 2026-11-29T13:00Z."""
    if len(text.strip()) == 10:
        day = parse_date(text, option)
        return day + timedelta(days=1) if end_of_day else day
    try:
        return parse_utc(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            f"{option} takes a date like 2026-11-29 or a UTC time like 2026-11-29T13:00:00Z,"
            f" not {text!r}",
            option,
        ) from None


def _filter(args: argparse.Namespace) -> AuditFilter:
    since = _moment(args.since, "--since", end_of_day=False) if args.since else None
    until = _moment(args.until, "--until", end_of_day=True) if args.until else None
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit takes a number >= 1")
    return AuditFilter(
        actor=args.actor or "",
        action=args.action_filter or "",
        target=args.target or "",
        since=since,  # type: ignore[arg-type]
        until=until,  # type: ignore[arg-type]
        text=args.text or "",
        limit=args.limit,
    )


def audit_list(ctx: Context) -> int:
    if ctx.args.csv and ctx.as_json:
        raise UsageError("choose one of --json and --csv")
    where = _filter(ctx.args)
    with ctx.open_session() as s:
        events = s.list_audit(where)
    if ctx.args.csv:
        sys.stdout.write(audit_csv.to_csv(events))
    elif ctx.as_json:
        output.emit_json([audit_csv.event_json(e) for e in events])
    else:
        output.emit_table(
            ["seq", "at", "actor", "host", "action", "target", "details"],
            [
                [
                    str(e.seq),
                    format_utc(e.at),
                    e.actor,
                    e.host,
                    e.action,
                    e.target,
                    audit_csv.details_text(e),
                ]
                for e in events
            ],
        )
    return 0


def audit_verify(ctx: Context) -> int:
    with ctx.open_session() as s:
        verdict = s.verify_audit()
    if ctx.as_json:
        output.emit_json(
            {"ok": verdict.ok, "events": verdict.events, "first_bad": verdict.first_bad}
        )
    if not verdict.ok:
        raise VaultDamagedError(verdict.problem)
    if not ctx.as_json:
        print(f"audit trail ok: {verdict.events} events verify")
    return 0


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    a = sub.add_parser("audit", help="the tamper-evident audit trail")
    asub = a.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = asub.add_parser("list", parents=[common], help="list audit events (oldest first)")
    p.add_argument("--actor", metavar="A", help="only events by this member")
    p.add_argument(
        "--action",
        dest="action_filter",
        metavar="X",
        help="e.g. credential.revealed or credential.* (prefix)",
    )
    p.add_argument("--target", metavar="T", help="exact target, or a prefix ending in *")
    p.add_argument("--since", metavar="D", help="from this date or UTC time (inclusive)")
    p.add_argument("--until", metavar="D", help="up to this date (inclusive) or UTC time")
    p.add_argument("--text", metavar="S", help="substring of actor, action, target or details")
    p.add_argument("--limit", type=int, metavar="N", help="at most N events")
    p.add_argument("--csv", action="store_true", help="CSV (formula cells neutralised)")
    p.set_defaults(handler=audit_list)
    p = asub.add_parser("verify", parents=[common], help="check every link of the chain")
    p.set_defaults(handler=audit_verify)
