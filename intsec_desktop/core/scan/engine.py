"""Aho-Corasick matching (ahocorasick-rs: 4-9x pyahocorasick here, see benchmarks/scan_bench.py)
run in a process pool. Workers get the pattern list through the pool initializer, in memory:
never argv, the environment or a temporary file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from intsec_desktop.core.lazy import lazy_module

if TYPE_CHECKING:
    import multiprocessing
    from concurrent import futures

    import ahocorasick_rs
else:
    multiprocessing = lazy_module("multiprocessing")
    futures = lazy_module("concurrent.futures")
    ahocorasick_rs = lazy_module("ahocorasick_rs")

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from intsec_desktop.core.scan.patterns import PROVIDER_RULES

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_SNIFF = 8192
_CHUNK_BYTES = 8 * 1024 * 1024
_CHUNK_FILES = 256


@dataclass(frozen=True, slots=True)
class Unit:
    """One thing to scan: a file on disk (`data` None) or a blob already read from git."""

    display: str
    path: str | None = None
    commit: str | None = None
    data: bytes | None = None

    def __repr__(self) -> str:
        return f"Unit({self.display!r}, commit={self.commit!r})"


@dataclass(frozen=True, slots=True)
class Hit:
    pattern: int  # index into PatternSet.patterns (vault) or -1 for a provider rule
    rule: int  # index into PROVIDER_RULES, or -1
    line: int


@dataclass(frozen=True, slots=True)
class UnitResult:
    display: str
    commit: str | None
    size: int
    hits: tuple[Hit, ...] = ()
    skipped: str | None = None  # why it was not scanned (binary, too large, symlink)
    error: str | None = None  # why it could not be read


class Matcher:
    def __init__(self, patterns: tuple[bytes, ...], provider_of: dict[int, int]) -> None:
        self.patterns = patterns
        self._automaton = ahocorasick_rs.BytesAhoCorasick(list(patterns)) if patterns else None
        self._provider_of = provider_of

    def scan(self, data: bytes) -> tuple[Hit, ...]:
        if self._automaton is None:
            return ()
        found = self._automaton.find_matches_as_indexes(data, overlapping=True)
        if not found:
            return ()
        vault_spans: list[tuple[int, int, int]] = []
        provider: list[tuple[int, int]] = []
        for index, start, end in found:
            rule = self._provider_of.get(index)
            if rule is None:
                vault_spans.append((index, start, end))
            else:
                provider.append((rule, start))
        hits = [Hit(i, -1, _line(data, s)) for i, s, _e in vault_spans]
        for rule, start in provider:
            match = PROVIDER_RULES[rule].pattern.match(data, start)
            if match is None:
                continue
            # A stored secret in a provider format is reported once, by name, not twice.
            if any(s < match.end() and match.start() < e for _i, s, e in vault_spans):
                continue
            hits.append(Hit(-1, rule, _line(data, start)))
        return tuple(dict.fromkeys(hits))


def _line(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # UTF-16 text with a byte-order mark
    return b"\0" in head


def scan_unit(matcher: Matcher, unit: Unit, max_bytes: int) -> UnitResult:
    data = unit.data
    if data is None:
        assert unit.path is not None
        try:
            info = os.lstat(unit.path)
            if stat.S_ISLNK(info.st_mode):
                return UnitResult(unit.display, None, 0, skipped="symbolic link")
            if not stat.S_ISREG(info.st_mode):
                return UnitResult(unit.display, None, 0, skipped="not a regular file")
            if info.st_size > max_bytes:
                return UnitResult(unit.display, None, info.st_size, skipped="over the size limit")
            with open(unit.path, "rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as exc:
            return UnitResult(unit.display, None, 0, error=exc.strerror or type(exc).__name__)
    if len(data) > max_bytes:
        return UnitResult(unit.display, unit.commit, len(data), skipped="over the size limit")
    if looks_binary(data[:_SNIFF]):
        return UnitResult(unit.display, unit.commit, len(data), skipped="binary")
    return UnitResult(unit.display, unit.commit, len(data), matcher.scan(data))


# --- worker processes ---------------------------------------------------------------------

_worker_matcher: Matcher | None = None


def _init_worker(patterns: tuple[bytes, ...], provider_of: dict[int, int]) -> None:
    global _worker_matcher
    if _worker_matcher is not None and _worker_matcher.patterns is patterns:
        return  # forked after the parent built it: the automaton is already in this memory
    _worker_matcher = Matcher(patterns, provider_of)


def _scan_chunk(units: list[Unit], max_bytes: int) -> list[UnitResult]:
    assert _worker_matcher is not None
    return [scan_unit(_worker_matcher, unit, max_bytes) for unit in units]


def _chunks(units: Iterable[Unit]) -> Iterator[list[Unit]]:
    chunk: list[Unit] = []
    size = 0
    for unit in units:
        chunk.append(unit)
        size += len(unit.data) if unit.data is not None else 64 * 1024
        if size >= _CHUNK_BYTES or len(chunk) >= _CHUNK_FILES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def run_units(
    units: Iterable[Unit],
    patterns: tuple[bytes, ...],
    provider_of: dict[int, int],
    *,
    jobs: int,
    max_bytes: int = DEFAULT_MAX_BYTES,
    progress: Callable[[UnitResult], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[UnitResult]:
    """Scan every unit; `jobs` 1 scans in this process (small inputs, tests)."""
    results: list[UnitResult] = []

    def done(batch: list[UnitResult]) -> None:
        for result in batch:
            results.append(result)
            if progress is not None:
                progress(result)

    if jobs <= 1:
        matcher = Matcher(patterns, provider_of)
        for unit in units:
            if cancelled():
                break
            done([scan_unit(matcher, unit, max_bytes)])
        return results
    # fork: workers start in milliseconds and need no importable __main__ (the GUI, stdin
    # scripts); they only run the matcher, so no lock of another thread is ever touched.
    context = multiprocessing.get_context("fork")
    global _worker_matcher
    # Built once, before the fork, instead of once per worker (about 1 s for 10,000 secrets).
    _worker_matcher = Matcher(patterns, provider_of)
    try:
        _run_pool(context, units, patterns, provider_of, jobs, max_bytes, done, cancelled)
    finally:
        _worker_matcher = None
    return results


def _run_pool(
    context: multiprocessing.context.BaseContext,
    units: Iterable[Unit],
    patterns: tuple[bytes, ...],
    provider_of: dict[int, int],
    jobs: int,
    max_bytes: int,
    done: Callable[[list[UnitResult]], None],
    cancelled: Callable[[], bool],
) -> None:
    with futures.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_init_worker,
        initargs=(patterns, provider_of),
    ) as pool:
        pending: set[futures.Future[list[UnitResult]]] = set()
        for chunk in _chunks(units):
            if cancelled():
                break
            pending.add(pool.submit(_scan_chunk, chunk, max_bytes))
            if len(pending) >= jobs * 3:  # bound memory held by queued git blobs
                finished, pending = futures.wait(pending, return_when=futures.FIRST_COMPLETED)
                for future in finished:
                    done(future.result())
        for future in pending:
            if cancelled():
                future.cancel()
                continue
            done(future.result())
