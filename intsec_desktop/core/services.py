"""Use cases: the only writers. Each mutation checks the role and writes one audit event in the
same transaction as the change itself."""

from __future__ import annotations

import contextlib
import dataclasses
import getpass
import socket
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from intsec_desktop.core import paths, repository_refs, rotation, validation
from intsec_desktop.core.clock import Clock, SystemClock
from intsec_desktop.core.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    VaultDamagedError,
)
from intsec_desktop.core.model import (
    AuditEvent,
    Category,
    ComplianceEvidence,
    Credential,
    CredentialKind,
    CredentialListing,
    CredentialVersion,
    Customer,
    Environment,
    Integration,
    KeySlotInfo,
    Member,
    Method,
    Region,
)
from intsec_desktop.core.roles import Action, require
from intsec_desktop.core.timefmt import format_date, parse_utc
from intsec_desktop.core.vault import audit, keyslots, opening
from intsec_desktop.core.vault import repository as repo
from intsec_desktop.core.vault.crypto import KdfParams, SealError, open_sealed, seal
from intsec_desktop.core.vault.database import Connection, storage_errors, write_transaction
from intsec_desktop.core.vault.keyring_store import DeviceKeyEntry, DeviceKeyStore

_REVEAL_ACTIONS = {
    "reveal": "credential.revealed",
    "copy": "credential.copied",
    "inject": "credential.injected",
}
REVEAL_PURPOSES = tuple(_REVEAL_ACTIONS)


def current_origin() -> audit.Origin:
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return audit.Origin(os_user=user, host=socket.gethostname())


def _sealing_aad(credential_id: int, version: int) -> bytes:
    # Binding row id and version stops a ciphertext from being moved to another row or version.
    return f"intsec/credential/{credential_id}/v{version}".encode()


