"""Audit and Members pages: models pass qtmodeltester, filters, verify, export, and every role
sees exactly what the RBAC table allows (disabled with a tooltip saying why)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from intsec_desktop.core import services
from intsec_desktop.core.errors import AuthenticationError, ConflictError
from intsec_desktop.core.model import Role
from intsec_desktop.core.services import AuditFilter
from intsec_desktop.core.settings import AppSettings
from intsec_desktop.core.vault import opening
from intsec_desktop.gui.bridge import VaultBridge
from intsec_desktop.gui.clipboard import SecureClipboard
from intsec_desktop.gui.models.audit_model import AuditTableModel
from intsec_desktop.gui.models.members_model import MembersTableModel
from intsec_desktop.gui.pages.audit_page import AuditPage
from intsec_desktop.gui.pages.credentials_page import CredentialsPage
from intsec_desktop.gui.pages.members_page import MembersPage
from tests.gui.conftest import PASSPHRASE
from tests.gui.credentials_helpers import DemoVault, demo_template, demo_vault  # noqa: F401

# ARCHITECTURE.md RBAC by hand: role -> (reveal, write, members, audit).
TABLE = {
    Role.OWNER: (True, True, True, True),
    Role.ADMIN: (True, True, False, True),
    Role.EDITOR: (True, True, False, False),
    Role.AUDITOR: (False, False, False, True),
    Role.VIEWER: (False, False, False, False),
}


def _unlock(qtbot: QtBot, folder: Path, passphrase: str) -> VaultBridge:
    bridge = VaultBridge(folder)
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=30_000):
        bridge.unlock_with_passphrase(passphrase)
    return bridge


@pytest.fixture
def owner(qtbot: QtBot, demo_vault: DemoVault) -> Iterator[VaultBridge]:  # noqa: F811
    bridge = _unlock(qtbot, demo_vault.folder, PASSPHRASE)
    yield bridge
    bridge.lock()


def test_audit_model_passes_qtmodeltester(qtmodeltester: object, owner: VaultBridge) -> None:
    model = AuditTableModel()
    model.set_events(owner.list_audit())
    assert model.rowCount() > 3
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_members_model_passes_qtmodeltester(qtmodeltester: object, owner: VaultBridge) -> None:
    owner.add_member("vera", "viewer")
    model = MembersTableModel()
    model.set_members(owner.list_members())
    assert model.rowCount() == 2
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_audit_page_filters_detail_verify_and_export(
    qtbot: QtBot, owner: VaultBridge, tmp_path: Path
) -> None:
    page = AuditPage(owner)
    qtbot.addWidget(page)
    page.reload()
    total = page.model.rowCount()
    assert total == len(owner.list_audit())
    page.action.setText("credential.*")
    qtbot.waitUntil(lambda: 0 < page.model.rowCount() < total)
    assert all(
        page.model.audit_event(r).action.startswith("credential.")
        for r in range(page.model.rowCount())
    )
    page.table.selectRow(0)
    assert "hash:" in page.detail.toPlainText()
    assert page.model.audit_event(0).action in page.detail.toPlainText()
    page.text.setText("no-such-text-anywhere")
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    page.text.clear()
    page.verify()
    assert page.verify_result.text().startswith("Chain verified")
    out = tmp_path / "audit.csv"
    written = page.export_csv(out)
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert written == len(rows) - 1 == len(owner.list_audit(AuditFilter(action="credential.*")))


def test_verify_shows_the_first_bad_entry(
    qtbot: QtBot,
    demo_vault: DemoVault,  # noqa: F811
) -> None:
    opened = opening.unlock_with_secret(demo_vault.folder, PASSPHRASE)
    opened.conn.execute("DROP TRIGGER audit_events_no_update")
    opened.conn.execute("UPDATE audit_events SET target = 'x' WHERE seq = 2")
    opened.close()
    bridge = _unlock(qtbot, demo_vault.folder, PASSPHRASE)
    page = AuditPage(bridge)
    qtbot.addWidget(page)
    page.verify()
    assert "Chain broken: audit event 2" in page.verify_result.text()
    bridge.lock()


def test_members_page_add_role_remove(qtbot: QtBot, owner: VaultBridge) -> None:
    page = MembersPage(owner)
    qtbot.addWidget(page)
    page.reload()
    assert page.add_button.isEnabled()
    change = owner.add_member("eve", "editor")
    assert page.model.rowCount() == 2
    assert change.one_time_passphrase
    page.change_role("eve", "viewer")
    assert "One-time passphrase for eve" in page.message.text()
    assert "due for rotation" in page.message.text()
    page.remove("eve")
    assert page.model.rowCount() == 1
    assert "due for rotation" in page.rotation_note.text()
    with pytest.raises(ConflictError, match="last owner"):
        page.remove(owner.member.name)  # type: ignore[union-attr]
    owner.lock()
    assert page.message.text() == ""  # nothing shown once outlives the session


def _member_bridge(qtbot: QtBot, folder: Path, role: Role) -> VaultBridge:
    if role is Role.OWNER:
        return _unlock(qtbot, folder, PASSPHRASE)
    with services.open_vault_with_secret(folder, PASSPHRASE) as session:
        session.add_member("m", role, "one-time pass")
    with services.open_vault_with_secret(folder, "one-time pass", member="m") as session:
        session.change_passphrase("m's own passphrase")
    return _unlock(qtbot, folder, "m's own passphrase")


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_what_the_table_allows(
    qtbot: QtBot,
    demo_vault: DemoVault,  # noqa: F811
    role: Role,
) -> None:
    bridge = _member_bridge(qtbot, demo_vault.folder, role)
    assert bridge.member is not None
    assert bridge.member.role is role
    reveal, write, members, audit = TABLE[role]
    audit_page, members_page = AuditPage(bridge), MembersPage(bridge)
    credentials = CredentialsPage(bridge, SecureClipboard(timeout_seconds=30), AppSettings())
    for widget in (audit_page, members_page, credentials):
        qtbot.addWidget(widget)
    audit_page.reload()
    members_page.reload()
    credentials.reload()
    assert bridge.can_reveal is reveal  # cryptographic: the slot holds SK or not
    assert credentials.add_action.isEnabled() is write
    assert audit_page.verify_button.isEnabled() is audit
    assert audit_page.table.isEnabled() is audit
    assert (audit_page.model.rowCount() > 0) is audit
    assert members_page.add_button.isEnabled() is members
    if not audit:
        assert f"Your role ({role.value}) may not view the audit trail" in (
            audit_page.verify_button.toolTip()
        )
    if not members:
        assert f"Your role ({role.value}) may not manage members" in (
            members_page.add_button.toolTip()
        )
    bridge.lock()


def test_an_invited_member_chooses_their_own_passphrase_before_anything_shows(
    qtbot: QtBot,
    demo_vault: DemoVault,  # noqa: F811
) -> None:
    from intsec_desktop.gui.unlock_screen import UnlockScreen

    with services.open_vault_with_secret(demo_vault.folder, PASSPHRASE) as session:
        session.add_member("newbie", Role.VIEWER, "one-time pass")
    bridge = VaultBridge(demo_vault.folder)
    screen = UnlockScreen(bridge)
    qtbot.addWidget(screen)
    with qtbot.waitSignal(bridge.passphrase_change_required, timeout=30_000) as asked:
        bridge.unlock_with_passphrase("one-time pass")
    assert asked.args == ["newbie"]
    assert not bridge.is_unlocked  # nothing of the vault is shown on the one-time passphrase
    dialog = screen.findChild(QDialog)
    assert dialog is not None
    dialog.passphrase.setText("newbie's own long passphrase")
    dialog.repeat.setText("something else")
    dialog.submit()
    assert "differ" in dialog.error.text()
    dialog.repeat.setText("newbie's own long passphrase")
    with qtbot.waitSignal(bridge.vault_unlocked, timeout=30_000):
        dialog.submit()
    assert bridge.member is not None
    assert bridge.member.name == "newbie"
    bridge.lock()
    with pytest.raises(AuthenticationError):
        services.open_vault_with_secret(demo_vault.folder, "one-time pass", member="newbie")
    services.open_vault_with_secret(
        demo_vault.folder, "newbie's own long passphrase", member="newbie"
    ).close()
