"""One scan: sources → units → matches → findings, with timing and what was skipped."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from intsec_desktop.core.scan import engine, sources
from intsec_desktop.core.scan.patterns import PROVIDER_RULES, PatternSet
from intsec_desktop.core.scan.report import Finding, ScanReport


@dataclass(frozen=True)
class ScanOptions:
    paths: tuple[Path, ...]
    git_history: bool = False  # every reachable blob of the repository's history
    staged: bool = False  # only what is staged for the next commit
    include_ignored: bool = False  # --all: ignore .gitignore
    max_bytes: int = engine.DEFAULT_MAX_BYTES
    jobs: int = 0  # 0: one per core


Progress = Callable[[int, int], None]  # (files done, bytes done)


def units_for(options: ScanOptions, problems: sources.Problems) -> Iterable[engine.Unit]:
    if options.staged:
        for path in options.paths:
            yield from sources.staged(path, problems, options.max_bytes)
        return
    yield from sources.working_tree(
        list(options.paths), include_ignored=options.include_ignored, problems=problems
    )
    if options.git_history:
        for path in options.paths:
            yield from sources.history(path, problems, options.max_bytes)


def run_scan(
    options: ScanOptions,
    pattern_set: PatternSet,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> ScanReport:
    started = time.perf_counter()
    problems = sources.Problems()
    report = ScanReport(unscannable=list(pattern_set.too_short))
    counters = [0, 0]

    def on_result(result: engine.UnitResult) -> None:
        if result.error:
            report.problems.append((result.display, result.error))
        elif result.skipped:
            report.skipped.append((result.display, result.skipped))
        else:
            counters[0] += 1
            counters[1] += result.size
            report.findings.extend(_findings(result, pattern_set))
        if progress is not None:
            progress(counters[0], counters[1])

    jobs = options.jobs or engine.default_jobs()
    engine.run_units(
        units_for(options, problems),
        pattern_set.patterns,
        pattern_set.provider_of,
        jobs=jobs,
        max_bytes=options.max_bytes,
        progress=on_result,
        cancelled=cancelled,
    )
    for where, why in problems.items:
        (report.skipped if "size limit" in why else report.problems).append((where, why))
    report.findings = sorted(set(report.findings), key=Finding.sort_key)
    report.files, report.bytes = counters
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class PreparedScan:
    """The patterns of one scan, built from the vault once; running it touches no database, so
    a front end can run it on a worker thread."""

    pattern_set: PatternSet

    def __repr__(self) -> str:
        return f"PreparedScan({self.pattern_set!r})"

    def run(
        self,
        options: ScanOptions,
        *,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> ScanReport:
        return run_scan(options, self.pattern_set, progress=progress, cancelled=cancelled)


def _findings(result: engine.UnitResult, pattern_set: PatternSet) -> list[Finding]:
    out: list[Finding] = []
    for hit in result.hits:
        if hit.rule >= 0:
            name = f"provider:{PROVIDER_RULES[hit.rule].name}"
            out.append(
                Finding(result.display, hit.line, result.commit, name, 0, "provider-format", False)
            )
            continue
        for origin in pattern_set.origins[hit.pattern]:
            out.append(
                Finding(
                    result.display,
                    hit.line,
                    result.commit,
                    origin.label,
                    origin.version,
                    origin.encoding,
                    True,
                )
            )
    return out
