"""Security suite fixtures, the soak switch, and the table of figures printed at the end of the
run (`make test` ends with it; the README's published figures come from it)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.security.helpers import KnownVault, create_known_vault

HERE = Path(__file__).parent


def env_count(name: str, default: int) -> int:
    """A run count from the environment (INTSEC_STORM_RUNS, INTSEC_SOAK_RUNS, ...)."""
    value = os.environ.get(name, "")
    try:
        return max(int(value), 1) if value else default
    except ValueError:
        raise pytest.UsageError(f"{name} must be a whole number, not {value!r}") from None


# --- soak variants run only when asked for (`make soak` selects -m soak) -----------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "soak" in (config.option.markexpr or ""):
        return
    soak = [i for i in items if HERE in i.path.parents and i.get_closest_marker("soak")]
    if soak:
        config.hook.pytest_deselected(items=soak)
        items[:] = [i for i in items if i not in soak]


# --- figures ----------------------------------------------------------------------------------


@dataclass
class Figures:
    """check -> [(figure, value)], in the order recorded."""

    rows: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def record(self, check: str, figure: str, value: object) -> None:
        self.rows.setdefault(check, []).append((figure, str(value)))

    def markdown(self) -> list[str]:
        lines = ["| check | figure | value |", "|---|---|---|"]
        for check, figures in self.rows.items():
            for i, (figure, value) in enumerate(figures):
                lines.append(f"| {check if i == 0 else ''} | {figure} | {value} |")
        return lines


FIGURES = Figures()


@pytest.fixture(scope="session")
def figures() -> Figures:
    return FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES.rows:
        return
    terminalreporter.section("intsec security figures")
    for line in FIGURES.markdown():
        terminalreporter.write_line(line)


# --- a vault with known contents, made once ----------------------------------------------------


@pytest.fixture(scope="session")
def known_vault(tmp_path_factory: pytest.TempPathFactory) -> KnownVault:
    """Created once (one Argon2 run at the floor parameters); tests copy it."""
    folder = tmp_path_factory.mktemp("security-template") / "known.intsec"
    with pytest.MonkeyPatch.context() as mp:
        # Session fixtures run before the per-test INTSEC_HOME: keep the real state dir clean.
        mp.setenv("INTSEC_HOME", str(tmp_path_factory.mktemp("security-template-home")))
        code, vault_id = create_known_vault(folder)
    return KnownVault(folder, code, vault_id)
