"""Every test runs with its per-user folders in a temp dir, so none touches the real ones."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("intsec-home")
    monkeypatch.setenv("INTSEC_HOME", str(home))
    monkeypatch.delenv("INTSEC_VAULT", raising=False)
    return home
