"""The canary sweep's world: a tmp tree that every per-user, temp and vault location points into,
the canaries' roles, the seeded vault, and `intsec` run as a child whose output is kept as files
in the tree's log folder (so the sweep searches it like anything else the app wrote)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from intsec_desktop.core import services
from intsec_desktop.core.vault.crypto import KdfParams
from tests.security.canaries import Canary, CanarySearch, make_canaries
from tests.security.helpers import cli_command, write_passphrase_file
from tests.security.sweep_keyring import BACKEND_NAME, STORE_ENV

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "canary sweep passphrase: quince ladder 4"
FAST_KDF = ("--kdf-memory-mib", "64", "--kdf-iterations", "3")
COUNT = 200
PYTHON_KEYRING_BACKEND = "PYTHON_KEYRING_BACKEND"

# What each canary is used for. All are searched for everywhere, in every encoding; the one
# exception is REVEALED in the stdout of its one `cred reveal`, which prints it by design.
REVEALED = 0  # `cred reveal` (stdout dropped), GUI reveal and copy
PLANTED = (1, 2, 3)  # written, encoded, into files under outside/ for scan and the git hook
TAMPERED = 4  # written into a copy of an export under outside/ for `export --check`
SEEDED = range(166)  # stored through core.services before any command runs
BINARY = frozenset(range(5, 166, 5))  # random bytes, not text
CLI_ADDED = range(166, 172)  # `cred add`, value on stdin
ROTATED = range(172, 175)  # `cred rotate`, value on stdin
IMPORTED = {"dotenv": range(175, 179), "json": range(179, 183), "yaml": range(183, 187)}
WEBHOOK = 187  # inside the webhook URL (a secret: it authorises posting to the channel)
EXTRA_PASSPHRASE = 188  # `keyslot add-passphrase`
VIEWER_ONE_TIME = 189  # a member's invitation passphrase
VIEWER_OWN = 190  # the passphrase that member then chooses
NEW_PASSPHRASE = 191  # `passwd` to it and back
WRONG_PASSPHRASE = 192  # a secret typed where the passphrase goes
UNKNOWN_INTEGRATION = 193  # `cred add` refused: no such integration
DUPLICATE = 194  # `cred add` refused with --debug: the path exists
PLAIN_HTTP_WEBHOOK = 195  # `webhook set` refused: not https
MALFORMED_IMPORT = 196  # inside a malformed YAML file under outside/, imported with --debug
ROTATE_MISSING = 197  # `cred rotate` of a missing credential with --debug
VIEWER_ADD = 198  # `cred add` by a viewer: permission denied
ADDED_WITH_DEBUG = 199  # `cred add --debug --json` that succeeds

INTEGRATIONS = (("bamboohr", "hris"), ("greenhouse", "ats"), ("xero", "accounting"))
CUSTOMERS = (("acme", "eu"), (None, ""), ("globex", "us"), ("initech", "uk"))
ENVIRONMENTS = ("production", "staging", "development")


def q(path: Path | str) -> str:
    return shlex.quote(str(path))


def seeded_path(index: int) -> str:
    integration = INTEGRATIONS[index % 3][0]
    customer = CUSTOMERS[index % 4][0] or "-"
    return f"{integration}/{customer}/{ENVIRONMENTS[(index // 12) % 3]}/key_{index:03d}"


@dataclass
class World:
    root: Path
    canaries: list[Canary]
    search: CanarySearch
    runs: int = 0
    pending: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # --- the tree ------------------------------------------------------------------------------

    @property
    def searched(self) -> Path:
        return self.root / "searched"

    @property
    def outside(self) -> Path:
        """Never searched: inputs that hold canaries on purpose (what a user's files might)."""
        return self.root / "outside"

    @property
    def vault(self) -> Path:
        return self.searched / "vaults" / "sweep.intsec"

    @property
    def work(self) -> Path:
        """The children's working directory: exports, imports, repositories."""
        return self.searched / "work"

    @property
    def log_dir(self) -> Path:
        return self.searched / "xdg-state" / "intsec-sweep-logs"

    @property
    def passphrase_file(self) -> Path:
        return self.searched / "pass.txt"

    def locations(self) -> dict[str, str]:
        """Every per-user and temp location, as environment variables."""
        s = self.searched
        return {
            "HOME": str(s / "home"),
            "INTSEC_HOME": str(s / "intsec-home"),
            "TMPDIR": str(s / "tmp"),
            "TMP": str(s / "tmp"),
            "TEMP": str(s / "tmp"),
            "XDG_CONFIG_HOME": str(s / "xdg-config"),
            "XDG_CACHE_HOME": str(s / "xdg-cache"),
            "XDG_STATE_HOME": str(s / "xdg-state"),
            "XDG_DATA_HOME": str(s / "xdg-data"),
            PYTHON_KEYRING_BACKEND: BACKEND_NAME,
            STORE_ENV: str(s / "xdg-data" / "sweep-keyring.json"),
        }

    def child_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("INTSEC_", "PYTEST_"))}
        env.update(self.locations())
        env.update(
            PYTHONPATH=str(REPO),  # the children load the sweep's keyring backend from tests/
            PYTHONDONTWRITEBYTECODE="1",
            GIT_CONFIG_NOSYSTEM="1",
            GIT_AUTHOR_NAME="Sweep",
            GIT_AUTHOR_EMAIL="sweep@example.com",
            GIT_COMMITTER_NAME="Sweep",
            GIT_COMMITTER_EMAIL="sweep@example.com",
        )
        return env

    def canary(self, index: int) -> bytes:
        return self.canaries[index].value

    def outside_file(self, name: str, data: bytes) -> Path:
        path = self.outside / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o600)
        return path

    # --- running intsec ------------------------------------------------------------------------

    def _argv(
        self, args: tuple[str, ...], passphrase: Path | None, member: str | None
    ) -> list[str]:
        opts = [] if "--vault" in args else ["--vault", str(self.vault)]
        if passphrase is not None:
            opts += ["--passphrase-file", str(passphrase)]
        if member is not None:
            opts += ["--member", member]
        return cli_command(*opts, *args)  # global options first: `run` passes on what follows --

    def _record(self, args: tuple[str, ...], stdout: bytes, stderr: bytes) -> str:
        with self._lock:
            self.runs += 1
            number = self.runs
        words = [a for a in args if re.fullmatch(r"[a-z][a-z-]*", a)][:3]
        stem = f"{number:03d}-{'-'.join(words) or 'intsec'}"
        (self.log_dir / f"{stem}.stdout").write_bytes(stdout)
        (self.log_dir / f"{stem}.stderr").write_bytes(stderr)
        return stem

    def _check(self, stem: str, code: int, expected: int, stderr: bytes) -> None:
        __tracebackhide__ = True  # pytest would print the frame's arguments: stdin, stderr
        if code != expected:
            shown = self.search.redact(stderr)[-3000:]
            raise AssertionError(
                f"{stem}: exit {code}, expected {expected}; stderr (canaries hidden):\n{shown}"
            )

    def intsec(
        self,
        *args: str,
        code: int = 0,
        stdin: bytes = b"",
        passphrase: Path | None = None,
        unlock: bool = True,
        member: str | None = None,
        keep_stdout: bool = True,
        env: dict[str, str] | None = None,
    ) -> bytes:
        """Run one command, keep its stdout and stderr in the log folder, check its exit code,
        return its stdout. `keep_stdout=False` drops stdout from the log (cred reveal)."""
        __tracebackhide__ = True
        pw = (passphrase or self.passphrase_file) if unlock else None
        proc = subprocess.run(
            self._argv(args, pw, member),
            input=stdin,
            capture_output=True,
            env=self.child_env() | (env or {}),
            cwd=self.work,
            timeout=60,
            start_new_session=True,  # no controlling terminal: never a prompt
            check=False,
        )
        kept = proc.stdout if keep_stdout else b"(dropped: it is the revealed canary)\n"
        stem = self._record(args, kept, proc.stderr)
        self._check(stem, proc.returncode, code, proc.stderr)
        return proc.stdout

    def run(self, line: str, **options: Any) -> bytes:
        """`intsec` with the words of `line` (shell quoting, see `q`)."""
        __tracebackhide__ = True
        return self.intsec(*shlex.split(line), **options)

    def each(self, *lines: str | tuple[str, bytes], code: int = 0, **options: Any) -> None:
        """Commands that do not depend on each other, two at a time (the machine's cores); a
        (line, bytes) pair gives that command its stdin."""
        __tracebackhide__ = True
        with ThreadPoolExecutor(max_workers=2) as pool:
            done = [
                pool.submit(self.run, line, code=code, **options)
                if isinstance(line, str)
                else pool.submit(self.run, line[0], code=code, stdin=line[1], **options)
                for line in lines
            ]
        for future in done:
            future.result()

    def start(self, *args: str) -> None:
        """Start a command that spends its time waiting (webhook retries); `finish` checks it."""
        proc = subprocess.Popen(
            self._argv(args, self.passphrase_file, None),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.child_env(),
            cwd=self.work,
            start_new_session=True,
        )
        self.pending.append((" ".join(args), proc))

    def finish(self, expected: dict[str, int]) -> None:
        __tracebackhide__ = True
        for label, proc in self.pending:
            stdout, stderr = proc.communicate(timeout=60)
            stem = self._record(tuple(label.split()), stdout, stderr)
            self._check(stem, proc.returncode, expected[label], stderr)
        self.pending.clear()

    def stop_pending(self) -> None:
        """After a failure: end the background commands this world started."""
        for _label, proc in self.pending:
            proc.kill()
            proc.communicate()
        self.pending.clear()

    def git(self, repo: Path, *args: str, code: int = 0) -> bytes:
        __tracebackhide__ = True
        proc = subprocess.run(
            ["git", "-C", str(repo), *args],
            capture_output=True,
            env=self.child_env(),
            timeout=60,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        stem = self._record(("git", *args), proc.stdout, proc.stderr)
        self._check(stem, proc.returncode, code, proc.stderr)
        return proc.stdout


def build_world(root: Path) -> World:
    canaries = make_canaries(COUNT, binary=BINARY)
    world = World(root, canaries, CanarySearch(canaries))
    for location in world.locations().values():
        if not location.endswith(".json"):
            Path(location).mkdir(parents=True, exist_ok=True)
    for folder in (world.outside, world.work, world.log_dir, world.vault.parent):
        folder.mkdir(parents=True, exist_ok=True)
    write_passphrase_file(world.searched, PASSPHRASE, world.passphrase_file.name)
    return world


EXPIRED, DUE_SOON, OVERDUE_ROTATION = frozenset({47, 87}), frozenset({53, 93}), frozenset({40, 120})


def _expiry(index: int, now: datetime) -> datetime | None:
    if index in EXPIRED:
        return now - timedelta(days=3)
    if index in DUE_SOON:
        return now + timedelta(days=5)
    return now + timedelta(days=400 + index) if index % 3 else None


def seed_vault(world: World) -> None:
    """The vault and its SEEDED canaries, made in this process at the KDF floor. A few are
    expired, due soon or overdue, so reminders have something to say; only a few, because the
    app shows one notification per deadline when it unlocks."""
    now = datetime.now(UTC)
    session, _ = services.create_vault(
        world.vault, PASSPHRASE, KdfParams.floor(), keyring_store=None
    )
    with session, session.batch():
        for slug, category in INTEGRATIONS:
            session.add_integration(slug, slug.title(), category, "api")
        for slug, region in CUSTOMERS:
            if slug is not None:
                session.add_customer(slug, slug.title(), region)
        for i in SEEDED:
            integration, customer, environment, name = seeded_path(i).split("/")
            session.add_credential(
                integration=integration,
                customer=None if customer == "-" else customer,
                environment=environment,
                name=name,
                secret=world.canary(i),
                owner=f"owner{i % 7}@example.com",
                expires_at=_expiry(i, now),
                rotate_every_days=90 if i % 4 == 0 else None,
                last_rotated_at=now - timedelta(days=120) if i in OVERDUE_ROTATION else None,
                notes=f"seeded credential {i}",
            )
