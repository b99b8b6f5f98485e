"""`make bench`: reproducible timings for the vault and CLI on 10,000 credentials.

Run inside the desktop session (the Makefile does) so the keyring figures use the real
Secret Service. Prints a Markdown table; nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from intsec_desktop.core import demo, reminders, rotation, services
from intsec_desktop.core.model import CredentialFilter
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore

PASSPHRASE = "benchmark passphrase"


@dataclass
class Row:
    name: str
    samples: list[float]
    target: str = ""
    note: str = ""

    def cells(self) -> list[str]:
        ordered = sorted(self.samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return [
            self.name,
            f"{statistics.median(ordered) * 1000:.1f}",
            f"{p95 * 1000:.1f}",
            str(len(ordered)),
            self.target,
            self.note,
        ]


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--credentials", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="intsec-bench-"))
    os.environ["INTSEC_HOME"] = str(work / "home")
    folder = work / "bench.intsec"
    status = DeviceKeyStore.detect()
    store = DeviceKeyStore.default() if status.usable else None
    rows: list[Row] = []

    start = time.perf_counter()
    session, _ = services.create_vault(folder, PASSPHRASE, KdfParams.floor(), keyring_store=store)
    with session:
        demo.populate(session, credentials=args.credentials)
    rows.append(
        Row(
            f"create vault + {args.credentials:,} credentials",
            [time.perf_counter() - start],
            note="one transaction, one audit event each, KDF at floor",
        )
    )

    if store is not None:

        def unlock() -> services.VaultSession:
            return services.open_vault_with_keyring(folder)

        how = "keyring slot (Secret Service)"
    else:
        unlock = lambda: services.open_vault_with_secret(folder, PASSPHRASE)  # noqa: E731
        how = f"passphrase slot at floor KDF ({status.reason})"
    rows.append(Row("open vault", timed(lambda: unlock().close(), args.repeat), note=how))

    cli = [sys.executable, "-m", "intsec_desktop.cli.main", "--vault", str(folder)]
    env = dict(os.environ)
    passphrase_file = work / "passphrase"
    passphrase_file.write_text(PASSPHRASE)
    if store is None:
        cli += ["--passphrase-file", str(passphrase_file)]

    def list_json() -> None:
        subprocess.run(
            [*cli, "cred", "list", "--json"], check=True, env=env, stdout=subprocess.DEVNULL
        )

    list_json()  # warm the page cache and .pyc files
    rows.append(
        Row(
            "`intsec cred list --json` (whole process)",
            timed(list_json, args.repeat),
            "<= 150",
            how,
        )
    )
    rows.append(
        Row(
            "`intsec --version` (interpreter start-up floor)",
            timed(
                lambda: subprocess.run(
                    [*cli[:3], "--version"], check=True, env=env, stdout=subprocess.DEVNULL
                ),
                args.repeat,
            ),
        )
    )

    with unlock() as session:
        expiring = CredentialFilter(expiring_within_days=30)
        count = len(session.list_credentials(expiring))
        rows.append(
            Row(
                "expiring within 30 days (query + status)",
                timed(lambda: session.list_credentials(expiring), args.repeat * 2),
                note=f"{count} matches, indexed on expires_at",
            )
        )
        rows.append(
            Row(
                f"list all {args.credentials:,} as model objects",
                timed(session.list_credentials, args.repeat),
                note="what the GUI table loads",
            )
        )
        listed = [item.credential for item in session.list_credentials()]
        rows.append(
            Row(
                f"all {args.credentials:,} statuses + next due moment",
                timed(lambda: rotation.scan(listed, session.clock_now()), args.repeat * 2),
                "<= 20",
                "rotation.scan over loaded credentials",
            )
        )
        deadlines = session.reminder_deadlines()
        state = reminders.ReminderState()
        rows.append(
            Row(
                "reminder deadlines + next wake-up (GUI timer)",
                timed(
                    lambda: reminders.next_wakeup(
                        session.reminder_deadlines(), state, session.clock_now()
                    ),
                    args.repeat,
                ),
                note=f"{len(deadlines):,} deadlines, read from the vault each time",
            )
        )
        target = session.list_credentials()[args.credentials // 2].credential.id
        rows.append(
            Row(
                "reveal one secret",
                timed(lambda: session.reveal_secret(target), args.repeat * 2),
                note="AES-GCM open + audit event (fsync)",
            )
        )

    size = sum(p.stat().st_size for p in folder.iterdir())
    headers = ["benchmark", "median ms", "p95 ms", "runs", "target ms", "notes"]
    print(
        f"\nintsec-desktop benchmarks ({args.credentials:,} credentials, vault {size / 1e6:.1f} MB)\n"
    )
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")
    if store is not None:
        DeviceKeyStore.for_backend(store.backend_name).delete(session.vault_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
