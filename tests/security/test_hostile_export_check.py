"""Hostile committed files for `intsec export --check` (hypothesis): the drift check against a
real export of each format, and the profile a committed file records. Only documented errors,
each call under 1 s of CPU and 200 MiB, with every hostile piece the other parsers get; the
inputs that once broke it are kept as regression cases."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from intsec_desktop.core.export import drift
from intsec_desktop.core.export.profile import ExportFormat, make_profile
from intsec_desktop.core.export.render import Rendered
from tests.security.conftest import Figures
from tests.security.helpers import KnownVault
from tests.security.hostile import (
    BOMB_MEMORY_LIMIT_BYTES,
    CPU_LIMIT_S,
    PYTHON_TAG_PAYLOADS,
    SOAK,
    Hostility,
    LimitExceededError,
    Probe,
    alias_bomb,
    documents,
    merge_bomb,
    run_examples,
)

STYLE = {
    ExportFormat.YAML: "yaml",
    ExportFormat.JSON: "json",
    ExportFormat.DOTENV: "dotenv",
    ExportFormat.K8S: "yaml",
}
EXPORT_HOSTILITY = Hostility()


@pytest.fixture(scope="module")
def fresh(
    known_vault: KnownVault, tmp_path_factory: pytest.TempPathFactory
) -> dict[ExportFormat, Rendered]:
    """What the known vault exports now, in each format."""
    folder = known_vault.copy_to(tmp_path_factory.mktemp("hostile-export") / "v.intsec")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INTSEC_HOME", str(tmp_path_factory.mktemp("hostile-export-home")))
        with known_vault.open(folder) as session:
            return {
                fmt: session.render_export(make_profile("", "production", ["eu", "us"], format=fmt))
                for fmt in ExportFormat
            }


def drift_check(rendered: Rendered) -> Callable[[bytes], object]:
    """`intsec export --check FILE --profile P`: the committed FILE against a fresh export."""

    def call(data: bytes) -> None:
        lines = drift.drift(data, rendered, "committed")
        assert all(isinstance(line, str) for line in lines)
        assert len(lines) <= drift.MAX_LINES + 1
        drift.is_ours(data)

    return call


def recorded_profile(data: bytes) -> None:
    """`intsec export --check FILE` without a profile: read the one FILE records."""
    drift.recorded_profile(data, "committed")


@pytest.fixture(scope="module")
def probes(fresh: dict[ExportFormat, Rendered]) -> dict[str, Probe]:
    found = {f"--check {fmt.value}": Probe(f"--check {fmt.value}", drift_check(fresh[fmt]))
             for fmt in ExportFormat}  # fmt: skip
    found["recorded profile"] = Probe("recorded profile", recorded_profile)
    return found


def strategy(name: str, fresh: dict[ExportFormat, Rendered]) -> st.SearchStrategy[bytes]:
    if name == "recorded profile":
        # Each format's header line, the JSON export's "profile" key, and (header taken out)
        # the YAML export's `profile:` mapping.
        headers = [
            fresh[fmt].data for fmt in (ExportFormat.YAML, ExportFormat.DOTENV, ExportFormat.K8S)
        ]
        return st.one_of(
            documents([*headers, profile_file(fresh, "production")], "yaml", EXPORT_HOSTILITY),
            documents([fresh[ExportFormat.JSON].data], "json", EXPORT_HOSTILITY),
        )
    fmt = ExportFormat(name.removeprefix("--check "))
    return documents([fresh[fmt].data], STYLE[fmt], EXPORT_HOSTILITY)


NAMES = [*(f"--check {fmt.value}" for fmt in ExportFormat), "recorded profile"]


@pytest.mark.parametrize("soak", SOAK)
@pytest.mark.parametrize("name", NAMES)
def test_hostile_committed_files(
    name: str,
    soak: bool,
    probes: dict[str, Probe],
    fresh: dict[ExportFormat, Rendered],
    figures: Figures,
) -> None:
    probe = Probe(name, probes[name].call)
    run_examples(probe, strategy(name, fresh), soak, figures)
    if name in ("--check json", "recorded profile"):  # the others take any bytes
        assert len(probe.outcomes) > 1, probe.outcomes


def test_the_real_exports_have_no_drift(fresh: dict[ExportFormat, Rendered]) -> None:
    for rendered in fresh.values():
        assert drift.drift(rendered.data, rendered, "committed") == []
        assert drift.recorded_profile(rendered.data, "committed").format is rendered.profile.format


# --- dedicated cases --------------------------------------------------------------------------


def profile_file(fresh: dict[ExportFormat, Rendered], value: str, *, before: str = "") -> bytes:
    """The YAML export without its "# profile:" header line, so that its `profile:` mapping is
    what counts, with the environment recorded there replaced by `value`."""
    text = fresh[ExportFormat.YAML].data.decode()
    text = "".join(line for line in text.splitlines(True) if not line.startswith("# profile: "))
    assert text.count("environment: production,") == 1
    return (before + text.replace("environment: production,", f"environment: {value},")).encode()


@pytest.mark.parametrize(
    "bomb",
    [("aliases", alias_bomb(9)), ("merge keys", merge_bomb(9))],
    ids=lambda case: case[0],
)
def test_an_alias_bomb_in_the_recorded_profile_is_refused(
    bomb: tuple[str, str],
    probes: dict[str, Probe],
    fresh: dict[ExportFormat, Rendered],
    figures: Figures,
) -> None:
    """The bomb (9**9 strings) is loaded shared; written out into an error message it used to
    take 116 s and 893 MiB (8 levels)."""
    style, text = bomb
    data = profile_file(fresh, "*l8" if style == "aliases" else "*m8", before=text)
    outcome = probes["recorded profile"].attempt(data, memory_limit=BOMB_MEMORY_LIMIT_BYTES)
    assert outcome.kind == "ValidationError"
    figures.record("hostile input", f"alias bomb ({style}), export --check profile",
                   f"refused in {outcome.cpu * 1000:.1f} ms CPU, {outcome.peak / 1024:.0f} KiB"
                   " (limits 1 s, 50 MiB)")  # fmt: skip


@pytest.mark.parametrize("payload", list(PYTHON_TAG_PAYLOADS))
def test_python_tags_are_refused_and_run_nothing(
    payload: str, probes: dict[str, Probe], fresh: dict[ExportFormat, Rendered], tmp_path: Path
) -> None:
    marker = tmp_path / "ran"
    tagged = PYTHON_TAG_PAYLOADS[payload].format(marker=marker)
    data = profile_file(fresh, tagged)
    assert probes["recorded profile"].attempt(data).kind == "ValidationError"
    yaml_export = fresh[ExportFormat.YAML].data
    probes["--check yaml"].attempt(yaml_export.replace(b"production", tagged.encode(), 1))
    assert not marker.exists()


# --- inputs that once broke the drift check (each raised the error named) -----------------


def _leaf(fresh: dict[ExportFormat, Rendered], value: bytes) -> bytes:
    """The YAML export with one customer's name (a leaf value on one line) replaced."""
    data = fresh[ExportFormat.YAML].data
    assert b'name: "Acme GmbH"' in data
    return data.replace(b'name: "Acme GmbH"', b"name: " + value, 1)


