"""Start-up cost: a command loads its own feature's code, not every feature's (`intsec cred list`
on 10,000 credentials has a 150 ms budget for the whole process, start-up included)."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from intsec_desktop.cli import main as cli_main
from tests.cli.conftest import TIMEOUT, CliVault
from tests.cli.test_keyring_cli import keyring_vault, secret_service  # noqa: F401 - fixtures

# Run main() in a fresh interpreter, then report what it imported. A module LazyLoader put in
# sys.modules but nobody used yet (core.lazy.lazy_module) has not been loaded.
_PROBE = """
import contextlib, io, json, sys
from intsec_desktop.cli.main import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
loaded = sorted(n for n, m in sys.modules.items() if type(m).__name__ != "_LazyModule")
json.dump({"code": code, "stdout": out.getvalue(), "loaded": loaded}, sys.__stdout__)
"""

# Other features' code and heavy dependencies: none of it is needed to list credentials.
NOT_FOR_CRED_LIST = (
    "PySide6",
    "shiboken6",
    "yaml",
    "ahocorasick_rs",
    "keyring",  # the library; the keyring slot is read without it (core.vault.keyring_store)
    "intsec_desktop.gui",
    "intsec_desktop.core.export",  # drift, render, guard, profiles
    "intsec_desktop.core.scan",
    "intsec_desktop.core.importers",
    "intsec_desktop.core.scopes",
    "intsec_desktop.core.reminders",
    "intsec_desktop.core.expiry_index",
    *(
        f"intsec_desktop.cli.{name}"
        for name in cli_main.COMMAND_MODULES
        if name != "cmd_credentials"
    ),
)


def _probe(home: Path, *args: str) -> dict[str, Any]:
    env = dict(os.environ, INTSEC_HOME=str(home))
    env.pop("INTSEC_VAULT", None)
    env.pop("PYTHON_KEYRING_BACKEND", None)
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        env=env,
        cwd=home,
        timeout=TIMEOUT,
        start_new_session=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    report: dict[str, Any] = json.loads(proc.stdout)
    return report


def _loaded_of(report: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    return [m for m in report["loaded"] if any(m == n or m.startswith(n + ".") for n in names)]


def test_cred_list_loads_only_what_listing_needs(populated: CliVault) -> None:
    report = _probe(
        populated.home,
        "cred",
        "list",
        "--json",
        "--vault",
        str(populated.folder),
        "--passphrase-file",
        str(populated.passphrase_file),
    )
    assert report["code"] == 0
    assert len(json.loads(report["stdout"])) == len(populated.secrets)
    assert "intsec_desktop.cli.cmd_credentials" in report["loaded"]  # the probe saw the run
    assert "intsec_desktop.core.services" in report["loaded"]
    assert _loaded_of(report, NOT_FOR_CRED_LIST) == []


def test_cred_list_through_the_keyring_slot_needs_no_keyring_library(
    request: pytest.FixtureRequest,
) -> None:
    vault: CliVault = request.getfixturevalue("keyring_vault")  # skips without a Secret Service
    report = _probe(vault.home, "cred", "list", "--json", "--vault", str(vault.folder))
    assert report["code"] == 0
    assert json.loads(report["stdout"]) == []
    assert "secretstorage" in report["loaded"]  # the Secret Service was asked directly
    assert _loaded_of(report, NOT_FOR_CRED_LIST) == []


def test_version_opens_nothing(tmp_path: Path) -> None:
    report = _probe(tmp_path, "--version")
    assert report["code"] == 0
    assert report["stdout"].startswith("intsec ")
    unneeded = ("intsec_desktop.core.services", "sqlcipher3", "cryptography", "argon2")
    assert _loaded_of(report, unneeded) == []
    assert [m for m in report["loaded"] if m.startswith("intsec_desktop.cli.cmd_")] == []


def test_the_command_table_matches_what_each_module_registers() -> None:
    common = argparse.ArgumentParser(add_help=False)
    for module_name, commands in cli_main.COMMAND_MODULES.items():
        module = importlib.import_module(f"intsec_desktop.cli.{module_name}")
        sub = argparse.ArgumentParser().add_subparsers()
        module.register(sub, common)
        assert tuple(sub.choices) == commands, module_name


def _choices(parser: argparse.ArgumentParser) -> list[str]:
    (action,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


def test_a_partial_parser_lists_the_same_commands_in_the_same_order() -> None:
    full = _choices(cli_main.build_parser())
    assert _choices(cli_main.build_parser("cred")) == full
    assert _choices(cli_main.build_parser("")) == full


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["cred", "list"], "cred"),
        (["--vault", "audit", "cred", "list"], "cred"),
        (["--vau", "audit", "--json", "cred", "list"], "cred"),
        (["--member=ana", "member", "list"], "member"),
        (["--passphrase-file", "f", "--debug", "scopes", "show"], "scopes"),
        (["--version"], ""),
        ([], ""),
        (["--json", "bogus"], "bogus"),
        (["--help"], None),
        (["-h", "cred"], None),
        (["--vault", "v", "--he"], None),
        (["--", "cred"], None),
    ],
)
def test_the_command_is_found_without_a_parser(argv: list[str], command: str | None) -> None:
    assert cli_main._command_in(argv) == command


def test_a_wrong_guess_falls_back_to_the_whole_command_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["--member", "ana", "cred", "list", "--json"]
    with pytest.raises(cli_main._NotRegisteredError):
        cli_main.build_parser("audit").parse_args(argv)
    monkeypatch.setattr(cli_main, "_command_in", lambda _argv: "audit")
    args = cli_main.parse_args(argv)
    assert args.handler.__name__ == "cred_list"
    assert args.member == "ana"
    assert args.json is True
