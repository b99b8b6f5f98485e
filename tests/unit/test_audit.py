"""Every mutation and every reveal writes exactly one audit event; a failed one writes none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from intsec_desktop.core.errors import (
    ConflictError,
    IntsecError,
    NotFoundError,
    ValidationError,
)
from intsec_desktop.core.services import VaultSession
from intsec_desktop.core.vault import audit, keyslots
from intsec_desktop.core.vault.crypto import KdfParams
from tests.unit.conftest import CREDENTIAL_PATH, ORIGIN, SECRET, VaultCopy, read_keyslots

Op = Callable[[VaultSession, VaultCopy], object]


def _nothing(_s: VaultSession, _v: VaultCopy) -> None:
    return None


def _slot(v: VaultCopy, kind: str) -> str:
    return v.slot_id(kind)


@dataclass(frozen=True)
class Case:
    action: str
    op: Op
    setup: Op = _nothing


MUTATIONS = [
    Case("integration.added", lambda s, _: s.add_integration("workday", "Workday", "hris", "api")),
    Case("integration.edited", lambda s, _: s.edit_integration("bamboohr", vendor="BHR")),
    Case(
        "integration.removed",
        lambda s, _: s.remove_integration("workday"),
        lambda s, _: s.add_integration("workday", "Workday", "hris", "api"),
    ),
    Case("customer.added", lambda s, _: s.add_customer("globex", "Globex", "us")),
    Case("customer.edited", lambda s, _: s.edit_customer("acme", name="ACME")),
    Case(
        "customer.removed",
        lambda s, _: s.remove_customer("globex"),
        lambda s, _: s.add_customer("globex", "Globex", "us"),
    ),
    Case(
        "credential.added",
        lambda s, _: s.add_credential(integration="bamboohr", name="k2", secret=SECRET),
    ),
    Case("credential.edited", lambda s, _: s.edit_credential(CREDENTIAL_PATH, owner="sam")),
    Case("credential.rotated", lambda s, _: s.rotate_credential(CREDENTIAL_PATH, SECRET[::-1])),
    Case("credential.removed", lambda s, _: s.remove_credential(CREDENTIAL_PATH)),
    Case("credential.revealed", lambda s, _: s.reveal_secret(CREDENTIAL_PATH)),
    Case("credential.copied", lambda s, _: s.reveal_secret(CREDENTIAL_PATH, "copy")),
    Case("credential.injected", lambda s, _: s.reveal_secret(CREDENTIAL_PATH, "inject")),
    Case("keyslot.added", lambda s, _: s.add_passphrase_slot("another one", KdfParams.floor())),
    Case("keyslot.passphrase_changed", lambda s, _: s.change_passphrase("new passphrase")),
    Case(
        "keyslot.removed",
        lambda s, v: s.remove_keyslot(_slot(v, keyslots.KEYRING), store_for=lambda _n: v.store()),
    ),
]

FAILURES: list[tuple[type[IntsecError], Op, Op]] = [
    (ConflictError, lambda s, _: s.add_integration("bamboohr", "Dup", "hris", "api"), _nothing),
    (ValidationError, lambda s, _: s.add_integration("Bad Slug", "X", "hris", "api"), _nothing),
    (ValidationError, lambda s, _: s.add_integration("x", "X", "erp", "api"), _nothing),
    (
        ValidationError,
        lambda s, _: s.add_integration("x", "X", "hris", "api", base_urls={"eu": "http://x"}),
        _nothing,
    ),
    (ValidationError, lambda s, _: s.edit_integration("bamboohr", name="  "), _nothing),
    (NotFoundError, lambda s, _: s.edit_integration("nope", name="Nope"), _nothing),
    (ConflictError, lambda s, _: s.remove_integration("bamboohr"), _nothing),
    (ConflictError, lambda s, _: s.add_customer("acme", "Dup", "eu"), _nothing),
    (ValidationError, lambda s, _: s.add_customer("globex", "Globex", "mars"), _nothing),
    (ValidationError, lambda s, _: s.edit_customer("acme", name="line\nbreak"), _nothing),
    (ConflictError, lambda s, _: s.remove_customer("acme"), _nothing),
    (
        ConflictError,
        lambda s, _: s.add_credential(
            integration="bamboohr", customer="acme", name="api_key", secret=SECRET
        ),
        _nothing,
    ),
    (
        NotFoundError,
        lambda s, _: s.add_credential(integration="nope", name="k", secret=SECRET),
        _nothing,
    ),
    (
        ValidationError,
        lambda s, _: s.add_credential(integration="bamboohr", name="Bad Name", secret=SECRET),
        _nothing,
    ),
    (
        ValidationError,
        lambda s, _: s.add_credential(
            integration="bamboohr", name="k", secret=SECRET, rotate_every_days=0
        ),
        _nothing,
    ),
    (
        ValidationError,
        lambda s, _: s.add_credential(
            integration="bamboohr", name="k", secret=SECRET, environment="prod"
        ),
        _nothing,
    ),
    (
        ConflictError,
        lambda s, _: s.edit_credential(CREDENTIAL_PATH, name="taken"),
        lambda s, _: s.add_credential(
            integration="bamboohr", customer="acme", name="taken", secret=SECRET
        ),
    ),
    (
        ValidationError,
        lambda s, _: s.edit_credential(CREDENTIAL_PATH, notes="x" * 20_000),
        _nothing,
    ),
    (
        ValidationError,
        lambda s, _: s.edit_credential(CREDENTIAL_PATH, expires_at="2027-01-01"),
        _nothing,
    ),
    (ValidationError, lambda s, _: s.rotate_credential(CREDENTIAL_PATH, b"short"), _nothing),
    (
        NotFoundError,
        lambda s, _: s.rotate_credential("bamboohr/acme/staging/api_key", SECRET),
        _nothing,
    ),
    (NotFoundError, lambda s, _: s.remove_credential(999), _nothing),
    (ValidationError, lambda s, _: s.reveal_secret(CREDENTIAL_PATH, "email"), _nothing),
    (NotFoundError, lambda s, _: s.reveal_secret(CREDENTIAL_PATH, version=2), _nothing),
    (ValidationError, lambda s, _: s.add_passphrase_slot("", KdfParams.floor()), _nothing),
    (NotFoundError, lambda s, _: s.remove_keyslot("s-00000000"), _nothing),
    (
        ConflictError,
        lambda s, v: s.remove_keyslot(_slot(v, keyslots.PASSPHRASE)),
        lambda s, v: s.remove_keyslot(_slot(v, keyslots.RECOVERY)),
    ),
]


def state(session: VaultSession) -> tuple[object, ...]:
    credentials = session.list_credentials()
    return (
        session.list_integrations(),
        session.list_customers(),
        credentials,
        [session.credential_versions(c.credential.id) for c in credentials],
        session.list_keyslots(),
        session.audit_events(),
        read_keyslots(session.folder),
    )


@pytest.mark.parametrize("case", MUTATIONS, ids=[c.action for c in MUTATIONS])
def test_each_mutation_and_reveal_writes_one_event(vault: VaultCopy, case: Case) -> None:
    session = vault.open_recovery()
    case.setup(session, vault)
    before = session.audit_events()
    case.op(session, vault)
    after = session.audit_events()
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1
    event = after[-1]
    assert event.action == case.action
    assert (event.actor, event.os_user, event.host) == ("tester", ORIGIN.os_user, ORIGIN.host)
    assert event.prev_hash == before[-1].hash
    assert session.first_broken_audit_event() is None
    vault.close_all()
    assert vault.open_recovery().first_broken_audit_event() is None


@pytest.mark.parametrize(
    ("error", "op", "setup"), FAILURES, ids=[f"{i}-{f[0].__name__}" for i, f in enumerate(FAILURES)]
)
def test_failed_mutation_writes_nothing(
    vault: VaultCopy, error: type[IntsecError], op: Op, setup: Op
) -> None:
    session = vault.open_recovery()
    setup(session, vault)
    before = state(session)
    with pytest.raises(error):
        op(session, vault)
    assert state(session) == before
    assert session.first_broken_audit_event() is None


def test_creation_is_the_first_event(session: VaultSession) -> None:
    first = session.audit_events()[0]
    assert (first.seq, first.action, first.prev_hash) == (1, "vault.created", audit.GENESIS)
    assert first.details["keyring"] is True


def test_audit_rows_cannot_be_changed_or_deleted(session: VaultSession) -> None:
    from intsec_desktop.core.vault.database import storage_errors

    for sql in ("UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(IntsecError), storage_errors():
            session._conn.execute(sql)
    assert session.first_broken_audit_event() is None


def test_forged_event_breaks_the_chain(session: VaultSession) -> None:
    session.reveal_secret(CREDENTIAL_PATH)
    last = session.audit_events()[-1]
    session._conn.execute(
        "INSERT INTO audit_events (seq, at, actor, os_user, host, action, target, details,"
        " prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (
            last.seq + 1,
            "2026-01-01T09:00:00Z",
            "mallory",
            "m",
            "h",
            "x",
            "y",
            "{}",
            last.hash,
            "0" * 64,
        ),
    )
    assert session.first_broken_audit_event() == last.seq + 1
