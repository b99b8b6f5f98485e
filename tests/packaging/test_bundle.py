"""The PyInstaller one-folder bundle: both commands start, the keyring backend, SVG plugins and
resources are really inside, and nothing from the test tool chain or local state is."""

from __future__ import annotations

import ast
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from intsec_desktop import __version__
from tests.packaging.conftest import (
    BUILD_TIMEOUT,
    BUNDLE_EXECUTABLES,
    IN_CI,
    PACKAGING,
    RESOURCES,
    Bundle,
    clean_env,
    missing_tool,
    run,
)

SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"
# What a user's bundle must never contain (modules in the PYZ, files on disk).
FORBIDDEN_MODULES = ("tests", "pytest", "_pytest", "pytestqt", "hypothesis", "mypy", "PyInstaller")
FORBIDDEN_NAMES = {"vault.db", "keyslots.json", ".env", "pyvenv.cfg", "conftest.py"}
MAX_BUNDLE_MB = 320  # ~220 MB today; far more means something big was swept in

pytestmark = pytest.mark.timeout(BUILD_TIMEOUT)


def selfcheck(python_or_exe: list[str | Path], cwd: Path) -> dict[str, Any]:
    proc = run(python_or_exe, cwd=cwd, env=clean_env(QT_QPA_PLATFORM="offscreen"))
    facts: dict[str, Any] = json.loads(proc.stdout)
    return facts


def test_bundle_has_all_three_executables(bundle: Bundle) -> None:
    for name in BUNDLE_EXECUTABLES:
        path = bundle.executable(name)
        assert path.is_file(), name
        assert os.access(path, os.X_OK), name


def test_bundled_cli_reports_its_version(bundle: Bundle, tmp_path: Path) -> None:
    proc = run([bundle.executable("intsec"), "--version"], cwd=tmp_path)
    assert proc.stdout.strip() == f"intsec {__version__}"


def test_bundled_app_passes_its_smoke_test(bundle: Bundle, tmp_path: Path) -> None:
    proc = run(
        [bundle.executable("intsec-desktop"), "--smoke-test"],
        cwd=tmp_path,
        env=clean_env(QT_QPA_PLATFORM="offscreen"),
    )
    assert "smoke test: ok" in proc.stdout


def test_bundle_has_what_the_venv_has(bundle: Bundle, tmp_path: Path) -> None:
    """Same keyring backend, keyring plugins and SVG plugins frozen as unfrozen; the icon draws."""
    frozen = selfcheck([bundle.executable("intsec-selfcheck")], tmp_path)
    source = selfcheck([sys.executable, PACKAGING / "pyinstaller" / "selfcheck.py"], tmp_path)
    assert frozen["frozen"] is True
    assert frozen["ok"] is True, frozen
    for key in ("keyring_backend", "keyring_entry_points", "device_key_store", "svg_plugins"):
        assert frozen[key] == source[key], key
    assert frozen["resources"] == {"icons/app.svg": True, "common-passwords.txt": True}


def test_bundle_uses_the_secret_service_in_a_desktop_session(
    bundle: Bundle, tmp_path: Path
) -> None:
    """By name: without keyring's metadata a bundle silently falls back to fail.Keyring."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        missing_tool("no D-Bus session: run under tests/e2e/desktop/desktop-session.sh")
    facts = selfcheck([bundle.executable("intsec-selfcheck")], tmp_path)
    if facts["keyring_backend"] != SECRET_SERVICE_BACKEND and not IN_CI:
        pytest.skip(f"this session has no Secret Service ({facts['keyring_backend']})")
    assert facts["keyring_backend"] == SECRET_SERVICE_BACKEND
    assert facts["device_key_store"] == {"usable": True, "backend": SECRET_SERVICE_BACKEND}


def test_bundle_package_data_is_exactly_the_resources_folder(bundle: Bundle) -> None:
    bundled = bundle.folder / "_internal" / "intsec_desktop"
    on_disk = {p.relative_to(bundled).as_posix() for p in bundled.rglob("*") if p.is_file()}
    expected = {
        p.relative_to(RESOURCES.parent).as_posix()
        for p in RESOURCES.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert on_disk == expected


def test_bundle_has_no_test_tools_local_state_or_venv(bundle: Bundle) -> None:
    toc_text = (bundle.workpath / "PYZ-00.toc").read_text(encoding="utf-8")
    _, entries = ast.literal_eval(toc_text)
    modules = {name for name, _path, _kind in entries}
    swept_in = sorted(m for m in modules if m.split(".")[0] in FORBIDDEN_MODULES)
    assert not swept_in
    for path in bundle.folder.rglob("*"):
        assert path.name not in FORBIDDEN_NAMES, path
        assert not path.name.endswith(".intsec"), path
        assert ".venv" not in path.parts, path


def test_bundle_size_is_in_the_expected_range(bundle: Bundle) -> None:
    total = sum(p.stat().st_size for p in bundle.folder.rglob("*") if p.is_file())
    assert total < MAX_BUNDLE_MB * 1024 * 1024, f"{total / 2**20:.0f} MB"
