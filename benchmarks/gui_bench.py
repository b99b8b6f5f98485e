"""GUI timings on 10,000 credentials: unlock-to-first-painted-table, filter keystroke latency,
resident memory. Prints a Markdown table like benchmarks/run.py; nothing is asserted.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_bench.py [--credentials N]

The KDF is excluded: the clock starts when the bridge announces vault_unlocked.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from intsec_desktop.core import demo, services
from intsec_desktop.core.clock import SystemClock
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.core.vault.crypto import KdfParams

PASSPHRASE = "benchmark passphrase"
# ~50 keystrokes: each prefix is what the filter box holds after one key press.
TYPED = ["bamboohr", "acme staging", "dana@example", "webhook", "globex prod api", "zendesk"]


def keystrokes() -> list[str]:
    texts: list[str] = []
    for phrase in TYPED:
        texts += [phrase[: i + 1] for i in range(len(phrase))]
        texts.append("")  # select-all + delete
    return texts


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--credentials", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    work = Path(tempfile.mkdtemp(prefix="intsec-gui-bench-"))
    os.environ["INTSEC_HOME"] = str(work / "home")
    folder = work / "bench.intsec"
    session, _ = services.create_vault(folder, PASSPHRASE, KdfParams.floor(), keyring_store=None)
    with session:
        demo.populate(session, credentials=args.credentials)

    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from intsec_desktop.gui.bridge import VaultBridge
    from intsec_desktop.gui.clipboard import SecureClipboard
    from intsec_desktop.gui.pages.credentials_page import CredentialsPage
    from intsec_desktop.gui.theme import apply_theme

    app = QApplication(sys.argv[:1])
    apply_theme(app)
    rss_before = rss_mb()
    bridge = VaultBridge(folder, clock=SystemClock())
    marks: dict[str, float] = {}
    # Connected before the page exists, so it runs before the page's own load slot.
    bridge.vault_unlocked.connect(lambda: marks.__setitem__("unlocked", time.perf_counter()))
    page = CredentialsPage(bridge, SecureClipboard(30), AppSettings())
    page.resize(1000, 700)
    page.show()

    loop = QEventLoop()

    class FirstPaint(QObject):
        """Ends the wait on the first paint of a table that has rows, once painting is done."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt
            if (
                event.type() == QEvent.Type.Paint
                and "unlocked" in marks
                and "painted" not in marks
                and page.proxy.rowCount() > 0
            ):
                QTimer.singleShot(0, self.painted)
            return False

        def painted(self) -> None:
            if "painted" not in marks:
                marks["painted"] = time.perf_counter()
                loop.quit()

    watcher = FirstPaint()
    page.table.viewport().installEventFilter(watcher)

    first_paint: list[float] = []
    for _ in range(args.repeat):
        marks.clear()
        bridge.unlock_with_passphrase(PASSPHRASE)
        loop.exec()
        first_paint.append(marks["painted"] - marks["unlocked"])
        rss_loaded = rss_mb()
        if len(first_paint) < args.repeat:
            bridge.lock()
            app.processEvents()

    def press(text: str) -> float:
        start = time.perf_counter()
        page.filter_bar.text.setText(text)  # textChanged → query → proxy, as a key press does
        return time.perf_counter() - start

    def press_and_paint(text: str) -> float:
        start = time.perf_counter()
        page.filter_bar.text.setText(text)
        page.table.viewport().repaint()
        return time.perf_counter() - start

    texts = keystrokes()
    filter_only = [press(t) for t in texts]
    with_paint = [press_and_paint(t) for t in texts]
    for text in ("bamboohr",):  # a typical end state, for the notes column
        page.filter_bar.text.setText(text)
    matches = page.proxy.rowCount()
    page.filter_bar.text.clear()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rows = [
        (
            f"unlocked → first painted table ({args.credentials:,} rows)",
            first_paint,
            "<= 400",
            "list_credentials + model + proxy + first paint; KDF excluded",
        ),
        (
            "filter keystroke (set_query)",
            filter_only,
            "<= 16 (p95)",
            f"{len(texts)} keystrokes; 'bamboohr' leaves {matches:,} rows",
        ),
        ("filter keystroke + repaint", with_paint, "", "what the user waits for"),
    ]
    headers = ["benchmark", "median ms", "p95 ms", "runs", "target ms", "notes"]
    print(
        f"\nintsec-desktop GUI benchmarks ({args.credentials:,} credentials, "
        f"QPA {app.platformName()})\n"
    )
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for name, samples, target, note in rows:
        cells = [
            name,
            f"{statistics.median(samples) * 1000:.1f}",
            f"{percentile(samples, 0.95) * 1000:.1f}",
            str(len(samples)),
            target,
            note,
        ]
        print("| " + " | ".join(cells) + " |")
    print(
        f"| resident memory after load (VmRSS) | {rss_loaded:.0f} MB | peak {peak:.0f} MB | 1 "
        f"| <= 200 MB | {rss_before:.0f} MB before unlock (Qt + Python) |"
    )
    bridge.lock()
    return 0


if __name__ == "__main__":
    sys.exit(main())
