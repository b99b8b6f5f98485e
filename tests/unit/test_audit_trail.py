"""The audit trail: filtered listings, CSV, the head kept in keyslots.json, truncation, one
event per action in the same transaction, and no secret in any encoding."""

from __future__ import annotations

import base64
import json
import urllib.parse
from datetime import timedelta

import pytest

from intsec_desktop.core import audit_csv, paths
from intsec_desktop.core.errors import StorageError
from intsec_desktop.core.model import Role
from intsec_desktop.core.services import AuditFilter, VaultSession
from intsec_desktop.core.vault import audit, audit_trail, keyslots, opening
from tests.unit.conftest import CREDENTIAL_PATH, MEMBER, SECRET, START, VaultCopy


def _seed(session: VaultSession) -> None:
    session.add_integration("workday", "Workday", "hris", "api")
    session.clock_now()
    session.add_customer("globex", "Globex", "us")
    session.reveal_secret(CREDENTIAL_PATH, "copy")
    session.add_member("carol", Role.VIEWER, "one-time-pass")


def test_filters(vault: VaultCopy) -> None:
    session = vault.open_recovery()
    vault.clock.advance(timedelta(days=2))
    _seed(session)
    everything = session.list_audit()
    assert [e.seq for e in everything] == sorted(e.seq for e in everything)
    assert {e.actor for e in everything} == {MEMBER}
    assert [e.action for e in session.list_audit(AuditFilter(action="credential.copied"))] == [
        "credential.copied"
    ]
    prefixed = session.list_audit(AuditFilter(action="integration.*"))
    assert prefixed
    assert all(e.action.startswith("integration.") for e in prefixed)
    assert session.list_audit(AuditFilter(action="integration.")) == []
    assert [e.target for e in session.list_audit(AuditFilter(target="member:carol"))] == [
        "member:carol"
    ]
    assert session.list_audit(AuditFilter(actor="nobody")) == []
    recent = session.list_audit(AuditFilter(since=START + timedelta(days=1)))
    assert len(recent) == 4
    old = session.list_audit(AuditFilter(until=START + timedelta(days=1)))
    assert len(old) + len(recent) == len(everything)
    assert [e.action for e in session.list_audit(AuditFilter(text="GLOBEX"))] == ["customer.added"]
    assert session.list_audit(AuditFilter(text="%")) == []  # LIKE wildcards are literal
    newest = session.list_audit(AuditFilter(limit=2, newest_first=True))
    assert [e.seq for e in newest] == [everything[-1].seq, everything[-2].seq]


def test_csv_escapes_formula_cells(session: VaultSession) -> None:
    session._origin = audit.Origin(os_user="=cmd|' /C calc'!A0", host="@evil")
    session.add_customer("globex", "+Globex", "us")
    for start in "=+-@":
        assert audit_csv.escape_cell(f"{start}1+1") == f"'{start}1+1"
    assert audit_csv.escape_cell("plain") == "plain"
    text = session.audit_csv()
    assert text.splitlines()[0] == ",".join(audit_csv.CSV_HEADERS)
    assert ",'=cmd|' /C calc'!A0,'@evil," in text
    assert "\n=" not in text
    assert ",=" not in text
    assert ",+" not in text
    assert ",@" not in text


def test_the_head_is_recorded_outside_the_database_at_close(vault: VaultCopy) -> None:
    session = vault.open_recovery()
    session.add_integration("workday", "Workday", "hris", "api")
    head = audit_trail.current_head(session._conn)
    session.close()
    recorded = audit_trail.recorded_head(keyslots.load(paths.keyslots_path(vault.folder)).file)
    assert recorded == head


def test_a_read_only_session_does_not_rewrite_keyslots(vault: VaultCopy) -> None:
    vault.open_recovery().close()
    before = paths.keyslots_path(vault.folder).stat().st_mtime_ns
    session = vault.open_recovery()
    session.list_credentials()
    session.close()
    assert paths.keyslots_path(vault.folder).stat().st_mtime_ns == before


def _drop_triggers(conn: object) -> None:
    conn.execute("DROP TRIGGER audit_events_no_update")  # type: ignore[attr-defined]
    conn.execute("DROP TRIGGER audit_events_no_delete")  # type: ignore[attr-defined]


