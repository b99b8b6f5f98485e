"""Sealing, key material, Argon2id parameter guards and calibration."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from intsec_desktop.core.errors import UsageError
from intsec_desktop.core.vault import crypto
from intsec_desktop.core.vault.crypto import KdfParams, SealError, SecretKey

GIB_KIB = 1024 * 1024


def _refuse_argon2(*_args: object, **_kwargs: object) -> None:
    raise AssertionError("Argon2id was instantiated: memory would have been allocated")


@pytest.fixture
def no_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crypto, "Argon2id", _refuse_argon2)


# --- sealing ----------------------------------------------------------------------------


def test_seal_open_roundtrip() -> None:
    key = SecretKey.generate()
    plaintext = os.urandom(100)
    sealed = crypto.seal(key, plaintext, b"intsec/credential/1/v1")
    assert plaintext not in sealed
    assert crypto.open_sealed(key, sealed, b"intsec/credential/1/v1") == plaintext


def test_each_seal_uses_a_fresh_nonce() -> None:
    key = SecretKey.generate()
    assert crypto.seal(key, b"same value", b"ad") != crypto.seal(key, b"same value", b"ad")


def test_wrong_associated_data_fails() -> None:
    key = SecretKey.generate()
    sealed = crypto.seal(key, b"value of row one", b"intsec/credential/1/v1")
    with pytest.raises(SealError):
        crypto.open_sealed(key, sealed, b"intsec/credential/2/v1")


def test_wrong_key_fails() -> None:
    sealed = crypto.seal(SecretKey.generate(), b"some value", b"ad")
    with pytest.raises(SealError):
        crypto.open_sealed(SecretKey.generate(), sealed, b"ad")


@pytest.mark.parametrize("position", [0, 12, -1])
def test_altered_byte_fails(position: int) -> None:
    key = SecretKey.generate()
    sealed = bytearray(crypto.seal(key, b"some value", b"ad"))
    sealed[position] ^= 0x01
    with pytest.raises(SealError):
        crypto.open_sealed(key, bytes(sealed), b"ad")


def test_truncated_sealed_value_fails() -> None:
    with pytest.raises(SealError):
        crypto.open_sealed(SecretKey.generate(), b"\x00" * 27, b"ad")


def test_secret_key_is_exactly_32_bytes() -> None:
    with pytest.raises(ValueError):
        SecretKey(b"\x00" * 31)


def test_derived_keys_are_independent_and_deterministic() -> None:
    key = SecretKey.generate()
    assert key.derive("audit") == key.derive("audit")
    assert key.derive("audit") != key.derive("keyslots-mac")
    assert key.derive("audit") != key


# --- KDF parameters ---------------------------------------------------------------------


def test_floor_is_within_bounds() -> None:
    floor = KdfParams.floor()
    assert (floor.memory_kib, floor.iterations, floor.lanes) == (64 * 1024, 3, 4)
    assert floor.problem() is None
    assert floor.checked() is floor


@pytest.mark.parametrize(
    ("params", "words"),
    [
        (KdfParams(64 * GIB_KIB, 3, 4), "above"),
        (KdfParams(4 * GIB_KIB + 1024, 3, 4), "above"),
        (KdfParams(32 * 1024, 3, 4), "below"),
        (KdfParams(64 * 1024, 2, 4), "below"),
        (KdfParams(64 * 1024, 65, 4), "above"),
        (KdfParams(64 * 1024, 3, 3), "outside"),
        (KdfParams(64 * 1024, 3, 17), "outside"),
        (KdfParams(64 * 1024, 3.5, 4), "whole numbers"),  # type: ignore[arg-type]
    ],
)
def test_out_of_bounds_parameters_are_refused(params: KdfParams, words: str) -> None:
    problem = params.problem()
    assert problem is not None
    assert words in problem
    with pytest.raises(UsageError, match=words) as raised:
        params.checked()
    assert raised.value.exit_code == 2


def test_ceiling_is_accepted() -> None:
    assert KdfParams(4 * GIB_KIB, 64, 16).problem() is None


@pytest.mark.usefixtures("no_argon2")
def test_absurd_memory_is_refused_before_any_allocation() -> None:
    with pytest.raises(UsageError, match="65536 MiB"):
        crypto.argon2id(b"passphrase", b"s" * 16, KdfParams(64 * GIB_KIB, 3, 4))


@pytest.mark.usefixtures("no_argon2")
def test_absurd_iterations_are_refused_before_any_allocation() -> None:
    with pytest.raises(UsageError):
        crypto.argon2id(b"passphrase", b"s" * 16, KdfParams(64 * 1024, 10_000, 4))


def test_argon2id_is_deterministic_per_salt() -> None:
    floor = KdfParams.floor()
    first = crypto.argon2id(b"passphrase", b"a" * 16, floor)
    assert first == crypto.argon2id(b"passphrase", b"a" * 16, floor)
    assert first != crypto.argon2id(b"passphrase", b"b" * 16, floor)
    assert first != crypto.argon2id(b"passphrasf", b"a" * 16, floor)


# --- calibration ------------------------------------------------------------------------


class SimulatedMachine:
    """A fake timer whose clock advances by cost x memory x iterations per Argon2 run."""

    def __init__(self, seconds_per_floor_run: float) -> None:
        floor = KdfParams.floor()
        self._rate = seconds_per_floor_run / (floor.memory_kib * floor.iterations)
        self.now = 0.0
        self.runs: list[KdfParams] = []

    def seconds(self, params: KdfParams) -> float:
        return self._rate * params.memory_kib * params.iterations

    def argon2id(self, _secret: bytes, _salt: bytes, params: KdfParams) -> SecretKey:
        params.checked()  # the real function's guard still applies to what calibration asks for
        self.runs.append(params)
        self.now += self.seconds(params)
        return SecretKey(b"\x00" * 32)

    def timer(self) -> float:
        return self.now


@pytest.fixture
def machine_factory(
    monkeypatch: pytest.MonkeyPatch, no_argon2: None
) -> Callable[[float], SimulatedMachine]:
    def make(seconds_per_floor_run: float) -> SimulatedMachine:
        machine = SimulatedMachine(seconds_per_floor_run)
        monkeypatch.setattr(crypto, "argon2id", machine.argon2id)
        return machine

    return make


@pytest.mark.parametrize("floor_seconds", [0.005, 0.01, 0.03, 0.1, 0.2, 0.45])
@pytest.mark.parametrize("target", [0.5, 0.7, 1.0])
def test_calibration_reaches_the_target_range(
    machine_factory: Callable[[float], SimulatedMachine], floor_seconds: float, target: float
) -> None:
    machine = machine_factory(floor_seconds)
    params = crypto.calibrate(target_seconds=target, timer=machine.timer)
    assert params.problem() is None
    assert machine.runs, "calibration never measured anything"
    assert target / 1.4 <= machine.seconds(params) <= target * 1.4
    assert params.memory_kib <= crypto.CALIBRATION_MEMORY_CAP_KIB


def test_calibration_prefers_memory_over_iterations(
    machine_factory: Callable[[float], SimulatedMachine],
) -> None:
    machine = machine_factory(0.002)
    params = crypto.calibrate(target_seconds=0.7, timer=machine.timer)
    assert params.memory_kib == crypto.CALIBRATION_MEMORY_CAP_KIB
    assert params.iterations > KdfParams.FLOOR_ITERATIONS


def test_calibration_on_a_slow_machine_keeps_the_floor(
    machine_factory: Callable[[float], SimulatedMachine],
) -> None:
    machine = machine_factory(3.0)
    assert crypto.calibrate(target_seconds=0.7, timer=machine.timer) == KdfParams.floor()
    assert machine.runs == [KdfParams.floor()]


def test_calibration_on_an_absurdly_fast_machine_stops_at_the_ceiling(
    machine_factory: Callable[[float], SimulatedMachine],
) -> None:
    machine = machine_factory(1e-7)
    params = crypto.calibrate(target_seconds=0.7, timer=machine.timer)
    assert params.problem() is None
    assert params.iterations == KdfParams.CEILING_ITERATIONS
