"""`intsec scan` (leaks of stored secrets) and `intsec hook` (the locked pre-commit guard)."""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from intsec_desktop.cli import output
from intsec_desktop.cli.context import Context, Subcommands, note
from intsec_desktop.core.errors import KeyringUnavailableError, LeakFoundError, UsageError
from intsec_desktop.core.lazy import lazy_import

if TYPE_CHECKING:
    from intsec_desktop.core import services
    from intsec_desktop.core.scan.report import ScanReport, sarif_text
    from intsec_desktop.core.scan.scanner import ScanOptions
    from intsec_desktop.core.services import VaultSession
else:  # the credential commands import this module for refresh_if_installed(), not to scan
    lazy_import(globals(), "intsec_desktop.core", "services")
    lazy_import(globals(), "intsec_desktop.core.scan.report", "sarif_text")
    lazy_import(globals(), "intsec_desktop.core.scan.scanner", "ScanOptions")

HOOK_MARKER = "# intsec pre-commit hook"


def _max_bytes(megabytes: float) -> int:
    if megabytes <= 0:
        raise UsageError("--max-size must be a positive number of MB")
    return int(megabytes * 1024 * 1024)


def scan_cmd(ctx: Context) -> int:
    a = ctx.args
    paths = tuple(Path(p) for p in (a.paths or ["."]))
    if a.fingerprints and not a.staged:
        raise UsageError("--fingerprints scans staged changes only; add --staged")
    if a.staged and (a.git or a.all):
        raise UsageError("--staged cannot be combined with --git or --all")
    if a.jobs is not None and a.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    max_bytes = _max_bytes(a.max_size)
    if a.fingerprints:
        report = services.scan_staged_while_locked(ctx.vault_dir, paths[0], max_bytes=max_bytes)
    else:
        options = ScanOptions(
            paths=paths,
            git_history=a.git,
            staged=a.staged,
            include_ignored=a.all,
            max_bytes=max_bytes,
            jobs=a.jobs or 0,
        )
        with ctx.open_session() as session:
            report = session.scan_for_leaks(options)
    _emit(ctx, report)
    return LeakFoundError.exit_code if report.found else 0


def _emit(ctx: Context, report: ScanReport) -> None:
    if ctx.args.sarif:
        sys.stdout.write(sarif_text(report))
    elif ctx.as_json:
        output.emit_json(report.as_json())
    else:
        for line in report.text_lines():
            sys.stdout.write(line + "\n")
    for where, why in report.skipped:
        note(f"skipped {where}: {why}")
    for where, why in report.problems:
        note(f"could not scan {where}: {why}")
    if report.unscannable:
        note(f"too short to scan for (under 8 bytes): {', '.join(report.unscannable)}")
    megabytes = report.bytes / 1e6
    rate = f", {megabytes / report.seconds:.0f} MB/s" if report.seconds > 0.05 else ""
    note(
        f"scanned {report.files} files ({megabytes:.1f} MB{rate}); {len(report.findings)} finding(s)"
        f", {len(report.skipped)} skipped, {len(report.problems)} unreadable"
    )


# --- the pre-commit hook --------------------------------------------------------------------


def _git_path(repo: Path, what: str) -> Path:
    result = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "--path-format=absolute", "--git-path", what],
        capture_output=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise UsageError(f"{repo}: not a git repository")
    return Path(os.fsdecode(result.stdout.strip()))


def hook_script(vault: Path) -> str:
    command = [
        sys.executable,
        "-m",
        "intsec_desktop.cli.main",
        "scan",
        "--staged",
        "--fingerprints",
        "--vault",
        str(vault.resolve()),
        ".",
    ]
    return (
        "#!/bin/sh\n"
        f"{HOOK_MARKER} (installed by `intsec hook install`; `git commit --no-verify` skips it)\n"
        f"exec {shlex.join(command)}\n"
    )


def refresh_fingerprints(session: VaultSession) -> None:
    if not session.refresh_scan_fingerprints():
        raise KeyringUnavailableError(
            "this vault has no keyring slot on this device; the locked pre-commit hook needs one"
            " (`intsec keyslot add-keyring`)"
        )


def refresh_if_installed(session: VaultSession) -> None:
    """After secrets changed: keep the hook's fingerprints current when the hook is in use."""
    if session.has_scan_fingerprints():
        try:
            refresh_fingerprints(session)
        except KeyringUnavailableError as exc:
            note(f"warning: pre-commit fingerprints not refreshed ({exc})")


def hook_install(ctx: Context) -> int:
    repo = Path(ctx.args.repo)
    hook = _git_path(repo, "hooks/pre-commit")
    if (
        hook.exists()
        and HOOK_MARKER not in hook.read_text("utf-8", "replace")
        and not ctx.args.force
    ):
        raise UsageError(f"{hook} already exists and is not ours; use --force to replace it")
    with ctx.open_session() as session:
        refresh_fingerprints(session)
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(hook_script(ctx.vault_dir), encoding="utf-8")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    if ctx.as_json:
        output.emit_json({"hook": str(hook), "vault": str(ctx.vault_dir.resolve())})
    else:
        print(f"installed {hook}: commits with a stored secret are blocked, even while locked")
    return 0


def hook_refresh(ctx: Context) -> int:
    with ctx.open_session() as session:
        refresh_fingerprints(session)
    print("pre-commit fingerprints refreshed")
    return 0


def hook_uninstall(ctx: Context) -> int:
    hook = _git_path(Path(ctx.args.repo), "hooks/pre-commit")
    if not hook.exists() or HOOK_MARKER not in hook.read_text("utf-8", "replace"):
        raise UsageError(f"{hook} is not an intsec hook; nothing removed")
    hook.unlink()
    print(f"removed {hook}")
    return 0


def register(sub: Subcommands, common: object) -> None:
    p = sub.add_parser(
        "scan",
        parents=[common],
        help="find stored secrets (any encoding) and provider keys in files and git history"
        " (exit 6 on a finding)",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders (default: .)")
    p.add_argument("--git", action="store_true", help="also every reachable blob of the history")
    p.add_argument("--staged", action="store_true", help="only what is staged for commit")
    p.add_argument("--all", action="store_true", help="include files .gitignore excludes")
    p.add_argument("--sarif", action="store_true", help="SARIF 2.1.0 output")
    p.add_argument(
        "--max-size", type=float, default=50, metavar="MB", help="skip larger files (default 50)"
    )
    p.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: all cores)")
    p.add_argument(
        "--fingerprints",
        action="store_true",
        help="scan with the keyed fingerprint file, without unlocking (the pre-commit hook)",
    )
    p.set_defaults(handler=scan_cmd)

    hook = sub.add_parser("hook", help="git pre-commit hook that blocks commits of stored secrets")
    hsub = hook.add_subparsers(dest="action", required=True, metavar="ACTION")
    install = hsub.add_parser("install", parents=[common], help="install into REPO (default .)")
    install.add_argument("repo", nargs="?", default=".", metavar="REPO")
    install.add_argument("--force", action="store_true", help="replace a hook that is not ours")
    install.set_defaults(handler=hook_install)
    refresh = hsub.add_parser("refresh", parents=[common], help="rewrite the fingerprint file")
    refresh.set_defaults(handler=hook_refresh)
    remove = hsub.add_parser("uninstall", parents=[common], help="remove our hook from REPO")
    remove.add_argument("repo", nargs="?", default=".", metavar="REPO")
    remove.set_defaults(handler=hook_uninstall)
