"""Packaging checks: build the wheel, the sdist and the PyInstaller bundle once per run, install
and start them as a user would, and validate the Linux desktop files with the distro's tools.

A missing tool (objcopy, appstreamcli, desktop-file-validate, PyInstaller, build) skips a check
on a developer's machine and fails it under CI=true, so CI never passes by skipping.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
PACKAGING = ROOT / "packaging"
RESOURCES = ROOT / "intsec_desktop" / "resources"
APP_ID = "io.intsec.desktop"
IN_CI = os.environ.get("CI", "").lower() == "true"
# A cold PyInstaller build or a first venv install may take a while; each is done once per run.
BUILD_TIMEOUT = 300
RUN_TIMEOUT = 60
BUNDLE_EXECUTABLES = ("intsec", "intsec-desktop", "intsec-selfcheck")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.packaging)


def missing_tool(reason: str) -> NoReturn:
    """Fail under CI, skip elsewhere."""
    if IN_CI:
        pytest.fail(f"CI=true but a packaging tool is missing: {reason}", pytrace=False)
    pytest.skip(reason)


def require_command(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing_tool(f"`{name}` not found (Debian: apt-get install {package}; make system-deps)")
    return path


def require_module(name: str) -> None:
    if importlib.util.find_spec(name) is None:
        missing_tool(f"Python module {name} not in the venv (pip install -e '.[package]')")


def clean_env(**extra: str) -> dict[str, str]:
    """The test's environment without anything that would make a subprocess import the checkout
    instead of what was installed or bundled."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.pop("VIRTUAL_ENV", None)
    env.update(extra)
    return env


def run(
    args: Sequence[str | Path],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = RUN_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run to completion; a non-zero exit fails the test with the command's output."""
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=dict(env) if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, args))} exited {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-4000:]}\n--- stderr ---\n{proc.stderr[-4000:]}",
            pytrace=False,
        )
    return proc


@dataclass(frozen=True)
class Dists:
    wheel: Path
    sdist: Path


@dataclass(frozen=True)
class Bundle:
    folder: Path  # dist/intsec-desktop: the executables and _internal/
    workpath: Path  # PyInstaller's build folder (its TOC files list what went in)

    def executable(self, name: str) -> Path:
        return self.folder / name


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    """sdist, then a wheel built from that sdist (`python -m build`), as a release would."""
    require_module("build")
    out = tmp_path_factory.mktemp("dists")
    run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=ROOT, timeout=BUILD_TIMEOUT)
    wheels = sorted(out.glob("*.whl"))
    sdists = sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1, wheels
    assert len(sdists) == 1, sdists
    return Dists(wheel=wheels[0], sdist=sdists[0])


@pytest.fixture(scope="session")
def fresh_venv(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A new venv with only the built wheel and its dependencies (from pip's cache or index)."""
    venv = tmp_path_factory.mktemp("fresh-venv") / "venv"
    cwd = venv.parent
    run([sys.executable, "-m", "venv", venv], cwd=cwd, timeout=BUILD_TIMEOUT)
    run(
        [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-compile", dists.wheel],
        cwd=cwd,
        timeout=BUILD_TIMEOUT,
    )
    yield venv
    shutil.rmtree(venv, ignore_errors=True)  # ~300 MB; pytest keeps old temp dirs otherwise


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bundle]:
    require_command("objcopy", "binutils")
    require_module("PyInstaller")
    base = tmp_path_factory.mktemp("pyinstaller")
    distpath, workpath = base / "dist", base / "build"
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            distpath,
            "--workpath",
            workpath,
            PACKAGING / "pyinstaller" / "intsec.spec",
        ],
        cwd=ROOT,
        timeout=BUILD_TIMEOUT,
    )
    yield Bundle(folder=distpath / "intsec-desktop", workpath=workpath / "intsec")
    shutil.rmtree(base, ignore_errors=True)  # ~220 MB bundle plus as much build state
