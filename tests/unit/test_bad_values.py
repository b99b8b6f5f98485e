"""Secret values at and past the limits, binary secrets, and two writers at once."""

from __future__ import annotations

import time

import pytest

from intsec_desktop.core import validation
from intsec_desktop.core.errors import ValidationError, VaultBusyError
from intsec_desktop.core.services import VaultSession
from tests.unit.conftest import SECRET, VaultCopy, assert_one_line, audit_count, snapshot

BINARY = b"\xff\xfe\x00binary\x80"


def state(session: VaultSession) -> tuple[object, ...]:
    return (
        session.list_credentials(),
        session.credential_versions(1),
        audit_count(session),
    )


@pytest.mark.parametrize(
    "secret",
    [
        b"x" * (10 * 1024 * 1024),
        b"x" * (validation.MAX_SECRET_BYTES + 1),
        b"x" * (validation.MIN_SECRET_BYTES - 1),
        b"",
        "a text string, not bytes",
    ],
    ids=["10MB", "max+1", "min-1", "empty", "str"],
)
def test_bad_secret_is_refused_and_nothing_is_stored(vault: VaultCopy, secret: bytes) -> None:
    on_disk = snapshot(vault.folder)
    session = vault.open_recovery()
    before = state(session)
    with pytest.raises(ValidationError) as raised:
        session.add_credential(integration="bamboohr", name="webhook", secret=secret)
    assert raised.value.exit_code == 2
    assert raised.value.field == "secret"
    assert_one_line(raised.value)
    assert len(str(raised.value)) < 200
    with pytest.raises(ValidationError):
        session.rotate_credential(vault.credential_id, secret)
    assert state(session) == before
    vault.close_all()
    assert snapshot(vault.folder) == on_disk
    assert vault.open_recovery().reveal_secret(vault.credential_id) == SECRET


@pytest.mark.parametrize("size", [validation.MIN_SECRET_BYTES, validation.MAX_SECRET_BYTES])
def test_secret_at_the_limits_is_stored(session: VaultSession, size: int) -> None:
    value = bytes(range(256)) * (size // 256) + bytes(size % 256)
    created = session.add_credential(integration="bamboohr", name="edge", secret=value)
    assert session.reveal_secret(created.id) == value


def test_non_utf8_secret_roundtrips_exactly(vault: VaultCopy) -> None:
    session = vault.open_recovery()
    created = session.add_credential(integration="bamboohr", name="binary", secret=BINARY)
    session.rotate_credential(created.id, BINARY[::-1])
    vault.close_all()
    again = vault.open_keyring()
    assert again.reveal_secret(created.id, version=1) == BINARY
    assert again.reveal_secret(created.id) == BINARY[::-1]


def test_bytearray_secret_is_accepted(session: VaultSession) -> None:
    created = session.add_credential(
        integration="bamboohr",
        name="mutable",
        secret=bytearray(SECRET),  # type: ignore[arg-type]
    )
    assert session.reveal_secret(created.id) == SECRET


@pytest.mark.timeout(20)
def test_second_writer_hears_vault_busy(vault: VaultCopy) -> None:
    first, second = vault.open_recovery(), vault.open_recovery()
    with first.batch():
        first.add_customer("globex", "Globex", "us")
        started = time.monotonic()
        with pytest.raises(VaultBusyError) as raised:
            second.add_customer("initech", "Initech", "us")
        waited = time.monotonic() - started
    assert raised.value.exit_code == 4
    assert_one_line(raised.value)
    assert 1.5 <= waited < 10, f"busy after {waited:.2f} s, expected the ~2 s busy timeout"
    assert [c.slug for c in second.list_customers()] == ["acme", "globex"]
    assert second.first_broken_audit_event() is None
    # Once the first writer is done, the second one gets through.
    second.add_customer("initech", "Initech", "us")
    assert [c.slug for c in first.list_customers()] == ["acme", "globex", "initech"]