class VaultSession:
    """One unlocked vault, used by one member. GUI and CLI hold one of these."""

    def __init__(self, vault: opening.OpenVault, clock: Clock, origin: audit.Origin) -> None:
        self._vault = vault
        self._clock = clock
        self._origin = origin
        self._audit_key = vault.keys.database_key.derive("audit")
        self._batch_depth = 0

    def __repr__(self) -> str:
        return f"VaultSession({self._vault!r})"

    # --- session facts ------------------------------------------------------------------

    @property
    def folder(self) -> Path:
        return self._vault.folder

    @property
    def vault_id(self) -> str:
        return self._vault.vault_id

    @property
    def member(self) -> Member:
        return self._vault.member

    @property
    def slot_id(self) -> str:
        return self._vault.slot_id

    @property
    def can_reveal(self) -> bool:
        return self._vault.keys.sealing_key is not None

    def close(self) -> None:
        self._vault.close()

    # --- transactions -------------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Run several service calls in one transaction (each still writes its own event)."""
        with self._transaction():
            self._batch_depth += 1
            try:
                yield
            finally:
                self._batch_depth -= 1

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Connection]:
        conn = self._vault.conn
        if self._batch_depth:
            with storage_errors():
                yield conn
            return
        with write_transaction(conn), storage_errors():
            yield conn

    def _audit(self, conn: Connection, action: str, target: str, details: dict[str, object]) -> None:
        audit.append(
            conn,
            self._audit_key,
            at=self._clock.now(),
            actor=self.member.name,
            origin=self._origin,
            action=action,
            target=target,
            details=details,
        )

    @property
    def _conn(self) -> Connection:
        return self._vault.conn

    # --- integrations -------------------------------------------------------------------

    def list_integrations(self) -> list[Integration]:
        require(self.member, Action.VIEW_METADATA)
        return repo.integrations(self._conn)

    def get_integration(self, slug: str) -> Integration:
        require(self.member, Action.VIEW_METADATA)
        return repo.integration_by_slug(self._conn, slug)

    def add_integration(
        self,
        slug: str,
        name: str,
        category: str,
        method: str,
        vendor: str = "",
        base_urls: dict[str, str] | None = None,
        compliance: ComplianceEvidence | None = None,
    ) -> Integration:
        require(self.member, Action.WRITE)
        item = Integration(
            id=0,
            slug=validation.slug(slug),
            name=validation.display_text(name, "name"),
            category=validation.choice(Category, category, "category"),
            method=validation.choice(Method, method, "method"),
            vendor=validation.display_text(vendor, "vendor", required=False),
            base_urls=validation.base_urls(base_urls or {}),
            compliance=compliance or ComplianceEvidence(),
        )
        with self._transaction() as conn:
            if repo_exists(conn, "integrations", item.slug):
                raise ConflictError(f"integration {item.slug!r} already exists")
            item = dataclasses.replace(item, id=repo.insert_integration(conn, item, self._clock.now()))
            self._audit(
                conn,
                "integration.added",
                f"integration:{item.slug}",
                {"name": item.name, "category": item.category.value, "method": item.method.value},
            )
        return item

    def edit_integration(
        self,
        slug: str,
        *,
        name: str | None = None,
        category: str | None = None,
        method: str | None = None,
        vendor: str | None = None,
        base_urls: dict[str, str] | None = None,
    ) -> Integration:
        require(self.member, Action.WRITE)
        with self._transaction() as conn:
            before = repo.integration_by_slug(conn, slug)
            after = dataclasses.replace(
                before,
                name=validation.display_text(name, "name") if name is not None else before.name,
                category=validation.choice(Category, category, "category")
                if category is not None
                else before.category,
                method=validation.choice(Method, method, "method") if method is not None else before.method,
                vendor=validation.display_text(vendor, "vendor", required=False)
                if vendor is not None
                else before.vendor,
                base_urls=validation.base_urls(base_urls) if base_urls is not None else before.base_urls,
            )
            repo.update_integration(conn, after, self._clock.now())
            self._audit(conn, "integration.edited", f"integration:{slug}", _changes(before, after))
        return after

    def remove_integration(self, slug: str) -> None:
        require(self.member, Action.WRITE)
        with self._transaction() as conn:
            item = repo.integration_by_slug(conn, slug)
            used = repo.count_credentials_of_integration(conn, item.id)
            if used:
                raise ConflictError(
                    f"integration {slug!r} still has {used} credential(s); remove them first"
                )
            repo.delete_integration(conn, item.id)
            self._audit(conn, "integration.removed", f"integration:{slug}", {"name": item.name})

    # --- customers ----------------------------------------------------------------------

    def list_customers(self) -> list[Customer]:
        require(self.member, Action.VIEW_METADATA)
        return repo.customers(self._conn)

    def get_customer(self, slug: str) -> Customer:
        require(self.member, Action.VIEW_METADATA)
        return repo.customer_by_slug(self._conn, slug)

    def add_customer(self, slug: str, name: str, region: str) -> Customer:
        require(self.member, Action.WRITE)
        item = Customer(
            id=0,
            slug=validation.slug(slug),
            name=validation.display_text(name, "name"),
            region=validation.choice(Region, region, "region"),
        )
        with self._transaction() as conn:
            if repo_exists(conn, "customers", item.slug):
                raise ConflictError(f"customer {item.slug!r} already exists")
            item = dataclasses.replace(item, id=repo.insert_customer(conn, item, self._clock.now()))
            self._audit(
                conn,
                "customer.added",
                f"customer:{item.slug}",
                {"name": item.name, "region": item.region.value},
            )
        return item

    def edit_customer(
        self, slug: str, *, name: str | None = None, region: str | None = None
    ) -> Customer:
        require(self.member, Action.WRITE)
        with self._transaction() as conn:
            before = repo.customer_by_slug(conn, slug)
            after = dataclasses.replace(
                before,
                name=validation.display_text(name, "name") if name is not None else before.name,
                region=validation.choice(Region, region, "region") if region is not None else before.region,
            )
            repo.update_customer(conn, after, self._clock.now())
            self._audit(conn, "customer.edited", f"customer:{slug}", _changes(before, after))
        return after

    def remove_customer(self, slug: str) -> None:
        require(self.member, Action.WRITE)
        with self._transaction() as conn:
            item = repo.customer_by_slug(conn, slug)
            used = repo.count_credentials_of_customer(conn, item.id)
            if used:
                raise ConflictError(f"customer {slug!r} still has {used} credential(s); remove them first")
            repo.delete_customer(conn, item.id)
            self._audit(conn, "customer.removed", f"customer:{slug}", {"name": item.name})

    # --- credentials --------------------------------------------------------------------

    def list_credentials(self, expiring_within_days: int | None = None) -> list[CredentialListing]:
        require(self.member, Action.VIEW_METADATA)
        now = self._clock.now()
        before = now + timedelta(days=expiring_within_days) if expiring_within_days is not None else None
        return [
            CredentialListing(c, rotation.status(c, now))
            for c in repo.credentials(self._conn, expiring_before=before)
        ]

    def resolve_credential(self, ref: str | int) -> int:
        """A numeric id or a path `integration/customer-or-dash/environment/name`."""
        require(self.member, Action.VIEW_METADATA)
        parsed = repository_refs.parse(ref)
        if isinstance(parsed, int):
            return repo.credential_by_id(self._conn, parsed).id
        return repo.credential_id_by_path(self._conn, *parsed)

    def get_credential(self, ref: str | int) -> CredentialListing:
        credential = repo.credential_by_id(self._conn, self.resolve_credential(ref))
        return CredentialListing(credential, rotation.status(credential, self._clock.now()))

    def credential_versions(self, ref: str | int) -> list[CredentialVersion]:
        return repo.versions(self._conn, self.resolve_credential(ref))

    def add_credential(
        self,
        *,
        integration: str,
        name: str,
        secret: bytes,
        customer: str | None = None,
        environment: str = Environment.PRODUCTION.value,
        kind: str = CredentialKind.API_KEY.value,
        owner: str = "",
        expires_at: datetime | None = None,
        rotate_every_days: int | None = None,
        reminder_days: tuple[int, ...] = rotation.DEFAULT_REMINDER_DAYS,
        notes: str = "",
    ) -> Credential:
        require(self.member, Action.WRITE)
        if self._vault.keys.sealing_key is None:
            raise PermissionDeniedError("this key slot cannot seal secrets (no reveal right)")
        now = self._clock.now()
        value = validation.secret(secret)
        draft = Credential(
            id=0,
            integration=integration,
            customer=customer or None,
            environment=validation.choice(Environment, environment, "environment"),
            name=validation.credential_name(name),
            kind=validation.choice(CredentialKind, kind, "kind"),
            owner=validation.display_text(owner, "owner", required=False),
            created_at=now,
            expires_at=expires_at,
            last_rotated_at=now,
            rotate_every_days=validation.days(rotate_every_days, "rotation period"),
            reminder_days=validation.reminder_days(reminder_days),
            version=1,
            notes=validation.notes(notes),
        )
        with self._transaction() as conn:
            integration_row = repo.integration_by_slug(conn, integration)
            customer_id = repo.customer_by_slug(conn, customer).id if customer else None
            try:
                repo.credential_id_by_path(
                    conn, integration, customer, draft.environment.value, draft.name
                )
            except NotFoundError:
                pass
            else:
                raise ConflictError(f"credential {_path(draft)} already exists")
            new_id = repo.insert_credential(conn, draft, integration_row.id, customer_id, now)
            repo.insert_version(
                conn, new_id, 1, seal(self._vault.keys.sealing_key, value, _sealing_aad(new_id, 1)), now
            )
            created = dataclasses.replace(draft, id=new_id)
            self._audit(conn, "credential.added", _target(created), _credential_details(created))
        return created

    def edit_credential(
        self,
        ref: str | int,
        *,
        name: str | None = None,
        kind: str | None = None,
        owner: str | None = None,
        expires_at: datetime | None | object = ...,
        rotate_every_days: int | None | object = ...,
        reminder_days: tuple[int, ...] | None = None,
        notes: str | None = None,
    ) -> Credential:
        require(self.member, Action.WRITE)
        credential_id = self.resolve_credential(ref)
        with self._transaction() as conn:
            before = repo.credential_by_id(conn, credential_id)
            after = dataclasses.replace(
                before,
                name=validation.credential_name(name) if name is not None else before.name,
                kind=validation.choice(CredentialKind, kind, "kind") if kind is not None else before.kind,
                owner=validation.display_text(owner, "owner", required=False)
                if owner is not None
                else before.owner,
                expires_at=before.expires_at if expires_at is ... else _expiry(expires_at),
                rotate_every_days=before.rotate_every_days
                if rotate_every_days is ...
                else validation.days(_optional_int(rotate_every_days), "rotation period"),
                reminder_days=validation.reminder_days(reminder_days)
                if reminder_days is not None
                else before.reminder_days,
                notes=validation.notes(notes) if notes is not None else before.notes,
            )
            if after.name != before.name:
                try:
                    repo.credential_id_by_path(
                        conn, after.integration, after.customer, after.environment.value, after.name
                    )
                except NotFoundError:
                    pass
                else:
                    raise ConflictError(f"credential {_path(after)} already exists")
            repo.update_credential(conn, after, self._clock.now())
            self._audit(conn, "credential.edited", _target(after), _changes(before, after))
        return after

    def remove_credential(self, ref: str | int) -> None:
        require(self.member, Action.WRITE)
        credential_id = self.resolve_credential(ref)
        with self._transaction() as conn:
            item = repo.credential_by_id(conn, credential_id)
            repo.delete_credential(conn, credential_id)
            self._audit(conn, "credential.removed", _target(item), {"versions": item.version})

    def rotate_credential(self, ref: str | int, secret: bytes, note: str = "") -> Credential:
        """Store a new version; the previous one is kept (retired) for rollback."""
        require(self.member, Action.WRITE)
        if self._vault.keys.sealing_key is None:
            raise PermissionDeniedError("this key slot cannot seal secrets (no reveal right)")
        value = validation.secret(secret)
        note = validation.display_text(note, "note", required=False, limit=500)
        credential_id = self.resolve_credential(ref)
        now = self._clock.now()
        with self._transaction() as conn:
            before = repo.credential_by_id(conn, credential_id)
            version = before.version + 1
            repo.retire_version(conn, credential_id, before.version, now)
            repo.insert_version(
                conn,
                credential_id,
                version,
                seal(self._vault.keys.sealing_key, value, _sealing_aad(credential_id, version)),
                now,
            )
            after = dataclasses.replace(before, version=version, last_rotated_at=now)
            repo.update_credential(conn, after, now)
            self._audit(
                conn, "credential.rotated", _target(after), {"version": version, "note": note}
            )
        return after

    def reveal_secret(
        self, ref: str | int, purpose: str = "reveal", version: int | None = None
    ) -> bytes:
        """The secret value, for an explicit reveal, copy or inject. Audited like a change."""
        require(self.member, Action.REVEAL)
        if purpose not in REVEAL_PURPOSES:
            raise ValidationError(f"purpose must be one of {', '.join(REVEAL_PURPOSES)}", "purpose")
        sealing_key = self._vault.keys.sealing_key
        if sealing_key is None:
            raise PermissionDeniedError("this key slot holds no key that can reveal secrets")
        credential_id = self.resolve_credential(ref)
        with self._transaction() as conn:
            item = repo.credential_by_id(conn, credential_id)
            wanted = item.version if version is None else version
            sealed = repo.sealed_value(conn, credential_id, wanted)
            if sealed is None:
                raise NotFoundError(f"credential {credential_id} has no stored value for version {wanted}")
            try:
                value = open_sealed(sealing_key, sealed, _sealing_aad(credential_id, wanted))
            except SealError as exc:
                raise VaultDamagedError(
                    f"the sealed value of credential {credential_id} failed authentication"
                ) from exc
            self._audit(conn, _REVEAL_ACTIONS[purpose], _target(item), {"version": wanted})
        return value

    # --- key slots ----------------------------------------------------------------------

    def list_keyslots(self) -> list[KeySlotInfo]:
        require(self.member, Action.VIEW_METADATA)
        file = self._current_slots()
        return [_slot_info(s) for s in file.slots]

    def add_passphrase_slot(self, passphrase: str, params: KdfParams) -> KeySlotInfo:
        if not passphrase:
            raise ValidationError("the passphrase must not be empty", "passphrase")
        params.checked()
        slot, kek = keyslots.make_passphrase_slot(
            passphrase, params, self.member.name, self.can_reveal, self._clock.now()
        )
        return self._add_slot(slot, kek)

    def add_keyring_slot(self, store: DeviceKeyStore) -> KeySlotInfo:
        with self._transaction() as conn:
            file = self._current_slots()
            mine = [s for s in opening.keyring_slots(file) if s.member == self.member.name]
            existing = store.load(self.vault_id)
            if existing is not None and any(s.id == existing.slot_id for s in mine):
                raise ConflictError(
                    f"this device's keyring already unlocks this vault (slot {existing.slot_id})"
                )
            slot, kek, device_key = keyslots.make_keyring_slot(
                self.vault_id, store.backend_name, self.member.name, self.can_reveal, self._clock.now()
            )
            store.save(self.vault_id, DeviceKeyEntry(slot.id, device_key, 0))
            try:
                info = self._write_new_slot(conn, file, slot, kek)
            except BaseException:
                store.delete(self.vault_id)
                raise
        return info

    def _add_slot(self, slot: keyslots.Slot, kek: keyslots.SecretKey) -> KeySlotInfo:
        with self._transaction() as conn:
            return self._write_new_slot(conn, self._current_slots(), slot, kek)

    def _write_new_slot(
        self, conn: Connection, file: keyslots.KeySlotFile, slot: keyslots.Slot, kek: keyslots.SecretKey
    ) -> KeySlotInfo:
        wrapped = keyslots.wrap(slot, kek, self._vault.keys, self.vault_id)
        self._audit(conn, "keyslot.added", f"keyslot:{slot.id}", {"kind": slot.kind})
        self._save_slots(file.with_slot(wrapped))
        return _slot_info(wrapped)

    def remove_keyslot(
        self, slot_id: str, store_for: Callable[[str], DeviceKeyStore] = DeviceKeyStore.for_backend
    ) -> None:
        with self._transaction() as conn:
            file = self._current_slots()
            try:
                slot = file.slot(slot_id)
            except KeyError:
                raise NotFoundError(f"no key slot {slot_id!r}") from None
            if slot.member != self.member.name:
                require(self.member, Action.MANAGE_MEMBERS)
            remaining = [
                s
                for s in file.slots
                if s.id != slot_id and s.member == slot.member and s.kind != keyslots.KEYRING
            ]
            if not remaining:
                raise ConflictError(
                    "refusing to remove the last passphrase or recovery slot: the vault would"
                    " only open on this device"
                )
            self._audit(conn, "keyslot.removed", f"keyslot:{slot_id}", {"kind": slot.kind})
            self._save_slots(file.without_slot(slot_id))
        if slot.kind == keyslots.KEYRING:
            with contextlib.suppress(Exception):
                store = store_for(slot.backend)
                entry = store.load(self.vault_id)
                if entry is not None and entry.slot_id == slot_id:
                    store.delete(self.vault_id)

    def change_passphrase(self, new_passphrase: str, params: KdfParams | None = None) -> KeySlotInfo:
        """Re-wrap the member's passphrase slot under a new passphrase; no data is re-encrypted."""
        if not new_passphrase:
            raise ValidationError("the new passphrase must not be empty", "passphrase")
        with self._transaction() as conn:
            file = self._current_slots()
            mine = [
                s for s in file.slots if s.kind == keyslots.PASSPHRASE and s.member == self.member.name
            ]
            target = next((s for s in mine if s.id == self.slot_id), None)
            if target is None:
                if len(mine) != 1:
                    raise ValidationError(
                        "unlock with the passphrase you want to change", "passphrase"
                    )
                target = mine[0]
            chosen = (params or target.kdf_params()).checked()
            fresh, kek = keyslots.make_passphrase_slot(
                new_passphrase, chosen, self.member.name, target.can_reveal, self._clock.now()
            )
            fresh = keyslots.wrap(dataclasses.replace(fresh, id=target.id), kek, self._vault.keys, self.vault_id)
            self._audit(conn, "keyslot.passphrase_changed", f"keyslot:{target.id}", {})
            self._save_slots(file.replacing(fresh))
        return _slot_info(fresh)

    def _current_slots(self) -> keyslots.KeySlotFile:
        # Re-read from disk: another process may have changed the slots since we unlocked.
        loaded = opening.load_slots(self.folder)
        if loaded.file.vault_id != self.vault_id:
            raise VaultDamagedError("keyslots.json now belongs to another vault")
        loaded.file.verify_mac(loaded.mac, self._vault.keys.database_key)
        return loaded.file

    def _save_slots(self, file: keyslots.KeySlotFile) -> None:
        file.save(paths.keyslots_path(self.folder), self._vault.keys.database_key)

    # --- audit (read side; the trail UI lands with the audit issue) --------------------

    def first_broken_audit_event(self) -> int | None:
        require(self.member, Action.VIEW_AUDIT)
        return audit.first_broken(self._conn, self._audit_key)

    def audit_events(self) -> list[AuditEvent]:
        require(self.member, Action.VIEW_AUDIT)
        return audit.events(self._conn)


