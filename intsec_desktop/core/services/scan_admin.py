"""Leak scanning: the stored values for one scan (one audit event), the locked-hook
fingerprints, and the staged scan that runs while the vault is locked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from intsec_desktop.core.errors import (
    IntsecError,
    KeyringUnavailableError,
    PermissionDeniedError,
    ValidationError,
    VaultDamagedError,
)
from intsec_desktop.core.lazy import lazy_import
from intsec_desktop.core.roles import Action, require
from intsec_desktop.core.services._base import SessionBase
from intsec_desktop.core.services.credentials import _path, _sealing_aad
from intsec_desktop.core.services.reminder_admin import _device_key
from intsec_desktop.core.vault import opening
from intsec_desktop.core.vault import repository as repo
from intsec_desktop.core.vault.crypto import SealError, open_sealed
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore

if TYPE_CHECKING:
    from intsec_desktop.core.scan import fingerprints, sources
    from intsec_desktop.core.scan.patterns import SecretEntry, build_pattern_set
    from intsec_desktop.core.scan.report import ScanReport
    from intsec_desktop.core.scan.scanner import PreparedScan, Progress, ScanOptions
else:  # the scanner (patterns, encodings, git sources) loads when a scan or the hook runs
    lazy_import(globals(), "intsec_desktop.core.scan", "fingerprints", "sources")
    lazy_import(globals(), "intsec_desktop.core.scan.patterns", "SecretEntry", "build_pattern_set")
    lazy_import(globals(), "intsec_desktop.core.scan.report", "ScanReport")
    lazy_import(globals(), "intsec_desktop.core.scan.scanner", "PreparedScan")

SCAN_PURPOSES = ("scan", "fingerprints")


class ScanServices(SessionBase):
    def secret_values_for_scan(self, purpose: str = "scan") -> list[SecretEntry]:
        """Every kept value of every credential (current and retired-but-kept versions), for
        matching only. One audit event for the whole scan, not one per credential."""
        require(self.member, Action.REVEAL)
        if purpose not in SCAN_PURPOSES:
            raise ValidationError(f"purpose must be one of {', '.join(SCAN_PURPOSES)}", "purpose")
        sealing_key = self._vault.keys.sealing_key
        if sealing_key is None:
            raise PermissionDeniedError("this key slot holds no key that can reveal secrets")
        entries: list[SecretEntry] = []
        with self._transaction() as conn:
            credentials = repo.credentials(conn)
            for credential in credentials:
                for version in repo.versions(conn, credential.id):
                    if not version.has_value:
                        continue
                    sealed = repo.sealed_value(conn, credential.id, version.version)
                    if sealed is None:
                        continue
                    try:
                        value = open_sealed(
                            sealing_key, sealed, _sealing_aad(credential.id, version.version)
                        )
                    except SealError as exc:
                        raise VaultDamagedError(
                            f"the sealed value of credential {credential.id} failed authentication"
                        ) from exc
                    entries.append(SecretEntry(_path(credential), version.version, value))
            self._audit(
                conn,
                f"secrets.used_for_{purpose}",
                f"vault:{self.vault_id}",
                {"credentials": len(credentials), "values": len(entries)},
            )
        return entries

    def prepare_leak_scan(self) -> PreparedScan:
        """Reads the vault (one audit event); the returned scan can then run on any thread."""
        return PreparedScan(build_pattern_set(self.secret_values_for_scan("scan")))

    def scan_for_leaks(
        self,
        options: ScanOptions,
        *,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> ScanReport:
        prepared = self.prepare_leak_scan()
        return prepared.run(options, progress=progress, cancelled=cancelled)

    def refresh_scan_fingerprints(
        self, store_for: Callable[[str], DeviceKeyStore] = DeviceKeyStore.for_backend
    ) -> bool:
        """Rewrite the hook's fingerprint file; False when this device has no keyring key."""
        device_key = _device_key(self.folder, store_for)
        if device_key is None or not self.can_reveal:
            return False
        entries = self.secret_values_for_scan("fingerprints")
        fingerprints.write_fingerprints(self.vault_id, device_key, entries, self._clock.now())
        return True

    def has_scan_fingerprints(self) -> bool:
        return fingerprints.fingerprint_path(self.vault_id).exists()

    def remove_scan_fingerprints(self) -> None:
        fingerprints.remove_fingerprints(self.vault_id)


def scan_staged_while_locked(
    folder: Path,
    repo_path: Path,
    *,
    max_bytes: int,
    store_for: Callable[[str], DeviceKeyStore] = DeviceKeyStore.for_backend,
) -> ScanReport:
    """The pre-commit hook's scan: staged content against the fingerprint file, no unlock."""
    try:
        vault_id = opening.load_slots(folder).file.vault_id
        device_key = _device_key(folder, store_for)
    except IntsecError as exc:
        raise KeyringUnavailableError(f"cannot read the vault's key slots: {exc}") from exc
    if device_key is None:
        raise KeyringUnavailableError(
            "no keyring device key for this vault on this device; the hook needs a keyring slot"
        )
    index = fingerprints.read_fingerprints(vault_id, device_key)
    if index is None:
        raise KeyringUnavailableError(
            "no scan fingerprints for this vault; run `intsec hook refresh` once unlocked"
        )
    problems = sources.Problems()
    units = sources.staged(repo_path, problems, max_bytes)
    found, skipped, files, total = fingerprints.scan_with_fingerprints(units, index, max_bytes)
    return ScanReport(
        findings=found, skipped=skipped, problems=problems.items, files=files, bytes=total
    )
