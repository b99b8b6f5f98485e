"""Scope services: roles, one audit event per change with before → after, atomic grant files."""

from __future__ import annotations

import pytest

from intsec_desktop.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from intsec_desktop.core.model import Role
from intsec_desktop.core.scope_catalog import ScopeAction
from intsec_desktop.core.scopes import Source
from intsec_desktop.core.services import VaultSession
from tests.unit.conftest import VaultCopy, audit_count, set_role

SSN = ("Employee", "ssn", ScopeAction.READ)


@pytest.fixture
def scoped(session: VaultSession) -> VaultSession:
    session.add_customer("globex", "Globex", "us")
    return session


def test_set_scope_persists_and_audits_before_and_after(
    scoped: VaultSession, vault: VaultCopy
) -> None:
    count = audit_count(scoped)
    assert scoped.set_scope("bamboohr", None, "Employee", "*", "read", "allow") == (
        "inherit",
        "allow",
    )
    scoped.set_scope("bamboohr", "acme", "Employee", "ssn", "read", "deny")
    assert audit_count(scoped) == count + 2
    event = scoped.audit_events()[-1]
    assert (event.action, event.target) == ("scope.set", "scopes:bamboohr")
    assert event.details == {
        "customer": "acme",
        "cell": "Employee.ssn read",
        "before": "inherit",
        "after": "deny",
    }
    reopened = vault.open_recovery()
    acme = reopened.effective_scopes("bamboohr", "acme")
    assert not acme[SSN].allowed
    assert acme[SSN].source is Source.OVERRIDE
    globex = reopened.effective_scopes("bamboohr", "globex")
    assert globex[SSN].allowed
    assert globex[SSN].source is Source.DEFAULT


def test_an_unchanged_cell_writes_no_event(scoped: VaultSession) -> None:
    scoped.set_scope("bamboohr", None, "Employee", "*", "read", "allow")
    count = audit_count(scoped)
    scoped.set_scope("bamboohr", None, "Employee", "*", "read", "allow")
    assert audit_count(scoped) == count


@pytest.mark.parametrize(
    ("model", "field", "action", "message"),
    [
        ("Employe", "*", "read", "did you mean 'Employee'"),
        ("Employee", "social_security", "read", "unknown field Employee.social_security"),
        ("PayrollRun", "*", "write", "read-only"),
        ("Employee", "*", "delete", "action"),
    ],
)
def test_bad_targets_are_refused_and_nothing_is_written(
    scoped: VaultSession, model: str, field: str, action: str, message: str
) -> None:
    count = audit_count(scoped)
    with pytest.raises(ValidationError, match=message) as caught:
        scoped.set_scope("bamboohr", None, model, field, action, "allow")
    assert caught.value.exit_code == 2
    assert audit_count(scoped) == count
    assert scoped.scope_grants("bamboohr") == []


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
def test_only_scope_editors_may_change_scopes(vault: VaultCopy, role: Role) -> None:
    set_role(vault, role)
    s = vault.open_recovery()
    assert s.effective_scopes("bamboohr", "acme")  # reading is fine
    with pytest.raises(PermissionDeniedError):
        s.set_scope("bamboohr", None, "Employee", "*", "read", "allow")
    with pytest.raises(PermissionDeniedError):
        s.apply_scope_preset("bamboohr", "full", [None])


def test_bulk_copy_reset_and_preset_each_write_one_event(scoped: VaultSession) -> None:
    scoped.set_scope("bamboohr", "acme", "Employee", "ssn", "read", "allow")
    count = audit_count(scoped)
    scoped.copy_scopes("bamboohr", "acme", ["globex"])
    assert scoped.effective_scopes("bamboohr", "globex")[SSN].allowed
    scoped.reset_scopes("bamboohr", ["acme", "globex"])
    assert scoped.scope_grants("bamboohr") == []
    scoped.apply_scope_preset("bamboohr", "standard", [None, "acme"])
    assert audit_count(scoped) == count + 3
    event = scoped.audit_events()[-1]
    assert event.action == "scopes.preset_applied"
    assert set(event.details["levels"]) == {"*", "acme"}  # type: ignore[arg-type]
    assert not scoped.effective_scopes("bamboohr", "globex")[SSN].allowed  # ssn is sensitive


def test_diffs_against_customer_default_and_file(scoped: VaultSession) -> None:
    scoped.set_scope("bamboohr", "acme", "Employee", "ssn", "read", "allow")
    assert [d.describe() for d in scoped.scope_diff("bamboohr", "acme")] == ["+ Employee.ssn read"]
    assert [d.describe() for d in scoped.scope_diff("bamboohr", "globex", "acme")] == [
        "- Employee.ssn read"
    ]
    exported = scoped.export_scopes()
    assert scoped.scope_file_diff(exported, "scopes.yaml") == {}
    drifted = exported.replace("read: allow", "read: deny")
    assert scoped.scope_file_diff(drifted, "scopes.yaml")["bamboohr"]["acme"]


def test_grant_file_applies_atomically(scoped: VaultSession) -> None:
    good = (
        "schema: intsec.scopes/v1\nintegrations:\n  bamboohr:\n"
        "    default: {Employee.first_name: {read: allow}}\n"
        "    customers: {acme: {TimeOff.status: {write: allow}}}\n"
    )
    assert scoped.apply_scope_file(good, "good.yaml") == {"bamboohr": (0, 2)}
    count = audit_count(scoped)
    bad = good.replace("TimeOff.status", "TimeOff.stauts")
    with pytest.raises(ValidationError, match=r"bad\.yaml:5: .*did you mean 'status'"):
        scoped.apply_scope_file(bad, "bad.yaml")
    unknown = good.replace("acme", "nobody")
    with pytest.raises(NotFoundError):
        scoped.apply_scope_file(unknown, "x.yaml")
    assert audit_count(scoped) == count
    assert len(scoped.scope_grants("bamboohr")) == 2


def test_findings_and_custom_fields(scoped: VaultSession) -> None:
    assert scoped.scope_findings() == []
    scoped.add_scope_field("bamboohr", "Employee", "badge_id", ["pii"])
    scoped.set_scope("bamboohr", None, "Employee", "badge_id", "write", "allow")
    kinds = {f.kind for f in scoped.scope_findings("bamboohr")}
    assert kinds == {"write_without_read", "sensitive_granted"}
    assert scoped.scope_catalog("bamboohr").model("Employee").field("badge_id").custom
