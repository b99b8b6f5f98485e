"""`intsec scopes ...`: show, set, diff, apply, export, lint, and bulk changes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from intsec_desktop.cli import output
from intsec_desktop.cli.context import Context, Subcommands
from intsec_desktop.core.errors import DriftFoundError, StorageError, UsageError
from intsec_desktop.core.scope_catalog import ScopeAction, Tag
from intsec_desktop.core.scopes import Cell, CellDiff, Preset, Source, parse_target

EFFECTS = ["allow", "deny", "inherit"]


def _read_file(path: str) -> tuple[str, str]:
    """(text, name for errors). Reading is bounded: the parser refuses anything past 1 MB."""
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(2_000_001)
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8"), path
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text") from None


def _mark(cell: Cell | None, customer: str | None) -> str:
    """What one cell shows: the verdict, and whether it is set here or inherited (and from)."""
    if cell is None:
        return "n/a"
    if cell.source is Source.CATALOG:
        return "-"
    verdict = "allow" if cell.allowed else "deny"
    here = Source.OVERRIDE if customer else Source.DEFAULT
    if cell.source is here:
        return f"{verdict} [{cell.grant}]"
    return f"{verdict} (inherited {cell.grant})"


def show(ctx: Context) -> int:
    a = ctx.args
    with ctx.open_session() as s:
        catalog = s.scope_catalog(a.integration)
        matrix = s.effective_scopes(a.integration, a.customer)
    if ctx.as_json:
        cells: list[dict[str, Any]] = []
        for m in catalog.models:
            for f in m.fields:
                for act in ScopeAction:
                    cell = matrix.get((m.name, f.name, act))
                    if cell is None:
                        continue
                    cells.append(
                        {
                            "model": m.name,
                            "field": f.name,
                            "action": act.value,
                            "allowed": cell.allowed,
                            "source": cell.source.value,
                            "grant": cell.grant,
                            "tags": sorted(t.value for t in f.tags),
                        }
                    )
        output.emit_json({"integration": a.integration, "customer": a.customer, "cells": cells})
        return 0
    rows = []
    for m in catalog.models:
        for f in m.fields:
            rows.append(
                [
                    f"{m.name}.{f.name}",
                    ",".join(sorted(t.value for t in f.tags)) or "-",
                    _mark(matrix.get((m.name, f.name, ScopeAction.READ)), a.customer),
                    _mark(matrix.get((m.name, f.name, ScopeAction.WRITE)), a.customer),
                ]
            )
    output.emit_table(["field", "tags", "read", "write"], rows)
    return 0


def set_cell(ctx: Context) -> int:
    a = ctx.args
    model, field = parse_target(a.target)
    with ctx.open_session() as s:
        before, after = s.set_scope(a.integration, a.customer, model, field, a.action, a.effect)
    who = a.customer or "default"
    verb = "unchanged" if before == after else f"{before} -> {after}"
    print(f"{a.integration}/{who}: {model}.{field} {a.action}: {verb}")
    return 0


def _print_diffs(changes: list[CellDiff], heading: str) -> None:
    print(heading)
    for d in changes:
        print(f"  {d.describe()}")


def diff(ctx: Context) -> int:
    a = ctx.args
    if a.file:
        if a.integration or a.customer or a.against:
            raise UsageError("--file compares the whole vault; give no integration or customer")
        text, name = _read_file(a.file)
        with ctx.open_session() as s:
            drift = s.scope_file_diff(text, name)
        if ctx.as_json:
            output.emit_json(
                {
                    slug: {who or "*": [d.describe() for d in ds] for who, ds in levels.items()}
                    for slug, levels in drift.items()
                }
            )
        else:
            for slug, levels in drift.items():
                for who, ds in levels.items():
                    _print_diffs(ds, f"{slug}/{who or 'default'}: vault -> {name}")
        if drift:
            raise DriftFoundError(f"scopes in the vault differ from {name}")
        if not ctx.as_json:
            print(f"no drift: the vault matches {name}")
        return 0
    if not a.integration or not a.customer:
        raise UsageError("give INTEGRATION --customer C [--against OTHER], or --file FILE")
    with ctx.open_session() as s:
        changes = s.scope_diff(a.integration, a.customer, a.against)
    base = a.against or "default"
    if ctx.as_json:
        output.emit_json([d.describe() for d in changes])
    elif changes:
        _print_diffs(changes, f"{a.integration}: {base} -> {a.customer}")
    else:
        print(f"{a.integration}: {a.customer} has the same effective scopes as {base}")
    return 0


def apply(ctx: Context) -> int:
    text, name = _read_file(ctx.args.file)
    with ctx.open_session() as s:
        counts = s.apply_scope_file(text, name)
    for slug, (before, after) in sorted(counts.items()):
        print(f"{slug}: {before} grant(s) replaced by {after}")
    return 0


def export(ctx: Context) -> int:
    with ctx.open_session() as s:
        text = s.export_scopes(ctx.args.integration or None)
    sys.stdout.write(text)
    return 0


def lint(ctx: Context) -> int:
    with ctx.open_session() as s:
        found = s.scope_findings(ctx.args.integration)
    if ctx.as_json:
        output.emit_json(
            [
                {
                    "kind": f.kind,
                    "integration": f.integration,
                    "customer": f.customer,
                    "message": f.message,
                }
                for f in found
            ]
        )
    else:
        for f in found:
            print(f.describe())
        if not found:
            print("no least-privilege findings")
    return 1 if found else 0


def copy(ctx: Context) -> int:
    a = ctx.args
    with ctx.open_session() as s:
        n = s.copy_scopes(a.integration, a.source, a.to)
    print(f"{a.integration}: copied {a.source}'s scopes to {n} customer(s)")
    return 0


def reset(ctx: Context) -> int:
    a = ctx.args
    with ctx.open_session() as s:
        n = s.reset_scopes(a.integration, a.customers)
    print(f"{a.integration}: {n} customer(s) inherit the default again")
    return 0


def preset(ctx: Context) -> int:
    a = ctx.args
    levels: list[str | None] = [None] if a.default else []
    levels += a.customers
    if not levels:
        raise UsageError("name customers, or --default for the integration default")
    with ctx.open_session() as s:
        n = s.apply_scope_preset(a.integration, a.preset, levels)
    print(f"{a.integration}: preset {a.preset} applied to {n} level(s)")
    return 0


def add_field(ctx: Context) -> int:
    a = ctx.args
    model, field = parse_target(a.target)
    if field == "*":
        raise UsageError("give MODEL.FIELD")
    with ctx.open_session() as s:
        s.add_scope_field(a.integration, model, field, a.tag or [])
    print(f"{a.integration}: added custom field {model}.{field}")
    return 0


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    scopes = sub.add_parser("scopes", help="who may read or write which data models and fields")
    ssub = scopes.add_subparsers(dest="action_name", required=True, metavar="ACTION")
    customer_help = "a customer's overrides (default: the integration-wide default)"

    p = ssub.add_parser("show", parents=[common], help="effective scopes and where each comes from")
    p.add_argument("integration")
    p.add_argument("--customer", help=customer_help)
    p.set_defaults(handler=show)

    p = ssub.add_parser("set", parents=[common], help="allow, deny or inherit one cell")
    p.add_argument("integration")
    p.add_argument("target", metavar="MODEL[.FIELD]")
    p.add_argument("action", choices=[a.value for a in ScopeAction])
    p.add_argument("effect", choices=EFFECTS)
    p.add_argument("--customer", help=customer_help)
    p.set_defaults(handler=set_cell)

    p = ssub.add_parser(
        "diff", parents=[common], help="customer vs default/customer, or vault vs a grant file"
    )
    p.add_argument("integration", nargs="?")
    p.add_argument("--customer")
    p.add_argument("--against", metavar="CUSTOMER", help="compare with this customer")
    p.add_argument("--file", metavar="FILE", help="committed grant file (exit 7 on drift)")
    p.set_defaults(handler=diff)

    p = ssub.add_parser("apply", parents=[common], help="apply a YAML grant file atomically")
    p.add_argument("file")
    p.set_defaults(handler=apply)

    p = ssub.add_parser("export", parents=[common], help="print grants as a YAML grant file")
    p.add_argument("integration", nargs="*")
    p.set_defaults(handler=export)

    p = ssub.add_parser("lint", parents=[common], help="least-privilege findings (exit 1 on any)")
    p.add_argument("integration", nargs="?")
    p.set_defaults(handler=lint)

    p = ssub.add_parser("copy", parents=[common], help="copy one customer's overrides to others")
    p.add_argument("integration")
    p.add_argument("--from", dest="source", required=True, metavar="CUSTOMER")
    p.add_argument("--to", nargs="+", required=True, metavar="CUSTOMER")
    p.set_defaults(handler=copy)

    p = ssub.add_parser("reset", parents=[common], help="drop customers' overrides")
    p.add_argument("integration")
    p.add_argument("customers", nargs="+", metavar="CUSTOMER")
    p.set_defaults(handler=reset)

    p = ssub.add_parser("preset", parents=[common], help="apply minimal, standard or full")
    p.add_argument("integration")
    p.add_argument("preset", choices=[x.value for x in Preset])
    p.add_argument("customers", nargs="*", metavar="CUSTOMER")
    p.add_argument("--default", action="store_true", help="also the integration default")
    p.set_defaults(handler=preset)

    p = ssub.add_parser("add-field", parents=[common], help="an integration's own catalog field")
    p.add_argument("integration")
    p.add_argument("target", metavar="MODEL.FIELD")
    p.add_argument("--tag", action="append", choices=[t.value for t in Tag])
    p.set_defaults(handler=add_field)
