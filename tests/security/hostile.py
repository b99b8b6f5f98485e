"""Hostile input for the file parsers: strategies that build malformed, oversized and
booby-trapped documents, and a probe that runs one entry point under time and memory limits
and lets through only the product's documented errors."""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intsec_desktop.core import errors
from intsec_desktop.core.errors import IntsecError
from tests.security.conftest import Figures, env_count

DOCUMENTED_EXIT_CODES = frozenset(range(1, 9))  # `intsec --help`: 1 other ... 8 overdue
# CPU time is the budget (a parser spinning on crafted input shows there, whatever else this
# shared machine runs); wall-clock time only guards against blocking, with room for load.
CPU_LIMIT_S = 1.0
WALL_LIMIT_S = 5.0
MEMORY_LIMIT_BYTES = 200 * 2**20
BOMB_MEMORY_LIMIT_BYTES = 50 * 2**20
MESSAGE_LIMIT = 1000  # one readable line, whatever the file held

EXAMPLES = env_count("INTSEC_HOSTILE_EXAMPLES", 200)
SOAK_EXAMPLES = env_count("INTSEC_SOAK_EXAMPLES", 3000)

# A value the importer stores as a secret: it must never surface in an error message.
CANARY = "sk_live_CANARY7fQ2mZx7Lw4Rt8Vb1Nc6Hj"


def hypothesis_settings(examples: int, *, soak: bool = False) -> settings:
    """Reproducible in CI (derandomized, no example database); the soak run explores."""
    return settings(
        max_examples=examples,
        derandomize=not soak,
        database=None,
        deadline=None,  # our own limits, measured around the parser call only
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


def documented(error: IntsecError) -> str:
    """The error's class name, after checking it is one the CLI documents and prints well."""
    kind = type(error)
    assert kind.__module__ == errors.__name__, f"{kind.__module__}.{kind.__name__}"
    assert error.exit_code in DOCUMENTED_EXIT_CODES, (kind.__name__, error.exit_code)
    message = str(error)
    assert message, kind.__name__
    assert len(message) <= MESSAGE_LIMIT, f"{kind.__name__}: {len(message)} characters"
    assert message.isprintable(), repr(message[:200])  # no line breaks, no terminal escapes
    assert CANARY not in message, message
    return kind.__name__


class LimitExceededError(AssertionError):
    """A call took too much CPU or wall-clock time, or allocated too much."""


@dataclass(frozen=True)
class Outcome:
    kind: str  # "accepted", or the documented error's class name
    cpu: float
    wall: float
    peak: int  # bytes, Python allocations


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith(field + ":")))


