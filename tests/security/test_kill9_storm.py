"""kill -9 storm: a writer doing random service calls is SIGKILLed at random moments.

Each run copies a template vault, lets a forked writer (storm_zygote.py) add, edit, rotate and
remove credentials and add customers, each call announced on a pipe before and acknowledged
after it returns, and kills it 5-150 ms after it unlocked. Then, in this process: the vault
opens, every page and the audit chain verify, every acknowledged call is there with its audit
event, and the one call in flight is there completely (with its event) or not at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.services import VaultSession
from tests.security.conftest import Figures, env_count
from tests.security.helpers import HERE, KnownVault, reveal_all

KILL_AFTER_MS = (5.0, 150.0)
READY_TIMEOUT_S = 20.0


@dataclass
class VaultState:
    credentials: dict[str, tuple[str, str, int, bytes]]  # path -> (owner, notes, version, secret)
    customers: set[str]
    events: list[tuple[str, str]]  # (action, path or slug) after the template's last event

    def copy(self) -> VaultState:
        return VaultState(dict(self.credentials), set(self.customers), list(self.events))

    def apply(self, op: dict[str, Any]) -> None:
        kind = op["op"]
        if kind == "customer":
            self.customers.add(op["slug"])
            self.events.append(("customer.added", op["slug"]))
            return
        path = op["path"]
        if kind == "add":
            self.credentials[path] = (op["owner"], "", 1, bytes.fromhex(op["secret"]))
            self.events.append(("credential.added", path))
        elif kind == "edit":
            _, _, version, secret = self.credentials[path]
            self.credentials[path] = (op["owner"], op["notes"], version, secret)
            self.events.append(("credential.edited", path))
        elif kind == "rotate":
            owner, notes, version, _ = self.credentials[path]
            self.credentials[path] = (owner, notes, version + 1, bytes.fromhex(op["secret"]))
            self.events.append(("credential.rotated", path))
        elif kind == "remove":
            del self.credentials[path]
            self.events.append(("credential.removed", path))
        else:
            raise AssertionError(f"unknown op {kind}")


def _event_key(target: str) -> str:
    # credential:ID:integration/customer/env/name  or  customer:slug
    kind, _, rest = target.partition(":")
    return rest.partition(":")[2] if kind == "credential" else rest


def read_state(session: VaultSession, after_seq: int) -> VaultState:
    """The vault as it is; reveals last, since each reveal appends an audit event."""
    events = [(e.action, _event_key(e.target)) for e in session.audit_events() if e.seq > after_seq]
    meta = {}
    for item in session.list_credentials():
        c = item.credential
        path = f"{c.integration}/{c.customer or '-'}/{c.environment.value}/{c.name}"
        meta[path] = (c.owner, c.notes, c.version)
    customers = {c.slug for c in session.list_customers()}
    secrets = reveal_all(session)
    credentials = {p: (*m, secrets[p]) for p, m in meta.items()}
    return VaultState(credentials, customers, events)


class LineReader:
    """Whole lines from a pipe, with a deadline (select, no busy wait)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def lines_until(self, deadline: float) -> Iterator[dict[str, Any]]:
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                yield json.loads(line)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            ready, _, _ = select.select([self.fd], [], [], remaining)
            if not ready:
                return
            chunk = os.read(self.fd, 65536)
            if not chunk:
                raise AssertionError("the storm server closed its output")
            self.buffer += chunk


@dataclass
class StormTotals:
    runs: int = 0
    acknowledged: int = 0
    lost: int = 0
    in_flight_committed: int = 0
    in_flight_rolled_back: int = 0
    without_audit: int = 0
    open_failures: int = 0
    integrity_failures: int = 0
    failures: list[str] = field(default_factory=list)


class StormServer:
    def __init__(self, log: Path) -> None:
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "storm_zygote.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        assert self.proc.stdout is not None
        self.reader = LineReader(self.proc.stdout.fileno())

    def request(self, folder: Path, code: str, seed: int) -> None:
        assert self.proc.stdin is not None
        line = json.dumps({"folder": str(folder), "code": code, "seed": seed}) + "\n"
        self.proc.stdin.write(line.encode())
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()


@pytest.fixture(scope="module")
def base_state(known_vault: KnownVault, tmp_path_factory: pytest.TempPathFactory) -> VaultState:
    folder = known_vault.copy_to(tmp_path_factory.mktemp("storm-base") / "v.intsec")
    with known_vault.open(folder) as session:
        state = read_state(session, after_seq=0)
        state.events = []
    return state


