"""`intsec integration ...` and `intsec customer ...`."""

from __future__ import annotations

import argparse
from datetime import datetime

from intsec_desktop.cli import output
from intsec_desktop.cli.context import Context, Subcommands
from intsec_desktop.core.errors import UsageError
from intsec_desktop.core.model import Category, ComplianceEvidence, Method, Region
from intsec_desktop.core.timefmt import parse_date


def _base_urls(values: list[str] | None) -> dict[str, str] | None:
    if not values:
        return None
    urls: dict[str, str] = {}
    for value in values:
        region, sep, url = value.partition("=")
        if not sep:
            raise UsageError(f"--base-url takes REGION=URL, not {value!r}")
        urls[region.strip()] = url.strip()
    return urls


def integration_add(ctx: Context) -> int:
    a = ctx.args
    with ctx.open_session() as s:
        item = s.add_integration(
            a.slug,
            a.name,
            a.category,
            a.method,
            vendor=a.vendor or "",
            base_urls=_base_urls(a.base_url),
        )
    if ctx.as_json:
        output.emit_json(output.integration_json(item))
    else:
        risk = " (riskier method: no vendor API controls)" if item.method.is_risky else ""
        print(f"added integration {item.slug}{risk}")
    return 0


def _evidence_date(text: str | None, field: str, current: datetime | None) -> datetime | None:
    if text is None:
        return current
    return None if text.lower() == "none" else parse_date(text, field)


def integration_edit(ctx: Context) -> int:
    a = ctx.args
    with ctx.open_session() as s:
        before = s.get_integration(a.slug).compliance
        compliance = ComplianceEvidence(
            _evidence_date(a.soc2_expires, "soc2-expires", before.soc2_type2_expires),
            _evidence_date(a.iso27001_expires, "iso27001-expires", before.iso27001_expires),
            _evidence_date(a.gdpr_dpa_expires, "gdpr-dpa-expires", before.gdpr_dpa_expires),
        )
        item = s.edit_integration(
            a.slug,
            name=a.name,
            category=a.category,
            method=a.method,
            vendor=a.vendor,
            base_urls=_base_urls(a.base_url),
            compliance=compliance,
            rotation_steps=a.rotation_steps.replace("\\n", "\n") if a.rotation_steps else None,
            console_url=a.console_url,
        )
    print(f"updated integration {item.slug}")
    return 0


def integration_rm(ctx: Context) -> int:
    with ctx.open_session() as s:
        s.remove_integration(ctx.args.slug)
    print(f"removed integration {ctx.args.slug}")
    return 0


def integration_list(ctx: Context) -> int:
    with ctx.open_session() as s:
        items = s.list_integrations()
    if ctx.as_json:
        output.emit_json([output.integration_json(i) for i in items])
    else:
        output.emit_table(
            ["slug", "name", "category", "method", "vendor"],
            [
                [
                    i.slug,
                    i.name,
                    i.category.value,
                    i.method.value + (" (!)" if i.method.is_risky else ""),
                    i.vendor or "-",
                ]
                for i in items
            ],
        )
    return 0


def customer_add(ctx: Context) -> int:
    a = ctx.args
    with ctx.open_session() as s:
        item = s.add_customer(a.slug, a.name, a.region)
    if ctx.as_json:
        output.emit_json(output.customer_json(item))
    else:
        print(f"added customer {item.slug} ({item.region.value})")
    return 0


def customer_edit(ctx: Context) -> int:
    a = ctx.args
    with ctx.open_session() as s:
        item = s.edit_customer(a.slug, name=a.name, region=a.region)
    print(f"updated customer {item.slug}")
    return 0


def customer_rm(ctx: Context) -> int:
    with ctx.open_session() as s:
        s.remove_customer(ctx.args.slug)
    print(f"removed customer {ctx.args.slug}")
    return 0


def customer_list(ctx: Context) -> int:
    with ctx.open_session() as s:
        items = s.list_customers()
    if ctx.as_json:
        output.emit_json([output.customer_json(i) for i in items])
    else:
        output.emit_table(
            ["slug", "name", "region"], [[i.slug, i.name, i.region.value] for i in items]
        )
    return 0


def register(sub: Subcommands, common: argparse.ArgumentParser) -> None:
    integ = sub.add_parser("integration", help="vendor integrations (BambooHR, Salesforce, ...)")
    isub = integ.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = isub.add_parser("add", parents=[common], help="add an integration")
    p.add_argument("slug")
    p.add_argument("--name", required=True)
    p.add_argument("--category", required=True, choices=[c.value for c in Category])
    p.add_argument("--method", required=True, choices=[m.value for m in Method])
    p.add_argument("--vendor")
    p.add_argument("--base-url", action="append", metavar="REGION=URL")
    p.set_defaults(handler=integration_add)
    p = isub.add_parser("edit", parents=[common], help="change an integration")
    p.add_argument("slug")
    p.add_argument("--name")
    p.add_argument("--category", choices=[c.value for c in Category])
    p.add_argument("--method", choices=[m.value for m in Method])
    p.add_argument("--vendor")
    p.add_argument("--base-url", action="append", metavar="REGION=URL")
    for flag, what in (
        ("--soc2-expires", "SOC 2 Type II report"),
        ("--iso27001-expires", "ISO 27001 certificate"),
        ("--gdpr-dpa-expires", "GDPR data processing agreement"),
    ):
        p.add_argument(flag, metavar="YYYY-MM-DD|none", help=f"expiry of the vendor's {what}")
    p.add_argument("--console-url", metavar="URL", help="where keys are rotated at the vendor")
    p.add_argument(
        "--rotation-steps", metavar="TEXT", help="manual rotation checklist (\\n between steps)"
    )
    p.set_defaults(handler=integration_edit)
    p = isub.add_parser("rm", parents=[common], help="remove an integration without credentials")
    p.add_argument("slug")
    p.set_defaults(handler=integration_rm)
    p = isub.add_parser("list", parents=[common], help="list integrations")
    p.set_defaults(handler=integration_list)

    cust = sub.add_parser("customer", help="your customers and their data-residency region")
    csub = cust.add_subparsers(dest="action", required=True, metavar="ACTION")
    p = csub.add_parser("add", parents=[common], help="add a customer")
    p.add_argument("slug")
    p.add_argument("--name", required=True)
    p.add_argument("--region", required=True, choices=[r.value for r in Region])
    p.set_defaults(handler=customer_add)
    p = csub.add_parser("edit", parents=[common], help="change a customer")
    p.add_argument("slug")
    p.add_argument("--name")
    p.add_argument("--region", choices=[r.value for r in Region])
    p.set_defaults(handler=customer_edit)
    p = csub.add_parser("rm", parents=[common], help="remove a customer without credentials")
    p.add_argument("slug")
    p.set_defaults(handler=customer_rm)
    p = csub.add_parser("list", parents=[common], help="list customers")
    p.set_defaults(handler=customer_list)
