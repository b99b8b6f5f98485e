"""`intsec export`: secret-free config files from a stored profile or flags, `--check` for CI
drift (exit 7), and `intsec export profile add|edit|list|rm`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from intsec_desktop.cli import output
from intsec_desktop.cli.context import Context, Subcommands, note
from intsec_desktop.core.errors import DriftFoundError, StorageError, UsageError
from intsec_desktop.core.export.profile import Dialect, ExportFormat, ExportProfile, make_profile
from intsec_desktop.core.model import Environment, Region
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.services.export_admin import content_sha256

_READ_LIMIT = 256 * 1024 * 1024  # a committed export past this is not ours


def _flags_profile(
    a: argparse.Namespace, name: str = "", base: ExportProfile | None = None
) -> ExportProfile:
    if base is None and not a.region:
        raise UsageError(
            "name a profile or at least one --region (residency: a file covers regions)"
        )
    return make_profile(
        name,
        a.env or (base.environment.value if base else Environment.PRODUCTION.value),
        a.region or ([r.value for r in base.regions] if base else []),
        a.integration if a.integration is not None else (list(base.integrations) if base else []),
        a.format or (base.format.value if base else ExportFormat.YAML.value),
        a.refs or (base.dialect.value if base else Dialect.ENV.value),
        a.target if a.target is not None else (base.target if base else ""),
    )


def _has_flags(a: argparse.Namespace) -> bool:
    return any(v is not None for v in (a.env, a.region, a.integration, a.format, a.refs))


def _chosen_profile(
    s: VaultSession, a: argparse.Namespace, name: str | None
) -> ExportProfile | None:
    if name:
        stored = s.export_profile(name)
        return _flags_profile(a, stored.name, stored) if _has_flags(a) else stored
    if _has_flags(a):
        return _flags_profile(a)
    return None


def _read(path: str) -> bytes:
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(_READ_LIMIT + 1)
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > _READ_LIMIT:
        raise UsageError(f"{path} is larger than any export we write")
    return data


def export(ctx: Context) -> int:
    a = ctx.args
    words = list(a.words)
    if words and words[0] == "profile":
        return _profile_command(ctx, words[1:])
    if words and words[0] == "clear":
        return _clear_command(ctx, words[1:])
    if len(words) > 1:
        raise UsageError("at most one PROFILE name")
    name = a.profile or (words[0] if words else None)
    with ctx.open_session() as s:
        profile = _chosen_profile(s, a, name)
        if a.check:
            committed = _read(a.check)
            fresh, lines = s.export_drift(committed, a.check, profile)
            if ctx.as_json:
                output.emit_json(
                    {"file": a.check, "drift": lines, "content_hash": fresh.content_hash}
                )
            elif lines:
                sys.stdout.write(f"{a.check} differs from what the vault exports now:\n")
                sys.stdout.write("".join(f"  {line}\n" for line in lines))
            else:
                note(f"{a.check}: no drift ({fresh.content_hash})")
            if lines:
                raise DriftFoundError(f"{a.check}: {len(lines)} difference(s); re-export to update")
            return 0
        if profile is None:
            raise UsageError("name a PROFILE, or give --region (and --env, --format, --refs)")
        target = a.out or profile.target
        if not target or target == "-":
            rendered = s.guarded_render(profile, "stdout")  # before a byte reaches stdout
            sys.stdout.buffer.write(rendered.data)
            sys.stdout.flush()
            return 0
        rendered = s.write_export(profile, Path(target), force=a.force)
    if ctx.as_json:
        output.emit_json(
            {"file": target, "bytes": len(rendered.data), "content_hash": rendered.content_hash}
        )
    else:
        note(
            f"wrote {target} ({len(rendered.data)} bytes, {rendered.content_hash}); leak guard: clean"
        )
    return 0


def _clear_command(ctx: Context, names: list[str]) -> int:
    """Guard profiles' content now, so members whose slot cannot open values may write it."""
    a = ctx.args
    with ctx.open_session() as s:
        if a.all:
            profiles = s.export_profiles()
        elif names:
            profiles = [_chosen_profile(s, a, n) or s.export_profile(n) for n in names]
        elif _has_flags(a):
            profiles = [_flags_profile(a)]
        else:
            raise UsageError("intsec export clear PROFILE... | --all | --region R [flags]")
        cleared = []
        for profile in profiles:
            rendered = s.clear_export(profile)
            cleared.append({"profile": profile.name or "(flags)",
                            "content_hash": content_sha256(rendered.data)})  # fmt: skip
    if ctx.as_json:
        output.emit_json(cleared)
    else:
        for item in cleared:
            note(f"cleared {item['profile']} ({item['content_hash']}) for members who cannot "
                 "open values; it stays cleared until that content or any stored value changes")  # fmt: skip
    return 0


def _profile_row(p: ExportProfile) -> list[str]:
    return [
        p.name,
        p.environment.value,
        ",".join(r.value for r in p.regions),
        ",".join(p.integrations) or "(all)",
        p.format.value,
        p.dialect.value,
        p.target or "-",
    ]


def _profile_json(p: ExportProfile) -> dict[str, Any]:
    return dict(p.spec(), target=p.target)


def _profile_command(ctx: Context, words: list[str]) -> int:
    a = ctx.args
    if not words or words[0] not in ("add", "edit", "list", "rm"):
        raise UsageError("intsec export profile add|edit|list|rm [NAME]")
    action, rest = words[0], words[1:]
    if action == "list":
        with ctx.open_session() as s:
            items = s.export_profiles()
        if ctx.as_json:
            output.emit_json([_profile_json(p) for p in items])
        else:
            output.emit_table(["name", "env", "regions", "integrations", "format", "refs", "target"],
                              [_profile_row(p) for p in items])  # fmt: skip
        return 0
    if len(rest) != 1:
        raise UsageError(f"intsec export profile {action} NAME")
    name = rest[0]
    with ctx.open_session() as s:
        if action == "rm":
            s.remove_export_profile(name)
            note(f"removed export profile {name}")
            return 0
        base = s.export_profile(name) if action == "edit" else None
        profile = _flags_profile(a, name, base)
        s.save_export_profile(profile, replace=action == "edit")
    note(f"{'changed' if action == 'edit' else 'added'} export profile {name}")
    return 0


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "export",
        parents=[common],
        help="secret-free config export (YAML, JSON, .env, ExternalSecret); --check for drift",
        description="intsec export [PROFILE] [flags] [-o FILE]; intsec export --check FILE; "
        "intsec export profile add|edit|list|rm NAME [flags]; "
        "intsec export clear PROFILE...|--all (let viewers write that content)",
    )
    p.add_argument("words", nargs="*", metavar="PROFILE | profile ACTION NAME")
    p.add_argument("--profile", help="a stored export profile")
    p.add_argument("--env", choices=[e.value for e in Environment])
    p.add_argument("--region", action="append", choices=[r.value for r in Region])
    p.add_argument("--integration", action="append", help="only these (default: every one)")
    p.add_argument("--format", choices=[f.value for f in ExportFormat])
    p.add_argument("--refs", choices=[d.value for d in Dialect], help="reference dialect")
    p.add_argument("-o", "--out", metavar="FILE", help="write here (atomically); - for stdout")
    p.add_argument("--force", action="store_true", help="replace a file intsec did not write")
    p.add_argument("--check", metavar="FILE", help="exit 7 when FILE differs from a fresh export")
    p.add_argument("--target", help="(profile add/edit) where the profile writes by default")
    p.add_argument("--all", action="store_true", help="(clear) every stored profile")
    p.set_defaults(handler=export)
