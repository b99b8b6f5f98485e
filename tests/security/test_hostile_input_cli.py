"""Hostile files through the real command line: `intsec import dotenv`, `intsec scopes apply`
and `intsec export --check`. One stderr line, a documented exit code, no traceback, the vault
unchanged, nothing run; an alias bomb costs the process no memory worth measuring."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.security.conftest import Figures
from tests.security.helpers import (
    PASSPHRASE,
    KnownVault,
    cli_env,
    snapshot,
    write_passphrase_file,
)
from tests.security.hostile import BOMB_MEMORY_LIMIT_BYTES, PYTHON_TAG_PAYLOADS, alias_bomb

# The CLI, reporting its own peak RSS and CPU time as it exits. (wait4's ru_maxrss will not
# do: Linux carries the parent's peak over into the child at exec, so every child of this
# test process would seem as big as pytest.)
MEASURED_CLI = """
import atexit, resource, sys
def report(path=sys.argv[1]):
    with open("/proc/self/status") as status:
        peak_kib = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    with open(path, "w") as out:
        out.write(f"{peak_kib} {usage.ru_utime + usage.ru_stime}")
atexit.register(report)
sys.argv = ["intsec", *sys.argv[2:]]
from intsec_desktop.cli.main import main
sys.exit(main())
"""


@dataclass(frozen=True)
class Run:
    code: int
    stdout: bytes
    stderr: bytes
    peak_rss: int  # bytes
    cpu: float  # seconds, process start included


def run_measured(args: list[str], home: Path) -> Run:
    report = home / "measured"
    done = subprocess.run(
        [sys.executable, "-c", MEASURED_CLI, str(report), *args],
        stdin=subprocess.DEVNULL, capture_output=True, env=cli_env(home), timeout=60, check=False,
    )  # fmt: skip
    peak_kib, cpu = report.read_text().split()
    return Run(done.returncode, done.stdout, done.stderr, int(peak_kib) * 1024, float(cpu))


class Cli:
    """A copy of the known vault, a passphrase file, and the hostile files beside them."""

    def __init__(self, known_vault: KnownVault, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.home.mkdir()
        self.vault = known_vault.copy_to(root / "v.intsec")
        self.passfile = write_passphrase_file(root, PASSPHRASE)

    def run(self, *args: str) -> Run:
        return run_measured(
            [*args, "--vault", str(self.vault), "--passphrase-file", str(self.passfile)], self.home
        )

    def file(self, name: str, data: bytes) -> str:
        path = self.root / name
        path.write_bytes(data)
        return str(path)


@pytest.fixture
def cli(known_vault: KnownVault, tmp_path: Path) -> Cli:
    return Cli(known_vault, tmp_path)


def assert_refused(run: Run, code: int = 2) -> str:
    """One line on stderr naming the problem, the documented code, nothing on stdout."""
    err = run.stderr.decode("utf-8", "replace")
    assert run.code == code, (run.code, err)
    assert err.startswith("intsec: error: "), err
    assert err.count("\n") == 1, err
    assert err.endswith("\n"), err
    assert "Traceback" not in err, err
    assert "unexpected error" not in err, err
    assert run.stdout == b"", run.stdout[:500]
    return err


def commands(cli: Cli, name: str, data: bytes) -> dict[str, list[str]]:
    return {
        "import": ["import", "dotenv", cli.file(name, data), "--integration", "bamboohr", "--yes"],
        "scopes apply": ["scopes", "apply", cli.file(name, data)],
        "export --check": ["export", "--check", cli.file(name, data)],
    }


def exported(cli: Cli) -> bytes:
    run = cli.run("export", "--region", "eu", "--env", "production", "--format", "yaml")
    assert run.code == 0, run.stderr
    return run.stdout


BOMB = alias_bomb(9).encode()
HOSTILE_FILES = {  # the parsers' own tests try far more; here, what the CLI makes of it
    "alias bomb": ("hostile.yaml", BOMB),
    "not UTF-8": ("hostile.yaml", b"A_TOKEN=\xff\xfe\x00\n"),
    "deep nesting": ("hostile.yaml", b"a: " + b"[" * 100_000 + b"]" * 100_000),
}


@pytest.mark.parametrize("command", ["import", "scopes apply", "export --check"])
@pytest.mark.parametrize("case", list(HOSTILE_FILES))
def test_a_hostile_file_is_refused_in_one_line(
    command: str, case: str, cli: Cli, figures: Figures
) -> None:
    name, data = HOSTILE_FILES[case]
    before = snapshot(cli.vault)
    run = cli.run(*commands(cli, name, data)[command])
    assert_refused(run)
    assert snapshot(cli.vault) == before
    if case == "alias bomb":
        # The import refuses the file before it opens the vault; the others unlock it first.
        unlock = "no unlock" if command == "import" else "Argon2id unlock included"
        figures.record("hostile input", f"alias bomb (9**9 strings), intsec {command}",
                       f"exit {run.code} in {run.cpu:.2f} s CPU, peak RSS"
                       f" {run.peak_rss / 2**20:.0f} MiB (whole process: start, {unlock})")  # fmt: skip


def test_an_alias_bomb_costs_the_cli_no_memory(cli: Cli) -> None:
    """Peak RSS of the whole process: the bomb against a file of the same size refused at the
    same step (a syntax error in its last line)."""
    for command in ("import", "scopes apply"):
        harmless = commands(cli, "harmless.yaml", b"x: y\n" * (len(BOMB) // 5) + b"]")[command]
        bomb = commands(cli, "bomb.yaml", BOMB)[command]
        baseline, refused = cli.run(*harmless), cli.run(*bomb)
        assert_refused(refused)
        grown = refused.peak_rss - baseline.peak_rss
        assert grown < BOMB_MEMORY_LIMIT_BYTES, f"{command}: {grown / 2**20:.0f} MiB more"


def without_header(export: bytes) -> str:
    """The export without its "# profile:" line: its `profile:` mapping is read instead."""
    lines = export.decode().splitlines(True)
    return "".join(line for line in lines if not line.startswith("# profile: "))


def test_an_alias_bomb_in_the_recorded_profile_is_refused(cli: Cli) -> None:
    text = without_header(exported(cli))
    assert "environment: production," in text
    committed = alias_bomb(9) + text.replace("environment: production,", "environment: *l8,")
    run = cli.run("export", "--check", cli.file("bomb.yaml", committed.encode()))
    err = assert_refused(run)
    assert "environment must be one of" in err
    assert "lol" not in err


def test_python_tags_run_nothing(cli: Cli) -> None:
    marker = cli.root / "ran"
    tagged = PYTHON_TAG_PAYLOADS["object/apply"].format(marker=marker)
    profile = without_header(exported(cli))
    files = {
        "import": f"A_API_KEY: {tagged}\n",
        "scopes apply": f"schema: intsec.scopes/v1\nintegrations: {tagged}\n",
        "export --check": profile.replace(
            "profile: {dialect: env,", f"profile: {{dialect: {tagged},"
        ),
    }
    for command, text in files.items():
        assert_refused(cli.run(*commands(cli, "tagged.yaml", text.encode())[command]))
    assert not marker.exists()


def test_a_deeply_nested_json_committed_file(cli: Cli) -> None:
    """Once a RecursionError shown as 'unexpected error' with exit 1."""
    data = b'{"profile": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert_refused(cli.run("export", "--check", cli.file("deep.json", data)))
