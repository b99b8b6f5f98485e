"""Where passphrases and secret values come from: files, stdin, or a no-echo terminal prompt.

Never argv and never the environment: both leak to other processes and shell history.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from intsec_desktop.core.errors import AuthenticationError, UsageError


def _strip_one_newline(data: bytes) -> bytes:
    if data.endswith(b"\r\n"):
        return data[:-2]
    if data.endswith(b"\n"):
        return data[:-1]
    return data


def read_passphrase_file(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read passphrase file {path}: {exc.strerror}") from None
    try:
        return _strip_one_newline(raw).decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"passphrase file {path} is not UTF-8 text") from None


def stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def can_prompt() -> bool:
    """getpass talks to the controlling terminal, so a prompt works even when stdin is piped."""
    try:
        with open("/dev/tty", "rb"):
            return True
    except OSError:
        return stdin_is_terminal()


def prompt_passphrase(label: str = "Passphrase: ") -> str:
    if not can_prompt():
        raise AuthenticationError(
            "no passphrase: use --passphrase-file FILE, a keyring slot, or run in a terminal"
        )
    return getpass.getpass(label)


def prompt_new_passphrase(option: str = "--new-passphrase-file") -> str:
    """`option` names where the command takes the passphrase from a file instead."""
    if not can_prompt():
        raise UsageError(f"no new passphrase: use {option} FILE or run in a terminal")
    first = getpass.getpass("New passphrase: ")
    if not first:
        raise UsageError("the passphrase must not be empty")
    if getpass.getpass("Repeat it: ") != first:
        raise UsageError("the two passphrases differ; nothing was changed")
    return first


def read_secret_value() -> bytes:
    """Secret bytes from stdin (one trailing newline dropped), or a no-echo prompt on a terminal."""
    if stdin_is_terminal():
        value = getpass.getpass("Secret value (hidden): ").encode("utf-8")
    else:
        value = _strip_one_newline(sys.stdin.buffer.read())
    if not value:
        raise UsageError("no secret value given on stdin")
    return value


def confirm(question: str) -> bool:
    if not stdin_is_terminal():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
