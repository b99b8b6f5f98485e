"""The scope matrix editor: model contract, toggling in the real window (persisted, audited),
undo/redo, inherited vs set-here cells, field search and both layouts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont
from pytestqt.qtbot import QtBot

from intsec_desktop.core import services
from intsec_desktop.core.scope_catalog import ScopeAction
from intsec_desktop.core.scopes import Source
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.main_window import MainWindow
from intsec_desktop.gui.models.scope_tree_model import (
    FIRST_CELL,
    INHERITED,
    SENSITIVE_MARK,
    SET_HERE,
    ScopeTreeModel,
    ViewMode,
)
from intsec_desktop.gui.pages.scopes_page import ScopesPage
from tests.gui.credentials_helpers import (
    PASSPHRASE,
    DemoVault,
    demo_bridge,
    demo_template,
    demo_vault,
)

__all__ = ["demo_bridge", "demo_template", "demo_vault"]  # fixtures

READ, WRITE = FIRST_CELL, FIRST_CELL + 1
CHECK = Qt.ItemDataRole.CheckStateRole


@pytest.fixture
def scopes_page(qtbot: QtBot, demo_bridge: VaultBridge) -> ScopesPage:
    demo_bridge.set_scope("bamboohr", None, "Employee", "*", "read", "allow")
    page = ScopesPage(demo_bridge)
    qtbot.addWidget(page)
    page.refresh_choices()
    page.integration_box.setCurrentIndex(page.integration_box.findData("bamboohr"))
    page.customer_box.setCurrentIndex(page.customer_box.findData("acme"))
    return page


def cell_index(page: ScopesPage, model: str, field: str | None, column: int) -> QModelIndex:
    return page.proxy.mapFromSource(page.model.index_of(model, field, column))


def test_model_passes_the_model_tester_in_both_layouts(
    qtmodeltester,  # type: ignore[no-untyped-def]
    scopes_page: ScopesPage,
) -> None:
    qtmodeltester.check(scopes_page.model)
    scopes_page.mode_box.setCurrentIndex(scopes_page.mode_box.findData(ViewMode.PER_CUSTOMER))
    qtmodeltester.check(scopes_page.model)
    fresh = ScopeTreeModel()
    qtmodeltester.check(fresh)  # empty (locked) model too


def test_inherited_and_set_here_differ_in_text_and_font_not_only_colour(
    scopes_page: ScopesPage,
) -> None:
    model = scopes_page.model
    inherited = model.index_of("Employee", "first_name", READ)
    assert inherited.data() == INHERITED
    assert inherited.data(Qt.ItemDataRole.FontRole).italic()
    assert "by the default (Employee.*)" in inherited.data(Qt.ItemDataRole.ToolTipRole)
    assert inherited.data(CHECK) == Qt.CheckState.Checked
    name = model.index_of("Employee", "ssn", 0)
    assert name.data().startswith(SENSITIVE_MARK)
    assert "sensitive" in name.data(Qt.ItemDataRole.ToolTipRole)
    row = model.index_of("Employee", None, READ)
    assert row.data(CHECK) == Qt.CheckState.Checked
    not_supported = model.index_of("PayrollRun", "net_pay", WRITE)
    assert not not_supported.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert not_supported.data() == "n/a"


def test_space_toggles_a_cell_through_services_and_undo_redo(
    qtbot: QtBot, scopes_page: ScopesPage, demo_bridge: VaultBridge
) -> None:
    scopes_page.show()
    index = cell_index(scopes_page, "Employee", "ssn", READ)
    scopes_page.tree.setCurrentIndex(index)
    with qtbot.waitSignal(demo_bridge.scopes_changed, timeout=2_000):
        qtbot.keyClick(scopes_page.tree, Qt.Key.Key_Space)
    source = scopes_page.model.index_of("Employee", "ssn", READ)
    assert source.data(CHECK) == Qt.CheckState.Unchecked
    assert source.data() == SET_HERE
    font: QFont = source.data(Qt.ItemDataRole.FontRole)
    assert font.bold()
    assert not font.italic()
    row = scopes_page.model.index_of("Employee", None, READ)
    assert row.data(CHECK) == Qt.CheckState.PartiallyChecked
    assert (
        not demo_bridge.scope_view("bamboohr")
        .matrix("acme")[("Employee", "ssn", ScopeAction.READ)]
        .allowed
    )

    scopes_page.undo_stack.undo()
    assert source.data() == INHERITED
    assert (
        demo_bridge.scope_view("bamboohr").explicit("acme", "Employee", "ssn", ScopeAction.READ)
        == "inherit"
    )
    scopes_page.undo_stack.redo()
    assert source.data(CHECK) == Qt.CheckState.Unchecked
    assert (
        demo_bridge.scope_view("bamboohr").explicit("acme", "Employee", "ssn", ScopeAction.READ)
        == "deny"
    )

    scopes_page.tree.setCurrentIndex(index)
    scopes_page.inherit_button.click()
    assert source.data() == INHERITED
    assert scopes_page.undo_stack.count() == 2


def test_toggling_a_model_row_sets_the_model_grant(qtbot: QtBot, scopes_page: ScopesPage) -> None:
    row = scopes_page.model.index_of("TimeOff", None, WRITE)
    assert row.data(CHECK) == Qt.CheckState.Unchecked
    assert scopes_page.model.setData(row, Qt.CheckState.Checked, CHECK)
    assert row.data(CHECK) == Qt.CheckState.Checked
    cell = scopes_page.model.index_of("TimeOff", "status", WRITE)
    assert cell.data() == f"{SET_HERE} (*)"
    # Findings are recomputed shortly after a change (coalesced), not on the click itself.
    qtbot.waitUntil(lambda: "write_without_read" in scopes_page.findings.toolTip(), timeout=2_000)


def test_search_filters_fields_and_keeps_their_model(scopes_page: ScopesPage) -> None:
    scopes_page.search.setText("pay_r")
    proxy = scopes_page.proxy
    shown = {
        proxy.index(r, 0).data(): [
            proxy.index(c, 0, proxy.index(r, 0)).data()
            for c in range(proxy.rowCount(proxy.index(r, 0)))
        ]
        for r in range(proxy.rowCount())
    }
    assert shown == {"Employment": [f"{SENSITIVE_MARK}pay_rate"]}


def test_per_customer_layout_shows_one_column_per_customer(
    scopes_page: ScopesPage, demo_bridge: VaultBridge
) -> None:
    scopes_page.mode_box.setCurrentIndex(scopes_page.mode_box.findData(ViewMode.PER_CUSTOMER))
    customers = [c.slug for c in demo_bridge.list_customers()]
    assert [c.customer for c in scopes_page.model.columns] == [None, *customers]
    assert scopes_page.model.headerData(FIRST_CELL, Qt.Orientation.Horizontal) == "Default"
    assert not scopes_page.customer_box.isEnabled()
    # A default change repaints every customer's column; an override only its own.
    other = customers.index("globex") + FIRST_CELL + 1
    index = scopes_page.model.index_of("Employee", "ssn", other)
    assert scopes_page.model.setData(index, Qt.CheckState.Unchecked, CHECK)
    assert index.data() == SET_HERE, scopes_page.message.text()
    acme = scopes_page.model.index_of("Employee", "ssn", customers.index("acme") + FIRST_CELL + 1)
    assert acme.data() == INHERITED
    assert acme.data(CHECK) == Qt.CheckState.Checked


@pytest.fixture
def window(qtbot: QtBot, demo_vault: DemoVault) -> Iterator[MainWindow]:
    bridge = VaultBridge(demo_vault.folder)
    win = MainWindow(bridge, AppSettings(close_to_tray=False))
    qtbot.addWidget(win)
    win.resize(1200, 760)
    win.show()
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=30_000):
        bridge.unlock_with_passphrase(PASSPHRASE)
    yield win
    win.shutdown()


def test_toggling_a_cell_in_the_real_window_persists_and_is_audited(
    qtbot: QtBot, window: MainWindow, demo_vault: DemoVault
) -> None:
    window.workspace.show_section("Scopes")
    page = window.workspace.scopes_page
    assert page.isVisible()
    page.integration_box.setCurrentIndex(page.integration_box.findData("workday"))
    page.customer_box.setCurrentIndex(page.customer_box.findData("acme"))
    index = cell_index(page, "BankInfo", "account_number", READ)
    page.tree.setFocus()
    page.tree.setCurrentIndex(index)
    rect = page.tree.visualRect(index)
    page.tree.scrollTo(index)
    rect = page.tree.visualRect(index)
    check_point = rect.topLeft() + (rect.bottomLeft() - rect.topLeft()) / 2
    check_point.setX(rect.left() + 8)
    with qtbot.waitSignal(window.bridge.scopes_changed, timeout=2_000):
        qtbot.mouseClick(page.tree.viewport(), Qt.MouseButton.LeftButton, pos=check_point)
    window.shutdown()

    session = services.open_vault_with_secret(demo_vault.folder, PASSPHRASE)
    with session:
        cell = session.effective_scopes("workday", "acme")[
            ("BankInfo", "account_number", ScopeAction.READ)
        ]
        assert cell.allowed
        assert cell.source is Source.OVERRIDE
        assert (
            session.effective_scopes("workday", "globex")[
                ("BankInfo", "account_number", ScopeAction.READ)
            ].source
            is Source.CATALOG
        )
        event = session.audit_events()[-1]
        assert (event.action, event.target) == ("scope.set", "scopes:workday")
        assert event.details == {
            "customer": "acme",
            "cell": "BankInfo.account_number read",
            "before": "inherit",
            "after": "allow",
        }
