"""The scanner on a planted repository: every encoding found, in files and history, no false
positive on a clean corpus, no value in any output, problems reported and the scan going on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from intsec_desktop.core.scan import encodings
from intsec_desktop.core.scan.patterns import SecretEntry, build_pattern_set
from intsec_desktop.core.scan.report import ScanReport, sarif_text
from intsec_desktop.core.scan.scanner import ScanOptions, run_scan
from intsec_desktop.core.services import VaultSession
from tests.unit.scan.planted import (
    LABEL,
    PLANTED,
    RETIRED,
    clean_corpus,
    every_encoding,
    git,
    make_planted_repo,
)


@pytest.fixture
def planted_session(session: VaultSession) -> VaultSession:
    session.rotate_credential(LABEL, RETIRED)
    session.rotate_credential(LABEL, PLANTED)
    return session


def _found(report: ScanReport, root: Path | None = None) -> set[tuple[str, str]]:
    """(path relative to `root` for working-tree findings, encoding) of vault findings."""
    prefix = f"{root}/" if root else ""
    return {(f.path.removeprefix(prefix), f.encoding) for f in report.findings if f.in_vault}


def _all_outputs(report: ScanReport) -> bytes:
    return (
        "\n".join(report.text_lines()).encode()
        + json.dumps(report.as_json()).encode()
        + sarif_text(report).encode()
        + repr(report).encode()
    )


def assert_no_value(blob: bytes, *values: bytes) -> None:
    for value in values:
        for encoding, form in encodings.encoded_forms(value):
            assert form not in blob, f"{encoding} form of a secret in the output"


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_encoding_in_files_and_history_is_found(
    planted_session: VaultSession, tmp_path: Path, jobs: int
) -> None:
    repo = make_planted_repo(tmp_path / "repo")
    report = planted_session.scan_for_leaks(ScanOptions((repo.root,), git_history=True, jobs=jobs))
    tree = _found(ScanReport(findings=[f for f in report.findings if f.commit is None]), repo.root)
    assert repo.expected <= tree, repo.expected - tree
    found = _found(report)
    assert repo.history_only <= found, repo.history_only - found
    # Nothing in the clean corpus, and every vault finding names the planted credential.
    assert not [f for f in report.findings if "src/" in f.path]
    assert {f.credential for f in report.findings if f.in_vault} == {LABEL}
    history = [f for f in report.findings if f.path == "deleted.env"]
    assert history
    assert all(f.commit and len(f.commit) == 40 for f in history)
    assert {f.version for f in report.findings if f.path.endswith("planted/retired.env")} == {2}
    assert_no_value(_all_outputs(report), PLANTED, RETIRED)
    assert not report.problems


def test_clean_corpus_has_no_false_positive(planted_session: VaultSession, tmp_path: Path) -> None:
    clean_corpus(tmp_path / "clean", files=80)
    report = planted_session.scan_for_leaks(ScanOptions((tmp_path / "clean",), jobs=1))
    assert report.findings == []
    assert report.files == 81


def test_one_audit_event_for_the_whole_scan(planted_session: VaultSession, tmp_path: Path) -> None:
    before = len(planted_session.audit_events())
    (tmp_path / "a.txt").write_bytes(PLANTED)
    planted_session.scan_for_leaks(ScanOptions((tmp_path,), jobs=1))
    events = planted_session.audit_events()[before:]
    assert [e.action for e in events] == ["secrets.used_for_scan"]
    assert_no_value(repr(events).encode(), PLANTED)


def test_provider_formats_are_flagged_as_not_in_the_vault(tmp_path: Path) -> None:
    keys = {
        "aws": b"AKIA" + b"Q" * 16,
        "github": b"ghp_" + b"a1" * 18,
        "slack": b"xoxb-1234567890-abcdefghij",
        "stripe": b"sk_live_" + b"4eC39HqLyjWDarjtT1zdp7dc",
        "google": b"AIza" + b"S" * 35,
        "pem": b"-----BEGIN RSA PRIVATE KEY-----",
    }
    for name, key in keys.items():
        (tmp_path / f"{name}.txt").write_bytes(b"x = " + key + b"\n")
    report = run_scan(ScanOptions((tmp_path,), jobs=1), build_pattern_set([]))
    found = {f.path.rsplit("/", 1)[-1]: f for f in report.findings}
    assert set(found) == {f"{n}.txt" for n in keys}
    assert all(not f.in_vault and f.credential.startswith("provider:") for f in found.values())
    assert_no_value(_all_outputs(report), *keys.values())


def test_stored_secret_in_provider_format_is_reported_once_by_name(tmp_path: Path) -> None:
    key = b"sk_live_" + b"4eC39HqLyjWDarjtT1zdp7dc"
    (tmp_path / "a.env").write_bytes(b"STRIPE=" + key + b"\n")
    report = run_scan(
        ScanOptions((tmp_path,), jobs=1), build_pattern_set([SecretEntry("s", 1, key)])
    )
    assert [(f.credential, f.encoding) for f in report.findings] == [("s", "raw")]


def test_binary_oversized_unreadable_and_symlink_loops(tmp_path: Path) -> None:
    (tmp_path / "image.bin").write_bytes(b"\x89PNG\0\0" + PLANTED)
    (tmp_path / "big.txt").write_bytes(b"a" * 2048 + PLANTED)
    locked = tmp_path / "locked.txt"
    locked.write_bytes(PLANTED)
    locked.chmod(0)
    (tmp_path / "loop").mkdir()
    (tmp_path / "loop" / "again").symlink_to(tmp_path)
    (tmp_path / "ok.txt").write_bytes(PLANTED)
    try:
        report = run_scan(
            ScanOptions((tmp_path,), max_bytes=1024, jobs=1),
            build_pattern_set([SecretEntry("s", 1, PLANTED)]),
        )
    finally:
        locked.chmod(0o600)
    skipped = dict(report.skipped)
    assert skipped[str(tmp_path / "image.bin")] == "binary"
    assert skipped[str(tmp_path / "big.txt")] == "over the size limit"
    assert not [f for f in report.findings if "again" in f.path]  # the loop is not followed
    if os.geteuid() != 0:
        assert dict(report.problems)[str(locked)] == "Permission denied"
    assert (str(tmp_path / "ok.txt"), "raw") in _found(report)


def test_gitignore_is_honoured_unless_all(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / ".gitignore").write_text("ignored.txt\n")
    (repo / "ignored.txt").write_bytes(PLANTED)
    (repo / "tracked.txt").write_bytes(b"clean\n")
    patterns = build_pattern_set([SecretEntry("s", 1, PLANTED)])
    assert run_scan(ScanOptions((repo,), jobs=1), patterns).findings == []
    everything = run_scan(ScanOptions((repo,), include_ignored=True, jobs=1), patterns)
    assert [f.path for f in everything.findings] == [str(repo / "ignored.txt")]


def test_corrupt_git_object_is_reported_and_the_scan_goes_on(tmp_path: Path) -> None:
    repo = tmp_path / "r"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "a.txt").write_bytes(b"k=" + PLANTED + b"\n")
    (repo / "b.txt").write_bytes(b"other content\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "x")
    blob = git(repo, "rev-parse", "HEAD:b.txt").stdout.decode().strip()
    obj = repo / ".git" / "objects" / blob[:2] / blob[2:]
    obj.chmod(0o600)
    obj.write_bytes(b"garbage, not zlib")
    report = run_scan(
        ScanOptions((repo,), git_history=True, jobs=1),
        build_pattern_set([SecretEntry("s", 1, PLANTED)]),
    )
    assert any("corrupt" in why or "missing" in why for _w, why in report.problems), report
    assert ("a.txt", "raw") in _found(report)


def test_every_named_encoding_has_a_planted_form() -> None:
    assert set(every_encoding(PLANTED)) == set(encodings.ENCODINGS)


def test_a_5_gb_file_is_skipped_without_being_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.log"
    with huge.open("wb") as handle:
        handle.truncate(5 * 1024**3)  # sparse: no disk used, but stat says 5 GB
    (tmp_path / "small.txt").write_bytes(PLANTED)
    report = run_scan(
        ScanOptions((tmp_path,), jobs=1), build_pattern_set([SecretEntry("s", 1, PLANTED)])
    )
    assert dict(report.skipped) == {str(huge): "over the size limit"}
    assert [f.path for f in report.findings] == [str(tmp_path / "small.txt")]
