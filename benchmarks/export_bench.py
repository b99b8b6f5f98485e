"""Export timings: 1,000 customers x 20 integrations x 3 credentials (60,000 stored values).

    .venv/bin/python benchmarks/export_bench.py [--customers N] [--integrations N]

Targets (issue 6): YAML export including the leak guard <= 1 s; drift check <= 1 s.
Prints a Markdown table like benchmarks/run.py; nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from intsec_desktop.core import services
from intsec_desktop.core.export.profile import make_profile
from intsec_desktop.core.vault.crypto import KdfParams

CATEGORIES = ["hris", "ats", "crm", "accounting", "ticketing"]
REGIONS = ["eu", "us", "uk", "apac"]


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return samples


def row(name: str, samples: list[float], target: str, note: str = "") -> str:
    median = statistics.median(samples) * 1000
    return f"| {name} | {median:.0f} | {max(samples) * 1000:.0f} | {len(samples)} | {target} | {note} |"


def build(folder: Path, customers: int, integrations: int) -> services.VaultSession:
    session, _ = services.create_vault(
        folder, "benchmark passphrase", KdfParams.floor(), keyring_store=None
    )
    with session.batch():
        for i in range(integrations):
            session.add_integration(
                f"int{i:02d}", f"Integration {i}", CATEGORIES[i % len(CATEGORIES)], "api",
                base_urls={r: f"https://int{i}.example/{r}" for r in REGIONS},
            )  # fmt: skip
            session.apply_scope_preset(f"int{i:02d}", "standard", [None])
        for c in range(customers):
            session.add_customer(f"cust{c:04d}", f"Customer {c}", REGIONS[c % len(REGIONS)])
        for i in range(integrations):
            for c in range(customers):
                for n in ("api_key", "client_secret", "webhook"):
                    session.add_credential(
                        integration=f"int{i:02d}", customer=f"cust{c:04d}", name=n,
                        secret=f"bench-{i}-{c}-{n}-value".encode(), owner="ops@example.com",
                    )  # fmt: skip
        for i in range(integrations):  # a few customers with their own overrides
            for c in range(0, customers, 50):
                session.apply_scope_preset(f"int{i:02d}", "minimal", [f"cust{c:04d}"])
    return session


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--integrations", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        session = build(Path(tmp) / "bench.intsec", args.customers, args.integrations)
        setup = time.perf_counter() - start
        every = make_profile("", "production", REGIONS)
        out = Path(tmp) / "export.yaml"
        rendered = session.render_export(every)
        rows = [
            row("render YAML (no guard)", timed(lambda: session.render_export(every), args.repeat), "-"),
            row("guard: read + open values, build automaton",
                timed(lambda: session.export_guard("bench"), args.repeat), "-"),
        ]  # fmt: skip
        guard = session.export_guard("bench")
        rows.append(
            row(
                "guard: decode views + scan rendered bytes",
                timed(lambda: guard.check(rendered.data), args.repeat),
                "-",
            )
        )
        rows.append(row("YAML export incl. leak guard + atomic write",
                        timed(lambda: session.write_export(every, out), args.repeat), "<= 1000 ms",
                        f"{len(rendered.data) / 1e6:.1f} MB, {args.customers * args.integrations * 3} values"))  # fmt: skip
        committed = out.read_bytes()
        rows.append(
            row(
                "drift check, no drift",
                timed(lambda: session.export_drift(committed, "f"), args.repeat),
                "<= 1000 ms",
            )
        )
        session.edit_customer("cust0000", name="Renamed customer")
        lines = session.export_drift(committed, "f")[1]
        rows.append(row("drift check, one change", timed(lambda: session.export_drift(committed, "f"), args.repeat), "<= 1000 ms", f"{len(lines)} lines"))  # fmt: skip
        session.close()
    print(f"setup: {setup:.1f} s for the vault\n")
    print("| step | median ms | max ms | runs | target | note |")
    print("|---|---:|---:|---:|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
