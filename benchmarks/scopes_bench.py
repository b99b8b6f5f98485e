"""Scope matrix timings: 1,000 customers x 300 fields x 2 actions (600,000 cells).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/scopes_bench.py [--customers N]

Resolving uses a synthetic 300-field catalog (10 models x 30 fields, all read/write); the
editor figures use a real vault whose HRIS integration has custom fields up to 300.
Prints a Markdown table like benchmarks/run.py; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from intsec_desktop.core import scopes, services
from intsec_desktop.core.model import Method
from intsec_desktop.core.scope_catalog import ALL, Catalog, FieldSpec, ModelSpec, ScopeAction, Tag
from intsec_desktop.core.scopes import Effect, Grant
from intsec_desktop.core.vault.crypto import KdfParams

PASSPHRASE = "benchmark passphrase"
READ, WRITE = ScopeAction.READ, ScopeAction.WRITE


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def row(name: str, samples: list[float], target: str, note: str = "") -> list[str]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(ordered) * 1000
    return [name, f"{median:.1f}", f"{p95 * 1000:.1f}", str(len(ordered)), target, note]


def synthetic(customers: int) -> tuple[Catalog, list[Grant], list[str]]:
    models = tuple(
        ModelSpec(
            f"Model{m}",
            frozenset({READ, WRITE}),
            tuple(
                FieldSpec(f"field_{f}", frozenset({Tag.PII}) if f % 7 == 0 else frozenset())
                for f in range(30)
            ),
        )
        for m in range(10)
    )
    catalog = Catalog("bench", models)
    names = [f"customer{i:04d}" for i in range(customers)]
    grants = [Grant(None, m.name, ALL, READ, Effect.ALLOW) for m in models]
    grants += [Grant(None, "Model0", "field_0", READ, Effect.DENY)]
    for i, c in enumerate(names):
        grants.append(Grant(c, f"Model{i % 10}", f"field_{i % 30}", WRITE, Effect.ALLOW))
        grants.append(Grant(c, f"Model{(i + 3) % 10}", ALL, READ, Effect.DENY))
    return catalog, grants, names


def build_vault(folder: Path, customers: int) -> None:
    session, _ = services.create_vault(folder, PASSPHRASE, KdfParams.floor(), keyring_store=None)
    with session:
        with session.batch():
            session.add_integration("bamboohr", "BambooHR", "hris", "api")
            for i in range(customers):
                session.add_customer(f"customer{i:04d}", f"Customer {i}", "eu")
            fields = sum(len(m.fields) for m in session.scope_catalog("bamboohr").models)
            for i in range(300 - fields):
                session.add_scope_field("bamboohr", "Employee", f"custom_{i:03d}")
        lines = ["schema: intsec.scopes/v1", "integrations:", "  bamboohr:", "    default:"]
        lines += ["      Employee: {read: allow}", "      TimeOff: {read: allow, write: allow}"]
        lines += ["    customers:"]
        for i in range(customers):
            lines.append(f"      customer{i:04d}:")
            lines.append(f"        Employee.custom_{i % 200:03d}: {{read: deny, write: allow}}")
            lines.append("        Employment: {read: allow}")
        session.apply_scope_file("\n".join(lines) + "\n", "bench.yaml")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    rows: list[list[str]] = []

    catalog, grants, names = synthetic(args.customers)
    cells = sum(len(m) for m in scopes.resolve_all(catalog, grants, names).values())
    rows.append(
        row(
            f"resolve every effective matrix ({cells:,} cells)",
            timed(lambda: scopes.resolve_all(catalog, grants, names), args.repeat),
            "<= 300 ms",
            f"{args.customers:,} customers x 300 fields x 2 actions",
        )
    )
    rows.append(
        row(
            "least-privilege findings, same matrices",
            timed(
                lambda: scopes.findings("bench", Method.API, catalog, grants, names),
                max(3, args.repeat // 3),
            ),
            "",
        )
    )

    from PySide6.QtWidgets import QApplication

    from intsec_desktop.gui.bridge import VaultBridge
    from intsec_desktop.gui.models.scope_tree_model import FIRST_CELL, ViewMode
    from intsec_desktop.gui.pages.scopes_page import ScopesPage

    app = QApplication(sys.argv[:1])
    folder = Path(tempfile.mkdtemp(prefix="intsec-scopes-bench-")) / "bench.intsec"
    build_vault(folder, args.customers)
    bridge = VaultBridge(folder)
    bridge._adopt(services.open_vault_with_secret(folder, PASSPHRASE))  # no KDF in these timings
    page = ScopesPage(bridge)
    page.resize(1200, 760)
    page.show()
    page.refresh_choices()
    page.customer_box.setCurrentIndex(page.customer_box.findData("customer0001"))
    app.processEvents()

    def open_editor() -> None:
        page.reload()
        page.tree.viewport().repaint()

    rows.append(
        row(
            "open the editor (one customer, 300 fields)",
            timed(open_editor, args.repeat),
            "<= 300 ms",
        )
    )
    page.mode_box.setCurrentIndex(page.mode_box.findData(ViewMode.PER_CUSTOMER))
    app.processEvents()
    rows.append(
        row(
            f"open the editor (one column per customer, {args.customers:,} columns)",
            timed(open_editor, args.repeat),
            "<= 300 ms",
        )
    )
    page.mode_box.setCurrentIndex(page.mode_box.findData(ViewMode.ONE_CUSTOMER))
    app.processEvents()
    index = page.model.index_of("Employee", "first_name", FIRST_CELL)
    view = page.model.view
    assert view is not None

    def repaint_only() -> None:
        # What Qt does after dataChanged: repaint the dirty region on the next event pass.
        page.model.update_view(view, "customer0001", "Employee", "first_name")
        app.processEvents()

    rows.append(row("toggled cell: dataChanged + repaint", timed(repaint_only, 50), "<= 16 ms"))

    from PySide6.QtCore import Qt

    def toggle() -> None:
        page.model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
        app.processEvents()

    rows.append(
        row(
            "toggled cell: audited write + re-resolve + repaint",
            timed(toggle, 30),
            "",
            "includes the SQLCipher commit (synchronous=FULL)",
        )
    )
    bridge.lock()

    headers = ["benchmark", "median ms", "p95 ms", "runs", "target", "note"]
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
