"""Key material, AES-256-GCM sealing, HKDF sub-keys and Argon2id with guarded parameters."""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from intsec_desktop.core.errors import UsageError
from intsec_desktop.core.vault import memwipe

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16


class SealError(Exception):
    """An AES-GCM tag did not verify: wrong key, wrong associated data or altered bytes."""


class SecretKey:
    """256 bits of key material whose repr never shows the bytes."""

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes) -> None:
        if len(raw) != KEY_BYTES:
            raise ValueError("a key is exactly 32 bytes")
        # A private copy: wipe() must never zero an object someone else still holds. The
        # scratch buffer is mutable, so it can be cleared at once instead of lingering.
        scratch = bytearray(raw)
        self._raw = bytes(scratch)
        scratch[:] = bytes(len(scratch))

    @classmethod
    def generate(cls) -> SecretKey:
        return cls(os.urandom(KEY_BYTES))

    @property
    def raw(self) -> bytes:
        return self._raw

    def wipe(self) -> None:
        """Zero the key bytes in place (best effort; see memwipe). The key is unusable after."""
        memwipe.wipe(self._raw)

    def derive(self, purpose: str) -> SecretKey:
        """An independent sub-key for one purpose (keyslot MAC, audit chain, ...)."""
        return SecretKey(hkdf(self._raw, info=f"intsec/{purpose}".encode()))

    def __repr__(self) -> str:
        return "SecretKey(<hidden>)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretKey) and hmac.compare_digest(self._raw, other._raw)

    def __hash__(self) -> int:
        return hash(hashlib.sha256(self._raw).digest())


def hkdf(material: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(material)


def seal(key: SecretKey, plaintext: bytes, associated_data: bytes) -> bytes:
    """nonce ‖ ciphertext ‖ tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key.raw).encrypt(nonce, plaintext, associated_data)


def open_sealed(key: SecretKey, sealed: bytes, associated_data: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise SealError("sealed value too short")
    try:
        return AESGCM(key.raw).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated_data)
    except InvalidTag as exc:
        raise SealError("authentication tag mismatch") from exc


def opener(key: SecretKey) -> Callable[[bytes, bytes], bytes]:
    """open_sealed for many values under one key: the cipher is set up once (the leak guard
    opens every kept value on each export)."""
    cipher = AESGCM(key.raw)

    def open_one(sealed: bytes, associated_data: bytes) -> bytes:
        if len(sealed) < NONCE_BYTES + 16:
            raise SealError("sealed value too short")
        try:
            return cipher.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], associated_data)
        except InvalidTag as exc:
            raise SealError("authentication tag mismatch") from exc

    return open_one


def mac_hex(key: SecretKey, message: bytes) -> str:
    return hmac.new(key.raw, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Argon2id cost. Checked against floor and ceiling before a byte is allocated."""

    memory_kib: int
    iterations: int
    lanes: int

    FLOOR_MEMORY_KIB = 64 * 1024
    FLOOR_ITERATIONS = 3
    FLOOR_LANES = 4
    # Ceilings stop a crafted keyslots.json (or a typo) from exhausting memory or time.
    CEILING_MEMORY_KIB = 4 * 1024 * 1024
    CEILING_ITERATIONS = 64
    CEILING_LANES = 16

    @classmethod
    def floor(cls) -> KdfParams:
        return cls(cls.FLOOR_MEMORY_KIB, cls.FLOOR_ITERATIONS, cls.FLOOR_LANES)

    def problem(self) -> str | None:
        """Why these parameters are refused, or None when they are within bounds."""
        if not all(isinstance(v, int) for v in (self.memory_kib, self.iterations, self.lanes)):
            return "KDF parameters must be whole numbers"
        if self.memory_kib < self.FLOOR_MEMORY_KIB:
            return f"KDF memory {self.memory_kib // 1024} MiB is below the 64 MiB floor"
        if self.memory_kib > self.CEILING_MEMORY_KIB:
            return f"KDF memory {self.memory_kib // 1024} MiB is above the 4096 MiB ceiling"
        if self.iterations < self.FLOOR_ITERATIONS:
            return f"KDF iterations {self.iterations} are below the floor of 3"
        if self.iterations > self.CEILING_ITERATIONS:
            return f"KDF iterations {self.iterations} are above the ceiling of 64"
        if not self.FLOOR_LANES <= self.lanes <= self.CEILING_LANES:
            return f"KDF parallelism {self.lanes} is outside 4..16"
        return None

    def checked(self) -> KdfParams:
        problem = self.problem()
        if problem:
            raise UsageError(problem)
        return self

    def describe(self) -> str:
        return f"argon2id m={self.memory_kib // 1024}MiB t={self.iterations} p={self.lanes}"


def argon2id(secret: bytes, salt: bytes, params: KdfParams) -> SecretKey:
    params.checked()
    kdf = Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return SecretKey(kdf.derive(secret))


# Calibration aims for ~0.5-1 s of unlock time on this machine, preferring memory over time
# because memory hardness is what slows down GPU guessing.
CALIBRATION_TARGET_SECONDS = 0.7
CALIBRATION_MEMORY_CAP_KIB = 1024 * 1024


def calibrate(
    target_seconds: float = CALIBRATION_TARGET_SECONDS,
    timer: Callable[[], float] = time.perf_counter,
) -> KdfParams:
    params = KdfParams.floor()
    salt = os.urandom(SALT_BYTES)

    def measure(p: KdfParams) -> float:
        start = timer()
        argon2id(b"calibration", salt, p)
        return max(timer() - start, 1e-6)

    elapsed = measure(params)
    while (
        elapsed * 2 <= target_seconds * 1.4 and params.memory_kib * 2 <= CALIBRATION_MEMORY_CAP_KIB
    ):
        params = KdfParams(params.memory_kib * 2, params.iterations, params.lanes)
        elapsed = measure(params)
    if elapsed < target_seconds / 1.4:
        factor = target_seconds / elapsed
        iterations = min(int(params.iterations * factor), KdfParams.CEILING_ITERATIONS)
        params = KdfParams(params.memory_kib, max(iterations, params.iterations), params.lanes)
    return params
