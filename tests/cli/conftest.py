"""Drive the real `intsec` command line as a subprocess: no terminal, bytes on stdin, a private
INTSEC_HOME, and the fast (floor) Argon2id parameters so the suite stays quick."""

from __future__ import annotations

import json
import os
import resource
import secrets
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

PASSPHRASE = "correct horse battery staple"
FAST_KDF = ("--kdf-memory-mib", "64", "--kdf-iterations", "3")
BINARY_SECRET = b"\xff\xfe\x00binary\x80"
CREDENTIAL_JSON_KEYS = {
    "id",
    "integration",
    "customer",
    "env",
    "name",
    "kind",
    "expires_at",
    "status",
}
TIMEOUT = 60
MEMORY_LIMIT = 2 * 1024**3  # far below what an absurd Argon2id setting would try to allocate


@dataclass(frozen=True)
class Result:
    args: tuple[str, ...]
    code: int
    stdout: bytes
    stderr: bytes

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    def __str__(self) -> str:
        return (
            f"intsec {' '.join(self.args)} -> exit {self.code}\n"
            f"--- stdout\n{self.stdout[:2000]!r}\n--- stderr\n{self.stderr[:4000]!r}"
        )


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_intsec(
    *args: str,
    home: Path,
    stdin: bytes = b"",
    env: Mapping[str, str | None] | None = None,
    limit_memory: bool = False,
    timeout: float = TIMEOUT,
) -> Result:
    """One `intsec` run. `start_new_session` leaves it without a controlling terminal, so no
    prompt can ever appear (/dev/tty cannot be opened); env values of None remove a variable."""
    full_env = dict(os.environ)
    full_env.pop("INTSEC_VAULT", None)
    full_env["INTSEC_HOME"] = str(home)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    proc = subprocess.run(
        [sys.executable, "-m", "intsec_desktop.cli.main", *args],
        input=stdin,
        capture_output=True,
        env=full_env,
        cwd=home,
        timeout=timeout,
        start_new_session=True,
        preexec_fn=_limit_memory if limit_memory else None,
        check=False,
    )
    return Result(tuple(args), proc.returncode, proc.stdout, proc.stderr)


@dataclass(frozen=True)
class CliVault:
    home: Path
    folder: Path
    passphrase_file: Path
    recovery_code: str
    vault_id: str
    secrets: Mapping[str, bytes]  # credential path -> the value stored for it

    def run(self, *args: str, unlock: bool = True, **kwargs: Any) -> Result:
        """Run with --vault (and --passphrase-file) appended after the command."""
        opts = ["--vault", str(self.folder)]
        if unlock:
            opts += ["--passphrase-file", str(self.passphrase_file)]
        return run_intsec(*args, *opts, home=self.home, **kwargs)

    def ok(self, *args: str, **kwargs: Any) -> Result:
        result = self.run(*args, **kwargs)
        assert result.code == 0, result
        return result

    def json(self, *args: str, **kwargs: Any) -> Any:
        return json.loads(self.ok(*args, "--json", **kwargs).stdout)

    def copy(self, home: Path) -> CliVault:
        """An identical vault (same id, keys and data) in another home, for destructive tests."""
        home.mkdir(parents=True, exist_ok=True)
        folder = home / self.folder.name
        shutil.copytree(self.folder, folder)
        passphrase_file = home / self.passphrase_file.name
        shutil.copy2(self.passphrase_file, passphrase_file)
        return replace(self, home=home, folder=folder, passphrase_file=passphrase_file)


def write_passphrase(path: Path, passphrase: str) -> Path:
    path.write_text(passphrase + "\n", encoding="utf-8")
    return path


def init_vault(home: Path, name: str = "team.intsec", passphrase: str = PASSPHRASE) -> CliVault:
    home.mkdir(parents=True, exist_ok=True)
    pw = write_passphrase(home / f"{name}.pass", passphrase)
    folder = home / name
    result = run_intsec(
        "init",
        "--no-keyring",
        *FAST_KDF,
        "--json",
        "--vault",
        str(folder),
        "--passphrase-file",
        str(pw),
        home=home,
    )
    assert result.code == 0, result
    data = json.loads(result.stdout)
    return CliVault(home, folder, pw, data["recovery_code"], data["vault_id"], {})


def day(offset: int) -> str:
    return (datetime.now(UTC) + timedelta(days=offset)).strftime("%Y-%m-%d")


# (path, extra options, secret) of the credentials every populated vault holds.
def _credentials() -> list[tuple[str, list[str], bytes]]:
    return [
        (
            "bamboohr/acme/production/api_key",
            ["--expires", day(400), "--rotate-every", "90", "--owner", "dana@example.com"],
            b"bhr_live_" + secrets.token_hex(16).encode(),
        ),
        (
            "bamboohr/-/staging/webhook_secret",
            ["--kind", "webhook_secret", "--expires", day(10)],
            b"whsec_" + secrets.token_urlsafe(24).encode(),
        ),
        (
            "greenhouse/globex/development/token",
            ["--kind", "access_token", "--expires", day(-3)],
            b"gh_tok_" + secrets.token_hex(20).encode(),
        ),
        ("greenhouse/acme/production/binary", ["--kind", "private_key"], BINARY_SECRET),
    ]


def populate(vault: CliVault) -> CliVault:
    vault.ok(
        "integration",
        "add",
        "bamboohr",
        "--name",
        "BambooHR",
        "--category",
        "hris",
        "--method",
        "api",
    )
    vault.ok(
        "integration",
        "add",
        "greenhouse",
        "--name",
        "Greenhouse",
        "--category",
        "ats",
        "--method",
        "file",
    )
    vault.ok("customer", "add", "acme", "--name", "Acme GmbH", "--region", "eu")
    vault.ok("customer", "add", "globex", "--name", "Globex Inc", "--region", "us")
    stored: dict[str, bytes] = {}
    for path, options, secret in _credentials():
        integration, customer, env, name = path.split("/")
        who = [] if customer == "-" else ["--customer", customer]
        add = ["cred", "add", "--integration", integration, *who, "--env", env, "--name", name]
        vault.ok(*add, *options, stdin=secret)
        stored[path] = secret
    return replace(vault, secrets=stored)


@pytest.fixture(scope="session")
def populated_template(tmp_path_factory: pytest.TempPathFactory) -> CliVault:
    return populate(init_vault(tmp_path_factory.mktemp("cli-template")))


@pytest.fixture(scope="module")
def populated(populated_template: CliVault, tmp_path_factory: pytest.TempPathFactory) -> CliVault:
    """One populated vault per test module; tests that change it use `fresh` instead."""
    return populated_template.copy(tmp_path_factory.mktemp("cli-home"))


@pytest.fixture
def fresh(populated: CliVault, tmp_path: Path) -> CliVault:
    """A private copy of the module's populated vault."""
    return populated.copy(tmp_path / "home")


Snapshot = dict[str, tuple[bytes, int]]


def snapshot(folder: Path) -> Snapshot:
    """Every file below `folder` with its bytes and mtime: "nothing changed on disk"."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_one_line_error(result: Result, code: int, contains: str | None = None) -> None:
    """The documented exit code, one `intsec: ...` line on stderr, nothing on stdout, and no
    traceback anywhere."""
    assert result.code == code, result
    assert b"Traceback" not in result.stdout + result.stderr, result
    assert result.stdout == b"", result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result
    assert result.stderr.endswith(b"\n"), result
    assert lines[0].startswith(b"intsec: "), result
    if contains is not None:
        assert contains.lower() in result.err.lower(), result
