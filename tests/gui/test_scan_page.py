"""The Scan page: a worker-thread scan of a real folder, findings without values, a model that
passes qtmodeltester, and a page that forgets its results on lock."""

from __future__ import annotations

import base64
from pathlib import Path

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from intsec_desktop.core.scan import encodings
from intsec_desktop.core.scan.report import Finding
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.models.findings_model import FindingsTableModel
from intsec_desktop.gui.pages.scan_page import ScanPage
from tests.gui.credentials_helpers import (
    KNOWN_PATH,
    KNOWN_SECRET,
    all_cell_texts,
    demo_bridge,
    demo_template,
    demo_vault,
)

__all__ = ["demo_bridge", "demo_template", "demo_vault"]  # fixtures

ROLES = (0, 3, 13)  # Display, ToolTip, AccessibleText
KNOWN_LABEL = "/".join(part or "-" for part in KNOWN_PATH)


def _findings() -> list[Finding]:
    return [
        Finding("a/b.py", 3, None, KNOWN_LABEL, 1, "base64", True),
        Finding("c.env", 1, "f" * 40, "provider:aws-access-key-id", 0, "provider-format", False),
    ]


def test_findings_model_passes_modeltester(qtmodeltester: ModelTester) -> None:
    model = FindingsTableModel()
    qtmodeltester.check(model)
    model.set_findings(_findings())
    qtmodeltester.check(model)
    assert model.rowCount() == 2


def test_scan_runs_off_the_ui_thread_and_shows_no_value(
    qtbot: QtBot, demo_bridge: VaultBridge, tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "config.py").write_bytes(b"KEY = '" + base64.b64encode(KNOWN_SECRET) + b"'\n")
    (tree / "clean.py").write_bytes(b"print(1)\n")
    page = ScanPage(demo_bridge)
    qtbot.addWidget(page)
    page.add_folder(tree)
    assert page.scan_button.isEnabled()
    page.start_scan()
    assert page.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: page.scan_button.isEnabled(), timeout=60_000)
    assert page.model.rowCount() == 1
    texts = all_cell_texts(page.model, ROLES)
    assert KNOWN_LABEL in texts
    assert "base64" in texts
    shown = "\n".join([*texts, page.status.text(), page.skipped.text()]).encode()
    for _encoding, form in encodings.encoded_forms(KNOWN_SECRET):
        assert form not in shown
    assert "files/s" in page.status.text()
    assert "MB/s" in page.status.text()
    demo_bridge.lock()
    assert page.model.rowCount() == 0