def _reset_peak_rss() -> bool:
    """Start VmHWM afresh (Linux 4.0+), so that it shows the peak of what runs next."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


class Probe:
    """One parser entry point. Each input is run twice: timed, with the growth of resident
    memory at its peak, then with its Python allocations traced (tracing triples the time).
    Outcomes are counted by kind."""

    def __init__(self, name: str, call: Callable[[bytes], object]) -> None:
        self.name = name
        self.call = call
        self.outcomes: Counter[str] = Counter()
        self.slowest_cpu = 0.0
        self.slowest_wall = 0.0
        self.peak = 0
        self.rss_grown = 0
        self.largest = 0

    def _run(self, data: bytes) -> str:
        try:
            self.call(data)
        except IntsecError as exc:
            return documented(exc)
        return "accepted"

    def attempt(self, data: bytes, *, memory_limit: int = MEMORY_LIMIT_BYTES) -> Outcome:
        # The cyclic GC is off while timing: a full collection of this test process's heap
        # (hypothesis keeps a lot) can take a second, which is no cost of the parser's.
        gc.disable()
        rss_known = _reset_peak_rss()
        rss_before = _status_kib("VmRSS") * 1024
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            kind = self._run(data)
        finally:
            cpu = time.process_time() - cpu_started
            wall = time.perf_counter() - started
            gc.enable()
        # Resident memory the call added at its peak (libyaml's and other C allocations too).
        rss_grown = _status_kib("VmHWM") * 1024 - rss_before if rss_known else 0
        where = f"{self.name}, {len(data):,} bytes"
        if cpu >= CPU_LIMIT_S or wall >= WALL_LIMIT_S:
            raise LimitExceededError(f"{where}: {cpu:.2f} s of CPU, {wall:.2f} s")
        if rss_grown >= memory_limit:
            raise LimitExceededError(f"{where}: resident memory grew {rss_grown / 2**20:.0f} MiB")
        tracemalloc.start()
        try:
            assert self._run(data) == kind, f"{where}: a second run ended differently"
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        if peak >= memory_limit:
            raise LimitExceededError(f"{where}: allocated {peak / 2**20:.0f} MiB")
        self.rss_grown = max(self.rss_grown, rss_grown)
        self.slowest_cpu = max(self.slowest_cpu, cpu)
        self.slowest_wall = max(self.slowest_wall, wall)
        self.peak = max(self.peak, peak)
        self.largest = max(self.largest, len(data))
        self.outcomes[kind] += 1
        return Outcome(kind, cpu, wall, peak)

    def record(self, figures: Figures, check: str) -> None:
        total = sum(self.outcomes.values())
        detail = ", ".join(f"{n} {kind}" for kind, n in self.outcomes.most_common())
        figures.record(check, f"{self.name}: examples", f"{total} ({detail})")
        figures.record(
            check,
            f"{self.name}: slowest call (CPU / wall), most allocated / RSS added, largest input",
            f"{self.slowest_cpu * 1000:.0f} / {self.slowest_wall * 1000:.0f} ms,"
            f" {self.peak / 2**20:.1f} / {self.rss_grown / 2**20:.1f} MiB,"
            f" {self.largest / 1024:.0f} KiB (limits 1 s CPU, 200 MiB)",
        )


# --- building blocks ----------------------------------------------------------------------

LONG = 100_000  # characters in the longest line

# Any code point, NUL and lone surrogates included (a "\ud800" escape yields one).
any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=30)
keys = st.one_of(
    st.sampled_from(["A_API_KEY", "DB_PASSWORD", "TOKEN", "name", "<<", "?", "-", "", "0"]),
    any_text,
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinities too: JSON writes them as NaN and Infinity
    any_text,
    st.just(CANARY),
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5),
    max_leaves=30,
)

RUN_UNITS = [
    "x", " ", "\t", "\\", '"', "'", "#", " #", "=", "é", "\u2028", "\x00", "\r", "\ufeff",
    "${a:-", "${", "$a", "0", "1:", "[", "]", "{", "}", "- ", ": ", ",", "? ", "&a ", "*a ",
    "!", "%", "|", ">", "'a'", '"\\', "x, ", "a: ", "\\u00",
]  # fmt: skip
NESTING_UNITS = ("[", "{", "- ", "? ")  # a run of these is deep nesting too


def long_runs(max_depth: int) -> st.SearchStrategy[str]:
    units = [u for u in RUN_UNITS if max_depth >= LONG or u not in NESTING_UNITS]
    return st.builds(lambda unit, n: unit * n, st.sampled_from(units), st.integers(1, LONG))


NUMBERS = [
    "{d}",
    "-{d}",
    "0x{h}",
    "0b{b}",
    "0o{o}",
    "0{o}",
    "1{s}",
    "1{s}.5",
    "{d}.{d}",
    "{d}e{d}",
    "1e-{d}",
    "1_{d}",
    ".inf",
    "-.Inf",
    ".nan",
    "NaN",
    "Infinity",
]


@st.composite
def huge_numbers(draw: st.DrawFn, digits: int = 20_000, base_60: bool = True) -> str:
    n = draw(st.integers(1, digits))
    template = draw(st.sampled_from([t for t in NUMBERS if base_60 or "{s}" not in t]))
    return template.format(d="9" * n, h="f" * n, b="1" * n, o="7" * n, s=":59" * (n // 3 + 1))


@st.composite
def deep_nesting(draw: st.DrawFn, max_depth: int = 5000) -> str:
    n = draw(st.integers(1, max_depth))
    closed = draw(st.booleans())
    kind = draw(st.sampled_from(["[", "{", '{"a":', "{a: ", "- ", "block", "mixed"]))
    if kind == "block":  # n**2 / 2 characters: keep it under a megabyte
        return "\n".join(" " * i + "a:" for i in range(min(n, 1400))) + " x"
    if kind == "mixed":
        return "[{a: " * n + ("}]" * n if closed else "")
    closing = {"[": "]", "{": "}", '{"a":': "}", "{a: ": "}", "- ": ""}[kind]
    middle = "1" if kind in ('{"a":', "{a: ") else ""
    return kind * n + middle + (closing * n if closed else "")


YAML_TAGS = [
    "!!python/object/apply:os.system ['echo pwned']",
    "!!python/object/apply:subprocess.check_output [['id']]",
    "!!python/object/new:builtins.list [[1]]",
    "!!python/object:builtins.object {}",
    "!!python/name:os.system ''",
    "!!python/module:os ''",
    "!!python/tuple [1, 2]",
    "!!python/bytes aGk=",
    "!!binary aGVsbG8gd29ybGQ=",
    "!!set {a, b}",
    "!!omap [a: 1, b: 2]",
    "!!pairs [a: 1, a: 2]",
    "!!timestamp 2001-12-14t21:59:43.10-05:00",
    "!!timestamp 99999-99-99",
    "!!float 1e999",
    "!!int 0x1f",
    "!!int not-a-number",
    "!!str 1",
    "!!null x",
    "!!bool maybe",
    "!!merge x",
    "!!value x",
    "!!yaml x",
    "!custom x",
    "!<tag:yaml.org,2002:python/name:os.system> ''",
    "!<!> x",
    "! x",
]
ANCHORS = [
    "&a x",
    "*a",
    "*undefined",
    "&a [*a]",
    "&a {b: *a}",
    "&a [1]\n<<: *a",
    "&a {k: v}\nb:\n  <<: *a",
    "&a &b x",
    "&🙂 x",
]
DIRECTIVES = [
    "%YAML 1.1\n---",
    "%YAML 9.9\n---",
    "%TAG !e! tag:example.com,2000:\n---",
    "---",
    "...",
]
BAD_UTF8 = [
    b"\xff",
    b"\xfe\xff",
    b"\xc3",
    b"\xc0\x80",
    b"\xed\xa0\x80",  # an encoded surrogate
    b"\xf4\x90\x80\x80",  # past U+10FFFF
    b"\xef\xbb\xbf",  # a byte-order mark
    b"\x00",
    b"\r",
    b"\x85",
    b"\x1b[2J",
]


def alias_bomb(levels: int, width: int = 9, *, one_line: bool = False) -> str:
    """Billion laughs: `levels` anchors that stand for width**levels strings, one per line,
    or all in one flow sequence on a single line."""
    items = [f"&l0 [{', '.join(['lol'] * width)}]"]
    items += [f"&l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    if one_line:
        return "[" + ", ".join(items) + "]"
    return "".join(f"l{i}: {item}\n" for i, item in enumerate(items))


def merge_bomb(levels: int, width: int = 9) -> str:
    """The same with merge keys: each mapping merges the previous one `width` times."""
    lines = ["m0: &m0 {" + ", ".join(f"k{i}: v" for i in range(width)) + "}"]
    for i in range(1, levels):
        lines.append(f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * width)}]}}")
    return "\n".join(lines) + "\n"


PYTHON_TAG_PAYLOADS = {
    "object/apply": "!!python/object/apply:os.system ['touch {marker}']",
    "object/new": "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    "name": "!!python/name:os.system ''",
    "object": "!!python/object:subprocess.Popen {{args: ['touch', '{marker}']}}",
    "module": "!!python/module:os ''",
}


@dataclass(frozen=True)
class Hostility:
    """Which hostile pieces a parser gets (every parser gets all of them today; the knobs stay
    for a parser that cannot yet take one)."""

    yaml_syntax: bool = True
    max_depth: int = 5000
    digits: int = 20_000
    base_60: bool = True
    tags: tuple[str, ...] = tuple(YAML_TAGS)
    anchors: tuple[str, ...] = tuple(ANCHORS)


def fragments(hostility: Hostility) -> st.SearchStrategy[bytes]:
    """One hostile piece to put somewhere in a document (bytes: some are not UTF-8)."""
    texts = [
        long_runs(hostility.max_depth),
        huge_numbers(hostility.digits, hostility.base_60),
        deep_nesting(hostility.max_depth),
        any_text,
    ]
    if hostility.yaml_syntax:
        texts.append(st.sampled_from([*hostility.tags, *hostility.anchors, *DIRECTIVES]))
    return st.one_of(st.one_of(*texts).map(to_bytes), st.sampled_from(BAD_UTF8))


def to_bytes(text: str) -> bytes:
    """UTF-8, with a lone surrogate written as the (invalid) bytes it would be."""
    return text.encode("utf-8", "surrogatepass")


@st.composite
def spliced(draw: st.DrawFn, seed: bytes, pieces: st.SearchStrategy[bytes]) -> bytes:
    """A valid document with hostile pieces put in at line starts, mid-line, or in place of
    a line or of the tail of a line."""
    lines = seed.split(b"\n")
    for _ in range(draw(st.integers(1, 3))):
        piece = draw(pieces)
        at = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["insert", "replace", "tail", "inline"]))
        if how == "insert":
            lines.insert(at, piece)
        elif how == "replace":
            lines[at] = piece
        elif how == "tail":
            head, sep, _ = lines[at].partition(b": " if b": " in lines[at] else b"=")
            lines[at] = head + (sep or b": ") + piece
        else:
            cut = draw(st.integers(0, len(lines[at])))
            lines[at] = lines[at][:cut] + piece + lines[at][cut:]
    return b"\n".join(lines)


@st.composite
def byte_flips(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    return bytes(data)


@st.composite
def many_keys(draw: st.DrawFn, render: Callable[[list[tuple[str, str]]], str]) -> bytes:
    """Thousands of entries, some keys repeated."""
    n = draw(st.integers(1, 5000))
    repeats = draw(st.integers(1, 5))
    entries = [(f"KEY_{i // repeats}_TOKEN", f"value-{i}-{CANARY}") for i in range(n)]
    return render(entries).encode()


def dotenv_lines(entries: list[tuple[str, str]]) -> str:
    return "".join(f"{k}={v}\n" for k, v in entries)


def json_object(entries: list[tuple[str, str]]) -> str:
    # Written by hand: json.dumps cannot repeat a key.
    return "{" + ", ".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in entries) + "}"


def yaml_mapping(entries: list[tuple[str, str]]) -> str:
    return "".join(f"{k}: {json.dumps(v)}\n" for k, v in entries)


@st.composite
def structured(draw: st.DrawFn, style: str) -> bytes:
    """A random structure written out the way `style` (json, yaml, dotenv) writes it."""
    value: Any = draw(json_values)
    if style == "json":
        indent = draw(st.sampled_from([None, 2]))
        return to_bytes(json.dumps(value, ensure_ascii=draw(st.booleans()), indent=indent))
    if style == "yaml":
        flow = draw(st.sampled_from([None, True, False]))
        return to_bytes(yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True))
    if not isinstance(value, dict):
        value = {"VALUE": value}
    lines = []
    for k, v in value.items():
        quote = draw(st.sampled_from(["", "'", '"']))
        lines.append(f"{draw(st.sampled_from(['', 'export ']))}{k}={quote}{v}{quote}")
    return to_bytes("\n".join(lines))


def documents(
    seeds: list[bytes],
    style: str,
    hostility: Hostility,
    *,
    shaped: st.SearchStrategy[bytes] | None = None,
) -> st.SearchStrategy[bytes]:
    """Everything a hostile file could be, for one parser: raw bytes, random structures, valid
    documents with hostile pieces spliced in or bytes flipped, very many entries, and
    (`shaped`) documents of the right shape with odd values, which get past the first checks."""
    pieces = fragments(hostility)
    render = {"json": json_object, "yaml": yaml_mapping, "dotenv": dotenv_lines}[style]
    return st.one_of(
        st.binary(max_size=2000),
        pieces,
        structured(style),
        st.sampled_from(seeds).flatmap(lambda seed: spliced(seed, pieces)),
        st.sampled_from(seeds).flatmap(byte_flips),
        many_keys(render),
        *([] if shaped is None else [shaped, shaped]),
    )


def fuzz(probe: Probe, data: st.SearchStrategy[bytes], examples: int, *, soak: bool) -> None:
    """Every example through the probe (which asserts the limits and the documented errors)."""

    @hypothesis_settings(examples, soak=soak)
    @given(data=data)
    def check(data: bytes) -> None:
        probe.attempt(data)

    check()


SOAK = [False, pytest.param(True, marks=pytest.mark.soak, id="soak")]


def run_examples(
    probe: Probe, data: st.SearchStrategy[bytes], soak: bool, figures: Figures
) -> None:
    """The normal run (EXAMPLES, reproducible) or the soak run (SOAK_EXAMPLES, exploring)."""
    examples = SOAK_EXAMPLES if soak else EXAMPLES
    fuzz(probe, data, examples, soak=soak)
    probe.record(figures, "hostile input (soak)" if soak else "hostile input")
    assert sum(probe.outcomes.values()) >= examples
    assert probe.outcomes["accepted"] > 0, probe.outcomes  # the checks did not stop everything
