"""Disk full during an export and during an import's rewrite with its backup: a one-line
error, the file from before intact, no partial file; the vault unharmed."""

from __future__ import annotations

from pathlib import Path

import pytest

from intsec_desktop.core.errors import IntsecError, StorageError
from intsec_desktop.core.export.profile import make_profile
from intsec_desktop.core.importers.import_file import read_plan, write_result
from tests.security.conftest import Figures
from tests.security.helpers import KNOWN_SECRETS, KnownVault, reveal_all
from tests.security.test_disk_full import fill, small_disk

__all__ = ["small_disk"]  # fixture

EU = make_profile("eu", "production", ["eu"])


def test_export_to_a_full_disk(
    small_disk: Path, known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")  # the vault has room; the target not
    target = small_disk / "eu.yaml"
    with known_vault.open(folder) as session:
        previous = session.write_export(EU, target).data
        session.edit_customer("acme", name="Acme Europe GmbH")
        filler = fill(small_disk)
        with pytest.raises(IntsecError) as caught:
            session.write_export(EU, target)
        message = str(caught.value)
        assert "\n" not in message
        assert "space" in message or "full" in message, message
        assert target.read_bytes() == previous
        assert sorted(p.name for p in small_disk.iterdir()) == ["eu.yaml", "filler"]
        filler.unlink()
        assert session.write_export(EU, target).data != previous  # room again: it lands
        assert reveal_all(session) == KNOWN_SECRETS
    figures.record("disk full (2 MiB tmpfs)", "export", f"refused: {message}")


def test_import_rewrite_with_backup_on_a_full_disk(
    small_disk: Path, known_vault: KnownVault, tmp_path: Path, figures: Figures
) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    source = small_disk / ".env"
    original = b"# service config\nPAYROLL_API_KEY=sk_live_disk_full_0123456789abcdef\nDEBUG=1\n"
    source.write_bytes(original)
    source.chmod(0o600)
    plan = read_plan(source, "bamboohr", None)
    with known_vault.open(folder) as session:
        session.import_credentials(
            plan.items, integration="bamboohr", customer=None, environment="production",
            source=source.name,
        )  # fmt: skip
    filler = fill(small_disk)
    with pytest.raises(StorageError) as caught:
        write_result(plan, rewrite=True, backup=True)
    message = str(caught.value)
    assert "\n" not in message
    assert "stored" in message  # says what happened and that a re-run only writes the file
    assert source.read_bytes() == original
    assert sorted(p.name for p in small_disk.iterdir()) == [".env", "filler"]
    filler.unlink()
    written, backup = write_result(plan, rewrite=True, backup=True)
    assert backup is not None
    assert backup.read_bytes() == original
    assert b"sk_live_disk_full" not in written.read_bytes()
    figures.record("disk full (2 MiB tmpfs)", "import rewrite + backup", f"refused: {message}")
