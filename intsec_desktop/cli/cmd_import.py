"""`intsec import dotenv FILE`: secrets into the vault, references into the file."""

from __future__ import annotations

import sys
from pathlib import Path

from intsec_desktop.cli import output, prompts
from intsec_desktop.cli.cmd_scan import refresh_if_installed
from intsec_desktop.cli.context import Context, Subcommands, note
from intsec_desktop.core.errors import UsageError
from intsec_desktop.core.importers.envfile import FileFormat
from intsec_desktop.core.importers.import_file import TEMPLATE_SUFFIX, read_plan, write_result
from intsec_desktop.core.model import Environment


def import_dotenv(ctx: Context) -> int:
    a = ctx.args
    source = Path(a.file)
    import_plan = read_plan(source, a.integration, a.customer, a.format)
    items = import_plan.items
    secrets = import_plan.secrets
    rows = [[i.key, "yes" if i.secret else "no", i.credential or "-", i.reason] for i in items]
    if not ctx.as_json:
        output.emit_table(["key", "secret", "credential", "why"], rows)
    if secrets and not a.yes:
        if not prompts.stdin_is_terminal():
            raise UsageError("no terminal to confirm the import; add --yes to import from a script")
        if not prompts.confirm(f"Store {len(secrets)} secret(s) in the vault?"):
            note("nothing was imported")
            return 1
    with ctx.open_session() as session:
        outcome = session.import_credentials(
            items,
            integration=a.integration,
            customer=a.customer,
            environment=a.env,
            source=source.name,
        )
        if outcome.added:
            refresh_if_installed(session)
    target, backup = write_result(import_plan, rewrite=a.rewrite, backup=a.backup)
    summary = {
        "added": outcome.added,
        "unchanged": outcome.unchanged,
        "not_secret": [i.key for i in items if not i.secret],
        "written": str(target),
        "backup": str(backup) if backup else None,
    }
    if ctx.as_json:
        output.emit_json(summary)
    else:
        sys.stdout.write(
            f"stored {len(outcome.added)}, already stored {len(outcome.unchanged)};"
            f" wrote {target}" + (f" (original kept as {backup}, 0600)" if backup else "") + "\n"
        )
    return 0


def register(sub: Subcommands, common: object) -> None:
    p = sub.add_parser("import", help="import secrets from config files into the vault")
    isub = p.add_subparsers(dest="source", required=True, metavar="SOURCE")
    d = isub.add_parser(
        "dotenv",
        parents=[common],
        help="a .env (or flat JSON/YAML) file: secrets into the vault, references into the file",
    )
    d.add_argument("file", metavar="FILE")
    d.add_argument("--integration", required=True, help="integration slug the secrets belong to")
    d.add_argument("--customer", help="customer slug (default: integration-wide)")
    d.add_argument(
        "--env",
        default=Environment.PRODUCTION.value,
        choices=[e.value for e in Environment],
        help="environment (default production)",
    )
    d.add_argument(
        "--refs",
        default="env",
        choices=["env"],
        help="reference dialect written into the file: ${INTSEC_<INTEGRATION>_<CUSTOMER>_<NAME>}",
    )
    d.add_argument("--format", choices=[f.value for f in FileFormat], help="default: by extension")
    d.add_argument(
        "--rewrite",
        action="store_true",
        help=f"replace FILE atomically (default: write FILE{TEMPLATE_SUFFIX} beside it)",
    )
    d.add_argument("--backup", action="store_true", help="with --rewrite: keep FILE.bak (0600)")
    d.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")
    d.set_defaults(handler=import_dotenv)