def one_run(
    server: StormServer,
    known_vault: KnownVault,
    base: VaultState,
    base_seq: int,
    folder: Path,
    seed: int,
    totals: StormTotals,
) -> None:
    known_vault.copy_to(folder)
    server.request(folder, known_vault.recovery_code, seed)
    begun: dict[int, dict[str, Any]] = {}
    acked: list[int] = []
    pid: int | None = None
    exit_status: int | None = None

    def handle(event: dict[str, Any]) -> None:
        nonlocal pid, exit_status
        if event["ev"] == "ready":
            pid = event["pid"]
        elif event["ev"] == "begin":
            begun[event["id"]] = event
        elif event["ev"] == "ack":
            acked.append(event["id"])
        elif event["ev"] == "exit":
            exit_status = event["status"]
        elif event["ev"] == "error":
            totals.failures.append(f"seed {seed}: the writer failed: {event['error']}")

    for event in server.reader.lines_until(time.monotonic() + READY_TIMEOUT_S):
        handle(event)
        if pid is not None or exit_status is not None:
            break
    if pid is None:
        raise AssertionError(f"seed {seed}: the writer never became ready")
    # The random moment is the point of the test: sleep-free, the reader waits on the pipe.
    kill_at = time.monotonic() + random.uniform(*KILL_AFTER_MS) / 1000
    for event in server.reader.lines_until(kill_at):
        handle(event)
    if exit_status is None:
        with contextlib.suppress(ProcessLookupError):  # died on its own: reported below
            os.kill(pid, signal.SIGKILL)
    for event in server.reader.lines_until(time.monotonic() + READY_TIMEOUT_S):
        handle(event)
        if exit_status is not None:
            break
    if exit_status is None:
        raise AssertionError(f"seed {seed}: the writer did not die")
    if not (os.WIFSIGNALED(exit_status) and os.WTERMSIG(exit_status) == signal.SIGKILL):
        totals.failures.append(f"seed {seed}: the writer exited by itself ({exit_status})")
        return

    expected = base.copy()
    for op_id in acked:
        expected.apply(begun[op_id])
    in_flight = [begun[i] for i in sorted(set(begun) - set(acked))]
    assert len(in_flight) <= 1, in_flight
    with_in_flight = expected.copy()
    for op in in_flight:
        with_in_flight.apply(op)

    totals.runs += 1
    totals.acknowledged += len(acked)
    try:
        session = known_vault.open(folder)
    except IntsecError as exc:
        totals.open_failures += 1
        totals.failures.append(f"seed {seed}: the vault does not open: {exc}")
        return
    with session:
        problems = session.integrity_problems()
        if problems:
            totals.integrity_failures += 1
            totals.failures.append(f"seed {seed}: integrity problems {problems}")
            return
        actual = read_state(session, base_seq)

    if actual == expected:
        totals.in_flight_rolled_back += len(in_flight)
        return
    if in_flight and actual == with_in_flight:
        totals.in_flight_committed += 1
        return
    # Neither: count what went missing and what changed without its event, then report.
    present = [e for e in expected.events if e in actual.events]
    totals.lost += len(expected.events) - len(present)
    changed = actual.credentials != expected.credentials or actual.customers != expected.customers
    if changed and actual.events == expected.events:
        totals.without_audit += 1
    flying = [{k: v for k, v in op.items() if k != "secret"} for op in in_flight]
    totals.failures.append(
        f"seed {seed}: {len(acked)} acknowledged, in flight {flying}; vault differs:"
        f" missing credentials {sorted(set(expected.credentials) - set(actual.credentials))},"
        f" unexpected {sorted(set(actual.credentials) - set(with_in_flight.credentials))},"
        f" events expected {expected.events[-3:]} found {actual.events[-3:]}"
    )


def storm(
    runs: int,
    known_vault: KnownVault,
    base: VaultState,
    tmp_path: Path,
    figures: Figures,
    label: str,
) -> None:
    base_seq = 0
    with known_vault.open(known_vault.copy_to(tmp_path / "seq.intsec")) as session:
        base_seq = session.audit_events()[-1].seq
    seed0 = int(os.environ.get("INTSEC_STORM_SEED", "0")) or random.randrange(1, 2**31)
    totals = StormTotals()
    server = StormServer(tmp_path / "storm-server.log")
    started = time.monotonic()
    try:
        for i in range(runs):
            folder = tmp_path / f"run{i}.intsec"
            one_run(server, known_vault, base, base_seq, folder, seed0 + i, totals)
            shutil.rmtree(folder)
            if len(totals.failures) >= 10:
                break
    finally:
        server.close()
    elapsed = time.monotonic() - started

    figures.record(label, "runs (SIGKILL 5-150 ms after unlock)", totals.runs)
    figures.record(label, "acknowledged transactions", totals.acknowledged)
    figures.record(label, "acknowledged transactions lost", totals.lost)
    figures.record(label, "changes without their audit event", totals.without_audit)
    figures.record(
        label,
        "in-flight call committed / rolled back",
        f"{totals.in_flight_committed} / {totals.in_flight_rolled_back}",
    )
    figures.record(label, "vault did not open", totals.open_failures)
    figures.record(label, "integrity or audit-chain failures", totals.integrity_failures)
    figures.record(label, "time, first seed", f"{elapsed:.1f} s, INTSEC_STORM_SEED={seed0}")

    log = (tmp_path / "storm-server.log").read_text(errors="replace")[-2000:]
    assert not totals.failures, "\n".join(totals.failures[:5]) + f"\nserver log: {log}"
    assert totals.runs == runs
    assert totals.acknowledged > runs, "the writer hardly wrote anything: the storm tested nothing"


def test_kill9_storm(
    known_vault: KnownVault, base_state: VaultState, tmp_path: Path, figures: Figures
) -> None:
    runs = env_count("INTSEC_STORM_RUNS", 200)
    storm(runs, known_vault, base_state, tmp_path, figures, "kill -9 storm")


SOAK_RUNS = env_count("INTSEC_SOAK_RUNS", 1000)


@pytest.mark.soak
@pytest.mark.timeout(max(120, SOAK_RUNS))
def test_kill9_storm_soak(
    known_vault: KnownVault, base_state: VaultState, tmp_path: Path, figures: Figures
) -> None:
    storm(SOAK_RUNS, known_vault, base_state, tmp_path, figures, "kill -9 storm (soak)")
