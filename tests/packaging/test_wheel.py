"""The wheel and sdist carry the package and its resources; a fresh venv gets working commands."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

import pytest

from intsec_desktop import __version__
from tests.packaging.conftest import BUILD_TIMEOUT, RESOURCES, ROOT, Dists, clean_env, run

REQUIRED_RESOURCES = ("resources/icons/app.svg", "resources/common-passwords.txt")
# Never shipped: local state, the venv, test output.
FORBIDDEN_PARTS = {".venv", ".git", "__pycache__", ".pytest_cache", ".hypothesis", "dist", "build"}
FORBIDDEN_NAMES = {"vault.db", "keyslots.json", ".env"}

pytestmark = pytest.mark.timeout(BUILD_TIMEOUT)


def resource_files() -> set[str]:
    return {
        path.relative_to(RESOURCES.parent).as_posix()
        for path in RESOURCES.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def assert_clean(names: list[str]) -> None:
    for name in names:
        parts = set(Path(name).parts)
        assert not parts & FORBIDDEN_PARTS, name
        assert Path(name).name not in FORBIDDEN_NAMES, name
        assert not any(part.endswith(".intsec") for part in parts), name


def test_wheel_carries_every_resource_and_no_tests(dists: Dists) -> None:
    with zipfile.ZipFile(dists.wheel) as wheel:
        names = wheel.namelist()
        entry_points = wheel.read(
            f"intsec_desktop-{__version__}.dist-info/entry_points.txt"
        ).decode()
    packaged = {n.removeprefix("intsec_desktop/") for n in names}
    assert resource_files() <= packaged
    assert not [n for n in names if n.startswith("tests/")]
    assert_clean(names)
    assert "intsec = intsec_desktop.cli.main:main" in entry_points
    assert "intsec-desktop = intsec_desktop.gui.app:main" in entry_points


def test_sdist_carries_the_packaging_files_and_no_local_state(dists: Dists) -> None:
    with tarfile.open(dists.sdist) as sdist:
        names = [m.name.split("/", 1)[1] for m in sdist.getmembers() if "/" in m.name]
    for required in (
        "pyproject.toml",
        "README.md",
        "packaging/pyinstaller/intsec.spec",
        "packaging/linux/io.intsec.desktop.metainfo.xml",
        "packaging/systemd/intsec-reminders.timer",
        *(f"intsec_desktop/{r}" for r in REQUIRED_RESOURCES),
    ):
        assert required in names
    assert_clean(names)


def test_installed_wheel_has_its_resources(fresh_venv: Path, tmp_path: Path) -> None:
    # Run outside the checkout so `import intsec_desktop` cannot find the source tree.
    proc = run(
        [
            fresh_venv / "bin" / "python",
            "-c",
            "import intsec_desktop, pathlib; print(pathlib.Path(intsec_desktop.__file__).parent)",
        ],
        cwd=tmp_path,
    )
    installed = Path(proc.stdout.strip())
    assert fresh_venv in installed.parents
    assert ROOT not in installed.parents
    for resource in REQUIRED_RESOURCES:
        assert (installed / resource).is_file(), resource


def test_installed_cli_reports_its_version(fresh_venv: Path, tmp_path: Path) -> None:
    proc = run([fresh_venv / "bin" / "intsec", "--version"], cwd=tmp_path)
    assert proc.stdout.strip() == f"intsec {__version__}"


def test_installed_app_passes_its_smoke_test(fresh_venv: Path, tmp_path: Path) -> None:
    proc = run(
        [fresh_venv / "bin" / "intsec-desktop", "--smoke-test"],
        cwd=tmp_path,
        env=clean_env(QT_QPA_PLATFORM="offscreen"),
    )
    assert "smoke test: ok" in proc.stdout
