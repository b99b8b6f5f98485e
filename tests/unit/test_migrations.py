"""Named, forward-only migrations: applied once, in order, each in its own transaction; a vault
touched by a newer intsec is refused instead of misread."""

from __future__ import annotations

import pytest

from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.vault import migrations


def applied(session: VaultSession) -> list[str]:
    return [r[0] for r in session._conn.execute("SELECT name FROM schema_migrations ORDER BY name")]


def test_every_migration_applied_once(session: VaultSession) -> None:
    assert applied(session) == sorted(name for name, _ in migrations.MIGRATIONS)
    assert migrations.migrate(session._conn) == 0
    assert migrations.schema_version(session._conn) == len(migrations.MIGRATIONS)


def test_a_new_migration_runs_on_an_existing_vault(
    session: VaultSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = ("9999_test_extra", ["CREATE TABLE extra_thing (x INTEGER) STRICT"])
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, extra])
    assert migrations.migrate(session._conn) == 1
    assert "9999_test_extra" in applied(session)
    assert migrations.migrate(session._conn) == 0


def test_a_failing_migration_leaves_nothing_behind(
    session: VaultSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = ("9998_broken", ["CREATE TABLE half_done (x INTEGER)", "THIS IS NOT SQL"])
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    with pytest.raises(IntsecError):
        migrations.migrate(session._conn)
    tables = {
        r[0] for r in session._conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")
    }
    assert "half_done" not in tables
    assert "9998_broken" not in applied(session)


def test_vault_from_a_newer_intsec_is_refused(
    session: VaultSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    session._conn.execute("INSERT INTO schema_migrations (name) VALUES ('9999_from_the_future')")
    with pytest.raises(IntsecError, match="newer intsec"):
        migrations.migrate(session._conn)
