"""`intsec run --env E [--region R] -- CMD`: CMD starts with the env-dialect references of the
export resolved from the vault into its environment (like `op run`); nothing touches disk."""

from __future__ import annotations

import argparse
import os
import subprocess

from intsec_desktop.cli.context import Context, Subcommands, note
from intsec_desktop.core.errors import StorageError, UsageError
from intsec_desktop.core.export.profile import make_profile
from intsec_desktop.core.model import Environment, Region


def run(ctx: Context) -> int:
    a = ctx.args
    command = list(a.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise UsageError("give the command after --, e.g. intsec run --env development -- make dev")
    regions = a.region or [r.value for r in Region]
    profile = make_profile("", a.env, regions, a.integration or [])
    with ctx.open_session() as s:
        values = s.env_references(profile)
    env = dict(os.environ)
    skipped = []
    for name, value in values.items():
        try:
            env[name] = value.decode("utf-8")
        except UnicodeDecodeError:
            skipped.append(name)  # binary values cannot live in an environment
        if "\0" in env.get(name, ""):
            env.pop(name)
            skipped.append(name)
    values.clear()
    if skipped:
        note(f"not set (binary values): {', '.join(sorted(skipped))}")
    try:
        return subprocess.run(command, env=env, check=False).returncode
    except OSError as exc:
        raise StorageError(f"cannot start {command[0]}: {exc.strerror}") from None


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "run",
        parents=[common],
        help="start a command with the env references resolved into its environment",
    )
    p.add_argument("--env", required=True, choices=[e.value for e in Environment])
    p.add_argument("--region", action="append", choices=[r.value for r in Region])
    p.add_argument("--integration", action="append")
    p.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD")
    p.set_defaults(handler=run)
