"""I/O faults during an export's write and during a migration: open, write, fsync, rename or
close of the export fail at the N-th call, for every N; a migration's statements fail at the
N-th. Each attempt ends whole or not at all: a one-line error with the previous file (or vault
schema) intact and no temp file, or the change complete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.export.profile import make_profile
from intsec_desktop.core.vault import atomic, migrations
from tests.security.conftest import Figures
from tests.security.helpers import KNOWN_SECRETS, KnownVault, reveal_all
from tests.security.test_io_faults import FAULTY, FaultyOs

EU = make_profile("eu", "production", ["eu"])


def test_every_fault_point_of_an_export_write(
    known_vault: KnownVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, figures: Figures
) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    out_dir = tmp_path / "deploy"
    out_dir.mkdir()
    target = out_dir / "eu.yaml"
    with known_vault.open(folder) as session:
        previous = session.write_export(EU, target).data
        session.edit_customer("acme", name="Acme Europe GmbH")  # the next export differs
        clean = FaultyOs()
        with monkeypatch.context() as mp:
            mp.setattr(atomic, "os", clean)
            fresh = session.write_export(EU, target, force=True).data
        counts = dict(clean.calls)
        outcomes: dict[str, int] = {"refused, intact": 0, "completed": 0}
        for name in FAULTY:
            for at in range(1, counts.get(name, 0) + 1):
                target.write_bytes(previous)
                faulty = FaultyOs(name, at)
                with monkeypatch.context() as mp:
                    mp.setattr(atomic, "os", faulty)
                    try:
                        session.write_export(EU, target)
                    except IntsecError as exc:
                        message = str(exc)
                        assert message
                        assert "\n" not in message, message
                        assert target.read_bytes() == previous, (name, at)
                        outcomes["refused, intact"] += 1
                    else:
                        assert faulty.failed_after_rename, (name, at)
                        assert target.read_bytes() == fresh, (name, at)
                        outcomes["completed"] += 1
                assert faulty.failed, (name, at)
                assert sorted(p.name for p in out_dir.iterdir()) == ["eu.yaml"], (name, at)
        assert reveal_all(session) == KNOWN_SECRETS
        assert not session.integrity_problems()
    check = "I/O faults: export write"
    figures.record(check, "fault points (call x N)", sum(counts.get(n, 0) for n in FAULTY))
    figures.record(check, "refused, previous file intact", outcomes["refused, intact"])
    figures.record(check, "completed (fault after the rename)", outcomes["completed"])
    figures.record(check, "stray temp files", 0)


class FailingAt:
    """A connection whose N-th execute (counted from the first migration statement) fails as
    SQLite reports an I/O error."""

    def __init__(self, conn: Any, at: int) -> None:
        self._conn, self.at, self.calls = conn, at, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def execute(self, sql: str, *args: Any) -> Any:
        if not sql.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SELECT")):
            self.calls += 1
            if self.calls == self.at:
                raise sqlcipher3.OperationalError("disk I/O error")
        return self._conn.execute(sql, *args)


PENDING = (
    "9999_fault_test",
    [
        "CREATE TABLE fault_a (x INTEGER) STRICT",
        "INSERT INTO fault_a (x) VALUES (1), (2), (3)",
        "CREATE TABLE fault_b (y TEXT) STRICT",
        "ALTER TABLE credentials ADD COLUMN fault_c TEXT",
    ],
)


@pytest.fixture
def pending_migration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, PENDING])


def _tables(session: Any) -> set[str]:
    rows = session._conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")
    return {str(r[0]) for r in rows.fetchall()}


def test_every_fault_point_of_a_migration(
    known_vault: KnownVault,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pending_migration: None,
    figures: Figures,
) -> None:
    real_migrate = migrations.migrate
    counting = FailingAt(None, 0)  # at 0: counts, never fails
    folder = known_vault.copy_to(tmp_path / "clean.intsec")
    with monkeypatch.context() as mp:

        def count(conn: Any) -> int:
            counting._conn = conn
            return real_migrate(counting)

        mp.setattr(migrations, "migrate", count)
        known_vault.open(folder).close()
    statements = counting.calls  # every write statement of the pending migration's transaction
    assert statements >= len(PENDING[1]) + 2
    refused = 0
    for at in range(1, statements + 1):
        folder = known_vault.copy_to(tmp_path / f"v{at}.intsec")
        with monkeypatch.context() as mp:
            mp.setattr(migrations, "migrate", lambda conn, at=at: real_migrate(FailingAt(conn, at)))
            with pytest.raises(IntsecError) as caught:
                known_vault.open(folder)
        assert "\n" not in str(caught.value)
        refused += 1
        with monkeypatch.context() as mp:  # open without applying: the schema from before
            mp.setattr(migrations, "migrate", lambda conn: 0)
            with known_vault.open(folder) as untouched:
                tables = _tables(untouched)
                assert not {"fault_a", "fault_b"} & tables, at
                names = untouched._conn.execute("SELECT name FROM schema_migrations").fetchall()
                assert "9999_fault_test" not in {r[0] for r in names}, at
        with known_vault.open(folder) as migrated:  # the next open applies it, whole
            assert {"fault_a", "fault_b"} <= _tables(migrated)
            assert migrated._conn.execute("SELECT count(*) FROM fault_a").fetchone()[0] == 3
            assert reveal_all(migrated) == KNOWN_SECRETS
            assert not migrated.integrity_problems()
    check = "I/O faults: migration"
    figures.record(check, "statements failed one at a time", statements)
    figures.record(check, "refused with the schema from before", refused)
    figures.record(check, "applied whole at the next open", refused)
