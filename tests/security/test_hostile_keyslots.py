"""Hostile keyslots.json (hypothesis): random JSON, mutated documents (with the checksum fixed
the way an attacker who read the format would), and raw bytes. Only documented errors
(IntsecError subclasses with the CLI's exit codes), each under 1 s, no memory blow-up; a
document that still opens reveals the right values."""

from __future__ import annotations

import copy
import hashlib
import json
import resource
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intsec_desktop.core import paths
from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.vault import keyslots
from tests.security.conftest import Figures, env_count
from tests.security.helpers import KNOWN_SECRETS, KnownVault

DOCUMENTED_EXIT_CODES = {1, 2, 3, 4, 5}
# CPU time is the budget (a parser spinning on crafted input shows there, whatever else this
# shared machine runs); wall-clock time only guards against blocking, with room for load.
CPU_LIMIT_S = 1.0
WALL_LIMIT_S = 5.0
MEMORY_LIMIT_BYTES = 50 * 1024 * 1024

EXAMPLES = env_count("INTSEC_HOSTILE_EXAMPLES", 150)
SOAK_EXAMPLES = env_count("INTSEC_SOAK_EXAMPLES", 3000)

# Any code point, lone surrogates included: JSON allows "\ud800", and str methods choke on it.
any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=40)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | any_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=25,
)


class Target:
    """One vault copy whose keyslots.json each example replaces, and the outcomes seen."""

    def __init__(self, known_vault: KnownVault, folder: Path) -> None:
        self.known_vault = known_vault
        self.folder = folder
        self.path = paths.keyslots_path(folder)
        self.original = self.path.read_bytes()
        self.document: dict[str, Any] = json.loads(self.original)
        self.outcomes: Counter[str] = Counter()
        self.slowest = 0.0
        self.peak = 0

    def attempt(self, data: bytes) -> str:
        self.path.write_bytes(data)
        tracemalloc.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            outcome = self._open_and_check()
        finally:
            cpu = time.process_time() - cpu_started
            elapsed = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.path.write_bytes(self.original)
        self.slowest = max(self.slowest, cpu)
        self.peak = max(self.peak, peak)
        assert cpu < CPU_LIMIT_S, f"used {cpu:.2f} s of CPU"
        assert elapsed < WALL_LIMIT_S, f"took {elapsed:.2f} s"
        assert peak < MEMORY_LIMIT_BYTES, f"allocated {peak / 2**20:.0f} MiB"
        self.outcomes[outcome] += 1
        return outcome

    def _open_and_check(self) -> str:
        try:
            # What a passphrase unlock checks before any Argon2 run (parameters, slot shapes) ...
            loaded = keyslots.load(self.path)
            for slot in loaded.file.slots:
                if slot.kind == keyslots.PASSPHRASE:
                    slot.kdf_params()
            # ... and a full unlock through the recovery slot (no KDF cost to hide behind).
            session = self.known_vault.open(self.folder)
        except IntsecError as exc:
            error: IntsecError = exc
        else:
            with session:
                assert not session.integrity_problems()
                for path, secret in KNOWN_SECRETS.items():
                    assert session.reveal_secret(path) == secret
            return "opened, values right"
        assert error.exit_code in DOCUMENTED_EXIT_CODES, (type(error), error.exit_code)
        assert str(error), type(error)
        assert "\n" not in str(error), repr(str(error))
        return type(error).__name__


