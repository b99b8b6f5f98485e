"""Process surface: a running `intsec` holds its passphrase and secrets in memory only. They are
not in /proc/PID/cmdline or /proc/PID/environ (nor in any child's), core dumps are off
(RLIMIT_CORE 0) and the process is not dumpable, while it is unlocked."""

from __future__ import annotations

import base64
import contextlib
import fcntl
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.security.conftest import Figures
from tests.security.helpers import PASSPHRASE, KnownVault, cli_env, write_passphrase_file

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

BIG_SECRET = b"sk_live_SURFACE_" + b"Q7f2ZpX9mW4tR8vL" * 1250  # 20 kB: outgrows a 4 kB pipe
NEW_SECRET = b"sk_live_SURFACE_new_value_0123456789"

# The real CLI main(), with a probe that reports (on stderr) whether this very process is
# dumpable at the moment it is about to read a secret from stdin, i.e. after unlocking.
PROBED_CLI = textwrap.dedent(
    """
    import ctypes, sys
    from intsec_desktop.cli import prompts
    from intsec_desktop.cli.main import main

    real_read = prompts.read_secret_value

    def probed_read():
        dumpable = ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)  # PR_GET_DUMPABLE
        sys.stderr.write(f"probe: dumpable={dumpable}\\n")
        sys.stderr.flush()
        return real_read()

    prompts.read_secret_value = probed_read
    sys.exit(main(sys.argv[1:]))
    """
)


# Starts a command with core dumps allowed (1 MiB), so "0 0" afterwards is the command's own
# doing and not inherited from this test process (which may have run the CLI in-process).
CORE_LIMIT_TRAMPOLINE = textwrap.dedent(
    """
    import os, resource, sys
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (1 << 20, 1 << 20))
    except (ValueError, OSError):
        pass  # a hard limit of 0 cannot be raised without privileges
    os.execv(sys.argv[1], sys.argv[1:])
    """
)


def with_core_dumps_allowed(command: list[str]) -> list[str]:
    return [sys.executable, "-c", CORE_LIMIT_TRAMPOLINE, *command]


def core_dumps_can_be_allowed() -> bool:
    """False when this process inherited a hard limit of 0 (then RLIMIT checks prove nothing)."""
    import resource

    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    return hard == resource.RLIM_INFINITY or hard >= 1 << 20


