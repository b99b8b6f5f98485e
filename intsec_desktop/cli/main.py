"""`intsec`: parse arguments, run one command, turn errors into one line and an exit code."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from intsec_desktop import __version__
from intsec_desktop.cli.context import Context
from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.hardening import harden_process

if TYPE_CHECKING:  # imported when their command runs (and seen by bundlers' import analysis)
    from intsec_desktop.cli import (  # noqa: F401
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

# Every command module, in `intsec --help` order, with the top-level commands it registers.
# Only the module of the command being run is imported: start-up then pays for one feature,
# not for all of them (tests/cli/test_startup.py checks this table against the modules).
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "cmd_vault": ("init", "demo", "passwd", "doctor", "keyslot"),
    "cmd_catalog": ("integration", "customer"),
    "cmd_credentials": ("cred",),
    "cmd_reminders": ("reminders", "webhook"),
    "cmd_scopes": ("scopes",),
    "cmd_export": ("export",),
    "cmd_run": ("run",),
    "cmd_scan": ("scan", "hook"),
    "cmd_import": ("import",),
    "cmd_audit": ("audit",),
    "cmd_members": ("member",),
}
_VALUE_OPTIONS = ("--vault", "--passphrase-file", "--member")  # global options taking a value

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


class _NotRegisteredError(Exception):
    """The command line reached a command whose module was not loaded (see `_command_in`)."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, placeholder: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._placeholder = placeholder

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        if self._placeholder:
            raise _NotRegisteredError(self.prog)
        return super().parse_known_args(*args, **kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"intsec: usage: {message} (see `{self.prog} --help`)\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; given `command`, only the module registering it is imported and
    every other command is a placeholder (same name, same place)."""
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
    for module_name, commands in COMMAND_MODULES.items():
        if command is None or command in commands:
            module = importlib.import_module(f"intsec_desktop.cli.{module_name}")
            module.register(sub, common)
        else:
            for name in commands:
                sub.add_parser(name, add_help=False, placeholder=True)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command `argv` runs, judged without a parser: the first word that is neither a
    global option nor its value ("" when there is none). None when help is asked for first, as
    the help lists every command. A wrong guess costs time, not behaviour: parsing reaches a
    placeholder and starts over with the whole command line."""
    expects_value = False
    for word in argv:
        if expects_value:
            expects_value = False
        elif word == "--" or word.startswith(("-h", "--h")):
            return None
        elif word.startswith("--") and "=" not in word:
            expects_value = any(option.startswith(word) for option in _VALUE_OPTIONS)
        elif not word.startswith("-"):
            return word
    return ""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        return build_parser(_command_in(words)).parse_args(words)
    except _NotRegisteredError:
        return build_parser().parse_args(words)


def main(argv: Sequence[str] | None = None) -> int:
    harden_process()  # before any vault is opened: no core dumps, not dumpable
    args = parse_args(argv)
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
