"""`intsec reminders` (for cron and systemd timers) and `intsec webhook ...`."""

from __future__ import annotations

import sys

from intsec_desktop.cli import output, prompts
from intsec_desktop.cli.context import Context, Subcommands, note
from intsec_desktop.core import reminders
from intsec_desktop.core.errors import OverdueError, UsageError
from intsec_desktop.core.settings import load_settings
from intsec_desktop.core.timefmt import format_date, format_utc


def _line_json(line: reminders.ReportLine) -> dict[str, object]:
    d = line.deadline
    return {
        "subject": d.subject,
        "title": d.title,
        "kind": d.kind.value,
        "due_at": format_utc(d.at),
        "state": line.state,
        "days_left": line.days_left,
    }


def reminders_cmd(ctx: Context) -> int:
    within = ctx.args.within
    if within is not None and within < 0:
        raise UsageError("--within takes a number of days >= 0")
    leads = load_settings().reminder_days
    with ctx.open_session() as s:
        lines = reminders.report(s.reminder_deadlines(leads), s.clock_now(), within)
        webhook = s.webhook_url() if ctx.args.notify and s.can_reveal and s.has_webhook() else None
        vault_name = s.folder.name
    urgent = [line for line in lines if line.state != "due"]
    if ctx.as_json:
        output.emit_json([_line_json(line) for line in lines])
    else:
        output.emit_table(
            ["state", "due", "days", "kind", "what"],
            [
                [
                    line.state,
                    format_date(line.deadline.at),
                    str(line.days_left),
                    line.deadline.kind.value,
                    line.deadline.title,
                ]
                for line in lines
            ],
        )
    if ctx.args.notify and lines:
        _notify(lines, urgent, webhook, vault_name)
    if urgent:
        raise OverdueError(f"{len(urgent)} item(s) overdue or expired")
    return 0


def _notify(
    lines: list[reminders.ReportLine],
    urgent: list[reminders.ReportLine],
    webhook: str | None,
    vault_name: str,
) -> None:
    from intsec_desktop.cli.desktop_notify import notify

    summary = f"{len(urgent)} overdue or expired, {len(lines) - len(urgent)} due soon"
    body = "\n".join(
        f"{line.deadline.title} ({line.state}, {format_date(line.deadline.at)})"
        for line in lines[:8]
    )
    problem = notify(f"intsec: {summary}", body)
    if problem:
        note(f"desktop notification not shown: {problem}")
    if webhook and urgent:
        from intsec_desktop.core import alerts

        result = alerts.deliver(webhook, alerts.slack_message(urgent, vault_name))
        note(f"webhook: {result.detail}")


def webhook_set(ctx: Context) -> int:
    url = prompts.read_secret_value().decode("utf-8", "replace").strip()
    with ctx.open_session() as s:
        s.set_webhook_url(url)
    print("webhook stored (sealed in the vault)")
    return 0


def webhook_clear(ctx: Context) -> int:
    with ctx.open_session() as s:
        s.set_webhook_url(None)
    print("webhook removed")
    return 0


def webhook_test(ctx: Context) -> int:
    from intsec_desktop.core import alerts

    with ctx.open_session() as s:
        url = s.webhook_url()
    if url is None:
        raise UsageError("no webhook is set: `intsec webhook set` reads the URL from stdin")
    result = alerts.deliver(url, {"text": "intsec-desktop: test alert"})
    print(f"webhook: {result.detail}", file=sys.stdout if result.delivered else sys.stderr)
    return 0 if result.delivered else 1


def register(sub: Subcommands, common: object) -> None:
    p = sub.add_parser(
        "reminders",
        parents=[common],
        help="what is due, overdue or expired (exit 8 if anything is overdue or expired)",
    )
    p.add_argument(
        "--within",
        type=int,
        metavar="DAYS",
        help="also list what falls due within DAYS (default: each item's largest reminder lead)",
    )
    p.add_argument(
        "--notify", action="store_true", help="send a desktop notification and the webhook alert"
    )
    p.set_defaults(handler=reminders_cmd)

    hook = sub.add_parser("webhook", help="Slack-compatible alert webhook for overdue credentials")
    hsub = hook.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, text in (
        ("set", webhook_set, "store the URL read from stdin (sealed like a secret)"),
        ("clear", webhook_clear, "remove the webhook"),
        ("test", webhook_test, "send a test message"),
    ):
        p = hsub.add_parser(name, parents=[common], help=text)
        p.set_defaults(handler=handler)