def test_truncation_is_caught_by_the_recorded_head(vault: VaultCopy) -> None:
    session = vault.open_recovery()
    session.add_integration("workday", "Workday", "hris", "api")
    session.add_customer("globex", "Globex", "us")
    last = audit_trail.current_head(session._conn).seq
    session.close()
    opened = opening.unlock_with_secret(vault.folder, vault.recovery_code)
    _drop_triggers(opened.conn)
    opened.conn.execute("DELETE FROM audit_events WHERE seq >= ?", (last - 1,))
    opened.close()
    session = vault.open_recovery()
    verdict = session.verify_audit()
    assert verdict.first_bad == last - 1
    assert "truncated" in verdict.problem
    assert any("truncated" in p for p in session.integrity_problems())
    # A later key-slot change must not launder the truncation by recording a lower head.
    session.add_member("bob", Role.VIEWER, "one-time-pass")
    assert not session.verify_audit().ok


def test_triggers_block_update_and_delete(session: VaultSession) -> None:
    with pytest.raises(Exception, match="append-only"):
        session._conn.execute("UPDATE audit_events SET actor = 'x'")
    with pytest.raises(Exception, match="append-only"):
        session._conn.execute("DELETE FROM audit_events")


@pytest.mark.parametrize(
    "action",
    [
        lambda s: s.add_integration("workday", "Workday", "hris", "api"),
        lambda s: s.edit_credential(CREDENTIAL_PATH, owner="someone"),
        lambda s: s.rotate_credential(CREDENTIAL_PATH, SECRET[::-1]),
        lambda s: s.reveal_secret(CREDENTIAL_PATH, "reveal"),
        lambda s: s.add_member("bob", Role.VIEWER, "one-time-pass"),
        lambda s: s.remove_credential(CREDENTIAL_PATH),
    ],
)
def test_an_audit_write_failure_rolls_the_action_back(
    vault: VaultCopy, monkeypatch: pytest.MonkeyPatch, action: object
) -> None:
    session = vault.open_recovery()
    tables = ("integrations", "credentials", "credential_versions", "members", "audit_events")

    def state() -> list[object]:
        return [session._conn.execute(f"SELECT * FROM {t}").fetchall() for t in tables]

    before, slots_before = state(), paths.keyslots_path(vault.folder).read_bytes()

    def refuse(*_args: object, **_kwargs: object) -> int:
        raise StorageError("the audit event could not be written")

    monkeypatch.setattr(audit, "append", refuse)
    with pytest.raises(StorageError):
        action(session)  # type: ignore[operator]
    assert state() == before
    assert paths.keyslots_path(vault.folder).read_bytes() == slots_before


def _encodings(value: bytes) -> list[bytes]:
    text = value.decode("latin-1")
    return [
        value,
        base64.b64encode(value),
        base64.urlsafe_b64encode(value),
        base64.b64encode(value).rstrip(b"="),
        value.hex().encode(),
        value.hex().upper().encode(),
        urllib.parse.quote(text).encode(),
        urllib.parse.quote_plus(text).encode(),
        json.dumps(text).encode()[1:-1],
    ]


def test_no_secret_in_the_audit_table_in_any_encoding(session: VaultSession) -> None:
    rotated = b"rotated-secret-value-42/+="
    session.add_credential(integration="bamboohr", name="extra", secret=b"added-secret-value-99")
    for purpose in ("reveal", "copy", "inject"):
        session.reveal_secret(CREDENTIAL_PATH, purpose)
    session.rotate_credential(CREDENTIAL_PATH, rotated)
    session.add_member("bob", Role.EDITOR, "bobs-one-time-passphrase")
    dump = b"\n".join(
        "|".join(str(c) for c in row).encode()
        for row in session._conn.execute("SELECT * FROM audit_events").fetchall()
    )
    dump += session.audit_csv().encode()
    for value in (SECRET, rotated, b"added-secret-value-99", b"bobs-one-time-passphrase"):
        for encoded in _encodings(value):
            assert encoded not in dump, encoded