@pytest.fixture(scope="module")
def target(known_vault: KnownVault, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    folder = known_vault.copy_to(tmp_path_factory.mktemp("hostile") / "v.intsec")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    yield Target(known_vault, folder)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert grown_kib < 200 * 1024, f"peak RSS grew by {grown_kib // 1024} MiB"


def core_checksum(document: Any) -> str | None:
    """The checksum core would compute for this document, if core can parse it at all."""
    try:
        meta = document.get("meta", {})
        file = keyslots.KeySlotFile(
            vault_id=str(document["vault_id"]),
            created_at=str(document["created_at"]),
            slots=tuple(keyslots.Slot.from_json(s) for s in document["slots"]),
            meta=dict(meta) if isinstance(meta, dict) else {},
        )
    except (IntsecError, KeyError, TypeError, AttributeError, ValueError):
        return None
    return "sha256:" + hashlib.sha256(file.canonical()).hexdigest()


def locations(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += locations(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += locations(value, (*prefix, i))
    return found


@st.composite
def mutated_documents(draw: st.DrawFn, original: dict[str, Any]) -> bytes:
    document = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(locations(document)))
        action = draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
        if not where:
            document = draw(json_values) if action == "replace" else document
            continue
        parent: Any = document
        for step in where[:-1]:
            parent = parent[step]
        key = where[-1]
        if action == "replace":
            parent[key] = draw(json_values)
        elif action == "delete":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(any_text)] = draw(json_values)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    if isinstance(document, dict) and draw(st.booleans()):
        checksum = core_checksum(document)
        if checksum:
            document["checksum"] = checksum
    return json.dumps(document, indent=2).encode()


def raw_bytes(original: bytes) -> st.SearchStrategy[bytes]:
    return (
        st.binary(max_size=2000)
        | st.integers(0, len(original)).map(lambda n: original[:n])
        | st.tuples(st.integers(0, len(original) - 1), st.binary(min_size=1, max_size=8)).map(
            lambda t: original[: t[0]] + t[1] + original[t[0] + len(t[1]) :]
        )
    )


def fuzz(target: Target, examples: int) -> None:
    strategy = (
        json_values.map(lambda v: json.dumps(v).encode())
        | mutated_documents(target.document)
        | raw_bytes(target.original)
    )

    @settings(
        max_examples=examples,
        deadline=None,  # our own 1 s limit, measured around the open only
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=strategy)
    def check(data: bytes) -> None:
        target.attempt(data)

    check()


def report(figures: Figures, label: str, target: Target) -> None:
    total = sum(target.outcomes.values())
    detail = ", ".join(f"{n} {name}" for name, n in target.outcomes.most_common())
    figures.record(label, "hostile keyslots.json examples", f"{total}: {detail}")
    figures.record(
        label,
        "most CPU for one open / peak Python allocation",
        f"{target.slowest * 1000:.0f} ms / {target.peak / 2**20:.1f} MiB (limits 1 s / 50 MiB)",
    )


@pytest.mark.parametrize("field", ["checksum", "mac"])
@pytest.mark.parametrize("value", ["sha256:\u00e9", "\ud800", "\u0000", ""])
def test_non_ascii_digests(field: str, value: str, target: Target) -> None:
    """Regression: compare_digest raised TypeError (an 'unexpected error' in the CLI)."""
    document = copy.deepcopy(target.document)
    document[field] = value
    assert target.attempt(json.dumps(document).encode()) == "VaultDamagedError"


@pytest.mark.parametrize("name", ["scrypt", "", None, 7])
def test_unknown_kdf_name_is_refused(name: object, target: Target) -> None:
    """Regression: the name was dropped on load, so an edit to it went unnoticed."""
    document = copy.deepcopy(target.document)
    passphrase_slot = next(s for s in document["slots"] if s["kind"] == "passphrase")
    passphrase_slot["kdf"]["name"] = name
    # The stored checksum still matches: load() re-renders the name as "argon2id".
    assert target.attempt(json.dumps(document).encode()) == "VaultDamagedError"


def _extra_top_level_field(document: dict[str, Any]) -> None:
    document["beta"] = {}  # what one flipped byte makes of "meta" once "meta" is missing


def _renamed_meta(document: dict[str, Any]) -> None:
    document["beta"] = document.pop("meta")


def _extra_slot_field(document: dict[str, Any]) -> None:
    document["slots"][0]["note"] = "ignored?"


@pytest.mark.parametrize("edit", [_extra_top_level_field, _renamed_meta, _extra_slot_field])
def test_fields_intsec_did_not_write_are_refused(edit: Any, target: Target) -> None:
    """Regression: unknown fields were ignored, so renaming "meta" went unnoticed."""
    document = copy.deepcopy(target.document)
    edit(document)
    assert target.attempt(json.dumps(document).encode()) == "VaultDamagedError"


def test_oversized_file_is_refused_unread(target: Target) -> None:
    padding = b" " * (keyslots.MAX_FILE_BYTES + 1)
    assert target.attempt(target.original[:-2] + padding + b"}\n") == "VaultDamagedError"


def test_folder_in_place_of_the_file(known_vault: KnownVault, tmp_path: Path) -> None:
    folder = known_vault.copy_to(tmp_path / "v.intsec")
    paths.keyslots_path(folder).unlink()
    paths.keyslots_path(folder).mkdir()
    with pytest.raises(IntsecError) as raised:
        known_vault.open(folder)
    assert raised.value.exit_code in DOCUMENTED_EXIT_CODES
    assert "keyslots.json" in str(raised.value)


def test_hostile_keyslots(target: Target, figures: Figures) -> None:
    fuzz(target, EXAMPLES)
    report(figures, "hostile input", target)
    assert sum(target.outcomes.values()) >= EXAMPLES
    assert target.outcomes["VaultDamagedError"] > 0


@pytest.mark.soak
def test_hostile_keyslots_soak(target: Target, figures: Figures) -> None:
    fuzz(target, SOAK_EXAMPLES)
    report(figures, "hostile input (soak)", target)
