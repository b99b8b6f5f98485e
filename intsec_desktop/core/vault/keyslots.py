"""keyslots.json: the database and sealing keys wrapped once per slot, checksummed and MAC'd.

A slot wraps DK (database key) and, for members allowed to reveal secrets, SK (sealing key).
The file carries a plain SHA-256 checksum, so accidental damage is reported as damage before
any KDF runs, and an HMAC keyed from DK, so a deliberate edit is caught once a slot opened.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from intsec_desktop.core.errors import (
    AuthenticationError,
    PermissionDeniedError,
    StorageError,
    VaultDamagedError,
    VaultMissingError,
)
from intsec_desktop.core.vault import memwipe
from intsec_desktop.core.vault.atomic import write_atomic
from intsec_desktop.core.vault.crypto import (
    KEY_BYTES,
    SALT_BYTES,
    KdfParams,
    SealError,
    SecretKey,
    argon2id,
    hkdf,
    mac_hex,
    open_sealed,
    seal,
)

FORMAT = "intsec.keyslots/v1"
MAX_FILE_BYTES = 1024 * 1024  # a few kB in practice; more is not a key slot file
_FILE_FIELDS = {"format", "vault_id", "created_at", "meta", "slots", "checksum", "mac"}
_SLOT_FIELDS = {
    "id",
    "kind",
    "member",
    "can_reveal",
    "created_at",
    "wrapped",
    "salt",
    "kdf",
    "backend",
}
PASSPHRASE, KEYRING, RECOVERY = "passphrase", "keyring", "recovery"
SLOT_KINDS = (PASSPHRASE, KEYRING, RECOVERY)

_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I look-alikes
_RECOVERY_GROUPS, _RECOVERY_GROUP_LEN = 8, 4  # 32 symbols x 5 bits = 160 bits


@dataclass(frozen=True, slots=True)
class VaultKeys:
    """DK opens the database; SK (absent for members who may not reveal) unseals secret values."""

    database_key: SecretKey
    sealing_key: SecretKey | None

    @classmethod
    def generate(cls) -> VaultKeys:
        return cls(SecretKey.generate(), SecretKey.generate())

    def payload(self) -> bytes:
        sk = self.sealing_key.raw if self.sealing_key else b""
        return self.database_key.raw + sk

    @classmethod
    def from_payload(cls, payload: bytes) -> VaultKeys:
        if len(payload) == KEY_BYTES:
            return cls(SecretKey(payload), None)
        if len(payload) == 2 * KEY_BYTES:
            return cls(SecretKey(payload[:KEY_BYTES]), SecretKey(payload[KEY_BYTES:]))
        raise VaultDamagedError("a key slot holds a payload of the wrong size")

    def without_reveal(self) -> VaultKeys:
        return VaultKeys(self.database_key, None)


@dataclass(frozen=True, slots=True)
class Slot:
    id: str
    kind: str
    member: str
    can_reveal: bool
    created_at: str
    wrapped: str  # base64 of nonce ‖ ciphertext ‖ tag
    salt: str = ""  # base64; passphrase and recovery slots
    kdf: dict[str, int] = field(default_factory=dict)  # passphrase slots
    backend: str = ""  # keyring slots: the backend that holds the device key

    def associated_data(self, vault_id: str) -> bytes:
        # Binding id, kind, member and reveal right stops a slot from being relabelled or swapped.
        return f"{FORMAT}|{vault_id}|{self.id}|{self.kind}|{self.member}|{self.can_reveal}".encode()

    def kdf_params(self) -> KdfParams:
        try:
            params = KdfParams(
                memory_kib=self.kdf["memory_kib"],
                iterations=self.kdf["iterations"],
                lanes=self.kdf["lanes"],
            )
        except (KeyError, TypeError) as exc:
            raise VaultDamagedError(f"key slot {self.id} has no valid KDF parameters") from exc
        problem = params.problem()
        if problem:
            raise VaultDamagedError(f"key slot {self.id} is refused: {problem}")
        return params

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "member": self.member,
            "can_reveal": self.can_reveal,
            "created_at": self.created_at,
            "wrapped": self.wrapped,
        }
        if self.salt:
            data["salt"] = self.salt
        if self.kdf:
            data["kdf"] = {"name": "argon2id", **self.kdf}
        if self.backend:
            data["backend"] = self.backend
        return data

    @classmethod
    def from_json(cls, data: Any) -> Slot:
        if isinstance(data, dict) and set(data) - _SLOT_FIELDS:
            raise VaultDamagedError("keyslots.json holds a slot with fields intsec did not write")
        try:
            kdf = dict(data.get("kdf", {}))
            kdf_name = kdf.pop("name", None)
            slot = cls(
                id=str(data["id"]),
                kind=str(data["kind"]),
                member=str(data["member"]),
                can_reveal=bool(data["can_reveal"]),
                created_at=str(data["created_at"]),
                wrapped=str(data["wrapped"]),
                salt=str(data.get("salt", "")),
                kdf={str(k): v for k, v in kdf.items()},
                backend=str(data.get("backend", "")),
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise VaultDamagedError("keyslots.json holds a malformed slot") from exc
        if slot.kind not in SLOT_KINDS:
            raise VaultDamagedError(f"keyslots.json holds an unknown slot kind {slot.kind!r}")
        if kdf and kdf_name != "argon2id":
            # The name is not part of the checksummed form (it is implied); an ignored field
            # would let an edit, or a future KDF, pass for Argon2id.
            raise VaultDamagedError(f"key slot {slot.id} names an unsupported KDF")
        return slot


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise VaultDamagedError(f"keyslots.json: {what} is not valid base64") from exc


def new_slot_id() -> str:
    return "s-" + secrets.token_hex(4)


# --- key-encryption keys, one derivation per slot kind -------------------------------------


def passphrase_kek(passphrase: str, salt: bytes, params: KdfParams) -> SecretKey:
    return argon2id(passphrase.encode("utf-8"), salt, params)


def device_kek(device_key: bytes, vault_id: str) -> SecretKey:
    return SecretKey(hkdf(device_key, info=f"intsec/keyring-slot/{vault_id}".encode()))


def recovery_kek(code: str, salt: bytes) -> SecretKey:
    # 160 random bits need no work factor; HKDF keeps recovery instant.
    return SecretKey(
        hkdf(normalise_recovery_code(code).encode(), info=b"intsec/recovery", salt=salt)
    )


def generate_recovery_code() -> str:
    symbols = "".join(
        secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUPS * _RECOVERY_GROUP_LEN)
    )
    return "-".join(
        symbols[i : i + _RECOVERY_GROUP_LEN] for i in range(0, len(symbols), _RECOVERY_GROUP_LEN)
    )


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def looks_like_recovery_code(text: str) -> bool:
    """Dashes, spaces and case are forgiven: people copy codes from paper."""
    cleaned = normalise_recovery_code(text)
    return (
        len(cleaned) == _RECOVERY_GROUPS * _RECOVERY_GROUP_LEN
        and all(ch in _RECOVERY_ALPHABET for ch in cleaned)
        and all(ch.isalnum() or ch in "- \t" for ch in text.strip())
    )


def wrap(slot: Slot, kek: SecretKey, keys: VaultKeys, vault_id: str) -> Slot:
    if slot.can_reveal and keys.sealing_key is None:
        # Wrapping DK alone under a reveal label would leave a slot that never opens again.
        raise PermissionDeniedError("this key slot holds no key that can reveal secrets")
    payload = keys.payload() if slot.can_reveal else keys.without_reveal().payload()
    return replace(slot, wrapped=_b64(seal(kek, payload, slot.associated_data(vault_id))))


def unwrap(slot: Slot, kek: SecretKey, vault_id: str) -> VaultKeys:
    try:
        payload = open_sealed(
            kek, _unb64(slot.wrapped, "a wrapped key"), slot.associated_data(vault_id)
        )
    except SealError as exc:
        raise AuthenticationError("wrong passphrase or key") from exc
    keys = VaultKeys.from_payload(payload)
    memwipe.wipe(payload)  # the keys hold their own copies now
    if slot.can_reveal != (keys.sealing_key is not None):
        raise VaultDamagedError(f"key slot {slot.id} does not match its reveal right")
    return keys


def make_passphrase_slot(
    passphrase: str, params: KdfParams, member: str, can_reveal: bool, now: datetime
) -> tuple[Slot, SecretKey]:
    salt = os.urandom(SALT_BYTES)
    slot = Slot(
        id=new_slot_id(),
        kind=PASSPHRASE,
        member=member,
        can_reveal=can_reveal,
        created_at=_iso(now),
        wrapped="",
        salt=_b64(salt),
        kdf={
            "memory_kib": params.memory_kib,
            "iterations": params.iterations,
            "lanes": params.lanes,
        },
    )
    return slot, passphrase_kek(passphrase, salt, params)


def make_recovery_slot(code: str, member: str, now: datetime) -> tuple[Slot, SecretKey]:
    salt = os.urandom(SALT_BYTES)
    slot = Slot(
        id=new_slot_id(),
        kind=RECOVERY,
        member=member,
        can_reveal=True,
        created_at=_iso(now),
        wrapped="",
        salt=_b64(salt),
    )
    return slot, recovery_kek(code, salt)


def make_keyring_slot(
    vault_id: str, backend: str, member: str, can_reveal: bool, now: datetime
) -> tuple[Slot, SecretKey, bytes]:
    device_key = os.urandom(KEY_BYTES)
    slot = Slot(
        id=new_slot_id(),
        kind=KEYRING,
        member=member,
        can_reveal=can_reveal,
        created_at=_iso(now),
        wrapped="",
        backend=backend,
    )
    return slot, device_kek(device_key, vault_id), device_key


def kek_for_passphrase_slot(slot: Slot, passphrase: str) -> SecretKey:
    return passphrase_kek(passphrase, _unb64(slot.salt, "a salt"), slot.kdf_params())


def kek_for_recovery_slot(slot: Slot, code: str) -> SecretKey:
    return recovery_kek(code, _unb64(slot.salt, "a salt"))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the file ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeySlotFile:
    vault_id: str
    created_at: str
    slots: tuple[Slot, ...]
    meta: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "vault_id": self.vault_id,
            "created_at": self.created_at,
            "meta": self.meta,
            "slots": [s.to_json() for s in self.slots],
        }

    def canonical(self) -> bytes:
        return json.dumps(self.body(), sort_keys=True, separators=(",", ":")).encode()

    def render(self, database_key: SecretKey) -> bytes:
        canonical = self.canonical()
        document = self.body()
        document["checksum"] = "sha256:" + hashlib.sha256(canonical).hexdigest()
        document["mac"] = "hmac-sha256:" + mac_hex(database_key.derive("keyslots-mac"), canonical)
        return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()

    def save(self, path: Path, database_key: SecretKey) -> None:
        write_atomic(path, self.render(database_key))

    def verify_mac(self, stored_mac: str, database_key: SecretKey) -> None:
        expected = "hmac-sha256:" + mac_hex(database_key.derive("keyslots-mac"), self.canonical())
        if not _same_text(expected, stored_mac):
            raise VaultDamagedError("keyslots.json was modified outside intsec (MAC mismatch)")

    def slot(self, slot_id: str) -> Slot:
        for s in self.slots:
            if s.id == slot_id:
                return s
        raise KeyError(slot_id)

    def with_slot(self, slot: Slot) -> KeySlotFile:
        return replace(self, slots=(*self.slots, slot))

    def without_slot(self, slot_id: str) -> KeySlotFile:
        return replace(self, slots=tuple(s for s in self.slots if s.id != slot_id))

    def replacing(self, slot: Slot) -> KeySlotFile:
        return replace(self, slots=tuple(slot if s.id == slot.id else s for s in self.slots))


def _same_text(a: str, b: str) -> bool:
    """Constant-time equality for text from an untrusted file: compare_digest raises TypeError
    on non-ASCII str, and a lone surrogate (valid in JSON) cannot be encoded strictly."""
    return secrets.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )


@dataclass(frozen=True, slots=True)
class LoadedKeySlots:
    file: KeySlotFile
    mac: str


def load(path: Path) -> LoadedKeySlots:
    """Parse and checksum keyslots.json. The MAC is checked later, once a slot gave us DK."""
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        if path.parent.is_dir():
            raise VaultDamagedError(f"{path.name} is missing from the vault folder") from exc
        raise VaultMissingError(f"no vault at {path.parent}") from exc
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise StorageError(f"cannot read {path.name}: {reason}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise VaultDamagedError(f"{path.name} is too large to be a key slot file")
    try:
        document = json.loads(raw)
        file = parse(document, path.name)
        checksum, mac = str(document["checksum"]), str(document["mac"])
    except VaultDamagedError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise VaultDamagedError(f"{path.name} is damaged and cannot be read") from exc
    expected = "sha256:" + hashlib.sha256(file.canonical()).hexdigest()
    if not _same_text(checksum, expected):
        raise VaultDamagedError(f"{path.name} is damaged (checksum mismatch)")
    return LoadedKeySlots(file, mac)


def parse(document: Any, name: str) -> KeySlotFile:
    """The body of a key slot file (`load` checks its checksum, the caller its MAC)."""
    try:
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise VaultDamagedError(f"{name} is not an intsec key slot file")
        # Only what we write: the checksum and MAC cover the parsed fields, so an ignored extra
        # field (or a renamed one, like "meta" -> "beta") would be an edit nobody notices.
        if set(document) - _FILE_FIELDS:
            raise VaultDamagedError(f"{name} holds fields intsec did not write")
        meta = document["meta"]
        if not isinstance(meta, dict):
            raise VaultDamagedError(f"{name} is damaged and cannot be read")
        return KeySlotFile(
            vault_id=str(document["vault_id"]),
            created_at=str(document["created_at"]),
            slots=tuple(Slot.from_json(s) for s in document["slots"]),
            meta=dict(meta),
        )
    except VaultDamagedError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise VaultDamagedError(f"{name} is damaged and cannot be read") from exc
