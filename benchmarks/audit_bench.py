"""`make bench` (audit part): 100,000 audit events -> filtered listings and `audit verify`.

Targets (issue 7): a filtered listing <= 50 ms; verify <= 2 s. Prints a Markdown table with
median and p95 over several runs; exits 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from intsec_desktop.core import services
from intsec_desktop.core.clock import FakeClock
from intsec_desktop.core.services import AuditFilter, VaultSession
from intsec_desktop.core.vault import audit
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.database import write_transaction

PASSPHRASE = "benchmark passphrase"
START = datetime(2026, 1, 1, tzinfo=UTC)
ACTORS = ["dana", "mei", "priya", "sam", "avi", "lee", "kim", "ola", "raj", "zoe"]
ACTIONS = [
    "credential.revealed",
    "credential.copied",
    "credential.injected",
    "credential.edited",
    "credential.rotated",
    "scope.changed",
    "integration.edited",
    "customer.edited",
]


def fill(session: VaultSession, events: int) -> None:
    """Realistic spread: 10 actors, 8 actions, 2,000 targets, one event every ~5 minutes."""
    rng = random.Random(7)
    conn, key = session._conn, session._audit_key
    at = START
    done = 0
    while done < events:
        with write_transaction(conn):
            for _ in range(min(10_000, events - done)):
                at += timedelta(seconds=rng.randrange(60, 600))
                n = rng.randrange(2000)
                audit.append(
                    conn,
                    key,
                    at=at,
                    actor=rng.choice(ACTORS),
                    origin=audit.Origin("bench", "bench-host"),
                    action=rng.choice(ACTIONS),
                    target=f"credential:{n}:hris{n % 40}/cust{n % 97}/production/api_key",
                    details={"version": rng.randrange(1, 9), "owner": ["a", "b"]},
                )
                done += 1


def timed(call: Callable[[], object], runs: int) -> tuple[list[float], object]:
    samples, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - t0)
    return samples, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bench.intsec"
        session, _ = services.create_vault(
            folder, PASSPHRASE, KdfParams.floor(), keyring_store=None, clock=FakeClock(START)
        )
        t0 = time.perf_counter()
        fill(session, args.events - 1)
        fill_seconds = time.perf_counter() - t0
        session.close()  # records the chain head in keyslots.json
        session = services.open_vault_with_secret(folder, PASSPHRASE)
        week = START + timedelta(days=60)
        cases: list[tuple[str, AuditFilter, float]] = [
            ("actor + action", AuditFilter(actor="dana", action="credential.revealed"), 0.050),
            ("target (one credential)", AuditFilter(target="credential:1234:*"), 0.050),
            (
                "action prefix, newest 500",
                AuditFilter(action="credential.*", limit=500, newest_first=True),
                0.050,
            ),
            ("one week", AuditFilter(since=week, until=week + timedelta(days=7)), 0.050),
            (
                "text search, newest 500",
                AuditFilter(text="cust42/", limit=500, newest_first=True),
                0.050,
            ),
        ]
        cases.append(
            (
                "no filter, newest 2,000 (Audit page)",
                AuditFilter(limit=2000, newest_first=True),
                0.050,
            )
        )
        rows: list[tuple[str, str, float, float, str, bool]] = []
        for name, where, target in cases:
            samples, result = timed(lambda w=where: session.list_audit(w), args.runs)
            count = len(result)  # type: ignore[arg-type]
            med, p95 = statistics.median(samples), max(samples)
            rows.append(
                (
                    f"list: {name}",
                    f"{count} rows",
                    med,
                    p95,
                    f"<= {target * 1000:.0f} ms",
                    p95 <= target,
                )
            )
        samples, verdict = timed(session.verify_audit, 3)
        med, p95 = statistics.median(samples), max(samples)
        rows.append(
            (
                "audit verify",
                f"{args.events} events, ok={verdict.ok}",
                med,
                p95,  # type: ignore[attr-defined]
                "<= 2000 ms",
                p95 <= 2.0,
            )
        )
        session.close()
    print(f"### Audit trail, {args.events:,} events (filled in {fill_seconds:.1f} s)\n")
    print("| case | result | median ms | max ms | target | met |")
    print("|---|---|---:|---:|---|---|")
    for name, result_text, med, p95, target_text, met in rows:
        print(
            f"| {name} | {result_text} | {med * 1000:.1f} | {p95 * 1000:.1f} | {target_text}"
            f" | {'yes' if met else 'NO'} |"
        )
    return 0 if all(r[5] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