def _json_deep(f: dict[ExportFormat, Rendered]) -> bytes:
    return b'{"profile": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


def known_bug(name: str, committed: Callable[[dict[ExportFormat, Rendered]], bytes],
              _raised: type[BaseException], bug: str) -> Any:  # fmt: skip
    return pytest.param(name, committed, id=bug)


KNOWN_BUGS = [
    known_bug("--check yaml", lambda f: _leaf(f, b"&a [*a]"),
              ValueError, "recursive alias in a leaf: Circular reference detected"),
    known_bug("--check yaml", lambda f: _leaf(f, b"[" * 990 + b"]" * 990),
              RecursionError, "leaf nested 990 deep"),
    known_bug("--check yaml", lambda f: _leaf(f, b"9" * 5000),
              ValueError, "leaf of 5000 digits: int conversion limit"),
    known_bug("--check yaml", lambda f: _leaf(f, b"!!bool x"),
              KeyError, "leaf '!!bool x'"),
    known_bug("--check yaml", lambda f: _leaf(f, b"!!int x"),
              ValueError, "leaf '!!int x'"),
    known_bug("--check yaml", lambda f: _leaf(f, b"1" + b":59" * 20_000),
              ValueError, "base-60 leaf: int too long to print, converted in quadratic time"),
    known_bug("--check yaml", lambda f: _leaf(f, b"1" + b":59" * 300 + b".5"),
              OverflowError, "base-60 float leaf overflows"),
    known_bug("--check json", _json_deep, RecursionError, "JSON export nested 100000 deep"),
    known_bug("recorded profile", _json_deep, RecursionError, "JSON profile nested 100000 deep"),
    known_bug("recorded profile",
              lambda f: b"# profile: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
              RecursionError, "profile header line nested 100000 deep"),
    known_bug("recorded profile", lambda f: profile_file(f, "!!timestamp x"),
              AttributeError, "profile holds '!!timestamp x'"),
    known_bug("recorded profile", lambda f: profile_file(f, "1" + ":59" * 300 + ".5"),
              OverflowError, "profile holds a base-60 float that overflows"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "committed"), KNOWN_BUGS)
def test_known_bug(
    name: str,
    committed: Callable[[dict[ExportFormat, Rendered]], bytes],
    probes: dict[str, Probe],
    fresh: dict[ExportFormat, Rendered],
) -> None:
    """Each ends in a documented error or a text comparison, within the limits (1 s, 50 MiB)."""
    probes[name].attempt(committed(fresh), memory_limit=BOMB_MEMORY_LIMIT_BYTES)


CHILD = """
import resource, sys, time
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))  # keep a blow-up off the machine
from intsec_desktop.core.export import drift
from intsec_desktop.core.export.profile import make_profile
from intsec_desktop.core.export.render import Rendered
committed, fresh = Path(sys.argv[1]).read_bytes(), Path(sys.argv[2]).read_bytes()
rendered = Rendered(make_profile("", "production", ["eu", "us"]), fresh, {}, "", {})
before, started = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.process_time()
drift.drift(committed, rendered, "committed")
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(time.process_time() - started, grown * 1024)
"""


def test_known_bug_one_line_alias_bomb(fresh: dict[ExportFormat, Rendered], tmp_path: Path) -> None:
    """In a child process: the memory it takes would stay with this one."""
    committed, current = tmp_path / "committed.yaml", tmp_path / "fresh.yaml"
    committed.write_bytes(_leaf(fresh, alias_bomb(7, 11, one_line=True).encode()))
    current.write_bytes(fresh[ExportFormat.YAML].data)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(committed), str(current)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    cpu, grown = done.stdout.split()
    if float(cpu) >= CPU_LIMIT_S or int(grown) >= BOMB_MEMORY_LIMIT_BYTES:
        raise LimitExceededError(
            f"{float(cpu):.2f} s of CPU, {int(grown) / 2**20:.0f} MiB more RSS"
        )
