"""Keyed fingerprints of every encoded form, so the pre-commit hook can scan while the vault is
locked. HMAC-SHA256 under a key derived from this device's keyring device key, and the file
itself sealed under another such key: no secret can be recovered from it, and without the
keyring it cannot even be tested against guesses.

The limit, documented: the hook hashes candidate tokens (runs of non-whitespace) and every
window of a known length inside them, so it finds an encoded secret that sits inside one such
token, not one that contains whitespace or is split across lines."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from intsec_desktop.core import paths
from intsec_desktop.core.scan.encodings import MIN_PATTERN_BYTES, encoded_forms
from intsec_desktop.core.scan.engine import Matcher, Unit, looks_binary
from intsec_desktop.core.scan.patterns import (
    PROVIDER_RULES,
    SecretEntry,
    build_pattern_set,
)
from intsec_desktop.core.scan.report import Finding
from intsec_desktop.core.timefmt import format_utc
from intsec_desktop.core.vault.atomic import write_atomic
from intsec_desktop.core.vault.crypto import SealError, SecretKey, hkdf, open_sealed, seal

FORMAT = "intsec.scan-fingerprints/v1"
_TOKEN = re.compile(rb"\S+")
MAX_WINDOWS = 20_000_000  # hashing budget per hook run; beyond it the rest is reported


def fingerprint_path(vault_id: str) -> Path:
    return paths.state_dir() / "scan-fingerprints" / f"{vault_id}.sealed"


def _keys(device_key: bytes, vault_id: str) -> tuple[bytes, SecretKey]:
    mac_key = hkdf(device_key, info=f"intsec/scan-fingerprints/mac/{vault_id}".encode())
    file_key = hkdf(device_key, info=f"intsec/scan-fingerprints/file/{vault_id}".encode())
    return mac_key, SecretKey(file_key)


def _mac(mac_key: bytes, data: bytes) -> str:
    return hmac.new(mac_key, data, hashlib.sha256).hexdigest()


def write_fingerprints(
    vault_id: str, device_key: bytes, entries: Iterable[SecretEntry], now: datetime
) -> int:
    """Returns how many fingerprints were written."""
    mac_key, file_key = _keys(device_key, vault_id)
    table: dict[str, list[list[object]]] = {}
    lengths: set[int] = set()
    for entry in entries:
        if len(entry.value) < MIN_PATTERN_BYTES:
            continue
        for encoding, form in encoded_forms(entry.value):
            lengths.add(len(form))
            table.setdefault(_mac(mac_key, form), []).append([entry.label, entry.version, encoding])
    document = {
        "format": FORMAT,
        "written_at": format_utc(now),
        "lengths": sorted(lengths),
        "macs": table,
    }
    sealed = seal(file_key, json.dumps(document, sort_keys=True).encode(), vault_id.encode())
    path = fingerprint_path(vault_id)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomic(path, sealed)
    return len(table)


def remove_fingerprints(vault_id: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        fingerprint_path(vault_id).unlink()


@dataclass(frozen=True)
class FingerprintIndex:
    mac_key: bytes
    lengths: tuple[int, ...]
    macs: dict[str, list[tuple[str, int, str]]]

    def __repr__(self) -> str:
        return f"FingerprintIndex({len(self.macs)} fingerprints)"


def read_fingerprints(vault_id: str, device_key: bytes) -> FingerprintIndex | None:
    """None when there is no file or it does not open (another device key, tampering)."""
    mac_key, file_key = _keys(device_key, vault_id)
    try:
        sealed = fingerprint_path(vault_id).read_bytes()
        document = json.loads(open_sealed(file_key, sealed, vault_id.encode()))
        if document.get("format") != FORMAT:
            return None
        macs = {
            str(k): [(str(label), int(version), str(enc)) for label, version, enc in v]
            for k, v in document["macs"].items()
        }
        return FingerprintIndex(mac_key, tuple(int(n) for n in document["lengths"]), macs)
    except (OSError, SealError, ValueError, KeyError, TypeError):
        return None


def scan_with_fingerprints(
    units: Iterable[Unit], index: FingerprintIndex, max_bytes: int
) -> tuple[list[Finding], list[tuple[str, str]], int, int]:
    """(findings, skipped, files, bytes): tokens and windows of known lengths, hashed and looked
    up; the provider formats are matched as in a normal scan."""
    providers = build_pattern_set([])
    matcher = Matcher(providers.patterns, providers.provider_of)
    findings: list[Finding] = []
    skipped: list[tuple[str, str]] = []
    files = total = 0
    budget = MAX_WINDOWS
    for unit in units:
        data = unit.data
        if data is None:
            assert unit.path is not None
            try:
                data = Path(unit.path).read_bytes()
            except OSError as exc:
                skipped.append((unit.display, exc.strerror or "unreadable"))
                continue
        if len(data) > max_bytes:
            skipped.append((unit.display, "over the size limit"))
            continue
        if looks_binary(data[:8192]):
            skipped.append((unit.display, "binary"))
            continue
        files += 1
        total += len(data)
        for hit in matcher.scan(data):
            name = f"provider:{PROVIDER_RULES[hit.rule].name}"
            findings.append(
                Finding(unit.display, hit.line, unit.commit, name, 0, "provider-format", False)
            )
        for token in _TOKEN.finditer(data):
            text = token.group()
            budget -= len(text) * len(index.lengths)
            if budget < 0:
                skipped.append((unit.display, "too much to hash in one hook run"))
                break
            line = data.count(b"\n", 0, token.start()) + 1
            for label, version, encoding in _token_hits(text, index):
                findings.append(
                    Finding(unit.display, line, unit.commit, label, version, encoding, True)
                )
    return sorted(set(findings), key=Finding.sort_key), skipped, files, total


def _token_hits(token: bytes, index: FingerprintIndex) -> list[tuple[str, int, str]]:
    inner = hmac.new(index.mac_key, digestmod=hashlib.sha256)
    hits: list[tuple[str, int, str]] = []
    for length in index.lengths:
        if length > len(token):
            break
        for start in range(len(token) - length + 1):
            mac = inner.copy()
            mac.update(token[start : start + length])
            found = index.macs.get(mac.hexdigest())
            if found:
                hits.extend(found)
    return hits
