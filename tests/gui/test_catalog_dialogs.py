"""Integration and customer dialogs: add, edit, compliance dates, errors beside the field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.dialogs.catalog_dialogs import CustomerDialog, IntegrationDialog
from intsec_desktop.gui.models.simple_models import CustomersTableModel, IntegrationsTableModel
from tests.gui.conftest import VaultFactory, drain


@pytest.fixture
def unlocked(qtbot: QtBot, make_vault: VaultFactory) -> Iterator[VaultBridge]:
    folder, passphrase = make_vault()
    bridge = VaultBridge(folder)
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=30_000):
        bridge.unlock_with_passphrase(passphrase)
    yield bridge
    drain(bridge)
    bridge.lock()


def press_ok(dialog: IntegrationDialog | CustomerDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def test_add_integration_with_compliance_dates_and_checklist(
    qtbot: QtBot, unlocked: VaultBridge
) -> None:
    dialog = IntegrationDialog(unlocked)
    qtbot.addWidget(dialog)
    dialog.slug.setText("personio")
    dialog.name.setText("Personio")
    dialog.method.setCurrentIndex(dialog.method.findData("script"))
    assert dialog.risk.isVisibleTo(dialog)
    dialog.soc2.never.setChecked(False)
    dialog.soc2.date.setDate(QDate(2027, 3, 31))
    dialog.rotation_steps.setPlainText("Settings > API\nRegenerate")
    dialog.console_url.setText("https://app.personio.com/settings/api")
    press_ok(dialog)
    item = unlocked.integration("personio")
    assert item.compliance.soc2_type2_expires == datetime(2027, 3, 31, tzinfo=UTC)
    assert item.compliance.iso27001_expires is None
    assert item.rotation_steps == "Settings > API\nRegenerate"
    assert item.method.is_risky


def test_errors_land_beside_their_field(qtbot: QtBot, unlocked: VaultBridge) -> None:
    dialog = IntegrationDialog(unlocked)
    qtbot.addWidget(dialog)
    dialog.slug.setText("Not A Slug")
    dialog.name.setText("x")
    press_ok(dialog)
    assert "slug" in dialog.field_error("slug")
    dialog.slug.setText("ok-slug")
    dialog.console_url.setText("ftp://nope")
    press_ok(dialog)
    assert "https" in dialog.field_error("console_url")
    dialog.console_url.setText("")
    dialog.name.setText("n" * 10_000)  # the field caps it at the 200 characters core allows
    press_ok(dialog)
    assert unlocked.integration("ok-slug").name == "n" * 200


def test_customer_add_and_edit(qtbot: QtBot, unlocked: VaultBridge) -> None:
    dialog = CustomerDialog(unlocked)
    qtbot.addWidget(dialog)
    dialog.slug.setText("acme")
    dialog.name.setText("Acme GmbH")
    dialog.region.setCurrentIndex(dialog.region.findData("eu"))
    press_ok(dialog)
    (customer,) = unlocked.list_customers()
    edit = CustomerDialog(unlocked, customer)
    qtbot.addWidget(edit)
    assert edit.slug.isReadOnly()
    edit.name.setText("Acme SE")
    press_ok(edit)
    assert unlocked.list_customers()[0].name == "Acme SE"


def test_catalog_models_pass_the_model_tester(qtmodeltester, unlocked: VaultBridge) -> None:  # type: ignore[no-untyped-def]
    unlocked.add_integration(slug="xero", name="Xero", category="accounting", method="api")
    unlocked.add_customer(slug="acme", name="Acme", region="eu")
    integrations = IntegrationsTableModel()
    integrations.set_items(unlocked.list_integrations())
    customers = CustomersTableModel()
    customers.set_items(unlocked.list_customers())
    qtmodeltester.check(integrations)
    qtmodeltester.check(customers)
