"""`intsec`: parse arguments, run one command, turn errors into one line and an exit code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from intsec_desktop import __version__
from intsec_desktop.cli import (
    cmd_audit,
    cmd_catalog,
    cmd_credentials,
    cmd_export,
    cmd_import,
    cmd_members,
    cmd_reminders,
    cmd_run,
    cmd_scan,
    cmd_scopes,
    cmd_vault,
)
from intsec_desktop.cli.context import Context
from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.hardening import harden_process

EXIT_CODES = """exit codes:
  0 ok                      5 vault damaged or tampered
  1 other error             6 leak found
  2 usage or invalid input  7 drift found
  3 authentication or       8 overdue credentials
    permission failed
  4 vault missing, already exists, or busy"""


def _common_options() -> argparse.ArgumentParser:
    """Global options, accepted before or after the command (SUPPRESS keeps either from
    overwriting the other)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--vault",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="vault folder (default: $INTSEC_VAULT or the data dir)",
    )
    common.add_argument(
        "--passphrase-file",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="read the passphrase from FILE",
    )
    common.add_argument(
        "--member",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="unlock with this member's key slots (when several members share the vault)",
    )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output"
    )
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
    )
    return common


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"intsec: usage: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = _Parser(
        prog="intsec",
        description="Encrypted credentials, expiry and scopes for integration engineers.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"intsec {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    cmd_vault.register(sub, common)
    cmd_catalog.register(sub, common)
    cmd_credentials.register(sub, common)
    cmd_reminders.register(sub, common)
    cmd_scopes.register(sub, common)
    cmd_export.register(sub, common)
    cmd_run.register(sub, common)
    cmd_scan.register(sub, common)
    cmd_import.register(sub, common)
    cmd_audit.register(sub, common)
    cmd_members.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    harden_process()  # before any vault is opened: no core dumps, not dumpable
    args = build_parser().parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    try:
        return int(args.handler(Context(args)))
    except IntsecError as exc:
        if debug:
            raise
        sys.stderr.write(f"intsec: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("intsec: interrupted; nothing was changed\n")
        return 130
    except BrokenPipeError:
        return 1
    except Exception as exc:
        if debug:
            raise
        # Only the type: an unexpected message could quote data we must not print.
        sys.stderr.write(
            f"intsec: unexpected error ({type(exc).__name__}); run with --debug for details\n"
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
