"""Use cases: the only writers. Each mutation checks the role and writes one audit event in the
same transaction as the change itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from intsec_desktop.core.clock import Clock, SystemClock
from intsec_desktop.core.errors import IntsecError
from intsec_desktop.core.model import AuditEvent, Member
from intsec_desktop.core.roles import Action, require
from intsec_desktop.core.services._base import current_origin
from intsec_desktop.core.services.audit_admin import AuditServices
from intsec_desktop.core.services.catalog import CatalogServices
from intsec_desktop.core.services.credentials import REVEAL_PURPOSES, CredentialServices
from intsec_desktop.core.services.export_admin import ExportServices
from intsec_desktop.core.services.import_admin import ImportOutcome, ImportServices
from intsec_desktop.core.services.keyslot_admin import KeySlotServices
from intsec_desktop.core.services.members_admin import MemberChange, MemberInfo, MemberServices
from intsec_desktop.core.services.reminder_admin import ReminderServices, read_expiry_index
from intsec_desktop.core.services.scan_admin import ScanServices, scan_staged_while_locked
from intsec_desktop.core.services.scopes_admin import ScopeServices
from intsec_desktop.core.vault import audit, database, keyslot_record, keyslots, opening
from intsec_desktop.core.vault.audit_trail import AuditFilter, AuditVerdict
from intsec_desktop.core.vault.crypto import KdfParams
from intsec_desktop.core.vault.database import Connection
from intsec_desktop.core.vault.keyring_store import DeviceKeyStore

__all__ = [
    "REVEAL_PURPOSES",
    "AuditFilter",
    "AuditVerdict",
    "ImportOutcome",
    "MemberChange",
    "MemberInfo",
    "VaultSession",
    "create_vault",
    "current_origin",
    "open_vault_with_keyring",
    "open_vault_with_secret",
    "read_expiry_index",
    "scan_staged_while_locked",
    "vault_has_keyring_slot",
    "vault_id_of",
]


class VaultSession(
    AuditServices,
    MemberServices,
    CatalogServices,
    CredentialServices,
    KeySlotServices,
    ReminderServices,
    ScanServices,
    ImportServices,
    ScopeServices,
    ExportServices,
):
    """One unlocked vault, used by one member. GUI and CLI hold one of these."""

    # --- audit (read side; the trail UI lands with the audit issue) --------------------

    def first_broken_audit_event(self) -> int | None:
        require(self.member, Action.VIEW_AUDIT)
        return audit.first_broken(self._conn, self._audit_key)

    def audit_events(self) -> list[AuditEvent]:
        require(self.member, Action.VIEW_AUDIT)
        return audit.events(self._conn)

    def integrity_problems(self) -> list[str]:
        """Every page's HMAC and structure, the key-slot MAC and generation, and the audit chain
        (`intsec doctor`)."""
        require(self.member, Action.VIEW_METADATA)
        problems = database.integrity_problems(self._conn)
        try:
            recorded = keyslot_record.read(self._conn)  # before the file (see problem())
            slots_problem = keyslot_record.problem(self._disk_slots(), recorded)
            if slots_problem:
                problems.append(slots_problem)
        except IntsecError as exc:
            problems.append(str(exc))
        try:
            verdict = self._audit_verdict()
        except IntsecError:
            verdict = None  # the key-slot problem is already listed; check the chain alone
            broken = audit.first_broken(self._conn, self._audit_key)
            if broken is not None:
                problems.append(f"audit event {broken} does not verify (edited or reordered)")
        if verdict is not None and not verdict.ok:
            problems.append(verdict.problem)
        return problems


# --- opening and creating -----------------------------------------------------------------


def default_member_name(origin: audit.Origin) -> str:
    return origin.os_user or "owner"


def create_vault(
    folder: Path,
    passphrase: str,
    params: KdfParams,
    *,
    keyring_store: DeviceKeyStore | None,
    clock: Clock | None = None,
    origin: audit.Origin | None = None,
) -> tuple[VaultSession, opening.CreatedVault]:
    clock = clock or SystemClock()
    origin = origin or current_origin()
    audit_target = f"vault:{folder.name}"

    def record_creation(conn: Connection, keys: keyslots.VaultKeys, member: Member) -> None:
        audit.append(
            conn,
            keys.database_key.derive("audit"),
            at=clock.now(),
            actor=member.name,
            origin=origin,
            action="vault.created",
            target=audit_target,
            details={"kdf": params.describe(), "keyring": keyring_store is not None},
        )

    created = opening.create(
        folder,
        passphrase,
        params,
        clock.now(),
        default_member_name(origin),
        keyring_store,
        record_creation,
    )
    return VaultSession(created.vault, clock, origin), created


def open_vault_with_secret(
    folder: Path,
    secret: str,
    *,
    clock: Clock | None = None,
    origin: audit.Origin | None = None,
    member: str | None = None,
) -> VaultSession:
    vault = opening.unlock_with_secret(folder, secret, member)
    return VaultSession(vault, clock or SystemClock(), origin)


def open_vault_with_keyring(
    folder: Path,
    *,
    store_for: Callable[[str], DeviceKeyStore] = DeviceKeyStore.for_backend,
    clock: Clock | None = None,
    origin: audit.Origin | None = None,
) -> VaultSession:
    vault = opening.unlock_with_keyring(folder, store_for)
    return VaultSession(vault, clock or SystemClock(), origin)


def vault_has_keyring_slot(folder: Path) -> bool:
    return bool(opening.keyring_slots(opening.load_slots(folder).file))


def vault_id_of(folder: Path) -> str:
    """The vault's id from keyslots.json, readable while locked (it is not a secret)."""
    return opening.load_slots(folder).file.vault_id
