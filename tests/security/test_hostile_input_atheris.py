"""Coverage-guided fuzzing of the same parsers with atheris (libFuzzer), where it installs: a
fixed seed and run count, each input under 1 s (-timeout) and the process under 256 MiB of
peak RSS (it starts at about 50). Only documented errors; see atheris_hostile_input.py."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.security.conftest import Figures, env_count
from tests.security.hostile import YAML_TAGS
from tests.security.test_hostile_input import (
    CATALOG_SEEDS,
    DOTENV_SEED,
    GRANT_SEED,
    JSON_SEED,
    YAML_SEED,
)

pytest.importorskip(
    "atheris", reason="atheris installs only where it has a wheel (CPython <= 3.13)"
)

ROOT = Path(__file__).parents[2]
RUNS = env_count("INTSEC_ATHERIS_RUNS", 10_000)
RSS_LIMIT_MIB = 256  # the fuzzing process starts at about 50
SOAK_RUNS = env_count("INTSEC_SOAK_ATHERIS_RUNS", 100_000)
PROFILE = (
    '{"dialect":"env","environment":"production","format":"yaml","integrations":[],'
    '"name":null,"regions":["eu","us"]}'
)
SEEDS = {
    "import-dotenv": [DOTENV_SEED],
    "import-json": [JSON_SEED],
    "import-yaml": [YAML_SEED, JSON_SEED],
    "grant-file": [GRANT_SEED],
    "catalog": CATALOG_SEEDS,
    "recorded-profile": [
        f"# schema: intsec.export/v1\n# profile: {PROFILE}\n".encode(),
        b"content_hash: x\nprofile: {dialect: env, environment: production, format: yaml,"
        b" integrations: [], name: null, regions: [eu]}\n",
        f'{{"generator": "intsec-desktop", "profile": {PROFILE}}}'.encode(),
    ],
}


# Tokens libFuzzer splices in: without them it takes far longer to write "!!bool x".
SYNTAX = [b'"', b"'", b"\\", b"#", b"=", b"\n", b"\x00", b"\xff", b"\\ud800", b"[", b"]", b"{",
          b"}", b",", b": "]  # fmt: skip
TOKENS = {
    "import-dotenv": [*SYNTAX, b"export ", b"${", b":-", b"$A", b" #", b"_KEY=", b"PASSWORD="],
    "import-json": [*SYNTAX, b"1e999", b"NaN", b"-Infinity", b"99999999999999999999"],
    "yaml": [
        *SYNTAX, b"- ", b"? ", b"<<: ", b"&a ", b"*a", b"---", b"%YAML 1.1", b":59", b"0x",
        b".inf", b"|", b">", *sorted({tag.split(" ")[0].encode() + b" " for tag in YAML_TAGS}),
    ],
}  # fmt: skip


def dictionary(target: str) -> str:
    """libFuzzer's -dict format: one quoted token a line, other than printable ASCII as \\xNN."""
    tokens = TOKENS.get(target, TOKENS["yaml"])
    quoted = (
        "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\x{b:02x}" for b in token)
        for token in tokens
    )
    return "".join(f'"{q}"\n' for q in quoted)


def fuzz(target: str, runs: int, tmp_path: Path, figures: Figures, check: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, seed in enumerate(SEEDS[target]):
        (corpus / f"seed-{n}").write_bytes(seed)
    tokens = tmp_path / "tokens.dict"
    tokens.write_text(dictionary(target))
    report = tmp_path / "peak-rss-kib"
    # libFuzzer's own RSS limit is only a backstop: its figure starts at this process's peak.
    backstop_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 + RSS_LIMIT_MIB
    env = {**os.environ, "INTSEC_ATHERIS_REPORT": str(report),
           "INTSEC_ATHERIS_RSS_LIMIT_MIB": str(RSS_LIMIT_MIB)}  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable, "-m", "tests.security.atheris_hostile_input", target,
            f"-runs={runs}", "-seed=1", "-timeout=1", f"-rss_limit_mb={backstop_mib}",
            "-max_len=20000", f"-dict={tokens}", f"-artifact_prefix={tmp_path}/", str(corpus),
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    crash = max(done.stderr.find("=== Uncaught"), done.stderr.find("ERROR: libFuzzer"), 0)
    assert done.returncode == 0, done.stderr[crash : crash + 3000]
    finished = re.search(r"Done (\d+) runs in", done.stderr)
    assert finished, done.stderr[-2000:]
    assert int(finished[1]) >= runs
    peak_mib = int(report.read_text()) / 1024
    figures.record(check, f"atheris {target}",
                   f"{finished[1]} runs in {elapsed:.1f} s (start included), peak RSS"
                   f" {peak_mib:.0f} MiB (limits 1 s per input, {RSS_LIMIT_MIB} MiB)")  # fmt: skip


TARGETS = list(SEEDS)


@pytest.mark.parametrize("target", TARGETS)
def test_atheris(target: str, tmp_path: Path, figures: Figures) -> None:
    fuzz(target, RUNS, tmp_path, figures, "hostile input")


@pytest.mark.soak
@pytest.mark.parametrize("target", TARGETS)
def test_atheris_soak(target: str, tmp_path: Path, figures: Figures) -> None:
    fuzz(target, SOAK_RUNS, tmp_path, figures, "hostile input (soak)")