def repo_exists(conn: Connection, table: str, slug: str) -> bool:
    return bool(conn.execute(f"SELECT 1 FROM {table} WHERE slug = ?", (slug,)).fetchone())  # noqa: S608


def _path(c: Credential) -> str:
    return f"{c.integration}/{c.customer or '-'}/{c.environment.value}/{c.name}"


def _target(c: Credential) -> str:
    return f"credential:{c.id}:{_path(c)}"


def _credential_details(c: Credential) -> dict[str, object]:
    return {
        "kind": c.kind.value,
        "owner": c.owner,
        "expires_at": format_date(c.expires_at) or None,
        "rotate_every_days": c.rotate_every_days,
    }


def _changes(before: object, after: object) -> dict[str, object]:
    """Field → [before, after] for the audit trail (metadata only; no secret is ever a field)."""
    changed: dict[str, object] = {}
    for f in dataclasses.fields(before):  # type: ignore[arg-type]
        old, new = getattr(before, f.name), getattr(after, f.name)
        if old != new:
            changed[f.name] = [_plain(old), _plain(new)]
    return changed


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "value"):
        return value.value
    return value


def _expiry(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    raise ValidationError("expiry must be a date or empty", "expires_at")


def _optional_int(value: object) -> int | None:
    if value is None or isinstance(value, int):
        return value
    raise ValidationError("rotation period must be a whole number of days", "rotate_every_days")


def _slot_info(slot: keyslots.Slot) -> KeySlotInfo:
    if slot.kind == keyslots.PASSPHRASE:
        detail = slot.kdf_params().describe()
    elif slot.kind == keyslots.KEYRING:
        detail = f"device key in {slot.backend}"
    else:
        detail = "recovery code"
    return KeySlotInfo(
        id=slot.id,
        kind=slot.kind,
        member=slot.member,
        can_reveal=slot.can_reveal,
        created_at=parse_utc(slot.created_at),
        detail=detail,
    )


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
    folder: Path, secret: str, *, clock: Clock | None = None, origin: audit.Origin | None = None
) -> VaultSession:
    vault = opening.unlock_with_secret(folder, secret)
    return VaultSession(vault, clock or SystemClock(), origin or current_origin())


def open_vault_with_keyring(
    folder: Path,
    *,
    store_for: Callable[[str], DeviceKeyStore] = DeviceKeyStore.for_backend,
    clock: Clock | None = None,
    origin: audit.Origin | None = None,
) -> VaultSession:
    vault = opening.unlock_with_keyring(folder, store_for)
    return VaultSession(vault, clock or SystemClock(), origin or current_origin())


def vault_has_keyring_slot(folder: Path) -> bool:
    return bool(opening.keyring_slots(opening.load_slots(folder).file))
