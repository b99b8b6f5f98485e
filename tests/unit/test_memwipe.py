"""Key bytes are zeroed in place when a session closes (best effort on CPython)."""

from __future__ import annotations

import sys

import pytest

from intsec_desktop.core.vault import memwipe
from intsec_desktop.core.vault.crypto import SecretKey
from tests.unit.conftest import VaultCopy


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="the wipe is CPython-specific")
def test_wipe_zeroes_the_buffer_in_place() -> None:
    value = bytes(bytearray(b"0123456789abcdef0123456789abcdef"))
    assert memwipe.wipe(value)
    assert value == bytes(32)


def test_secret_key_keeps_a_private_copy() -> None:
    raw = bytes(bytearray(b"k" * 32))
    key = SecretKey(raw)
    key.wipe()
    assert raw == b"k" * 32  # the caller's object is untouched
    assert key.raw == bytes(32)


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="the wipe is CPython-specific")
def test_closing_a_session_wipes_its_keys(vault: VaultCopy) -> None:
    session = vault.open_recovery()
    keys = session._vault.keys
    assert keys.sealing_key is not None
    database_raw, sealing_raw = keys.database_key.raw, keys.sealing_key.raw
    assert database_raw != bytes(32)
    session.close()
    assert database_raw == bytes(32)
    assert sealing_raw == bytes(32)
