"""Coverage-guided fuzzing (atheris, libFuzzer) of one file parser, run as its own process by
test_hostile_input_atheris.py:

    python -m tests.security.atheris_hostile_input TARGET [libFuzzer flags] CORPUS_DIR

Only documented errors (IntsecError subclasses) are expected; anything else is a crash, and
so is an input that takes over libFuzzer's -timeout or lifts the process's own peak RSS past
INTSEC_ATHERIS_RSS_LIMIT_MIB (the peak is written to INTSEC_ATHERIS_REPORT as it rises)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import atheris

with atheris.instrument_imports():
    import yaml  # noqa: F401  # instrumented too: its constructors decide what a value becomes

    from intsec_desktop.core import scopes
    from intsec_desktop.core.errors import IntsecError, NotFoundError
    from intsec_desktop.core.export import drift
    from intsec_desktop.core.importers import envfile
    from intsec_desktop.core.scope_catalog import Catalog, builtin_catalog, parse_catalog

CATALOGS = {"bamboohr": "hris", "greenhouse": "ats"}


def catalog_for(slug: str) -> Catalog:
    if slug not in CATALOGS:
        raise NotFoundError(f"no integration {slug!r}")
    return builtin_catalog(CATALOGS[slug])


def importer(fmt: envfile.FileFormat) -> Callable[[bytes], None]:
    def call(data: bytes) -> None:
        text, entries, mapping = envfile.parse_file(data, fmt, "fuzzed")
        items = envfile.plan(entries, "bamboohr", "acme")
        envfile.render(text, entries, mapping, items, fmt)

    return call


def grant_file(data: bytes) -> None:
    text = data.decode("utf-8", "surrogateescape")
    for slug, grants in scopes.parse_grant_file(text, "fuzzed.yaml", catalog_for).items():
        scopes.diff_grant_sets(catalog_for(slug), [], grants, ["acme"])


def catalog(data: bytes) -> None:
    parse_catalog(data.decode("utf-8", "surrogateescape"), "fuzzed.yaml")


def recorded_profile(data: bytes) -> None:
    drift.recorded_profile(data, "fuzzed")


TARGETS: dict[str, Callable[[bytes], None]] = {
    "import-dotenv": importer(envfile.FileFormat.DOTENV),
    "import-json": importer(envfile.FileFormat.JSON),
    "import-yaml": importer(envfile.FileFormat.YAML),
    "grant-file": grant_file,
    "catalog": catalog,
    "recorded-profile": recorded_profile,
}


def peak_rss_kib() -> int:
    """This process's own peak RSS. (getrusage's ru_maxrss, which libFuzzer's -rss_limit_mb
    reads, starts at the peak of the process that started this one: Linux carries it over.)"""
    with open("/proc/self/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith("VmHWM:")))


def main() -> None:
    target = TARGETS[sys.argv[1]]
    limit_kib = int(os.environ["INTSEC_ATHERIS_RSS_LIMIT_MIB"]) * 1024
    report = Path(os.environ["INTSEC_ATHERIS_REPORT"])
    highest = 0

    def one_input(data: bytes) -> None:
        nonlocal highest
        try:
            target(data)
        except IntsecError as exc:
            message = str(exc)
            if not message.isprintable() or len(message) > 1000:
                raise AssertionError(f"{type(exc).__name__}: {message[:200]!r}") from None
        peak = peak_rss_kib()
        if peak > limit_kib:
            raise AssertionError(f"peak RSS {peak // 1024} MiB after a {len(data)}-byte input")
        if peak > highest:
            highest = peak
            report.write_text(str(peak))

    atheris.Setup([sys.argv[0], *sys.argv[2:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
