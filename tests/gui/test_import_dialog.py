"""The import wizard: a preview without values, keys the user unticks stay in the file, the
rest become credentials, and the file gets references."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.dialogs.import_dialog import ImportDialog
from tests.gui.conftest import VaultFactory, drain

STRIPE = "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc"
ENV = f"""# service config
STRIPE_API_KEY={STRIPE}
DATABASE_PASSWORD="correct-horse-battery"
LOG_LEVEL=debug
"""


@pytest.fixture
def bridge(qtbot: QtBot, make_vault: VaultFactory) -> Iterator[VaultBridge]:
    folder, passphrase = make_vault()
    bridge = VaultBridge(folder)
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=30_000):
        bridge.unlock_with_passphrase(passphrase)
    bridge.add_integration(slug="stripe", name="Stripe", category="accounting", method="api")
    yield bridge
    drain(bridge)
    bridge.lock()


def test_preview_untick_import_and_template(
    qtbot: QtBot, bridge: VaultBridge, tmp_path: Path, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / ".env"
    source.write_text(ENV)
    dialog = ImportDialog(bridge)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(source))
    dialog.preview()
    model = dialog.model
    qtmodeltester.check(model)
    rows = {model.index(r, 0).data(): r for r in range(model.rowCount())}
    assert set(rows) == {"STRIPE_API_KEY", "DATABASE_PASSWORD", "LOG_LEVEL"}
    shown = [model.index(r, c).data() for r in range(model.rowCount()) for c in range(4)]
    assert STRIPE not in str(shown)  # the preview never shows a value
    assert model.index(rows["LOG_LEVEL"], 1).data() == "no"
    # Leave the database password in the file.
    model.setData(
        model.index(rows["DATABASE_PASSWORD"], 1),
        Qt.CheckState.Unchecked.value,
        Qt.ItemDataRole.CheckStateRole,
    )
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    names = {item.credential.name for item in bridge.list_credentials()}
    assert names == {"stripe_api_key"}
    template = (tmp_path / ".env.intsec-template").read_text()
    assert STRIPE not in template
    assert "STRIPE_API_KEY=${INTSEC_STRIPE__STRIPE_API_KEY}" in template
    assert 'DATABASE_PASSWORD="correct-horse-battery"' in template
    assert source.read_text() == ENV  # not rewritten unless asked


def test_unreadable_file_is_reported_in_the_dialog(
    qtbot: QtBot, bridge: VaultBridge, tmp_path: Path
) -> None:
    dialog = ImportDialog(bridge)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "missing.env"))
    dialog.preview()
    assert "cannot read" in dialog.message.text()
    assert not dialog.import_button.isEnabled()
