"""The leak guard built in a forked child: same verdicts and audit as in-process, falls back to
in-process when the child fails, and is not used where a fork would be unsafe or blind."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest

from intsec_desktop.core.errors import LeakFoundError, VaultDamagedError
from intsec_desktop.core.export import guard_fork
from intsec_desktop.core.export.profile import make_profile
from intsec_desktop.core.services import VaultSession, export_admin
from tests.unit.conftest import SECRET, audit_count

EU = make_profile("eu-prod", "production", ["eu"])

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or len(os.sched_getaffinity(0)) < 2, reason="needs fork and 2 CPUs"
)


@pytest.fixture(autouse=True)
def as_if_single_threaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Earlier GUI tests in this process leave Qt's threads behind, and the guard rightly does
    not fork then; these tests are about the forked path (threads: see the subprocess test)."""
    monkeypatch.setattr(guard_fork, "_single_threaded", lambda: True)


def _plant(session: VaultSession) -> None:
    """The stored SECRET, base64-encoded, in a customer's display name."""
    session.edit_customer("acme", name="Acme " + base64.b64encode(SECRET).decode())


def _forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    started: list[int] = []
    real = guard_fork.start

    def counting(read_values):  # type: ignore[no-untyped-def]
        forked = real(read_values)
        started.append(1)
        return forked

    monkeypatch.setattr(guard_fork, "start", counting)
    return started


def test_clean_export_is_guarded_in_a_child_and_audited_once(
    session: VaultSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _forks(monkeypatch)
    before = audit_count(session)
    rendered = session.write_export(EU, tmp_path / "out.yaml")
    assert started == [1]
    assert (tmp_path / "out.yaml").read_bytes() == rendered.data
    assert audit_count(session) == before + 1
    event = session.audit_events()[-1]
    assert event.action == "secrets.used_for_export_guard"
    assert event.details["values"] >= 1


def test_child_refuses_a_leak_naming_the_credential(
    session: VaultSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _forks(monkeypatch)
    _plant(session)
    with pytest.raises(LeakFoundError, match="bamboohr/acme/production/api_key") as caught:
        session.write_export(EU, tmp_path / "out.yaml")
    assert started == [1]
    assert "base64" in str(caught.value)
    assert SECRET.decode() not in str(caught.value)
    assert not (tmp_path / "out.yaml").exists()
    assert session.audit_events()[-1].action == "secrets.used_for_export_guard"


def test_a_failing_child_means_an_in_process_guard(
    session: VaultSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("no connection in the child")

    monkeypatch.setattr(export_admin.database, "open_existing", broken)  # runs in the child
    started = _forks(monkeypatch)
    _plant(session)
    with pytest.raises(LeakFoundError, match="bamboohr/acme"):
        session.write_export(EU, tmp_path / "out.yaml")
    assert started == [1]


def test_our_errors_in_the_child_come_back_as_themselves(
    session: VaultSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def damaged(*_args: object) -> None:
        raise VaultDamagedError("the sealed value of credential 1 failed authentication")

    monkeypatch.setattr(export_admin, "read_kept_values", damaged)
    with pytest.raises(VaultDamagedError, match="credential 1 failed"):
        session.write_export(EU, tmp_path / "out.yaml")


def test_no_fork_inside_a_transaction_so_uncommitted_values_are_guarded(
    session: VaultSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _forks(monkeypatch)
    with session.batch():
        session.add_credential(integration="bamboohr", customer="acme", name="fresh",
                               secret=b"uncommitted-value-42", owner="sam")  # fmt: skip
        session.edit_customer("acme", name="Acme uncommitted-value-42")
        with pytest.raises(LeakFoundError, match="bamboohr/acme/production/fresh"):
            session.write_export(EU, tmp_path / "out.yaml")
    assert started == []


def test_no_fork_while_another_thread_runs() -> None:
    """In a fresh process (this one may hold Qt's threads): a second thread, native or
    Python, means no fork."""
    script = (
        "import threading\n"
        "from intsec_desktop.core.export import guard_fork\n"
        "alone = guard_fork.fork_is_useful()\n"
        "release = threading.Event()\n"
        "worker = threading.Thread(target=release.wait)\n"
        "worker.start()\n"
        "busy = guard_fork.fork_is_useful()\n"
        "release.set()\n"
        "worker.join()\n"
        "print(alone, busy)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True)
    assert result.stdout.split() == [b"True", b"False"]
