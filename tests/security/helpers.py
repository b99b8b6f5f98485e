"""Shared pieces of the security suite: known vault contents, snapshots, an in-memory keyring,
the CLI in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from intsec_desktop.core import services
from intsec_desktop.core.clock import FakeClock
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.vault import audit
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore

HERE = Path(__file__).parent
START = datetime(2026, 1, 1, 9, 0, 0, tzinfo=UTC)
ORIGIN = audit.Origin(os_user="tester", host="testhost")
PASSPHRASE = "security suite passphrase: plum kettle 7"
WRONG_PASSPHRASE = "security suite passphrase: plum kettle 8"
IN_CI = os.environ.get("CI", "").lower() == "true"

# Distinctive values, so a search for them cannot hit by accident.
KNOWN_SECRETS: dict[str, bytes] = {
    "bamboohr/acme/production/api_key": b"sk_live_SEC_9fQ2mZx7Lw4Rt8Vb1Nc6",
    "bamboohr/globex/production/api_key": b"sk_live_SEC_3hJ5kP0sD9fG2aQ7wE4r",
    "bamboohr/-/staging/webhook_secret": b"whsec_SEC_Yt6Ui8Op2As4Df6Gh8Jk",
    "greenhouse/acme/production/token": b"ghp_SEC_Zx1Cv3Bn5Mq7Wr9Ty2Ui4Op",
    "greenhouse/-/development/password": b"pw_SEC_Lk8Jh6Gf4Ds2Az0Xc9Vb7Nm",
}


def split_path(path: str) -> tuple[str, str | None, str, str]:
    integration, customer, environment, name = path.split("/")
    return integration, None if customer == "-" else customer, environment, name


class MemoryKeyring:
    """A `keyring` backend kept in a dict: priority 1, never touches D-Bus or disk."""

    priority = 1

    def __init__(self, entries: dict[tuple[str, str], str] | None = None) -> None:
        self.entries: dict[tuple[str, str], str] = dict(entries or {})

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.entries[(service, username)]


def create_known_vault(folder: Path, keyring: MemoryKeyring | None = None) -> tuple[str, str]:
    """A vault holding KNOWN_SECRETS, closed (WAL checkpointed). Returns (recovery code, id)."""
    session, created = services.create_vault(
        folder,
        PASSPHRASE,
        KdfParams.floor(),
        keyring_store=DeviceKeyStore(keyring) if keyring is not None else None,
        clock=FakeClock(START),
        origin=ORIGIN,
    )
    with session:
        session.add_integration("bamboohr", "BambooHR", "hris", "api")
        session.add_integration("greenhouse", "Greenhouse", "ats", "api")
        session.add_customer("acme", "Acme GmbH", "eu")
        session.add_customer("globex", "Globex Corp", "us")
        for path, secret in KNOWN_SECRETS.items():
            integration, customer, environment, name = split_path(path)
            session.add_credential(
                integration=integration,
                customer=customer,
                environment=environment,
                name=name,
                secret=secret,
                owner="dana@example.com",
            )
        return created.recovery_code, session.vault_id


@dataclass(frozen=True)
class KnownVault:
    """A closed template vault; tests copy it (copytree is byte-for-byte, Argon2 runs once)."""

    folder: Path
    recovery_code: str
    vault_id: str

    def copy_to(self, target: Path) -> Path:
        shutil.copytree(self.folder, target)
        return target

    def open(self, folder: Path) -> VaultSession:
        return services.open_vault_with_secret(
            folder, self.recovery_code, clock=FakeClock(START), origin=ORIGIN
        )


def reveal_all(session: VaultSession) -> dict[str, bytes]:
    """path -> current secret, every reveal in one transaction (one fsync, not one per item)."""
    values: dict[str, bytes] = {}
    with session.batch():
        for item in session.list_credentials():
            c = item.credential
            path = f"{c.integration}/{c.customer or '-'}/{c.environment.value}/{c.name}"
            values[path] = session.reveal_secret(c.id)
    return values


Snapshot = dict[str, tuple[bytes, int, int]]


def snapshot(folder: Path) -> Snapshot:
    """{relative path: (bytes, mtime_ns, mode)} of every file below `folder`."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_mode)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTSEC_", "PYTEST_"))}
    env["INTSEC_HOME"] = str(home)
    env.update(extra)
    return env


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "intsec_desktop.cli.main", *args]


def run_cli(
    args: list[str],
    home: Path,
    *,
    stdin: bytes = b"",
    umask: int = -1,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        cli_command(*args),
        input=stdin,
        capture_output=True,
        env=dict(env) if env is not None else cli_env(home),
        umask=umask,
        timeout=60,
        check=False,
    )


def write_passphrase_file(folder: Path, passphrase: str, name: str = "pass.txt") -> Path:
    path = folder / name
    path.write_text(passphrase + "\n")
    path.chmod(0o600)
    return path