def baseline_core_limit() -> str:
    probe = "print(' '.join([l for l in open('/proc/self/limits') if 'core' in l][0].split()[4:6]))"
    result = subprocess.run(
        with_core_dumps_allowed([sys.executable, "-c", probe]),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def encodings(value: bytes) -> list[bytes]:
    return [value, base64.b64encode(value), value.hex().encode(), value.hex().upper().encode()]


def proc_surface(pid: int) -> dict[str, bytes]:
    """cmdline and environ of the process and of each of its children, as raw bytes."""
    found: dict[str, bytes] = {}
    for p in [pid, *children_of(pid)]:
        for name in ("cmdline", "environ"):
            found[f"{p}/{name}"] = Path(f"/proc/{p}/{name}").read_bytes()
    return found


def children_of(pid: int) -> list[int]:
    """Direct children, from each process's parent pid (works without CONFIG_PROC_CHILDREN)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def core_limit(pid: int) -> str:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max core file size"):
            return " ".join(line.split()[4:6])
    raise AssertionError("no core limit line")


def assert_nothing_leaks(surface: dict[str, bytes], *values: bytes) -> None:
    for where, data in surface.items():
        for value in values:
            for form in encodings(value):
                assert form not in data, f"/proc/{where} holds a secret"


@pytest.fixture
def vault_with_big_secret(known_vault: KnownVault, tmp_path: Path) -> Path:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    with known_vault.open(folder) as session:
        session.add_credential(integration="bamboohr", name="big", secret=BIG_SECRET)
    return folder


def test_cli_waiting_for_a_secret(
    vault_with_big_secret: Path, tmp_path: Path, figures: Figures
) -> None:
    """`cred add` unlocked with --passphrase-file, blocked reading the secret from stdin."""
    passfile = write_passphrase_file(tmp_path, PASSPHRASE)
    args = ["cred", "add", "--integration", "bamboohr", "--name", "surface"]
    args += ["--vault", str(vault_with_big_secret), "--passphrase-file", str(passfile)]
    baseline = baseline_core_limit()
    if core_dumps_can_be_allowed():
        assert baseline == "1048576 1048576"
    with subprocess.Popen(
        with_core_dumps_allowed([sys.executable, "-c", PROBED_CLI, *args]),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli_env(tmp_path / "home"),
    ) as cli:
        assert cli.stdin is not None
        assert cli.stdout is not None
        assert cli.stderr is not None
        probe = cli.stderr.readline()  # written just before it blocks on stdin: unlocked now
        assert cli.pid in children_of(os.getpid())  # the child scan works
        surface = proc_surface(cli.pid)
        limit = core_limit(cli.pid)
        with contextlib.suppress(BrokenPipeError):  # it may have failed before reading
            cli.stdin.write(NEW_SECRET)
            cli.stdin.close()
        code = cli.wait(timeout=30)
        errors = cli.stderr.read()
        output = cli.stdout.read()
    assert probe == b"probe: dumpable=0\n", probe + errors
    assert code == 0, errors
    assert b"added credential" in output
    assert_nothing_leaks(surface, PASSPHRASE.encode(), NEW_SECRET)
    assert limit == "0 0"
    children = len(surface) // 2 - 1
    figures.record(
        "process surface",
        "`cred add` unlocked, waiting for the secret on stdin",
        f"cmdline/environ clean ({children} children); RLIMIT_CORE {baseline} -> {limit};"
        " dumpable 0",
    )


def test_cli_writing_a_revealed_secret(
    vault_with_big_secret: Path, tmp_path: Path, figures: Figures
) -> None:
    """`cred reveal` blocked half-way through writing the secret into a 4 kB pipe: the value
    is in its memory right now, and still not in cmdline or environ."""
    passfile = write_passphrase_file(tmp_path, PASSPHRASE)
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    args = ["cred", "reveal", "bamboohr/-/production/big"]
    args += ["--vault", str(vault_with_big_secret), "--passphrase-file", str(passfile)]
    with (
        os.fdopen(read_end, "rb") as out,
        subprocess.Popen(
            with_core_dumps_allowed([sys.executable, "-m", "intsec_desktop.cli.main", *args]),
            stdout=write_end,
            stderr=subprocess.PIPE,
            env=cli_env(tmp_path / "home"),
        ) as cli,
    ):
        os.close(write_end)
        first = out.read(1)  # the write has begun; the rest waits for room in the pipe
        surface = proc_surface(cli.pid)
        limit = core_limit(cli.pid)
        rest = out.read()
        assert cli.wait(timeout=30) == 0
    assert first + rest == BIG_SECRET
    assert_nothing_leaks(surface, PASSPHRASE.encode(), BIG_SECRET)
    assert limit == "0 0"
    figures.record(
        "process surface",
        "`cred reveal` blocked writing a 20 kB secret",
        "cmdline/environ clean; RLIMIT_CORE 0 0",
    )


HARDEN_CHILD = textwrap.dedent(
    """
    import ctypes
    from intsec_desktop.core.hardening import harden_process

    def state():
        dumpable = ctypes.CDLL(None).prctl(3, 0, 0, 0, 0)  # PR_GET_DUMPABLE
        limit = [l for l in open("/proc/self/limits") if l.startswith("Max core file size")][0]
        return f"dumpable={dumpable} core={' '.join(limit.split()[4:6])}"

    print("before", state())
    status = harden_process()
    print("after", state(), status.core_dumps_off, status.not_dumpable)
    """
)


def test_harden_process(figures: Figures) -> None:
    result = subprocess.run(
        with_core_dumps_allowed([sys.executable, "-c", HARDEN_CHILD]),
        capture_output=True,
        text=True,
        check=True,
    )
    before, after = result.stdout.splitlines()
    assert before.startswith("before dumpable=1")  # so the change below is harden_process's
    if core_dumps_can_be_allowed():
        assert before == "before dumpable=1 core=1048576 1048576"
    assert after == "after dumpable=0 core=0 0 True True"
    figures.record(
        "process surface",
        "harden_process()",
        f"{before.removeprefix('before ')} -> {after.removeprefix('after ').split(' True')[0]}",
    )
